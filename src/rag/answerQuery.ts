/**
 * answerQuery(question, options): the library's front door. Never throws: a failure comes back as
 * {query, answer: null, error, error_type, stage} naming the stage that failed.
 */
import { describeError, isLarderError } from '../errors';
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
  return { query, answer: null, error: describeError(err), error_type: isLarderError(err) ? err.code : 'INTERNAL', stage };
}

export function isQueryError(r: QueryResponse | QueryErrorResponse): r is QueryErrorResponse {
  return r.answer === null;
}
