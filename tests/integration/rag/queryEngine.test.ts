/**
 * The query pipeline over the wire against the local Bedrock emulator (shared test services):
 * embeddings and Converse through the real BedrockRuntimeClient, retrieval over an in-memory corpus.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConverseCommand, type BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { createBedrockRuntimeClient, countRequests } from '../../../src/aws';
import type { LarderConfig } from '../../../src/config';
import { answerQuery, isQueryError, QueryEngine, type QueryResponse } from '../../../src/rag';
import { faults, testConfig } from '../../setup/services';
import { createMemoryLoader } from './memoryLoader';

let config: LarderConfig;
let bedrock: BedrockRuntimeClient;
let engine: QueryEngine;
const ruleIds: string[] = [];

beforeAll(async () => {
  config = testConfig();
  bedrock = createBedrockRuntimeClient(config);
  engine = new QueryEngine({ config, loader: await createMemoryLoader(config, bedrock), bedrock, retry: { baseDelayMs: 5 } });
});

afterEach(async () => {
  for (const id of ruleIds.splice(0)) await faults('bedrock').clear(id);
});

describe('answerQuery against the local Bedrock emulator', () => {
  it('answers from the right company and year, with the KPI block, tokens, cost and stage timings', async () => {
    // top_k 3: the 2018 filter holds 6 rows, enough without relaxing to other years.
    const r = (await answerQuery("What was Walmart's revenue in fiscal 2018?", { engine, topK: 3 })) as QueryResponse;
    expect(isQueryError(r)).toBe(false);
    expect(r.sources.length).toBeGreaterThan(0);
    for (const s of r.sources) {
      expect(s.company).toBe('Walmart Inc.');
      expect(s.year).toBe(2018);
    }
    expect(r.sources.map((s) => s.text).join(' ')).toMatch(/net sales increased 3.0%/);
    expect(r.metadata.retrieval.filters).toEqual({ $and: [{ cik_int: { $in: [104169] } }, { report_year: { $in: [2018] } }] });
    expect(r.answer).toMatch(/495\.8|500\.34/);
    const llm = r.metadata.llm;
    expect(llm.model_id).toBe(config.serving_models.models[config.serving_models.default].model_id);
    expect(llm.input_tokens).toBeGreaterThan(0);
    expect(llm.output_tokens).toBeGreaterThan(0);
    const m = config.serving_models.models[config.serving_models.default];
    expect(llm.cost).toBeCloseTo((llm.input_tokens / 1000) * m.cost_per_1k_input + (llm.output_tokens / 1000) * m.cost_per_1k_output, 12);
    expect(llm.stop_reason).toBe('end_turn');
    expect(Object.keys(r.metadata.timings_ms)).toEqual(['entities', 'embed', 'search', 'expand', 'assemble', 'generate', 'total']);
  });

  it('restricts to the Risk Factors section and keeps sentence order in the context', async () => {
    // top_k 2: Netflix's Risk Factors hold 3 rows here, so no relaxation.
    const r = (await answerQuery('What regulatory risks does Netflix highlight in its Risk Factors?', { engine, topK: 2 })) as QueryResponse;
    // Sources are the context blocks: the 2 hits may share one window.
    expect(r.metadata.retrieval.hits).toBe(2);
    expect(r.sources.length).toBeGreaterThanOrEqual(1);
    expect(r.sources.every((s) => s.company === 'NETFLIX INC' && s.section === 'Item 1A: Risk Factors')).toBe(true);
    expect(r.metadata.retrieval.relaxation).toBe('none');
    expect(r.answer).toMatch(/net neutrality|regulation/i);
  });

  it('relaxes a short filter within the company before going to other companies', async () => {
    // Default top_k 10: Netflix has 3 Risk Factors rows and 1 MD&A row in this corpus; any rest would come from the global rung, after them.
    const r = (await answerQuery('What regulatory risks does Netflix highlight in its Risk Factors?', { engine })) as QueryResponse;
    // Sources are the context blocks in rank order (neighbouring hits share a block): Netflix's Risk
    // Factors blocks, then its MD&A block, then other companies'.
    const kinds = r.sources.map((s) => (s.company !== 'NETFLIX INC' ? 'other' : s.section === 'Item 1A: Risk Factors' ? 'rf' : 'mdna'));
    // (the global rung adds nothing here: other companies' rows fall under min_similarity)
    expect(kinds.join(' ')).toMatch(/^(rf )+mdna( other)*$/);
    expect(r.metadata.retrieval).toMatchObject({ relaxation: 'global', filter_used: null });
  });

  it('uses the serving model asked for, with the same request shape', async () => {
    const r = (await answerQuery('What did Apple say about suppliers in 2019?', { engine, modelKey: 'nova_micro' })) as QueryResponse;
    expect(r.metadata.llm.model_id).toBe('amazon.nova-micro-v1:0');
    expect(r.sources[0].company).toBe('Apple Inc.');
  });

  it('reports a bad question as a validation error at the validate stage', async () => {
    expect(await answerQuery('', { engine })).toEqual({ query: '', answer: null, error: 'question is empty', error_type: 'VALIDATION', stage: 'validate' });
    expect(await answerQuery('q?', { engine, modelKey: 'gpt_5' })).toMatchObject({ error_type: 'VALIDATION', stage: 'validate', error: expect.stringMatching(/known keys: claude_haiku_45/) });
  });

  // A client without SDK retries and a 5 ms backoff: the engine's own retry is what is under test,
  // and the SDK's ~0.5 s throttling backoff would only make the test slow.
  const throttleEngine = () => new QueryEngine({ config, loader: engine['deps'].loader, bedrock: createBedrockRuntimeClient(config, { maxAttempts: 1 }), retry: { retries: 2, baseDelayMs: 5 } });

  it('retries Bedrock throttling and then answers', async () => {
    ruleIds.push(await faults('bedrock').set({ failNext: 2, status: 429, code: 'ThrottlingException', match: { bodyIncludes: 'throttle-once-marker' } }));
    const r = await answerQuery('What did Apple say about global economic conditions? throttle-once-marker', { engine: throttleEngine() });
    expect(isQueryError(r)).toBe(false);
  });

  it('reports persistent throttling as THROTTLED (503) at the stage that failed', async () => {
    ruleIds.push(await faults('bedrock').set({ failNext: 100, status: 429, code: 'ThrottlingException', match: { operation: 'Converse', bodyIncludes: 'throttle-always-marker' } }));
    const r = await answerQuery('What did Apple say about iPhone sales? throttle-always-marker', { engine: throttleEngine() });
    expect(r).toMatchObject({ answer: null, error_type: 'THROTTLED', stage: 'generate' });
  });

  it('builds the indexes once: a warm question makes one embedding call and one Converse call', async () => {
    await engine.ready();
    const counted = countRequests(bedrock);
    const a = (await answerQuery('Apple net sales 2019', { engine })) as QueryResponse;
    expect(a.metadata.loader.cold).toBe(false);
    expect(counted.counts).toEqual({ InvokeModel: 1, Converse: 1 });
  });
});

describe('the Converse request', () => {
  it('is accepted by the emulator for every serving model in the config', async () => {
    for (const [key, m] of Object.entries(config.serving_models.models)) {
      const out = await bedrock.send(new ConverseCommand({ modelId: m.model_id, system: [{ text: 'Answer from context.' }], messages: [{ role: 'user', content: [{ text: '[1] ctx\nRevenue was $5 billion.\n\nQuestion: What was revenue?' }] }], inferenceConfig: { maxTokens: m.max_tokens, temperature: m.temperature } }));
      expect(out.output?.message?.content?.[0]?.text, key).toMatch(/\$5 billion/);
    }
  });
});
