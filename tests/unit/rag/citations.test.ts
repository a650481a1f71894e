/** Citation numbering: the context the model sees and the response's sources carry the same numbers. */
import { describe, expect, it } from 'vitest';
import { WindowIndex } from '../../../src/rag/retrieval/windows';
import { assembleContext } from '../../../src/rag/context/assemble';
import { citedNumbers, sourcesFromContext, unresolvedCitations } from '../../../src/rag/context/citations';
import { sentencesTable, type SentenceSpec } from './fixtures';

const specs: SentenceSpec[] = [];
for (let pos = 0; pos < 12; pos++) specs.push({ cik: 104169, year: 2018, item: 'ITEM_7', pos, text: `Walmart 2018 MD&A sentence ${pos}.` });
for (let pos = 0; pos < 6; pos++) specs.push({ cik: 320193, year: 2019, item: 'ITEM_1A', pos, text: `Apple 2019 risk sentence ${pos}.` });
const table = sentencesTable(specs);
const row = (cik: number, pos: number) => specs.findIndex((s) => s.cik === cik && s.pos === pos);

describe('sources follow the context blocks', () => {
  // Ranked hits: Apple s3 first, then Walmart s9, Walmart s1, then Walmart s8 (same window as s9).
  const hits = [row(320193, 3), row(104169, 9), row(104169, 1), row(104169, 8)].map((r, i) => ({ row: r, similarity: 0.5 - i / 10 }));
  const blocks = new WindowIndex(table).expand(hits.map((h) => h.row), 1);
  const context = assembleContext(table, blocks, { maxBlocks: 10, maxTokens: 10_000 });
  const sources = sourcesFromContext(table, context, hits);

  it('gives source n the block headed [n], in the order the model reads them', () => {
    expect(sources.map((s) => s.ref)).toEqual([1, 2, 3]);
    for (const [i, b] of context.blocks.entries()) {
      expect(context.text).toContain(`${b.header}\n${sources[i]!.context}`);
      expect(b.header.startsWith(`[${i + 1}] `)).toBe(true);
    }
  });

  it('names each block by its best-ranked hit, with every sentence of the block as context', () => {
    expect(sources.map((s) => [s.company, s.sentenceID])).toEqual([
      ['Apple Inc.', table.sentenceID[row(320193, 3)]],
      ['Walmart Inc.', table.sentenceID[row(104169, 9)]],
      ['Walmart Inc.', table.sentenceID[row(104169, 1)]],
    ]);
    expect(sources[1]!.context.split('\n')).toEqual([7, 8, 9, 10].map((p) => `Walmart 2018 MD&A sentence ${p}.`));
    expect(sources[0]!.similarity).toBe(0.5);
  });

  it('resolves every [n] of an answer quoting the context, and flags the ones that point nowhere', () => {
    const answer = `"Apple 2019 risk sentence 3." [1]\n"Walmart 2018 MD&A sentence 8." [2] [KPI]`;
    expect(citedNumbers(answer)).toEqual([1, 2]);
    expect(unresolvedCitations(answer, sources)).toEqual([]);
    expect(unresolvedCitations('see [4] and [0]', sources)).toEqual([4, 0]);
  });
});
