/**
 * InvokeModel for Amazon Titan Text Embeddings v2.
 * Source: AWS Bedrock user guide, "Amazon Titan Embeddings Text" (model-parameters-titan-embed-text):
 *   request  {inputText, dimensions? 1024|512|256 (default 1024), normalize? (default true),
 *             embeddingTypes? ["float" | "binary"] (default ["float"])}
 *   response {embedding: float[] (always float), inputTextTokenCount,
 *             embeddingsByType: {float?: float[], binary?: int[]}} — embeddingsByType always present.
 * Limits: 8,192 tokens or 50,000 characters per text.
 */
import { embedText, embeddingSeed } from './embeddings';
import { validationError } from './errors';
import type { EmbeddingModelSpec } from './models';
import { roundForWire, toTitanBinary } from './quantize';
import { estimateTokens } from './tokens';
import { expectBoolean, expectOneOf, expectString, expectStringArray, malformed, rejectExtraneousKeys, requireKey, type JsonObject } from './validate';
import type { InvokeResult } from './invokeTypes';

const TITAN_EMBEDDING_TYPES = ['float', 'binary'] as const;
const TITAN_KEYS = ['inputText', 'dimensions', 'normalize', 'embeddingTypes'] as const;

export function invokeTitanEmbedding(body: JsonObject, model: EmbeddingModelSpec): InvokeResult {
  const inputText = expectString(requireKey(body, 'inputText'), '#/inputText');
  rejectExtraneousKeys(body, TITAN_KEYS);
  if (inputText.length === 0) throw malformed('#/inputText: expected minLength: 1, actual: 0');
  if (inputText.length > model.maxChars) {
    throw malformed(`#/inputText: expected maxLength: ${model.maxChars}, actual: ${inputText.length}`);
  }
  const inputTokens = estimateTokens(inputText);
  if (inputTokens > model.maxTokens) {
    throw validationError(
      `400 Bad Request: Too many input tokens. Max input tokens: ${model.maxTokens}, request input token count: ${inputTokens}`,
    );
  }
  const dimensions =
    body.dimensions === undefined ? model.defaultDimensions : expectOneOf(body.dimensions, model.dimensions, '#/dimensions');
  const normalize = body.normalize === undefined ? true : expectBoolean(body.normalize, '#/normalize');
  const types =
    body.embeddingTypes === undefined
      ? ['float']
      : expectStringArray(body.embeddingTypes, '#/embeddingTypes').map((t, i) =>
          expectOneOf(t, TITAN_EMBEDDING_TYPES, `#/embeddingTypes/${i}`),
        );
  if (types.length === 0) throw malformed('#/embeddingTypes: expected minItems: 1, actual: 0');

  const vector = embedText(inputText, dimensions, { normalize, seed: embeddingSeed(model.modelId) });
  const float = roundForWire(vector);
  const embeddingsByType: Record<string, number[]> = {};
  if (types.includes('float')) embeddingsByType.float = float;
  if (types.includes('binary')) embeddingsByType.binary = toTitanBinary(vector);
  return {
    body: { embedding: float, inputTextTokenCount: inputTokens, embeddingsByType },
    inputTokens,
    outputTokens: 0,
  };
}
