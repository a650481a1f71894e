/**
 * The retrieval eval: for every gold item whose evidence sentences exist in the corpus, one
 * retrieval (entities → filter → embedding → search down the relaxation ladder) and three rankings
 * scored from it — vector-only (the vector hits, rung by rung), lexical-only (BM25 hits under the
 * same rungs) and fused (what answers use). Items whose evidence is absent are counted and listed.
 */
import type { QueryEngine } from '../engine';
import type { GoldItem } from './gold';
import { aggregate, RECALL_AT, scoreRanking, type Aggregate, type ItemScores } from './metrics';

export const EVAL_MODES = ['vector', 'lexical', 'fused'] as const;
export type EvalMode = (typeof EVAL_MODES)[number];

export interface EvalItemResult {
  question_id: string;
  question: string;
  difficulty: string;
  retrieval_scope: string;
  evidence: string[];
  filters: unknown;
  relaxation: string;
  split?: string;
  scores: Record<EvalMode, ItemScores>;
}

export interface EvalReport {
  gold_items: number;
  scored: number;
  absent: { count: number; items: Array<{ question_id: string; question: string; missing: string[] }> };
  settings: { depth: number; embedding_model: string; vector_kernel: string; rrf_k: number; candidate_multiplier: number; min_similarity: number };
  overall: Record<EvalMode, Aggregate>;
  by_difficulty: Record<string, Record<EvalMode, Aggregate>>;
  by_scope: Record<string, Record<EvalMode, Aggregate>>;
  /** Only for generated sets whose items carry a split. */
  by_split?: Record<string, Record<EvalMode, Aggregate>>;
  /** How many scored items each relaxation rung ended on. */
  relaxations: Record<string, number>;
  items: EvalItemResult[];
  ms_per_item: number;
}

export interface EvalOptions {
  /** Overrides retrieval.min_similarity (e.g. −1 to see the vector pass without the cut). */
  minSimilarity?: number;
  onItem?: (i: number, r: EvalItemResult) => void;
}

export async function runEval(engine: QueryEngine, gold: readonly GoldItem[], options: EvalOptions = {}): Promise<EvalReport> {
  const ix = await engine.ready();
  await ix.vector.whenBuilt(); // every item searched with the same kernel (and ms_per_item measures that one)
  const depth = RECALL_AT[RECALL_AT.length - 1];
  const settings = { ...engine.searchSettings(depth), dedupeText: false, ...(options.minSimilarity !== undefined ? { minSimilarity: options.minSimilarity } : {}) };
  const absent: EvalReport['absent']['items'] = [];
  const results: EvalItemResult[] = [];
  const t0 = performance.now();
  for (const item of gold) {
    const present = item.evidence_sentence_ids.filter((id) => ix.sentences.rowById.has(id));
    if (present.length === 0) {
      absent.push({ question_id: item.question_id, question: item.question_text, missing: item.evidence_sentence_ids });
      continue;
    }
    const run = await engine.retrieve(item.question_text, settings);
    const ids = (rows: number[]) => rows.map((r) => ix.sentences.sentenceID[r]);
    const o = run.outcome;
    const rankings: Record<EvalMode, string[]> = {
      vector: ids(o.vector.map((h) => h.id)),
      lexical: ids(o.lexical.map((h) => h.id)),
      fused: ids(o.fused.map((h) => h.row)),
    };
    const r: EvalItemResult = {
      question_id: item.question_id,
      question: item.question_text,
      difficulty: item.difficulty,
      retrieval_scope: item.retrieval_scope,
      evidence: present,
      filters: run.filter,
      relaxation: o.relaxation,
      ...(item.split !== undefined ? { split: item.split } : {}),
      scores: Object.fromEntries(EVAL_MODES.map((m) => [m, scoreRanking(rankings[m], present)])) as Record<EvalMode, ItemScores>,
    };
    results.push(r);
    options.onItem?.(results.length, r);
  }
  const group = (key: (r: EvalItemResult) => string) => {
    const out: Record<string, Record<EvalMode, Aggregate>> = {};
    for (const g of [...new Set(results.map(key))].sort()) out[g] = byMode(results.filter((r) => key(r) === g));
    return out;
  };
  const r = engine.searchSettings();
  return {
    gold_items: gold.length,
    scored: results.length,
    absent: { count: absent.length, items: absent },
    settings: { depth, embedding_model: ix.embeddingModel, vector_kernel: ix.vector.kernel, rrf_k: r.rrfK, candidate_multiplier: r.candidateMultiplier, min_similarity: settings.minSimilarity },
    overall: byMode(results),
    by_difficulty: group((x) => x.difficulty),
    by_scope: group((x) => x.retrieval_scope),
    ...(results.some((x) => x.split !== undefined) ? { by_split: group((x) => x.split ?? 'none') } : {}),
    relaxations: results.reduce<Record<string, number>>((acc, x) => ((acc[x.relaxation] = (acc[x.relaxation] ?? 0) + 1), acc), {}),
    items: results,
    ms_per_item: results.length ? Math.round(((performance.now() - t0) / results.length) * 100) / 100 : 0,
  };
}

function byMode(results: readonly EvalItemResult[]): Record<EvalMode, Aggregate> {
  return Object.fromEntries(EVAL_MODES.map((m) => [m, aggregate(results.map((r) => r.scores[m]))])) as Record<EvalMode, Aggregate>;
}
