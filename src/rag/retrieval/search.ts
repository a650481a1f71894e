/**
 * The search stage. One pass = the vector search and the lexical (BM25) search over the same row
 * set, fused. `searchWithRelaxation` runs passes down a relaxation ladder (relax.ts) until top_k
 * hits are found: the question's filter, then without its year clause, then without its section
 * clause (the company clause stays), and only then everything (the global pass). All lists are in
 * sentence rows.
 */
import type { Scored } from '../vector/topk';
import type { RowSet } from '../filters/rowSet';
import { compileFilter } from '../filters/compile';
import type { FilterExpression } from '../filters/expression';
import { reciprocalRankFusion, type FusedHit, type RankedList } from './fusion';
import type { RetrievalIndexes } from './indexes';
import { relaxationLadder, type Relaxation } from './relax';

export interface SearchSettings {
  topK: number;
  candidateMultiplier: number;
  /**
   * Cosine floor for vector hits of an UNFILTERED pass (a question with no entities, or the global
   * rung of the ladder). Filtered passes are not cut: the filter is what makes a row relevant to the
   * question there, ranking orders it, and top_k bounds it.
   */
  minSimilarity: number;
  /** Allow the last rung of the ladder (no filter at all) when the filtered rungs stay short. */
  globalPass: boolean;
  fusion: 'rrf' | 'vector' | 'lexical';
  rrfK: number;
  lexicalEnabled: boolean;
  /** Drop a hit whose text repeats a better hit of the same company (default true; eval turns it off to score exact ids). */
  dedupeText?: boolean;
  /** Walk the relaxation ladder when the filter leaves fewer than top_k hits (default true; explicit filters are strict). */
  relax?: boolean;
}

export type RankedHit = FusedHit & { similarity: number; relaxation: Relaxation };

export interface SearchOutcome {
  /** Vector hits, rung by rung (a later rung only adds rows not already listed). */
  vector: Scored[];
  /** Lexical hits, likewise. */
  lexical: Scored[];
  /** Best first within each rung, rungs in ladder order, deduplicated; `score` is the fusion score, similarity the cosine. */
  fused: RankedHit[];
  /** Vector rows scanned plus lexical postings read, over every rung run. */
  rowsScanned: number;
  /** The last rung run: 'none' when the question's own filter was enough. */
  relaxation: Relaxation;
  /** The filter of that rung (null: no filter). */
  filterUsed: FilterExpression | null;
}

/**
 * Hits with fewer content terms are headings and stubs ("Risk Factors.", "Not applicable."): they
 * match a question's words closely and say nothing. They still appear as context around real hits.
 */
export const MIN_CONTENT_TERMS = 4;

export interface PassOutcome {
  vector: Scored[];
  lexical: Scored[];
  fused: FusedHit[];
  rowsScanned: number;
}

/** One pass over a row set (null = every row): vector + lexical, fused, stubs dropped. */
export function searchPass(ix: RetrievalIndexes, question: string, query: Float32Array, rows: RowSet, s: SearchSettings): PassOutcome {
  const candidates = s.topK * s.candidateMultiplier;
  // In a filtered pass stubs never become candidates (O(rows selected)); unfiltered passes scan
  // everything and drop them after fusion (searchWithRelaxation searches deeper if that leaves too few).
  if (rows) rows = rows.filter((r) => ix.lexical.termCount(r) >= MIN_CONTENT_TERMS);
  const vectorRows = rows && ix.vectorRowOfSentence ? toVectorRows(rows, ix.vectorRowOfSentence) : rows;
  const toSentence = (hits: Scored[]) => (ix.sentenceRowOfVector ? hits.map((h) => ({ id: ix.sentenceRowOfVector![h.id], score: h.score })).filter((h) => h.id >= 0) : hits);
  const cut = rows === null ? s.minSimilarity : undefined;
  let vector: Scored[] = [];
  let rowsScanned = 0;
  if (s.fusion !== 'lexical') {
    const v = ix.vector.search(query, { k: candidates, rows: vectorRows, minSimilarity: cut });
    vector = toSentence(v.hits);
    rowsScanned += v.rowsScanned;
  }
  const lexical = s.lexicalEnabled && s.fusion !== 'vector' ? ix.lexical.search(question, { k: candidates, rows }).hits : [];
  const lists: RankedList[] =
    s.fusion === 'vector' ? [{ name: 'vector', hits: vector }] : s.fusion === 'lexical' ? [{ name: 'lexical', hits: lexical }] : [{ name: 'vector', hits: vector }, { name: 'lexical', hits: lexical }];
  const fused = reciprocalRankFusion(lists, s.rrfK).filter((h) => ix.lexical.termCount(h.row) >= MIN_CONTENT_TERMS);
  return { vector, lexical, fused, rowsScanned };
}

/**
 * Runs passes down the ladder until top_k hits (after stub and repeat removal) are collected. A later
 * rung only appends rows not already found, after every hit of the rungs before it, so a relaxed
 * filter can fill the gap but never outrank what the question asked for.
 */
export function searchWithRelaxation(ix: RetrievalIndexes, question: string, query: Float32Array, filter: FilterExpression | null, s: SearchSettings): SearchOutcome {
  const ladder = s.relax === false ? [{ relaxation: 'none' as Relaxation, filter }] : relaxationLadder(filter, { global: s.globalPass });
  const out: SearchOutcome = { vector: [], lexical: [], fused: [], rowsScanned: 0, relaxation: 'none', filterUsed: filter };
  const seen = { vector: new Set<number>(), lexical: new Set<number>(), fused: new Set<number>(), text: new Set<string>() };
  const textKey = (row: number) => `${ix.sentences.cik_int[row]}|${ix.sentences.sentence[row].trim().toLowerCase()}`;
  for (const rung of ladder) {
    const rows = compileFilter(rung.filter, ix.columns);
    // Candidates the earlier rungs already hold, repeated boilerplate and stubs are dropped after the
    // candidate cut; when that leaves the rung short and a list was full, search deeper (×4 each time).
    let pass: PassOutcome;
    let fresh: FusedHit[];
    for (let depth = 1; ; depth *= 4) {
      const k = s.topK * s.candidateMultiplier * depth;
      pass = searchPass(ix, question, query, rows, { ...s, candidateMultiplier: s.candidateMultiplier * depth });
      out.rowsScanned += pass.rowsScanned;
      const texts = new Set<string>();
      fresh = pass.fused.filter((h) => {
        if (seen.fused.has(h.row)) return false;
        if (s.dedupeText === false) return true;
        // Boilerplate repeats across years; the same text from the same company is one source.
        const key = textKey(h.row);
        if (seen.text.has(key) || texts.has(key)) return false;
        texts.add(key);
        return true;
      });
      const saturated = pass.vector.length >= k || pass.lexical.length >= k;
      if (out.fused.length + fresh.length >= s.topK || !saturated || depth >= MAX_DEPTH_FACTOR) break;
    }
    out.relaxation = rung.relaxation;
    out.filterUsed = rung.filter;
    appendNew(out.vector, pass.vector, seen.vector);
    appendNew(out.lexical, pass.lexical, seen.lexical);
    for (const h of fresh) {
      seen.fused.add(h.row);
      if (s.dedupeText !== false) seen.text.add(textKey(h.row));
      out.fused.push({ ...h, similarity: similarityOf(ix, h.row, query, pass.vector), relaxation: rung.relaxation });
    }
    if (out.fused.length >= s.topK) break;
  }
  return out;
}

/** How far a rung's candidate lists may grow (× candidate_multiplier) when dropped candidates leave it short. */
const MAX_DEPTH_FACTOR = 64;

function appendNew(into: Scored[], hits: Scored[], seen: Set<number>): void {
  for (const h of hits) {
    if (seen.has(h.id)) continue;
    seen.add(h.id);
    into.push(h);
  }
}

function toVectorRows(rows: Int32Array, map: Int32Array): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < rows.length; i++) if (map[rows[i]] >= 0) out.push(map[rows[i]]);
  return Int32Array.from(out).sort();
}

function similarityOf(ix: RetrievalIndexes, row: number, query: Float32Array, vector: Scored[]): number {
  for (const h of vector) if (h.id === row) return h.score;
  const v = ix.vectorRowOfSentence ? ix.vectorRowOfSentence[row] : row;
  return v >= 0 ? ix.vector.similarity(v, query) : 0;
}
