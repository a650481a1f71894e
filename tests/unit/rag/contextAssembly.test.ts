import { describe, expect, it } from 'vitest';
import { WindowIndex } from '../../../src/rag/retrieval/windows';
import { assembleContext } from '../../../src/rag/context/assemble';
import { kpiBlock } from '../../../src/rag/context/kpiBlock';
import { reciprocalRankFusion } from '../../../src/rag/retrieval/fusion';
import { validateQuestion, resolveServingModelKey, validateTopK } from '../../../src/rag/question';
import { loadConfig } from '../../../src/config';
import { sentencesTable, type SentenceSpec } from './fixtures';

const specs: SentenceSpec[] = [];
for (let pos = 0; pos < 10; pos++) specs.push({ cik: 104169, year: 2018, item: 'ITEM_7', pos, text: `W18 s${pos}.` });
for (let pos = 0; pos < 4; pos++) specs.push({ cik: 104169, year: 2018, item: 'ITEM_1A', pos, text: `W18 risk s${pos}.` });
for (let pos = 0; pos < 4; pos++) specs.push({ cik: 320193, year: 2019, item: 'ITEM_7', pos, text: `A19 s${pos}.` });
const table = sentencesTable(specs);
const row = (cik: number, item: string, pos: number) => specs.findIndex((s) => s.cik === cik && s.item === item && s.pos === pos);
const windows = new WindowIndex(table);

describe('window expansion', () => {
  it('takes ±window positions in the same doc and section, merging overlaps', () => {
    const blocks = windows.expand([row(104169, 'ITEM_7', 3), row(104169, 'ITEM_7', 6), row(104169, 'ITEM_1A', 0)], 1);
    const positions = blocks.map((b) => [b.section_item, b.rows.map((r) => table.sentence_pos[r])]);
    expect(positions).toEqual([
      ['ITEM_7', [2, 3, 4, 5, 6, 7]],
      ['ITEM_1A', [0, 1]],
    ]);
  });
  it('keeps two windows apart when they neither overlap nor touch', () => {
    expect(windows.expand([row(104169, 'ITEM_7', 1), row(104169, 'ITEM_7', 8)], 2).map((b) => b.rows.length)).toEqual([4, 4]);
  });
  it('with window 0 gives the hits alone', () => {
    expect(windows.expand([row(320193, 'ITEM_7', 2)], 0).map((b) => b.rows)).toEqual([[row(320193, 'ITEM_7', 2)]]);
  });
});

describe('context assembly', () => {
  const blocks = windows.expand([row(320193, 'ITEM_7', 1), row(104169, 'ITEM_7', 5), row(104169, 'ITEM_1A', 2)], 1);

  it('numbers the blocks in rank order ([1] = the best hit\'s block), one header per block', () => {
    const c = assembleContext(table, blocks, { maxBlocks: 10, maxTokens: 10_000 });
    expect(c.blocks.map((b) => b.header)).toEqual([
      '[1] AAPL | Apple Inc. | FY2019 | 0000320193_10-K_2019 | Item 7: Management Discussion & Analysis (MD&A) | sentences 0–2',
      '[2] WMT | Walmart Inc. | FY2018 | 0000104169_10-K_2018 | Item 7: Management Discussion & Analysis (MD&A) | sentences 4–6',
      '[3] WMT | Walmart Inc. | FY2018 | 0000104169_10-K_2018 | Item 1A: Risk Factors | sentences 1–3',
    ]);
    expect(c.blocks.map((b) => b.ref)).toEqual([1, 2, 3]);
    expect(c.text).toContain('[3] WMT | Walmart Inc. | FY2018 | 0000104169_10-K_2018 | Item 1A: Risk Factors | sentences 1–3\nW18 risk s1.\nW18 risk s2.\nW18 risk s3.');
  });

  it('keeps the best-ranked blocks within max_context_blocks and the token budget', () => {
    expect(assembleContext(table, blocks, { maxBlocks: 1, maxTokens: 10_000 }).blocks.map((b) => b.header)).toEqual([expect.stringContaining('AAPL')]);
    const tight = assembleContext(table, blocks, { maxBlocks: 10, maxTokens: 50 });
    expect(tight.blocks).toHaveLength(1);
    expect(tight.dropped).toBe(2);
  });
});

describe('KPI block', () => {
  const kpis = [
    { cik: '0000104169', cik_int: 104169, ticker: 'WMT', year: 2018, metric_key: 'revenue', metric_label: 'Revenue', metric_type: 'gaap', value: 500343000000, unit: 'USD', filed_date: '2018-03-30', accession_no: 'a1' },
    { cik: '0000104169', cik_int: 104169, ticker: 'WMT', year: 2017, metric_key: 'revenue', metric_label: 'Revenue', metric_type: 'gaap', value: 1, unit: 'USD', filed_date: '2017-03-30', accession_no: 'a0' },
  ];
  const entities = (metrics: string[], years: number[]) => ({
    companies: [{ cik_int: 104169, ticker: 'WMT', company_name: 'Walmart Inc.', matched: 'walmart' }],
    years: { years, phrases: [] },
    sections: [],
    metrics: metrics.map((k) => ({ metric_key: k, metric_label: k, matched: k })),
  });
  it('lists the facts for the named metric, company and year', () => {
    expect(kpiBlock(kpis, entities(['revenue'], [2018]))!.text).toBe(
      '[KPI] Reported XBRL facts (SEC EDGAR)\nWMT fiscal 2018 Revenue: $500.34 billion (500,343,000,000 USD) (10-K filed 2018-03-30, accession a1).',
    );
  });
  it('is absent without a metric or a year', () => {
    expect(kpiBlock(kpis, entities([], [2018]))).toBeNull();
    expect(kpiBlock(kpis, entities(['revenue'], []))).toBeNull();
  });
});

describe('reciprocal rank fusion', () => {
  it('sums weight / (k + rank) across lists', () => {
    const fused = reciprocalRankFusion([{ name: 'a', hits: [{ id: 1, score: 9 }, { id: 2, score: 8 }] }, { name: 'b', hits: [{ id: 2, score: 1 }], weight: 0.5 }], 60);
    expect(fused).toEqual([
      { row: 2, score: 1 / 62 + 0.5 / 61, ranks: { a: 2, b: 1 } },
      { row: 1, score: 1 / 61, ranks: { a: 1 } },
    ]);
  });
});

describe('request checks', () => {
  const config = loadConfig(undefined, {});
  it('say which check failed', () => {
    expect(() => validateQuestion(undefined)).toThrow('question is missing');
    expect(() => validateQuestion(['a'])).toThrow('question must be a string, found an array');
    expect(() => validateQuestion(' \n ')).toThrow('question is empty');
    expect(() => validateQuestion('x'.repeat(3501))).toThrow('question is 3,501 characters; the limit is 3,500');
    expect(validateQuestion(`  ${'x'.repeat(3500)}  `)).toHaveLength(3500);
    expect(() => resolveServingModelKey(config, 'nope')).toThrow(/known keys: claude_haiku_45, claude_sonnet_45, nova_micro, llama31_70b/);
    expect(resolveServingModelKey(config, undefined)).toBe('claude_haiku_45');
    expect(() => validateTopK(config, 2.5)).toThrow(/top_k/);
  });
});
