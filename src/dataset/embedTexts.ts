/**
 * Embeds many texts through BedrockRuntimeClient.InvokeModel, in batches within the model's limits
 * (Cohere: ≤ batch_size texts, each cut to max_input_chars and sent with truncation on; Titan: one
 * text per request), a few requests in flight, writing straight into one Float32Array.
 * Works the same against the local Bedrock emulator and real Bedrock.
 */
import { InvokeModelCommand, type BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { EmbeddingModelConfig } from '../config';
import { LarderError } from '../errors';

export interface EmbedOptions {
  model: EmbeddingModelConfig & { key: string };
  /** Requests in flight at once. */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
}

export async function embedTexts(client: BedrockRuntimeClient, texts: string[], options: EmbedOptions): Promise<Float32Array> {
  const { model } = options;
  const dims = model.dimensions;
  const out = new Float32Array(texts.length * dims);
  const batch = model.provider === 'titan' ? 1 : Math.max(1, model.batch_size);
  const starts: number[] = [];
  for (let i = 0; i < texts.length; i += batch) starts.push(i);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < starts.length) {
      const start = starts[next++];
      const slice = texts.slice(start, start + batch).map((t) => clip(t, model.max_input_chars));
      const vectors = await invoke(client, model, slice);
      if (vectors.length !== slice.length) throw upstream(model, `returned ${vectors.length} embeddings for ${slice.length} texts`);
      vectors.forEach((v, j) => {
        if (v.length !== dims) throw upstream(model, `returned a ${v.length}-d vector; configured dimensions are ${dims}`);
        out.set(v, (start + j) * dims);
      });
      done += slice.length;
      options.onProgress?.(done, texts.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 4, starts.length) }, worker));
  return out;
}

async function invoke(client: BedrockRuntimeClient, model: EmbedOptions['model'], texts: string[]): Promise<number[][]> {
  const body =
    model.provider === 'titan'
      ? { inputText: texts[0], dimensions: model.dimensions, normalize: true }
      : model.model_id.includes('embed-v4')
        ? { texts, input_type: model.document_input_type ?? 'search_document', output_dimension: model.dimensions, embedding_types: ['float'], truncate: 'RIGHT' }
        : { texts, input_type: model.document_input_type ?? 'search_document', embedding_types: ['float'], truncate: 'END' };
  let parsed: { embedding?: number[]; embeddings?: number[][] | { float?: number[][] } };
  try {
    const res = await client.send(
      new InvokeModelCommand({ modelId: model.model_id, contentType: 'application/json', accept: 'application/json', body: JSON.stringify(body) }),
    );
    parsed = JSON.parse(new TextDecoder().decode(res.body));
  } catch (err) {
    const e = err as { name?: string; message?: string };
    throw new LarderError('UPSTREAM', `bedrock ${model.model_id}: InvokeModel failed: ${e.name ?? 'Error'}: ${e.message ?? ''}`, { cause: err });
  }
  if (model.provider === 'titan') return parsed.embedding ? [parsed.embedding] : [];
  const e = parsed.embeddings;
  return Array.isArray(e) ? e : (e?.float ?? []);
}

/** Cuts a text to `maxChars` without splitting a surrogate pair. */
function clip(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text || ' ';
  let end = maxChars;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return text.slice(0, end);
}

function upstream(model: { model_id: string }, why: string): LarderError {
  return new LarderError('UPSTREAM', `bedrock ${model.model_id}: ${why}`);
}
