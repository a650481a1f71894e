/**
 * Reciprocal rank fusion: score(row) = Σ over lists of weight / (rrf_k + rank), rank from 1.
 * Rank-based, so cosine similarities and BM25 scores never need a common scale.
 */
import type { Scored } from '../vector/topk';

export interface RankedList {
  name: string;
  hits: readonly Scored[];
  weight?: number;
}

export interface FusedHit {
  row: number;
  score: number;
  /** 1-based rank of the row in each list that had it. */
  ranks: Record<string, number>;
}

export function reciprocalRankFusion(lists: readonly RankedList[], rrfK: number): FusedHit[] {
  const byRow = new Map<number, FusedHit>();
  for (const list of lists) {
    const w = list.weight ?? 1;
    list.hits.forEach((h, i) => {
      let f = byRow.get(h.id);
      if (!f) byRow.set(h.id, (f = { row: h.id, score: 0, ranks: {} }));
      if (f.ranks[list.name] !== undefined) return;
      f.ranks[list.name] = i + 1;
      f.score += w / (rrfK + i + 1);
    });
  }
  return [...byRow.values()].sort((a, b) => b.score - a.score || a.row - b.row);
}
