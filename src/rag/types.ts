/** The shapes answerQuery returns (and the query handler sends). */
import type { FilterExpression } from './filters/expression';
import type { Relaxation } from './retrieval/relax';

/** One context block as the model saw it under "[ref] …": `[n]` in the answer is sources[n-1] (ref n). */
export interface QuerySource {
  ref: number;
  /** The block's best-ranked hit: its id, company, year, section, similarity and sentence. */
  sentenceID: string;
  company: string;
  ticker: string;
  year: number;
  section: string;
  docID: string;
  similarity: number;
  text: string;
  /** The whole block (the hit and its neighbouring sentences), one sentence per line. */
  context: string;
}

/** A KPI fact the response used, with the suspect-value check (context/kpiSuspect.ts). */
export interface KpiFactUsed {
  company: string;
  ticker: string;
  metric: string;
  metric_label: string;
  fiscal_year: number;
  value: number;
  unit: string;
  filed_date: string;
  accession_no: string;
  suspect: boolean;
  /** Why the value is suspect (only when suspect). */
  reason?: string;
}

/** For a question naming several companies (or years): what the evidence covers for each. */
export interface CoverageEntry {
  /** The company (or "FY2021") the question named. */
  entity: string;
  kind: 'company' | 'year';
  /** Sources (by ref) that are about it. */
  refs: number[];
  /** Whether some of them come from the years the question asked for (always true for a year). */
  years_matched: boolean;
}

export interface StageTimings {
  entities: number;
  embed: number;
  search: number;
  expand: number;
  assemble: number;
  generate: number;
  total: number;
}

export interface QueryResponse {
  query: string;
  answer: string;
  sources: QuerySource[];
  /** The KPI facts shown to the model ([KPI] block), each checked against its series. */
  kpi_facts: KpiFactUsed[];
  /** Present when the question names several companies or years. */
  coverage?: CoverageEntry[];
  /** Set when the question is outside what the filings can answer: no sources, no model call. */
  not_found?: { reason: string };
  metadata: {
    llm: { model_id: string; input_tokens: number; output_tokens: number; cost: number; stop_reason: string };
    /**
     * filters: built from the question (or given); relaxation: the ladder rung the last hits came from
     * ('none' = the filter was enough; see retrieval/relax.ts); filter_used: that rung's filter.
     */
    retrieval: { filters: FilterExpression | null; relaxation: Relaxation; filter_used: FilterExpression | null; hits: number; rows_scanned: number };
    timings_ms: StageTimings;
    loader: Record<string, unknown>;
  };
}

export type QueryStage = 'validate' | 'load' | 'entities' | 'embed' | 'search' | 'expand' | 'assemble' | 'generate';

export interface QueryErrorResponse {
  query: unknown;
  answer: null;
  error: string;
  error_type: string;
  stage: QueryStage;
}

export interface AnswerOptions {
  /** Serving model key (ml_config.yaml serving_models.models); default from the config. */
  modelKey?: unknown;
  topK?: unknown;
  includeKpi?: unknown;
  /** Replaces the filter built from the question's entities (S3 Vectors expression form). */
  filter?: FilterExpression | null;
}
