/**
 * Headers and query strings of an incoming request as plain data: null-prototype objects, so a key
 * named `__proto__`, `constructor`, `toString` or `valueOf` is only a key — never a lookup into
 * Object.prototype (which made start-api answer 500 for such names).
 */
import type { IncomingMessage } from 'node:http';

export type Dict<T> = Record<string, T>;

export function dict<T>(): Dict<T> {
  return Object.create(null) as Dict<T>;
}

export interface RequestParts {
  /** Header names as the client sent them (REST v1 keeps case). */
  headers: Dict<string>;
  multiValueHeaders: Dict<string[]>;
  /** Lower-case names, repeated values joined with commas (HTTP API v2). */
  lowerHeaders: Dict<string>;
  query: Dict<string>;
  multiQuery: Dict<string[]>;
  cookies: string[];
  rawQueryString: string;
}

export function requestParts(req: IncomingMessage, url: URL): RequestParts {
  const headers = dict<string>();
  const multiValueHeaders = dict<string[]>();
  const lowerHeaders = dict<string>();
  const cookies: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i];
    const value = req.rawHeaders[i + 1];
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
    const lower = name.toLowerCase();
    if (lower === 'cookie') cookies.push(...value.split(';').map((c) => c.trim()).filter(Boolean));
    lowerHeaders[lower] = lower in lowerHeaders ? `${lowerHeaders[lower]},${value}` : value;
  }
  const query = dict<string>();
  const multiQuery = dict<string[]>();
  for (const [k, v] of url.searchParams) {
    query[k] = v;
    (multiQuery[k] ??= []).push(v);
  }
  return { headers, multiValueHeaders, lowerHeaders, query, multiQuery, cookies, rawQueryString: url.search.replace(/^\?/, '') };
}

/** A header value by case-insensitive name. */
export function header(parts: RequestParts, name: string): string | undefined {
  return parts.lowerHeaders[name.toLowerCase()];
}
