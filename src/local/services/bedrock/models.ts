/**
 * Which model ids the emulator answers, what kind of model each is, and its limits.
 *
 * Embedding and chat models are listed exactly (CHAT_MODEL_IDS): a made-up id fails as it does on
 * Bedrock, and a new model needs one line here. The family (Claude / Nova / Llama / Mistral) decides
 * the InvokeModel body shape and the output-token limit. An id may
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

const CHAT_FAMILIES: ReadonlyArray<{ family: ChatFamily; pattern: RegExp; maxOutputTokens: number }> = [
  { family: 'anthropic', pattern: /^anthropic\./, maxOutputTokens: 64_000 },
  { family: 'amazon-nova', pattern: /^amazon\.nova-/, maxOutputTokens: 10_000 },
  { family: 'meta-llama', pattern: /^meta\.llama/, maxOutputTokens: 8_192 },
  { family: 'mistral', pattern: /^mistral\./, maxOutputTokens: 8_192 },
];

/**
 * The text/chat model ids Bedrock serves (bare, without a profile prefix), from the Bedrock user
 * guide's "Supported foundation models" table. An id of a known provider that is not listed here is
 * a ValidationException ("The provided model identifier is invalid.") as on Bedrock: a made-up id
 * such as `anthropic.claude-nonexistent` must fail locally the way it fails in AWS, not answer 200.
 * Add a new model's id here when Bedrock adds it.
 */
export const CHAT_MODEL_IDS: ReadonlySet<string> = new Set([
  'anthropic.claude-instant-v1',
  'anthropic.claude-v2',
  'anthropic.claude-v2:1',
  'anthropic.claude-3-haiku-20240307-v1:0',
  'anthropic.claude-3-sonnet-20240229-v1:0',
  'anthropic.claude-3-opus-20240229-v1:0',
  'anthropic.claude-3-5-haiku-20241022-v1:0',
  'anthropic.claude-3-5-sonnet-20240620-v1:0',
  'anthropic.claude-3-5-sonnet-20241022-v2:0',
  'anthropic.claude-3-7-sonnet-20250219-v1:0',
  'anthropic.claude-sonnet-4-20250514-v1:0',
  'anthropic.claude-opus-4-20250514-v1:0',
  'anthropic.claude-opus-4-1-20250805-v1:0',
  'anthropic.claude-sonnet-4-5-20250929-v1:0',
  'anthropic.claude-haiku-4-5-20251001-v1:0',
  'anthropic.claude-opus-4-5-20251101-v1:0',
  'amazon.nova-micro-v1:0',
  'amazon.nova-lite-v1:0',
  'amazon.nova-pro-v1:0',
  'amazon.nova-premier-v1:0',
  'amazon.nova-2-lite-v1:0',
  'meta.llama3-8b-instruct-v1:0',
  'meta.llama3-70b-instruct-v1:0',
  'meta.llama3-1-8b-instruct-v1:0',
  'meta.llama3-1-70b-instruct-v1:0',
  'meta.llama3-1-405b-instruct-v1:0',
  'meta.llama3-2-1b-instruct-v1:0',
  'meta.llama3-2-3b-instruct-v1:0',
  'meta.llama3-2-11b-instruct-v1:0',
  'meta.llama3-2-90b-instruct-v1:0',
  'meta.llama3-3-70b-instruct-v1:0',
  'meta.llama4-scout-17b-instruct-v1:0',
  'meta.llama4-maverick-17b-instruct-v1:0',
  'mistral.mistral-7b-instruct-v0:2',
  'mistral.mixtral-8x7b-instruct-v0:1',
  'mistral.mistral-small-2402-v1:0',
  'mistral.mistral-large-2402-v1:0',
  'mistral.mistral-large-2407-v1:0',
  'mistral.pixtral-large-2502-v1:0',
]);

const PROFILE_PREFIX = /^(us|eu|apac|us-gov|ca|jp|au|global)\./;
const ARN = /^arn:aws[a-z-]*:bedrock:[a-z0-9-]*:\d*:(foundation-model|inference-profile)\/(.+)$/;

/** The bare model id: ARN and inference-profile prefix removed. */
export function bareModelId(modelId: string): string {
  const arn = ARN.exec(modelId);
  const id = arn ? arn[2]! : modelId;
  return id.replace(PROFILE_PREFIX, '');
}

/**
 * The spec for `modelId`. An id of a provider Bedrock serves chat models for, but not one of its
 * models, is a ValidationException (400) as on Bedrock; anything else — another provider, an
 * embedding id Bedrock does not have, an ARN naming nothing — is a ResourceNotFoundException (404).
 */
export function resolveModel(modelId: string): ModelSpec {
  const id = bareModelId(modelId);
  const embedding = EMBEDDING_MODELS[id];
  if (embedding) return embedding;
  const family = CHAT_FAMILIES.find((f) => f.pattern.test(id));
  if (family && CHAT_MODEL_IDS.has(id)) return { kind: 'chat', family: family.family, modelId: id, maxOutputTokens: family.maxOutputTokens };
  if (family && !ARN.test(modelId)) throw new BedrockServiceError('ValidationException', 'The provided model identifier is invalid.');
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
