import { describe, expect, it } from 'vitest';
import { compileFilter, ColumnIndex } from '../../../src/rag/filters/compile';
import { filterFromEntities } from '../../../src/rag/filters/fromEntities';
import { EntityExtractor } from '../../../src/rag/entities';
import { COMPANIES, KPI_LABELS, SECTIONS, sentencesTable, type SentenceSpec } from './fixtures';
import { ValidationError } from '../../../src/errors';

const extractor = new EntityExtractor({ companies: COMPANIES, sections: SECTIONS, kpis: KPI_LABELS, latestYear: 2020 });

describe('filterFromEntities', () => {
  it('builds $and of companies, years and sections', () => {
    const e = extractor.extract("What did Walmart say in Item 7 between 2018 and 2020?");
    expect(filterFromEntities(e)).toEqual({
      $and: [{ cik_int: { $in: [104169] } }, { report_year: { $in: [2018, 2019, 2020] } }, { section_item: { $in: ['ITEM_7'] } }],
    });
  });
  it('uses bounds for open ranges', () => {
    expect(filterFromEntities(extractor.extract('Apple since 2018'))).toEqual({ $and: [{ cik_int: { $in: [320193] } }, { report_year: { $gte: 2018 } }] });
  });
  it('is null when the question names nothing', () => {
    expect(filterFromEntities(extractor.extract('what is a 10-K?'))).toBeNull();
  });
});

/** Random table and random expressions, checked against a row-by-row predicate. */
function rng(seed: number) {
  return () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 4294967296);
}
const r = rng(11);
const ciks = [320193, 104169, 789019, 34088];
const itemsList = ['ITEM_1', 'ITEM_1A', 'ITEM_7', 'ITEM_8'];
const specs: SentenceSpec[] = Array.from({ length: 2000 }, (_, i) => ({
  cik: ciks[Math.floor(r() * ciks.length)],
  year: 2010 + Math.floor(r() * 11),
  item: itemsList[Math.floor(r() * itemsList.length)],
  pos: i,
  text: `sentence ${i}`,
}));
const table = sentencesTable(specs);
const columns = new ColumnIndex(table);

type Row = { cik_int: number; report_year: number; section_item: string; sentence_pos: number; ticker: string };
function predicate(expr: any): (row: Row) => boolean {
  if (expr.$and) return (row) => expr.$and.every((e: any) => predicate(e)(row));
  if (expr.$or) return (row) => expr.$or.some((e: any) => predicate(e)(row));
  const tests = Object.entries(expr).map(([field, cond]: [string, any]) => (row: Row) => {
    const v = (row as any)[field];
    if (typeof cond !== 'object') return v === cond;
    return Object.entries(cond).every(([op, x]: [string, any]) =>
      op === '$eq' ? v === x : op === '$ne' ? v !== x : op === '$in' ? x.includes(v) : op === '$nin' ? !x.includes(v) : op === '$gt' ? v > x : op === '$gte' ? v >= x : op === '$lt' ? v < x : v <= x,
    );
  });
  return (row) => tests.every((t) => t(row));
}
function randomExpr(depth: number): any {
  const pick = <T>(a: T[]) => a[Math.floor(r() * a.length)];
  if (depth > 0 && r() < 0.4) return { [pick(['$and', '$or'])]: [randomExpr(depth - 1), randomExpr(depth - 1)] };
  switch (Math.floor(r() * 6)) {
    case 0: return { cik_int: { $in: ciks.filter(() => r() < 0.5) } };
    case 1: return { report_year: { $gte: 2010 + Math.floor(r() * 11), $lte: 2012 + Math.floor(r() * 11) } };
    case 2: return { section_item: pick(itemsList) };
    case 3: return { section_item: { $nin: [pick(itemsList)] } };
    case 4: return { report_year: { $lt: 2015 }, cik_int: { $ne: pick(ciks) } };
    default: return { ticker: { $eq: pick(['AAPL', 'WMT', 'MSFT', 'XOM', 'NOPE']) } };
  }
}

describe('compileFilter', () => {
  it('selects exactly the rows a row-by-row predicate selects (never drops a matching row)', () => {
    for (let t = 0; t < 200; t++) {
      const expr = randomExpr(3);
      const want: number[] = [];
      for (let i = 0; i < table.count; i++) {
        const row = { cik_int: table.cik_int[i], report_year: table.report_year[i], section_item: table.section_item[i], sentence_pos: table.sentence_pos[i], ticker: table.ticker[i] };
        if (predicate(expr)(row)) want.push(i);
      }
      expect(Array.from(compileFilter(expr, columns) ?? []), JSON.stringify(expr)).toEqual(want);
    }
  });
  it('returns null (all rows) for no filter', () => {
    expect(compileFilter(null, columns)).toBeNull();
  });
  it('selects sentence ids', () => {
    expect(Array.from(compileFilter({ sentenceID: { $in: [table.sentenceID[5], table.sentenceID[2], 'nope'] } }, columns)!)).toEqual([2, 5]);
  });
  it('rejects unknown fields and operators with a message saying which', () => {
    expect(() => compileFilter({ colour: 'red' }, columns)).toThrow(/unknown field "colour"/);
    expect(() => compileFilter({ report_year: { $near: 3 } }, columns)).toThrow(/unknown operator \$near/);
    expect(() => compileFilter({ report_year: { $in: 2019 } }, columns)).toThrow(ValidationError);
    expect(() => compileFilter({ section_item: { $gte: 'ITEM_7' } }, columns)).toThrow(/numeric fields/);
    expect(() => compileFilter({ $and: [] }, columns)).toThrow(/non-empty array/);
  });
});
