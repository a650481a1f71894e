/**
 * The question's embedding through InvokeModel, with the *query* input type (Cohere
 * `search_query`; Titan has none). Embedding questions as documents squeezes every similarity into a
 * narrow band — FinSights saw [0.67, 0.74] — and ruins the min_similarity cut.
 */
import { InvokeModelCommand, type BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { EmbeddingModelConfig } from '../../config';
import { LarderError } from '../../errors';
import { withThrottleRetry, type RetryOptions } from './bedrockErrors';

export function embeddingRequestBody(model: EmbeddingModelConfig, text: string): Record<string, unknown> {
  const input = text.slice(0, model.max_input_chars);
  if (model.provider === 'titan') return { inputText: input, dimensions: model.dimensions, normalize: true };
  const v4 = /embed-v4/.test(model.model_id);
  return {
    texts: [input],
    input_type: model.query_input_type ?? 'search_query',
    embedding_types: ['float'],
    truncate: v4 ? 'RIGHT' : 'END',
    ...(v4 ? { output_dimension: model.dimensions } : {}),
  };
}

export function parseEmbeddingResponse(model: EmbeddingModelConfig, body: unknown): Float32Array {
  const b = body as { embedding?: number[]; embeddings?: number[][] | { float?: number[][] } };
  const vector = model.provider === 'titan' ? b.embedding : Array.isArray(b.embeddings) ? b.embeddings[0] : b.embeddings?.float?.[0];
  if (!Array.isArray(vector) || vector.length === 0) {
    throw new LarderError('UPSTREAM', `${model.model_id} returned no embedding (response keys: ${Object.keys(b ?? {}).join(', ')})`);
  }
  return Float32Array.from(vector);
}

export async function embedQuery(client: BedrockRuntimeClient, model: EmbeddingModelConfig, text: string, retry?: RetryOptions): Promise<Float32Array> {
  const response = await withThrottleRetry(
    `the query embedding (${model.model_id})`,
    () =>
      client.send(
        new InvokeModelCommand({ modelId: model.model_id, contentType: 'application/json', accept: 'application/json', body: JSON.stringify(embeddingRequestBody(model, text)) }),
      ),
    retry,
  );
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(response.body));
  } catch (err) {
    throw new LarderError('UPSTREAM', `${model.model_id} returned a body that is not JSON`, { cause: err });
  }
  const v = parseEmbeddingResponse(model, parsed);
  if (v.length !== model.dimensions) throw new LarderError('UPSTREAM', `${model.model_id} returned ${v.length} dimensions, the config says ${model.dimensions}`);
  return v;
}
