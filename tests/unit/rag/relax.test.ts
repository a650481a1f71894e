/**
 * The relaxation ladder: its rungs for each filter shape, and — over a generated corpus with uneven
 * company × year × section cells, through the real search stage — that a filtered question never
 * comes back short and never shows another company while rows of its own company remain.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config';
import { QueryEngine, answerQuery, type QueryResponse } from '../../../src/rag';
import type { FilterExpression } from '../../../src/rag/filters/expression';
import { relaxationLadder } from '../../../src/rag/retrieval/relax';
import { searchWithRelaxation } from '../../../src/rag/retrieval/search';
import { normalised } from '../../../src/rag/vector/exactDot';
import { bagOfWordsEmbedding, memoryLoader, sentencesTable, stubBedrock, type SentenceSpec } from './fixtures';

const company = { cik_int: { $in: [104169] } };
const year = { report_year: { $in: [2018] } };
const section = { section_item: { $in: ['ITEM_7'] } };

describe('relaxationLadder', () => {
  it('drops the year, then the section, keeping the company, then goes global', () => {
    expect(relaxationLadder({ $and: [company, year, section] }, { global: true })).toEqual([
      { relaxation: 'none', filter: { $and: [company, year, section] } },
      { relaxation: 'drop_year', filter: { $and: [company, section] } },
      { relaxation: 'drop_section', filter: company },
      { relaxation: 'global', filter: null },
    ]);
  });

  it('skips rungs that change nothing, and the global rung when global_pass is off', () => {
    expect(relaxationLadder({ $and: [company, section] }, { global: false }).map((r) => r.relaxation)).toEqual(['none', 'drop_section']);
    expect(relaxationLadder(company, { global: true }).map((r) => r.relaxation)).toEqual(['none', 'global']);
    expect(relaxationLadder(null, { global: true })).toEqual([{ relaxation: 'none', filter: null }]);
    // No company: dropping the year leaves the section; dropping that too is the global rung.
    expect(relaxationLadder({ $and: [year, section] }, { global: true }).map((r) => r.relaxation)).toEqual(['none', 'drop_year', 'global']);
  });

  it('treats an open year range with extra years ($or of report_year) as the year clause, and keeps other fields', () => {
    const range = { $or: [{ report_year: { $gte: 2018 } }, { report_year: { $in: [2015] } }] };
    const doc = { docID: { $eq: 'x' } };
    expect(relaxationLadder({ $and: [company, range, doc] }, { global: false })).toEqual([
      { relaxation: 'none', filter: { $and: [company, range, doc] } },
      { relaxation: 'drop_year', filter: { $and: [company, doc] } },
    ]);
    // Several fields in one object are an implicit $and.
    expect(relaxationLadder({ cik_int: 104169, report_year: 2018 }, { global: false })[1]).toEqual({ relaxation: 'drop_year', filter: { cik_int: 104169 } });
  });
});

// --- the search stage over a generated corpus -------------------------------------------------------

const CIKS = [104169, 320193, 1065280];
const YEARS = [2017, 2018, 2019];
const ITEMS = ['ITEM_7', 'ITEM_1A'];
const WORDS = ['revenue', 'margin', 'supplier', 'regulation', 'growth', 'currency', 'pricing', 'inventory', 'litigation', 'streaming', 'retail', 'demand'];

function random(seed: number) {
  return () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

// Uneven cells, some empty; every sentence unique with enough content terms to count as a hit.
const rand = random(7);
const specs: SentenceSpec[] = [];
for (const cik of CIKS) {
  for (const y of YEARS) {
    for (const item of ITEMS) {
      const n = Math.floor(rand() * 6);
      for (let i = 0; i < n; i++) {
        const words = Array.from({ length: 5 }, () => WORDS[Math.floor(rand() * WORDS.length)]);
        specs.push({ cik, year: y, item, pos: i, text: `Company ${cik} reported ${words.join(' ')} item ${item} year ${y} number ${i}.` });
      }
    }
  }
}
const table = sentencesTable(specs);

const loader = memoryLoader(table);
const bedrock = stubBedrock(async () => ({ output: { message: { content: [{ text: 'ok' }] } }, usage: { inputTokens: 1, outputTokens: 1 }, stopReason: 'end_turn' }));

const config = loadConfig(undefined, {});
const count = (pred: (row: number) => boolean) => Array.from({ length: table.count }, (_, r) => r).filter(pred).length;

describe('searchWithRelaxation', () => {
  it('never comes back short and never leaks another company while rows of the asked one remain', async () => {
    const engine = new QueryEngine({ config, loader, bedrock: bedrock, embeddingModel: 'cohere_v4' });
    const ix = await engine.ready();
    const query = new Float32Array(normalised(bagOfWordsEmbedding('revenue growth supplier regulation')));
    let cases = 0;
    for (const cik of CIKS) {
      for (const y of YEARS) {
        for (const item of ITEMS) {
          const inCell = count((r) => table.cik_int[r] === cik && table.report_year[r] === y && table.section_item[r] === item);
          const inSection = count((r) => table.cik_int[r] === cik && table.section_item[r] === item);
          const inCompany = count((r) => table.cik_int[r] === cik);
          for (const globalPass of [true, false]) {
            for (const topK of [1, 2, 3, 5, 8, 12, 20, 40]) {
              const filter: FilterExpression = { $and: [{ cik_int: { $in: [cik] } }, { report_year: { $in: [y] } }, { section_item: { $in: [item] } }] };
              const o = searchWithRelaxation(ix, 'revenue growth supplier regulation', query, filter, { ...engine.searchSettings(topK), globalPass, minSimilarity: -1 });
              const hits = o.fused.slice(0, topK);
              const where = `cik ${cik} ${y} ${item} top_k ${topK} global ${globalPass}`;
              expect(hits.length, where).toBe(Math.min(topK, globalPass ? table.count : inCompany));
              // Rung order: the cell first, then the same section in other years, then the rest of the company.
              const ranks = hits.map((h) => (table.cik_int[h.row] !== cik ? 3 : table.section_item[h.row] !== item ? 2 : table.report_year[h.row] !== y ? 1 : 0));
              expect(ranks, where).toEqual([...ranks].sort((a, b) => a - b));
              expect(ranks.filter((r) => r === 0).length, where).toBe(Math.min(topK, inCell));
              expect(ranks.filter((r) => r <= 1).length, where).toBe(Math.min(topK, inSection));
              expect(ranks.filter((r) => r <= 2).length, where).toBe(Math.min(topK, inCompany));
              const expected = inCell >= topK ? 'none' : inSection >= topK ? 'drop_year' : inCompany >= topK || !globalPass ? 'drop_section' : 'global';
              expect(o.relaxation, where).toBe(expected);
              expect(hits.every((h, i) => i === 0 || ['none', 'drop_year', 'drop_section', 'global'].indexOf(h.relaxation) >= ['none', 'drop_year', 'drop_section', 'global'].indexOf(hits[i - 1].relaxation)), where).toBe(true);
              cases++;
            }
          }
        }
      }
    }
    expect(cases).toBe(CIKS.length * YEARS.length * ITEMS.length * 2 * 8);
  });

  it('keeps an explicit filter strict, and reports the rung in metadata.retrieval', async () => {
    const engine = new QueryEngine({ config, loader, bedrock: bedrock, embeddingModel: 'cohere_v4' });
    const filter: FilterExpression = { $and: [{ cik_int: { $in: [320193] } }, { report_year: { $in: [2018] } }] };
    const strict = await engine.retrieve('revenue growth', { ...engine.searchSettings(40), filter });
    expect(strict.outcome.relaxation).toBe('none');
    expect(strict.outcome.fused.every((h) => table.cik_int[h.row] === 320193 && table.report_year[h.row] === 2018)).toBe(true);

    const r = (await answerQuery('What did Apple say about revenue growth in 2018?', { engine, topK: 40 })) as QueryResponse;
    expect(r.metadata.retrieval.filters).toEqual(filter);
    expect(r.metadata.retrieval.relaxation).toBe('global');
    expect(r.metadata.retrieval.filter_used).toBeNull();
    const apple = count((row) => table.cik_int[row] === 320193);
    expect(r.metadata.retrieval.hits).toBe(Math.min(40, table.count));
    // Sources are the context blocks in rank order: every Apple block before any other company's.
    const firstOther = r.sources.findIndex((s) => s.company !== 'Apple Inc.');
    expect(firstOther).toBeGreaterThan(0);
    expect(r.sources.slice(firstOther).every((s) => s.company !== 'Apple Inc.')).toBe(true);
    expect(r.sources.length).toBeLessThanOrEqual(config.retrieval.max_context_blocks);
    expect(apple).toBeGreaterThan(0);
  });

  it('searches deeper when stubs and repeated boilerplate fill the candidate lists, before relaxing', async () => {
    // Walmart 2018: 150 copies of one boilerplate sentence and 150 headings, all closer to the question
    // than the 3 real sentences; top_k 3 × candidate_multiplier 4 = 12 candidates would hold none of them.
    const specs: SentenceSpec[] = [];
    for (let i = 0; i < 150; i++) specs.push({ cik: 104169, year: 2018, item: 'ITEM_1A', pos: i, text: 'Risk Factors.' });
    for (let i = 0; i < 150; i++) specs.push({ cik: 104169, year: 2018, item: 'ITEM_1A', pos: 200 + i, text: 'Our risk factors include these risk factors and risks.' });
    for (let i = 0; i < 3; i++) specs.push({ cik: 104169, year: 2018, item: 'ITEM_1A', pos: 400 + i, text: `Competition from discount retailers could reduce our sales volume ${i}.` });
    specs.push({ cik: 320193, year: 2018, item: 'ITEM_1A', pos: 1, text: 'Apple risk factors include supplier concentration risks and factors.' });
    const t = sentencesTable(specs);
    const engine = new QueryEngine({ config, loader: memoryLoader(t), bedrock, embeddingModel: 'cohere_v4' });
    const run = await engine.retrieve('What risk factors did Walmart describe in 2018?', engine.searchSettings(4));
    expect(run.outcome.relaxation).toBe('none');
    const texts = run.outcome.fused.map((h) => t.sentence[h.row]);
    expect(texts.length).toBeGreaterThanOrEqual(4);
    expect(texts.filter((x) => x.startsWith('Our risk factors'))).toHaveLength(1);
    expect(texts.filter((x) => x.startsWith('Competition'))).toHaveLength(3);
    expect(texts).not.toContain('Risk Factors.');
    expect(texts).not.toContain('Apple risk factors include supplier concentration risks and factors.');
  });
});
