/**
 * CountTokens (Bedrock API reference, "CountTokens"): {input: {converse: {messages, system}}} or
 * {input: {invokeModel: {body}}} → {inputTokens}. A Converse input counts exactly as Converse reports
 * usage.inputTokens; an InvokeModel body (base64 on the wire) counts the strings in its JSON.
 */
import { countConverseTokens } from './converse';
import { validationError } from './errors';
import { estimateTokens } from './tokens';

export function countTokens(body: Record<string, unknown>): number {
  const input = body.input as Record<string, unknown> | undefined;
  if (input && typeof input === 'object' && input.converse && typeof input.converse === 'object') {
    return countConverseTokens(input.converse as Record<string, unknown>);
  }
  const invoke = input && typeof input === 'object' ? (input.invokeModel as { body?: unknown } | undefined) : undefined;
  if (invoke && typeof invoke.body === 'string') {
    const text = Buffer.from(invoke.body, 'base64').toString('utf8');
    return estimateTokens(stringsOf(safeJson(text) ?? text).join(' '));
  }
  throw validationError("1 validation error detected: Value at 'input' failed to satisfy constraint: Member must contain converse or invokeModel");
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  if (value && typeof value === 'object') return Object.values(value).flatMap(stringsOf);
  return [];
}

