/**
 * Which model ids the emulator answers, what kind of model each is, and its limits.
 *
 * Embedding models are listed exactly (their request shapes differ). Chat models are matched by
 * pattern per family, so new Claude / Nova / Llama / Mistral versions work without an edit. An id may
 * carry a cross-region inference-profile prefix (`us.`, `eu.`, `apac.`, `global.`, …) or be a
 * foundation-model / inference-profile ARN; both resolve to the bare model id.
 */
import { BedrockServiceError } from './errors';

export type EmbeddingModelKind = 'titan-embed-v2' | 'cohere-embed-v3' | 'cohere-embed-v4';
export type ChatFamily = 'anthropic' | 'amazon-nova' | 'meta-llama' | 'mistral';

export interface EmbeddingModelSpec {
  kind: 'embedding';
  format: EmbeddingModelKind;
  modelId: string;
  /** Allowed output dimensions; the first is the default. */
  dimensions: readonly number[];
  defaultDimensions: number;
  /** Max texts per request (Cohere) — Titan embeds one text per request. */
  maxTexts: number;
  /** Max characters per text before truncation applies (Cohere) or the request fails (Titan). */
  maxChars: number;
  /** Max input tokens (Titan: 8,192). */
  maxTokens: number;
}

export interface ChatModelSpec {
  kind: 'chat';
  family: ChatFamily;
  modelId: string;
  /** Largest maxTokens accepted in inferenceConfig. */
  maxOutputTokens: number;
}

export type ModelSpec = EmbeddingModelSpec | ChatModelSpec;

// Sources: AWS Bedrock user guide, "Amazon Titan Text Embeddings" (dimensions 256/512/1024, 8,192
// tokens / 50,000 characters), "Cohere Embed and Cohere Embed v4 models" (96 texts, 2,048 characters,
// v4 output_dimension 256/512/1024/1536).
const EMBEDDING_MODELS: Record<string, EmbeddingModelSpec> = {
  'amazon.titan-embed-text-v2:0': {
    kind: 'embedding',
    format: 'titan-embed-v2',
    modelId: 'amazon.titan-embed-text-v2:0',
    dimensions: [256, 512, 1024],
    defaultDimensions: 1024,
    maxTexts: 1,
    maxChars: 50_000,
    maxTokens: 8_192,
  },
  'cohere.embed-english-v3': cohereV3('cohere.embed-english-v3'),
  'cohere.embed-multilingual-v3': cohereV3('cohere.embed-multilingual-v3'),
  'cohere.embed-v4:0': {
    kind: 'embedding',
    format: 'cohere-embed-v4',
    modelId: 'cohere.embed-v4:0',
    dimensions: [256, 512, 1024, 1536],
    defaultDimensions: 1536,
    maxTexts: 96,
    maxChars: 2_048,
    maxTokens: 128_000,
  },
};

const CHAT_PATTERNS: ReadonlyArray<{ family: ChatFamily; pattern: RegExp; maxOutputTokens: number }> = [
  { family: 'anthropic', pattern: /^anthropic\.claude-[a-z0-9.-]+(:\d+)?$/, maxOutputTokens: 64_000 },
  { family: 'amazon-nova', pattern: /^amazon\.nova-(\d+-)?(micro|lite|pro|premier|omni)(-v\d+)?(:\d+)?$/, maxOutputTokens: 10_000 },
  { family: 'meta-llama', pattern: /^meta\.llama[0-9a-z.-]+(:\d+)?$/, maxOutputTokens: 8_192 },
  { family: 'mistral', pattern: /^mistral\.[a-z0-9.-]+(:\d+)?$/, maxOutputTokens: 8_192 },
];

const PROFILE_PREFIX = /^(us|eu|apac|us-gov|ca|jp|au|global)\./;
const ARN = /^arn:aws[a-z-]*:bedrock:[a-z0-9-]*:\d*:(foundation-model|inference-profile)\/(.+)$/;

/** The bare model id: ARN and inference-profile prefix removed. */
export function bareModelId(modelId: string): string {
  const arn = ARN.exec(modelId);
  const id = arn ? arn[2]! : modelId;
  return id.replace(PROFILE_PREFIX, '');
}

/** The spec for `modelId`, or ResourceNotFoundException (404) naming the id. */
export function resolveModel(modelId: string): ModelSpec {
  const id = bareModelId(modelId);
  const embedding = EMBEDDING_MODELS[id];
  if (embedding) return embedding;
  for (const { family, pattern, maxOutputTokens } of CHAT_PATTERNS) {
    if (pattern.test(id) && !id.includes('embed')) return { kind: 'chat', family, modelId: id, maxOutputTokens };
  }
  throw new BedrockServiceError(
    'ResourceNotFoundException',
    `Could not resolve the foundation model from the provided model identifier: ${modelId}`,
  );
}

/** Every embedding model id the emulator knows (docs and tests list them). */
export const EMBEDDING_MODEL_IDS: readonly string[] = Object.keys(EMBEDDING_MODELS);

function cohereV3(modelId: string): EmbeddingModelSpec {
  return {
    kind: 'embedding',
    format: 'cohere-embed-v3',
    modelId,
    dimensions: [1024],
    defaultDimensions: 1024,
    maxTexts: 96,
    maxChars: 2_048,
    maxTokens: 512,
  };
}
