/**
 * The search stage: the filtered vector pass, a global (unfiltered) vector pass beside it, the
 * filtered lexical pass, and their fusion. All lists are in sentence rows.
 */
import type { Scored } from '../vector/topk';
import type { RowSet } from '../filters/rowSet';
import { reciprocalRankFusion, type FusedHit, type RankedList } from './fusion';
import type { RetrievalIndexes } from './indexes';

export interface SearchSettings {
  topK: number;
  candidateMultiplier: number;
  minSimilarity: number;
  globalPass: boolean;
  fusion: 'rrf' | 'vector' | 'lexical';
  rrfK: number;
  lexicalEnabled: boolean;
  /** Drop a hit whose text repeats a better hit of the same company (default true; eval turns it off to score exact ids). */
  dedupeText?: boolean;
}

export interface SearchOutcome {
  vector: Scored[];
  global: Scored[];
  lexical: Scored[];
  /** Best first, deduplicated; `score` is the fusion score, similarity the cosine. */
  fused: Array<FusedHit & { similarity: number }>;
  /** Vector rows scanned by both passes plus lexical postings read. */
  rowsScanned: number;
}

/**
 * Weight of the global pass in fusion. At 0.25 its best hit scores 0.25 / (rrf_k + 1), below rank
 * ~180 of a filtered list (rrf_k = 60): it backfills when the filter leaves few hits and never
 * outvotes what the question asked for.
 */
export const GLOBAL_PASS_WEIGHT = 0.25;

/**
 * Hits with fewer content terms are headings and stubs ("Risk Factors.", "Not applicable."): they
 * match a question's words closely and say nothing. They still appear as context around real hits.
 */
export const MIN_CONTENT_TERMS = 4;

export function search(ix: RetrievalIndexes, question: string, query: Float32Array, rows: RowSet, s: SearchSettings): SearchOutcome {
  const candidates = s.topK * s.candidateMultiplier;
  const vectorRows = rows && ix.vectorRowOfSentence ? toVectorRows(rows, ix.vectorRowOfSentence) : rows;
  const toSentence = (hits: Scored[]) => (ix.sentenceRowOfVector ? hits.map((h) => ({ id: ix.sentenceRowOfVector![h.id], score: h.score })).filter((h) => h.id >= 0) : hits);

  const filtered = ix.vector.search(query, { k: candidates, rows: vectorRows, minSimilarity: s.minSimilarity });
  let rowsScanned = filtered.rowsScanned;
  let global: Scored[] = [];
  if (rows && s.globalPass) {
    const g = ix.vector.search(query, { k: s.topK, minSimilarity: s.minSimilarity });
    rowsScanned += g.rowsScanned;
    global = toSentence(g.hits);
  }
  const vector = toSentence(filtered.hits);
  const lexical = s.lexicalEnabled && s.fusion !== 'vector' ? ix.lexical.search(question, { k: candidates, rows }).hits : [];

  const lists: RankedList[] =
    s.fusion === 'vector'
      ? [{ name: 'vector', hits: vector }, { name: 'global', hits: global, weight: GLOBAL_PASS_WEIGHT }]
      : s.fusion === 'lexical'
        ? [{ name: 'lexical', hits: lexical }]
        : [{ name: 'vector', hits: vector }, { name: 'lexical', hits: lexical }, { name: 'global', hits: global, weight: GLOBAL_PASS_WEIGHT }];
  const merged = reciprocalRankFusion(lists, s.rrfK).filter((h) => ix.lexical.termCount(h.row) >= MIN_CONTENT_TERMS);
  const fused = (s.dedupeText === false ? merged : dedupeByText(ix, merged)).map((f) => ({ ...f, similarity: similarityOf(ix, f.row, query, vector, global) }));
  return { vector, global, lexical, fused, rowsScanned };
}

function toVectorRows(rows: Int32Array, map: Int32Array): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < rows.length; i++) if (map[rows[i]] >= 0) out.push(map[rows[i]]);
  return Int32Array.from(out).sort();
}

function similarityOf(ix: RetrievalIndexes, row: number, query: Float32Array, ...lists: Scored[][]): number {
  for (const l of lists) for (const h of l) if (h.id === row) return h.score;
  const v = ix.vectorRowOfSentence ? ix.vectorRowOfSentence[row] : row;
  return v >= 0 ? ix.vector.similarity(v, query) : 0;
}

/** Boilerplate repeats across years; the same text from the same company is one source. */
function dedupeByText(ix: RetrievalIndexes, hits: FusedHit[]): FusedHit[] {
  const seen = new Set<string>();
  return hits.filter((h) => {
    const key = `${ix.sentences.cik_int[h.row]}|${ix.sentences.sentence[h.row].trim().toLowerCase()}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
