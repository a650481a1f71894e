/**
 * An http(s) ingest source, fetched with node:http(s) rather than fetch so that the address each
 * socket connects to is the one the EgressGuard checked: the guard runs inside the socket's DNS
 * lookup (a DNS-rebinding answer cannot slip in between check and connect), IP literals are checked
 * before connecting, redirects are followed by hand (each hop checked again, at most
 * `maxRedirects`), and one deadline covers every hop and the body. Bytes are capped while reading.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { EgressGuard, EgressRefused, bareHost } from './egress';
import type { FetchedSource } from './download';
import { IngestSourceError } from './sourceError';

export interface HttpSourceOptions {
  guard: EgressGuard;
  maxBytes: number;
  timeoutMs: number;
  maxRedirects: number;
}

export async function fetchHttpSource(start: URL, options: HttpSourceOptions): Promise<FetchedSource> {
  const deadline = Date.now() + options.timeoutMs;
  let url = start;
  for (let hop = 0; ; hop++) {
    const res = await get(url, options, deadline);
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location) {
      res.destroy();
      if (hop >= options.maxRedirects) throw new IngestSourceError(`the source redirected more than ${options.maxRedirects} times`, 'bad_response');
      let next: URL;
      try {
        next = new URL(res.headers.location, url);
      } catch {
        throw new IngestSourceError('the source redirected to an invalid URL', 'bad_response');
      }
      if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new IngestSourceError(`refused: the source redirected to a ${next.protocol} URL; only http(s) redirects are followed`, 'refused');
      url = next;
      continue;
    }
    return readBody(res, url, options.maxBytes, deadline);
  }
}

function get(url: URL, { guard }: HttpSourceOptions, deadline: number): Promise<IncomingMessage> {
  const host = bareHost(url.hostname);
  if (isIP(host)) {
    try {
      guard.checkAddress(host, host);
    } catch (err) {
      return Promise.reject(refused(err));
    }
  }
  const lookup: LookupFunction = (hostname, opts, callback) => {
    dnsLookup(hostname, { ...opts, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 4);
      const list = addresses as LookupAddress[];
      try {
        for (const a of list) guard.checkAddress(hostname, a.address); // every address, not just the one used
      } catch (e) {
        return callback(e as Error, '', 4);
      }
      if ((opts as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      callback(null, list[0].address, list[0].family);
    });
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const remaining = deadline - Date.now();
    if (remaining <= 0) return reject(timedOut());
    const req = send(url, { method: 'GET', lookup, headers: { 'User-Agent': 'larder-ingest', Accept: '*/*' }, signal: AbortSignal.timeout(remaining) }, resolve);
    req.on('error', (err) => reject(toSourceError(err)));
    req.end();
  });
}

async function readBody(res: IncomingMessage, url: URL, maxBytes: number, deadline: number): Promise<FetchedSource> {
  const status = res.statusCode ?? 0;
  if (status === 404 || status === 410) {
    res.destroy();
    throw new IngestSourceError(`the source answered ${status} (not found)`, 'not_found');
  }
  if (status < 200 || status >= 300) {
    res.destroy();
    throw new IngestSourceError(`the source answered HTTP ${status}`, 'bad_response');
  }
  const declared = Number(res.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    res.destroy();
    throw tooLarge(maxBytes, declared);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxBytes) {
        res.destroy();
        throw tooLarge(maxBytes);
      }
      if (Date.now() > deadline) {
        res.destroy();
        throw timedOut();
      }
      chunks.push(chunk);
    }
  } catch (err) {
    throw toSourceError(err);
  }
  return {
    bytes: Buffer.concat(chunks),
    contentType: String(res.headers['content-type'] ?? '').split(';')[0].trim() || 'application/octet-stream',
    fileName: fileNameOf(res.headers['content-disposition'], url.pathname),
  };
}

function toSourceError(err: unknown): IngestSourceError {
  if (err instanceof IngestSourceError) return err;
  if (err instanceof EgressRefused) return refused(err);
  const e = err as { name?: string; code?: string };
  if (e.name === 'TimeoutError' || e.name === 'AbortError' || e.code === 'ABORT_ERR') return timedOut();
  return new IngestSourceError(`could not reach the source (${e.code ?? e.name ?? 'error'})`, 'unreachable');
}

function refused(err: unknown): IngestSourceError {
  return new IngestSourceError(`refused: ${(err as Error).message}`, 'refused');
}

function timedOut(): IngestSourceError {
  return new IngestSourceError('the source did not finish within the ingest time limit', 'unreachable');
}

export function tooLarge(maxBytes: number, declared?: number): IngestSourceError {
  return new IngestSourceError(`the source is larger than the ${maxBytes}-byte ingest limit${declared !== undefined ? ` (${declared} bytes)` : ''}`, 'too_large');
}

function fileNameOf(disposition: string | undefined, path: string): string | undefined {
  const fromHeader = disposition?.match(/filename\*?=(?:UTF-8'')?"?([^";]+)"?/i)?.[1];
  if (fromHeader) {
    try {
      return decodeURIComponent(fromHeader);
    } catch {
      return fromHeader;
    }
  }
  const last = path.split('/').filter(Boolean).pop();
  return last && /\.[a-z0-9]{1,10}$/i.test(last) ? last : undefined;
}
