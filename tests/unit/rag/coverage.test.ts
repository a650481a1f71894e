/** Per-company / per-year searches and the coverage note (src/rag/retrieval/coverage.ts). */
import { describe, expect, it } from 'vitest';
import { coverageNote, coverageOf, entityGroups } from '../../../src/rag/retrieval/coverage';
import type { QuestionEntities } from '../../../src/rag/entities';
import type { QuerySource } from '../../../src/rag/types';

const AMZN = { cik_int: 1018724, ticker: 'AMZN', company_name: 'AMAZON COM INC', matched: 'amazon' };
const WMT = { cik_int: 104169, ticker: 'WMT', company_name: 'Walmart Inc.', matched: 'walmart' };
const entities = (companies: QuestionEntities['companies'], years: number[]): QuestionEntities => ({ companies, years: { years, phrases: [] }, sections: [], metrics: [] });
const source = (ref: number, company: string, year: number): QuerySource => ({ ref, sentenceID: `s${ref}`, company, ticker: '', year, section: 'Item 7', docID: 'd', similarity: 0, text: '', context: '' });

describe('entity groups', () => {
  it('splits a question naming several companies into one group per company, keeping its years', () => {
    const groups = entityGroups(entities([WMT, AMZN], [2021]));
    expect(groups.map((g) => [g.kind, g.label, g.entities.companies.map((c) => c.ticker), g.entities.years.years])).toEqual([
      ['company', 'Walmart Inc.', ['WMT'], [2021]],
      ['company', 'AMAZON COM INC', ['AMZN'], [2021]],
    ]);
  });

  it('splits one company and 2–4 years into one group per year; a longer range stays one search', () => {
    expect(entityGroups(entities([WMT], [2019, 2020, 2021])).map((g) => g.label)).toEqual(['FY2019', 'FY2020', 'FY2021']);
    expect(entityGroups(entities([WMT], [2015, 2016, 2017, 2018, 2019]))).toEqual([]);
    expect(entityGroups(entities([WMT], [2019]))).toEqual([]);
  });
});

describe('coverage', () => {
  it('names a company with no source, and one whose sources are all from other years', () => {
    const asked = entities([WMT, AMZN], [2021]);
    const groups = entityGroups(asked);
    const none = coverageOf(groups, [source(1, 'Walmart Inc.', 2021)], asked);
    expect(none).toEqual([
      { entity: 'Walmart Inc.', kind: 'company', refs: [1], years_matched: true },
      { entity: 'AMAZON COM INC', kind: 'company', refs: [], years_matched: false },
    ]);
    expect(coverageNote(none, asked)).toBe('Coverage: No passages for AMAZON COM INC were found in the filings.');
    const otherYears = coverageOf(groups, [source(1, 'Walmart Inc.', 2021), source(2, 'AMAZON COM INC', 2020)], asked);
    expect(coverageNote(otherYears, asked)).toBe('Coverage: No passages for AMAZON COM INC from FY2021 were found; its sources [2] are from other years.');
    expect(coverageNote(coverageOf(groups, [source(1, 'Walmart Inc.', 2021), source(2, 'AMAZON COM INC', 2021)], asked), asked)).toBe('');
  });
});
