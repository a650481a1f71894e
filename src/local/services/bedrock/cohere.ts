/**
 * InvokeModel for Cohere Embed English/Multilingual v3 and Cohere Embed v4.
 * Sources: AWS Bedrock user guide, "Cohere Embed v3" (model-parameters-embed-v3) and "Cohere Embed v4"
 * (model-parameters-embed-v4):
 *   v3 request {texts (≤ 96, each ≤ 2,048 chars), input_type: search_document|search_query|
 *              classification|clustering (required), truncate?: NONE (default) | START | END,
 *              embedding_types?: [float|int8|uint8|binary|ubinary]}
 *   v4 request {texts, input_type, output_dimension?: 256|512|1024|1536 (default 1536),
 *              embedding_types?, max_tokens? (≤ 128,000), truncate?: NONE | LEFT | RIGHT}
 *   response   {id, texts, embeddings, response_type}: without embedding_types (v3) the embeddings
 *              are float[][] and response_type "embeddings_floats"; with embedding_types (and always
 *              for v4) they are {float?: [...], int8?: [...], ...} and response_type "embeddings_by_type".
 * Truncation: NONE fails a text over the limit; START/LEFT keep its end, END/RIGHT keep its start.
 * Only `texts` inputs are emulated (not `images` / `inputs`).
 */
import { randomUUID } from 'node:crypto';
import { embedText, embeddingSeed } from './embeddings';
import { validationError } from './errors';
import type { EmbeddingModelSpec } from './models';
import type { InvokeResult } from './invokeTypes';
import { roundForWire, toInt8, toPackedBits, toUint8 } from './quantize';
import { estimateTokens } from './tokens';
import { expectOneOf, expectString, expectStringArray, malformed, rejectExtraneousKeys, requireKey, type JsonObject } from './validate';

const INPUT_TYPES = ['search_document', 'search_query', 'classification', 'clustering'] as const;
const EMBEDDING_TYPES = ['float', 'int8', 'uint8', 'binary', 'ubinary'] as const;
type EmbeddingType = (typeof EMBEDDING_TYPES)[number];
const V3_TRUNCATE = ['NONE', 'START', 'END'] as const;
const V4_TRUNCATE = ['NONE', 'LEFT', 'RIGHT'] as const;
const V4_MAX_TOKENS = 128_000;
const V3_KEYS = ['texts', 'images', 'input_type', 'truncate', 'embedding_types'] as const;
const V4_KEYS = ['texts', 'images', 'inputs', 'input_type', 'embedding_types', 'output_dimension', 'max_tokens', 'truncate'] as const;

export function invokeCohereEmbedding(body: JsonObject, model: EmbeddingModelSpec): InvokeResult {
  const isV4 = model.format === 'cohere-embed-v4';
  if (body.images !== undefined || body.inputs !== undefined) {
    throw validationError('The Larder Bedrock emulator embeds texts only; images and inputs are not emulated.');
  }
  const texts = expectStringArray(requireKey(body, 'texts'), '#/texts');
  expectOneOf(expectString(requireKey(body, 'input_type'), '#/input_type'), INPUT_TYPES, '#/input_type');
  rejectExtraneousKeys(body, isV4 ? V4_KEYS : V3_KEYS);
  if (texts.length > model.maxTexts) throw malformed(`#/texts: expected maxItems: ${model.maxTexts}, actual: ${texts.length}`);
  if (texts.length === 0) throw malformed('#/texts: expected minItems: 1, actual: 0');
  const truncate = body.truncate === undefined ? 'NONE' : expectOneOf(body.truncate, isV4 ? V4_TRUNCATE : V3_TRUNCATE, '#/truncate');
  const dims = isV4
    ? body.output_dimension === undefined
      ? model.defaultDimensions
      : expectOneOf(body.output_dimension, model.dimensions, '#/output_dimension')
    : model.defaultDimensions;
  const requestedTypes =
    body.embedding_types === undefined
      ? undefined
      : expectStringArray(body.embedding_types, '#/embedding_types').map((t, i) =>
          expectOneOf(t, EMBEDDING_TYPES, `#/embedding_types/${i}`),
        );
  const maxChars = isV4 ? maxCharsForV4(body) : model.maxChars;

  const seed = embeddingSeed(model.modelId);
  let inputTokens = 0;
  const floats: number[][] = [];
  const byType: Partial<Record<EmbeddingType, number[][]>> = {};
  const types: readonly EmbeddingType[] = requestedTypes?.length ? requestedTypes : ['float'];
  for (let i = 0; i < texts.length; i++) {
    const text = truncateText(texts[i]!, maxChars, truncate, i);
    inputTokens += estimateTokens(text);
    const vector = embedText(text, dims, { seed });
    for (const type of types) (byType[type] ??= []).push(encode(vector, type));
    if (!requestedTypes && !isV4) floats.push(byType.float!.at(-1)!);
  }

  const byTypeForm = isV4 || requestedTypes !== undefined;
  return {
    body: {
      id: randomUUID(),
      texts,
      embeddings: byTypeForm ? byType : floats,
      response_type: byTypeForm ? 'embeddings_by_type' : 'embeddings_floats',
    },
    inputTokens,
    outputTokens: 0,
  };
}

function truncateText(text: string, maxChars: number, truncate: string, index: number): string {
  if (text.length === 0) throw malformed(`#/texts/${index}: expected minLength: 1, actual: 0`);
  if (text.length <= maxChars) return text;
  if (truncate === 'NONE') {
    throw malformed(`#/texts/${index}: expected maxLength: ${maxChars}, actual: ${text.length}`);
  }
  // START / LEFT discard the start of the input; END / RIGHT discard the end.
  return truncate === 'START' || truncate === 'LEFT' ? text.slice(text.length - maxChars) : text.slice(0, maxChars);
}

function maxCharsForV4(body: JsonObject): number {
  if (body.max_tokens === undefined) return V4_MAX_TOKENS * 4;
  const maxTokens = body.max_tokens;
  if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1 || maxTokens > V4_MAX_TOKENS) {
    throw malformed(`#/max_tokens: expected an integer from 1 to ${V4_MAX_TOKENS}, found: ${JSON.stringify(maxTokens)}`);
  }
  return maxTokens * 4;
}

function encode(vector: Float64Array, type: EmbeddingType): number[] {
  switch (type) {
    case 'float':
      return roundForWire(vector);
    case 'int8':
      return toInt8(vector);
    case 'uint8':
      return toUint8(vector);
    case 'binary':
      return toPackedBits(vector, true);
    case 'ubinary':
      return toPackedBits(vector, false);
  }
}
