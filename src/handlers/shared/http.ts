/**
 * The one place handlers turn results and errors into API Gateway (REST v1 proxy) responses.
 * Errors are always `{error, error_code}` with the right status — never a stack or an SDK message.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { isLarderError, ValidationError } from '../../errors';
import { log } from '../../log';

export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

/** Maps any thrown value to a response. LarderErrors keep their status and message; others are 500s. */
export function errorResponse(err: unknown, extra: Record<string, unknown> = {}): APIGatewayProxyResult {
  if (isLarderError(err)) {
    if (err.statusCode >= 500) log.error('request failed', { code: err.code, message: err.message });
    return jsonResponse(err.statusCode, { error: err.message, error_code: err.code, ...extra });
  }
  log.error('unexpected error', { error: err instanceof Error ? err.stack : String(err) });
  return jsonResponse(500, { error: 'internal error', error_code: 'INTERNAL', ...extra });
}

/** True for an API Gateway REST (v1) proxy event; false for a direct invocation payload. */
export function isApiGatewayV1Event(event: unknown): event is APIGatewayProxyEvent {
  return (
    typeof event === 'object' &&
    event !== null &&
    'httpMethod' in event &&
    'requestContext' in event &&
    typeof (event as { httpMethod: unknown }).httpMethod === 'string'
  );
}

/**
 * Checks the fields of a REST v1 event that handlers read, so a malformed event is a 400 that
 * names the field rather than a TypeError (500) somewhere in routing.
 */
export function validateRestEventFields(event: APIGatewayProxyEvent): void {
  const e = event as unknown as Record<string, unknown>;
  for (const field of ['path', 'resource']) {
    if (e[field] !== undefined && e[field] !== null && typeof e[field] !== 'string') throw new ValidationError(`event.${field} must be a string, found ${kind(e[field])}`);
  }
  for (const field of ['pathParameters', 'queryStringParameters', 'headers']) {
    const v = e[field];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'object' || Array.isArray(v)) throw new ValidationError(`event.${field} must be an object or null, found ${kind(v)}`);
    for (const [k, x] of Object.entries(v)) {
      if (x !== undefined && x !== null && typeof x !== 'string') throw new ValidationError(`event.${field}.${k} must be a string, found ${kind(x)}`);
    }
  }
}

function kind(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

/**
 * The raw body bytes of an API Gateway event (base64-decoded when isBase64Encoded). A body flagged
 * base64 that is not base64 is a 400: Buffer.from would silently drop the bad characters and hand
 * on (and an upload would store) bytes the caller never sent.
 */
export function bodyBuffer(event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'>): Buffer {
  if (event.body === null || event.body === undefined) return Buffer.alloc(0);
  if (typeof event.body !== 'string') throw new ValidationError(`event.body must be a string or null, found ${Array.isArray(event.body) ? 'an array' : typeof event.body}`);
  if (!event.isBase64Encoded) return Buffer.from(event.body, 'utf8');
  const compact = event.body.replace(/\s+/g, '');
  if (!BASE64.test(compact) || compact.replace(/=+$/, '').length % 4 === 1) {
    throw new ValidationError('request body is marked isBase64Encoded but is not valid base64');
  }
  return Buffer.from(compact, 'base64');
}

const BASE64 = /^(?:[A-Za-z0-9+/]*={0,2}|[A-Za-z0-9_-]*={0,2})$/;

/** Parses a JSON object body, or throws a 400 that says what was wrong. */
export function parseJsonBody(event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'>): Record<string, unknown> {
  const text = bodyBuffer(event).toString('utf8');
  if (!text.trim()) throw new ValidationError('request body is empty; expected a JSON object');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ValidationError(`request body is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ValidationError(`request body must be a JSON object, found ${Array.isArray(parsed) ? 'an array' : typeof parsed}`);
  }
  return parsed as Record<string, unknown>;
}

/** Header lookup that ignores case (API Gateway passes headers as the client sent them). */
export function header(event: Pick<APIGatewayProxyEvent, 'headers'>, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(event.headers ?? {})) {
    if (k.toLowerCase() !== lower || v === undefined || v === null) continue;
    // API Gateway sends strings; anything else is a malformed event, not a reason for a TypeError.
    if (typeof v !== 'string') throw new ValidationError(`header ${k} must be a string, found ${Array.isArray(v) ? 'an array' : typeof v}`);
    return v;
  }
  return undefined;
}
