import { describe, expect, it } from 'vitest';
import { Bm25Index } from '../../../src/rag/lexical/bm25';
import { tokenize } from '../../../src/rag/lexical/tokenize';

describe('tokenize', () => {
  it('keeps numbers, tickers and item numbers; drops stopwords, possessives and plurals', () => {
    expect(tokenize("Walmart's net sales were $1,234.5 million in 2019 (Item 7A, GOOGL) risks")).toEqual([
      'walmart', 'net', 'sale', '1234.5', 'million', '2019', 'item', '7a', 'googl', 'risk',
    ]);
    expect(tokenize('MD&A of J&J')).toEqual(['md&a', 'j&j']);
  });
});

describe('Bm25Index', () => {
  const docs = ['revenue grew in 2019', 'net income fell', 'revenue revenue and net income rose sharply in 2019'];
  const k1 = 1.2;
  const b = 0.75;
  const index = Bm25Index.build(docs, { k1, b });

  it('scores a hand-computed case', () => {
    // Terms: d0 [revenue, grew, 2019] (3), d1 [net, income, fell] (3), d2 [revenue, revenue, net, income, rose, sharply, 2019] (7)
    // N = 3, avgdl = 13/3. Query "revenue 2019": df(revenue) = 2, df(2019) = 2 → idf = ln(1 + 1.5/2.5) = ln(1.6).
    const idf = Math.log(1.6);
    const avgdl = 13 / 3;
    const term = (tf: number, dl: number) => (idf * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * dl) / avgdl));
    const d0 = term(1, 3) + term(1, 3);
    const d2 = term(2, 7) + term(1, 7);
    const got = index.search('revenue 2019', { k: 10 });
    expect(got.hits.map((h) => h.id)).toEqual(d0 > d2 ? [0, 2] : [2, 0]);
    expect(got.hits.find((h) => h.id === 0)!.score).toBeCloseTo(d0, 12);
    expect(got.hits.find((h) => h.id === 2)!.score).toBeCloseTo(d2, 12);
    expect(index.avgLength).toBeCloseTo(avgdl, 12);
  });

  it('restricts to a row set and scores a row the same with or without it', () => {
    const all = index.search('net income', { k: 10 });
    const only2 = index.search('net income', { k: 10, rows: Int32Array.from([2]) });
    expect(only2.hits).toEqual([all.hits.find((h) => h.id === 2)]);
    expect(index.search('net income', { k: 10, rows: Int32Array.from([0]) }).hits).toEqual([]);
  });

  it('leaves no state behind between searches', () => {
    const a = index.search('revenue', { k: 10, rows: Int32Array.from([0]) });
    const b2 = index.search('revenue', { k: 10 });
    const a2 = index.search('revenue', { k: 10, rows: Int32Array.from([0]) });
    expect(a2).toEqual(a);
    expect(b2.hits).toHaveLength(2);
  });

  it('returns nothing for unknown terms', () => {
    expect(index.search('zebra', { k: 5 }).hits).toEqual([]);
  });
});
