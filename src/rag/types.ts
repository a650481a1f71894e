/** The shapes answerQuery returns (and the query handler sends). */
import type { FilterExpression } from './filters/expression';
import type { Relaxation } from './retrieval/relax';

export interface QuerySource {
  sentenceID: string;
  company: string;
  year: number;
  section: string;
  similarity: number;
  text: string;
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
