/**
 * Small checks for request bodies, each failing with Bedrock's wording for model-body errors:
 * "Malformed input request: #/<key>: <problem>, please reformat your input and try again."
 */
import { validationError } from './errors';

export type JsonObject = Record<string, unknown>;

export function malformed(problem: string): Error {
  return validationError(`Malformed input request: ${problem}, please reformat your input and try again.`);
}

/** Parses a request body as a JSON object, or fails like Bedrock does on a non-JSON body. */
export function parseJsonObject(raw: Buffer): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    throw malformed('#: request body is not valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw malformed(`#: expected type: JSONObject, found: ${jsonTypeName(value)}`);
  }
  return value as JsonObject;
}

export function requireKey(body: JsonObject, key: string): unknown {
  if (body[key] === undefined || body[key] === null) throw malformed(`#: required key [${key}] not found`);
  return body[key];
}

/** Bedrock's model-body schemas reject unknown keys: "#: extraneous key [x] is not permitted". */
export function rejectExtraneousKeys(body: JsonObject, allowed: readonly string[]): void {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) throw malformed(`#: extraneous key [${key}] is not permitted`);
  }
}

export function expectString(value: unknown, path: string): string {
  if (typeof value !== 'string') throw malformed(`${path}: expected type: String, found: ${jsonTypeName(value)}`);
  return value;
}

export function expectBoolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw malformed(`${path}: expected type: Boolean, found: ${jsonTypeName(value)}`);
  return value;
}

export function expectOneOf<T extends string | number>(value: unknown, allowed: readonly T[], path: string): T {
  if (!allowed.includes(value as T)) {
    throw malformed(`${path}: ${JSON.stringify(value)} is not a valid enum value (allowed: ${allowed.join(', ')})`);
  }
  return value as T;
}

export function expectStringArray(value: unknown, path: string): string[] {
  if (!Array.isArray(value)) throw malformed(`${path}: expected type: JSONArray, found: ${jsonTypeName(value)}`);
  for (let i = 0; i < value.length; i++) {
    if (typeof value[i] !== 'string') {
      throw malformed(`${path}/${i}: expected type: String, found: ${jsonTypeName(value[i])}`);
    }
  }
  return value as string[];
}

export function jsonTypeName(value: unknown): string {
  if (value === null) return 'Null';
  if (Array.isArray(value)) return 'JSONArray';
  switch (typeof value) {
    case 'string':
      return 'String';
    case 'number':
      return Number.isInteger(value) ? 'Integer' : 'BigDecimal';
    case 'boolean':
      return 'Boolean';
    case 'object':
      return 'JSONObject';
    default:
      return typeof value;
  }
}
