/**
 * answerQuery(question, options): the library's front door. Never throws: a failure comes back as
 * {query, answer: null, error, error_type, stage} naming the stage that failed.
 */
import { describeError, isLarderError } from '../errors';
import { log } from '../log';
import type { QueryEngine } from './engine';
import type { AnswerOptions, QueryErrorResponse, QueryResponse, QueryStage } from './types';

export async function answerQuery(question: unknown, options: AnswerOptions & { engine: QueryEngine }): Promise<QueryResponse | QueryErrorResponse> {
  const { engine, ...rest } = options;
  try {
    return await engine.answer(question, rest);
  } catch (err) {
    return queryError(question, err);
  }
}

export function queryError(question: unknown, err: unknown): QueryErrorResponse {
  const stage = (isLarderError(err) ? (err.details?.stage as QueryStage | undefined) : undefined) ?? 'validate';
  // Only primitives are echoed: an object or array "question" can be nested deeply enough that
  // serialising the error response overflows the stack (the request had to be a 400, not a crash).
  const query = typeof question === 'object' ? null : (question ?? null);
  if (isLarderError(err)) return { query, answer: null, error: describeError(err), error_type: err.code, stage };
  // A foreign error's message may carry internals (paths, SDK text): log it, answer generically.
  log.error('query failed unexpectedly', { stage, error: err instanceof Error ? err.stack : String(err) });
  return { query, answer: null, error: `internal error during ${stage}`, error_type: 'INTERNAL', stage };
}

export function isQueryError(r: QueryResponse | QueryErrorResponse): r is QueryErrorResponse {
  return r.answer === null;
}
