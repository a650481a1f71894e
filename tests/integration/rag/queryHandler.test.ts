/**
 * QueryFunction with the events in test_events/, over the real data cache (built from
 * ../shared/data/finsights with embeddings from the local Bedrock emulator) and the shared local
 * Bedrock emulator over the wire.
 */
import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { createBedrockRuntimeClient } from '../../../src/aws';
import { ensureDataCache, defaultSourceDir } from '../../../src/cli/localDataset';
import { handler } from '../../../src/handlers/query';
import type { QueryErrorResponse, QueryResponse } from '../../../src/rag';
import { localEnv, testConfig } from '../../setup/services';

const root = resolve(import.meta.dirname, '../../..');
const event = (name: string) => JSON.parse(readFileSync(resolve(root, 'test_events', name), 'utf8'));
const api = async (e: unknown) => {
  const res = (await handler(e)) as APIGatewayProxyResult;
  return { status: res.statusCode, body: JSON.parse(res.body) };
};

const haveData = existsSync(defaultSourceDir(testConfig()));

describe.skipIf(!haveData)('QueryFunction handler', () => {
  beforeAll(async () => {
    // The handler builds its config from process.env on first use, as in Lambda.
    Object.assign(process.env, localEnv(), { DATA_LOADING_MODE: 'LOCAL_CACHE' });
    const config = testConfig();
    await ensureDataCache(config, { bedrock: createBedrockRuntimeClient(config) });
  }, 120_000);

  it('answers the API Gateway event with sources from the right company and year', async () => {
    const { status, body } = await api(event('query_api.json'));
    expect(status).toBe(200);
    const r = body as QueryResponse;
    expect(r.query).toBe("What was Walmart's revenue in fiscal 2018?");
    expect(r.metadata.retrieval.hits).toBe(5);
    expect(r.sources.length).toBeGreaterThanOrEqual(1);
    expect(r.sources.map((s) => s.ref)).toEqual(r.sources.map((_, i) => i + 1));
    for (const s of r.sources) expect([s.company, s.year]).toEqual(['Walmart Inc.', 2018]);
    expect(r.answer).toBeTruthy();
    expect(r.metadata.retrieval.filters).toEqual({ $and: [{ cik_int: { $in: [104169] } }, { report_year: { $in: [2018] } }] });
    expect(r.metadata.llm.input_tokens).toBeGreaterThan(0);
    // The first (cold) answer is searched with the exact js scan while the int8 copy builds in the background.
    expect(r.metadata.loader).toMatchObject({ kind: 'local', cold: true, vector_kernel: 'js' });
  });

  it('answers a direct invocation, warm (indexes reused)', async () => {
    const r = (await handler(event('query_direct.json'))) as QueryResponse;
    expect(r.answer).toBeTruthy();
    expect(r.metadata.loader.cold).toBe(false);
    expect(r.sources[0]).toMatchObject({ company: 'NETFLIX INC', section: 'Item 1A: Risk Factors' });
    expect(r.answer).toMatch(/^Based on the provided context:\n"[^\n]*compet[^\n]*" \[\d+\]/);
  });

  it('answers the sample events that show coverage and "not found" as their names say', async () => {
    const multi = (await handler(event('query_multi_company.json'))) as QueryResponse;
    expect(new Set(multi.sources.map((s) => s.company))).toEqual(new Set(['AMAZON COM INC', 'Walmart Inc.']));
    expect(multi.coverage?.every((c) => c.refs.length > 0)).toBe(true);
    const none = (await handler(event('query_not_found.json'))) as QueryResponse;
    expect(none).toMatchObject({ sources: [], kpi_facts: [], answer: expect.stringMatching(/^Not found/), not_found: { reason: expect.any(String) } });
  });

  const bad: Array<[string, number, RegExp]> = [
    ['query_bad_missing_question.json', 400, /question is missing/],
    ['query_bad_question_type.json', 400, /question must be a string, found number/],
    ['query_bad_empty_question.json', 400, /question is empty/],
    ['query_bad_too_long.json', 400, /question is 3,599 characters; the limit is 3,500/],
    ['query_bad_json.json', 400, /not valid JSON/],
    ['query_bad_model_key.json', 400, /model_key "gpt_5" is not a serving model; known keys: claude_haiku_45, claude_sonnet_45, nova_micro, llama31_70b/],
    ['query_bad_top_k.json', 400, /top_k must be a whole number from 1 to 200, found 0/],
  ];
  for (const [file, status, message] of bad) {
    it(`answers ${file} with ${status} and says what was wrong`, async () => {
      const { status: got, body } = await api(event(file));
      expect(got).toBe(status);
      expect(body).toMatchObject({ answer: null, error_code: 'VALIDATION', error_type: 'VALIDATION', stage: 'validate' });
      expect(body.error).toMatch(message);
    });
  }

  it('refuses unknown body fields and methods other than POST', async () => {
    const e = event('query_api.json');
    expect((await api({ ...e, body: JSON.stringify({ question: 'q?', topk: 3 }) })).body.error).toMatch(/unknown request field topk/);
    const get = await api({ ...e, httpMethod: 'GET', body: null });
    expect(get.status).toBe(405);
  });

  it('answers a bad direct invocation with the error object', async () => {
    expect(await handler({})).toEqual({ query: null, answer: null, error: 'question is missing: send {"question": "…"}', error_type: 'VALIDATION', stage: 'validate' } satisfies QueryErrorResponse);
    expect(await handler('hello')).toMatchObject({ answer: null, error_type: 'VALIDATION' });
  });
});
