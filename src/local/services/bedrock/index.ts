/**
 * Larder's Bedrock Runtime emulator: InvokeModel (Titan v2 / Cohere v3 / Cohere v4 embeddings) and
 * Converse (extractive answers) over bedrock-runtime's REST protocol. See docs/bedrock.md.
 */
export { startBedrockEmulator, SIMULATE_ERROR_HEADER, type BedrockEmulator, type BedrockEmulatorOptions } from './server';
export { embedText, embeddingSeed, cosineSimilarity, EMULATOR_EMBEDDING_VERSION, type EmbedOptions } from './embeddings';
export { answerFromContext } from './answer';
export { resolveModel, bareModelId, EMBEDDING_MODEL_IDS } from './models';
export { estimateTokens } from './tokens';
export { createDualProtocolServer, type DualProtocolServer, type DualHandler } from './dualProtocolServer';
