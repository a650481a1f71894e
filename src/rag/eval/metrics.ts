/** Retrieval metrics over ranked sentence ids: recall@k of the evidence ids, reciprocal rank. */

export const RECALL_AT = [5, 10, 30] as const;

export interface ItemScores {
  recall: Record<`@${(typeof RECALL_AT)[number]}`, number>;
  /** 1 / rank of the first evidence id within the first 30, else 0. */
  rr: number;
  firstRank: number | null;
}

export function scoreRanking(ranked: readonly string[], evidence: readonly string[]): ItemScores {
  const want = new Set(evidence);
  const recall = {} as ItemScores['recall'];
  for (const k of RECALL_AT) {
    const top = ranked.slice(0, k);
    recall[`@${k}`] = want.size ? top.filter((id) => want.has(id)).length / want.size : 0;
  }
  const depth = RECALL_AT[RECALL_AT.length - 1];
  const idx = ranked.slice(0, depth).findIndex((id) => want.has(id));
  return { recall, rr: idx >= 0 ? 1 / (idx + 1) : 0, firstRank: idx >= 0 ? idx + 1 : null };
}

export interface Aggregate {
  items: number;
  recall: ItemScores['recall'];
  mrr: number;
}

export function aggregate(scores: readonly ItemScores[]): Aggregate {
  const n = scores.length;
  const mean = (f: (s: ItemScores) => number) => (n ? Math.round((scores.reduce((a, s) => a + f(s), 0) / n) * 1e4) / 1e4 : 0);
  const recall = {} as ItemScores['recall'];
  for (const k of RECALL_AT) recall[`@${k}`] = mean((s) => s.recall[`@${k}`]);
  return { items: n, recall, mrr: mean((s) => s.rr) };
}
