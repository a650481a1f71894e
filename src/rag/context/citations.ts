/**
 * The response's `sources`, one per context block and in the same order, so that `[n]` in an
 * answer is `sources[n-1]` — the block the model was shown under the header "[n] …". Each source
 * names the block's best-ranked hit (its sentence, similarity and id) and carries the whole block as
 * `context`, so a reader can check any sentence quoted under [n].
 */
import type { SentencesTable } from '../../loader/types';
import type { QuerySource } from '../types';
import type { AssembledContext } from './assemble';

export function sourcesFromContext(t: SentencesTable, context: AssembledContext, hits: ReadonlyArray<{ row: number; similarity: number }>): QuerySource[] {
  return context.blocks.map((b) => {
    const hit = hits[b.bestRank] ?? { row: b.hitRows[0] ?? b.rows[0], similarity: 0 };
    const r = hit.row;
    return {
      ref: b.ref,
      sentenceID: t.sentenceID[r],
      company: t.company_name[r],
      ticker: t.ticker[r],
      year: t.report_year[r],
      section: t.section_name[r],
      docID: b.docID,
      similarity: Math.round(hit.similarity * 1e4) / 1e4,
      text: t.sentence[r],
      context: b.body,
    };
  });
}

/** Every `[n]` in an answer (numbers only: `[KPI]` cites the KPI block, which is not a source). */
export function citedNumbers(answer: string): number[] {
  return [...answer.matchAll(/\[(\d{1,3})\]/g)].map((m) => Number(m[1]));
}

/** The `[n]` of an answer that do not resolve to a source: n outside 1…sources.length. */
export function unresolvedCitations(answer: string, sources: readonly unknown[]): number[] {
  return citedNumbers(answer).filter((n) => n < 1 || n > sources.length);
}
