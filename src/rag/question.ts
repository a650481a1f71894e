/**
 * Request checks, each failure a 400 that says which: the question (missing, not a string, empty,
 * too long), the serving model key (unknown → names the known ones), top_k and include_kpi.
 */
import type { LarderConfig } from '../config';
import { ValidationError } from '../errors';

export const MAX_QUESTION_CHARS = 3500;

export function validateQuestion(question: unknown): string {
  if (question === undefined || question === null) throw new ValidationError('question is missing: send {"question": "…"}');
  if (typeof question !== 'string') throw new ValidationError(`question must be a string, found ${Array.isArray(question) ? 'an array' : typeof question}`);
  const trimmed = question.trim();
  if (!trimmed) throw new ValidationError('question is empty');
  // NUL, bell, escape…: never part of a question, and not worth an embedding and a model call.
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(trimmed)) throw new ValidationError('question contains control characters (only tab and newline are allowed)');
  if (trimmed.length > MAX_QUESTION_CHARS) {
    throw new ValidationError(`question is ${trimmed.length.toLocaleString('en-US')} characters; the limit is ${MAX_QUESTION_CHARS.toLocaleString('en-US')}`);
  }
  return trimmed;
}

export function resolveServingModelKey(config: LarderConfig, key: unknown): string {
  if (key === undefined || key === null) return config.serving_models.default;
  const known = Object.keys(config.serving_models.models);
  if (typeof key !== 'string' || !known.includes(key)) {
    throw new ValidationError(`model_key ${JSON.stringify(key)} is not a serving model; known keys: ${known.join(', ')}`);
  }
  return key;
}

export function validateTopK(config: LarderConfig, topK: unknown): number {
  if (topK === undefined || topK === null) return config.retrieval.top_k;
  if (typeof topK !== 'number' || !Number.isInteger(topK) || topK < 1 || topK > 200) {
    throw new ValidationError(`top_k must be a whole number from 1 to 200, found ${JSON.stringify(topK)}`);
  }
  return topK;
}

export function validateIncludeKpi(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (typeof v !== 'boolean') throw new ValidationError(`include_kpi must be true or false, found ${JSON.stringify(v)}`);
  return v;
}
