import { describe, expect, it, vi } from 'vitest';
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { loadConfig } from '../../../src/config';
import { converseRequest, generate, generationCost } from '../../../src/rag/generation/converse';
import { embeddingRequestBody, parseEmbeddingResponse } from '../../../src/rag/generation/embedQuery';
import { withThrottleRetry } from '../../../src/rag/generation/bedrockErrors';
import { LarderError } from '../../../src/errors';

const config = loadConfig(undefined, {});

describe('the Converse request', () => {
  it('has the same shape for Claude, Nova and Llama, differing only in modelId and the configured numbers', () => {
    const shapes = Object.values(config.serving_models.models).map((m) => {
      const req = converseRequest(m, 'SYSTEM', 'USER');
      expect(req).toEqual({
        modelId: m.model_id,
        system: [{ text: 'SYSTEM' }],
        messages: [{ role: 'user', content: [{ text: 'USER' }] }],
        inferenceConfig: { maxTokens: m.max_tokens, temperature: m.temperature },
      });
      return JSON.stringify({ ...req, modelId: 'X', inferenceConfig: { ...req.inferenceConfig, maxTokens: 0, temperature: 0 } });
    });
    expect(new Set(shapes).size).toBe(1);
  });

  it('never sends temperature and topP together (Claude 4.5 rejects that)', () => {
    for (const m of Object.values(config.serving_models.models)) expect(converseRequest(m, 's', 'u').inferenceConfig).not.toHaveProperty('topP');
  });
});

describe('cost', () => {
  it('is input/1000 × input price + output/1000 × output price', () => {
    expect(generationCost({ cost_per_1k_input: 0.001, cost_per_1k_output: 0.005 }, 2000, 300)).toBeCloseTo(0.002 + 0.0015, 15);
    expect(generationCost({ cost_per_1k_input: 0.003, cost_per_1k_output: 0.015 }, 0, 0)).toBe(0);
  });

  it('comes from the response usage, with the stop reason kept', async () => {
    const send = vi.fn().mockResolvedValue({ output: { message: { role: 'assistant', content: [{ text: 'An answer.' }] } }, usage: { inputTokens: 1500, outputTokens: 200 }, stopReason: 'max_tokens' });
    const m = config.serving_models.models.claude_sonnet_45;
    const g = await generate({ send } as unknown as BedrockRuntimeClient, m, 's', 'u');
    expect(g).toEqual({ text: 'An answer.', model_id: m.model_id, input_tokens: 1500, output_tokens: 200, cost: 1.5 * 0.003 + 0.2 * 0.015, stop_reason: 'max_tokens' });
  });
});

describe('the query embedding request', () => {
  it('uses the query input type for Cohere and none for Titan', () => {
    expect(embeddingRequestBody(config.embedding.models.cohere_v4, 'q')).toEqual({ texts: ['q'], input_type: 'search_query', embedding_types: ['float'], truncate: 'RIGHT', output_dimension: 1024 });
    expect(embeddingRequestBody(config.embedding.models.cohere_v3, 'q')).toEqual({ texts: ['q'], input_type: 'search_query', embedding_types: ['float'], truncate: 'END' });
    expect(embeddingRequestBody(config.embedding.models.titan_v2, 'q')).toEqual({ inputText: 'q', dimensions: 1024, normalize: true });
  });

  it('reads every response form', () => {
    expect(Array.from(parseEmbeddingResponse(config.embedding.models.titan_v2, { embedding: [1, 2] }))).toEqual([1, 2]);
    expect(Array.from(parseEmbeddingResponse(config.embedding.models.cohere_v3, { embeddings: [[3, 4]] }))).toEqual([3, 4]);
    expect(Array.from(parseEmbeddingResponse(config.embedding.models.cohere_v4, { embeddings: { float: [[5]] } }))).toEqual([5]);
    expect(() => parseEmbeddingResponse(config.embedding.models.cohere_v4, { id: 'x' })).toThrow(/returned no embedding/);
  });
});

describe('throttling', () => {
  const throttle = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 429 } });
  const sleep = async () => {};

  it('is retried with backoff, then succeeds', async () => {
    const call = vi.fn().mockRejectedValueOnce(throttle).mockResolvedValueOnce('ok');
    await expect(withThrottleRetry('x', call, { retries: 2, sleep })).resolves.toBe('ok');
    expect(call).toHaveBeenCalledTimes(2);
  });

  it('becomes a 503 THROTTLED error when it outlasts the retries', async () => {
    const call = vi.fn().mockRejectedValue(throttle);
    const err = (await withThrottleRetry('the answer (m)', call, { retries: 2, sleep }).catch((e: unknown) => e)) as LarderError;
    expect(err).toBeInstanceOf(LarderError);
    expect(err).toMatchObject({ code: 'THROTTLED', statusCode: 503 });
    expect(err.message).toMatch(/throttled the answer \(m\) after 3 attempts/);
    expect(call).toHaveBeenCalledTimes(3);
  });

  it('does not retry other errors', async () => {
    const call = vi.fn().mockRejectedValue(Object.assign(new Error('bad model'), { name: 'ValidationException' }));
    await expect(withThrottleRetry('x', call, { sleep })).rejects.toMatchObject({ code: 'UPSTREAM', statusCode: 502 });
    expect(call).toHaveBeenCalledTimes(1);
  });
});
