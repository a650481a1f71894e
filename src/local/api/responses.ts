/**
 * A function's result → the HTTP response API Gateway would send, per payload format, and the
 * gateway's own error answers. As `sam local start-api` does, a response without a Content-Type gets
 * `application/json`. A malformed result is a 502 whose reason goes to the log.
 */
import type { ServerResponse } from 'node:http';

export interface HttpResponseParts {
  statusCode: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

export type Invalid = { invalid: string };

/** A function's result as JSON, or why it is not (both payload formats need JSON). */
function parseResultJson(payload: string): { result: any } | Invalid {
  try {
    return { result: JSON.parse(payload) };
  } catch {
    return { invalid: 'the function returned something that is not JSON' };
  }
}

function withDefaultContentType(headers: Record<string, string | string[]>): Record<string, string | string[]> {
  if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
  return headers;
}

/** Payload format 1.0 (REST, HTTP 1.0): {statusCode, headers, multiValueHeaders, body, isBase64Encoded} is required. */
export function proxyResultToHttp(payload: string): HttpResponseParts | Invalid {
  const parsed = parseResultJson(payload);
  if ('invalid' in parsed) return parsed;
  const result = parsed.result;
  if (!result || typeof result !== 'object' || Array.isArray(result)) {
    return { invalid: `expected an object with statusCode, found ${JSON.stringify(result)?.slice(0, 100)}` };
  }
  const statusCode = Number(result.statusCode);
  if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
    return { invalid: `statusCode must be an HTTP status, found ${JSON.stringify(result.statusCode)}` };
  }
  const headers: Record<string, string | string[]> = Object.create(null);
  for (const [k, v] of Object.entries<unknown>(result.headers ?? {})) headers[k] = String(v);
  for (const [k, v] of Object.entries<unknown>(result.multiValueHeaders ?? {})) {
    if (!Array.isArray(v)) return { invalid: `multiValueHeaders.${k} must be an array` };
    headers[k] = v.map(String);
  }
  if (result.body !== undefined && result.body !== null && typeof result.body !== 'string') {
    return { invalid: 'body must be a string (JSON.stringify objects; base64-encode binary and set isBase64Encoded)' };
  }
  const text: string = result.body ?? '';
  const body = result.isBase64Encoded ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
  return { statusCode, headers: withDefaultContentType(headers), body };
}

/**
 * Payload format 2.0 (HTTP APIs, Function URLs): a result with `statusCode` is taken as a response
 * ({headers, cookies, body, isBase64Encoded}); any other JSON is the body of a 200 application/json
 * response (a string result is sent as its text).
 */
export function v2ResultToHttp(payload: string): HttpResponseParts | Invalid {
  const parsed = parseResultJson(payload);
  if ('invalid' in parsed) return parsed;
  const result = parsed.result;
  if (!result || typeof result !== 'object' || Array.isArray(result) || result.statusCode === undefined) {
    const text = typeof result === 'string' ? result : payload;
    return { statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: Buffer.from(text, 'utf8') };
  }
  const statusCode = Number(result.statusCode);
  if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
    return { invalid: `statusCode must be an HTTP status, found ${JSON.stringify(result.statusCode)}` };
  }
  const headers: Record<string, string | string[]> = Object.create(null);
  for (const [k, v] of Object.entries<unknown>(result.headers ?? {})) headers[k] = String(v);
  if (Array.isArray(result.cookies) && result.cookies.length) headers['Set-Cookie'] = result.cookies.map(String);
  const text = result.body === undefined || result.body === null ? '' : typeof result.body === 'string' ? result.body : JSON.stringify(result.body);
  const body = result.isBase64Encoded ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
  return { statusCode, headers: withDefaultContentType(headers), body };
}

export function sendParts(res: ServerResponse, parts: HttpResponseParts, requestId?: string): void {
  for (const [k, v] of Object.entries(parts.headers)) res.setHeader(k, v);
  res.setHeader('Content-Length', String(parts.body.length));
  if (requestId) res.setHeader('x-amzn-RequestId', requestId);
  res.writeHead(parts.statusCode);
  res.end(parts.body);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, extraHeaders: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)), ...extraHeaders });
  res.end(text);
}

/** API Gateway's own answers, by API kind. */
export const gatewayErrors = {
  noRoute: (kind: 'rest' | 'http') => (kind === 'rest' ? { status: 403, body: { message: 'Missing Authentication Token' } } : { status: 404, body: { message: 'Not Found' } }),
  unauthorized: { status: 401, body: { message: 'Unauthorized' } },
  denied: (kind: 'rest' | 'http') =>
    kind === 'rest' ? { status: 403, body: { Message: 'User is not authorized to access this resource with an explicit deny' } } : { status: 403, body: { message: 'Forbidden' } },
  forbidden: { status: 403, body: { message: 'Forbidden' } },
  authorizerFailed: { status: 500, body: { message: null } },
  badGateway: { status: 502, body: { message: 'Internal server error' } },
  tooLarge: { status: 413, body: { message: 'Request Too Long' } },
  throttled: { status: 429, body: { message: 'Too Many Requests' } },
};
