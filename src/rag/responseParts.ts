/** Pieces of a QueryResponse that the engine adds around the model's answer. */
import { NOT_FOUND_ANSWER } from './scope';
import type { QueryResponse } from './types';

/** The answer with a note of Larder's own (coverage) on a line after it; the model's text unchanged. */
export function withNote(answer: string, note: string): string {
  return note ? `${answer}\n\n${note}` : answer;
}

/** An out-of-scope question: "not found", no sources, no model call, no search. */
export function notFoundResponse(question: string, reason: string, modelId: string, loader: Record<string, unknown>, startedAtMs: number): QueryResponse {
  const total = Math.round((performance.now() - startedAtMs) * 100) / 100;
  return {
    query: question,
    answer: NOT_FOUND_ANSWER,
    sources: [],
    kpi_facts: [],
    not_found: { reason },
    metadata: {
      llm: { model_id: modelId, input_tokens: 0, output_tokens: 0, cost: 0, stop_reason: 'out_of_scope' },
      retrieval: { filters: null, relaxation: 'none', filter_used: null, hits: 0, rows_scanned: 0 },
      timings_ms: { entities: 0, embed: 0, search: 0, expand: 0, assemble: 0, generate: 0, total },
      loader,
    },
  };
}
