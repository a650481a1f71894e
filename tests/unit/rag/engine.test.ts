/**
 * The engine with an in-memory loader and a stub Bedrock client (no network): stage tagging of
 * errors, load failures, retry of a failed index build, the no-context path.
 */
import { describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../../src/config';
import { LarderError } from '../../../src/errors';
import type { DataLoader } from '../../../src/loader/types';
import { answerQuery, QueryEngine, type QueryResponse } from '../../../src/rag';
import { memoryLoader, sentencesTable, stubBedrock } from './fixtures';

const config = loadConfig(undefined, {});
const table = sentencesTable([
  { cik: 104169, year: 2018, item: 'ITEM_7', pos: 1, text: 'Walmart net sales increased to $495.8 billion in fiscal 2018.' },
  { cik: 104169, year: 2018, item: 'ITEM_7', pos: 2, text: 'Comparable sales grew in the U.S. segment.' },
  { cik: 320193, year: 2019, item: 'ITEM_1A', pos: 1, text: 'Apple depends on outsourcing partners in Asia.' },
]);

function loader(overrides: Partial<DataLoader> = {}): DataLoader {
  return memoryLoader(table, overrides);
}

function bedrock(converse: () => Promise<unknown> = async () => ({ output: { message: { content: [{ text: 'It grew.' }] } }, usage: { inputTokens: 100, outputTokens: 10 }, stopReason: 'end_turn' })) {
  return stubBedrock(converse);
}

describe('QueryEngine', () => {
  it('answers with sources, usage, cost and every stage timed', async () => {
    const engine = new QueryEngine({ config, loader: loader(), bedrock: bedrock() });
    const r = (await answerQuery('How did Walmart net sales change in 2018?', { engine })) as QueryResponse;
    expect(r.answer).toBe('It grew.');
    expect(r.sources[0]).toMatchObject({ company: 'Walmart Inc.', year: 2018, section: 'Item 7: Management Discussion & Analysis (MD&A)' });
    expect(r.metadata.llm).toMatchObject({ input_tokens: 100, output_tokens: 10, cost: 0.1 * 0.001 + 0.01 * 0.005, stop_reason: 'end_turn' });
    // A cold answer does not wait for the int8 copy: the exact js scan answers meanwhile, the same sources.
    expect(r.metadata.loader).toMatchObject({ cold: true, vector_kernel: 'js' });
    await (await engine.ready()).vector.whenBuilt();
    const warm = (await answerQuery('How did Walmart net sales change in 2018?', { engine })) as QueryResponse;
    expect(warm.metadata.loader).toMatchObject({ cold: false, vector_kernel: 'wasm-int8' });
    expect(warm.sources).toEqual(r.sources);
  });

  it('tags an embedding failure with the embed stage', async () => {
    const client = bedrock();
    client.send.mockRejectedValueOnce(Object.assign(new Error('no access'), { name: 'AccessDeniedException' }));
    const engine = new QueryEngine({ config, loader: loader(), bedrock: client });
    expect(await answerQuery('Walmart sales?', { engine })).toMatchObject({ answer: null, stage: 'embed', error_type: 'UPSTREAM', error: expect.stringMatching(/denied the query embedding/) });
  });

  it('tags a Converse failure with the generate stage', async () => {
    const engine = new QueryEngine({ config, loader: loader(), bedrock: bedrock(async () => Promise.reject(Object.assign(new Error('bad'), { name: 'ValidationException' }))) });
    expect(await answerQuery('Walmart sales?', { engine })).toMatchObject({ answer: null, stage: 'generate', error_type: 'UPSTREAM' });
  });

  it('reports a missing table as a 5xx at the load stage, and builds again on the next question', async () => {
    const sentences = vi.fn().mockRejectedValueOnce(new LarderError('TABLE_NOT_FOUND', 's3://b/k not found')).mockResolvedValue(table);
    const engine = new QueryEngine({ config, loader: loader({ sentences }), bedrock: bedrock() });
    const err = (await engine.answer('Walmart sales?').catch((e: unknown) => e)) as LarderError;
    expect(err).toMatchObject({ code: 'TABLE_NOT_FOUND', statusCode: 500, details: { stage: 'load' } });
    expect(((await answerQuery('Walmart sales?', { engine })) as QueryResponse).answer).toBe('It grew.');
  });

  it('shares one index build between concurrent questions', async () => {
    const sentences = vi.fn(async () => table);
    const engine = new QueryEngine({ config, loader: loader({ sentences }), bedrock: bedrock() });
    await Promise.all([engine.answer('Walmart sales?'), engine.answer('Apple partners?'), engine.answer('Apple suppliers?')]);
    expect(sentences).toHaveBeenCalledTimes(1);
  });

  it('skips the model when nothing matches and there are no KPI facts', async () => {
    const client = bedrock();
    const engine = new QueryEngine({ config, loader: loader(), bedrock: client });
    const r = (await engine.answer('zzz qqq', { filter: { report_year: 1990 } })) as QueryResponse;
    expect(r.sources).toHaveLength(0);
    expect(r.metadata.llm).toMatchObject({ stop_reason: 'no_context', input_tokens: 0, cost: 0 });
  });
});
