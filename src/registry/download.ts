/**
 * Fetches an ingest source — http(s):// with fetch, s3:// through the registry's S3 client — with
 * a byte cap enforced while reading (a lying or absent Content-Length cannot get past it) and a
 * timeout. Failures are IngestSourceErrors whose message is the reason recorded on the artifact.
 */
import type { BlobStore } from './blobs';
import { isLarderError } from '../errors';

export class IngestSourceError extends Error {
  constructor(message: string, readonly kind: 'not_found' | 'too_large' | 'unreachable' | 'bad_response') {
    super(message);
    this.name = 'IngestSourceError';
  }
}

export interface FetchedSource {
  bytes: Buffer;
  contentType: string;
  fileName?: string;
}

export interface FetchSourceOptions {
  maxBytes: number;
  timeoutMs?: number;
  blobs: BlobStore;
}

export type SourceFetcher = (url: string, options: FetchSourceOptions) => Promise<FetchedSource>;

export const fetchSource: SourceFetcher = async (url, options) => {
  const parsed = new URL(url);
  if (parsed.protocol === 's3:') return fetchS3(parsed, options);
  return fetchHttp(parsed, options);
};

async function fetchHttp(url: URL, { maxBytes, timeoutMs = 60_000 }: FetchSourceOptions): Promise<FetchedSource> {
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const reason = (err as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : ((err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name);
    throw new IngestSourceError(`could not reach the source (${reason})`, 'unreachable');
  }
  if (res.status === 404 || res.status === 410) {
    await res.body?.cancel();
    throw new IngestSourceError(`the source answered ${res.status} (not found)`, 'not_found');
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new IngestSourceError(`the source answered HTTP ${res.status}`, 'bad_response');
  }
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel();
    throw tooLarge(maxBytes, declared);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (res.body) {
    const reader = res.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        total += value.byteLength;
        if (total > maxBytes) {
          await reader.cancel();
          throw tooLarge(maxBytes);
        }
        chunks.push(value);
      }
    } catch (err) {
      if (err instanceof IngestSourceError) throw err;
      throw new IngestSourceError(`reading the source failed (${(err as Error).name})`, 'unreachable');
    }
  }
  return {
    bytes: Buffer.concat(chunks),
    contentType: res.headers.get('content-type')?.split(';')[0].trim() || 'application/octet-stream',
    fileName: fileNameOf(res.headers.get('content-disposition'), url.pathname),
  };
}

async function fetchS3(url: URL, { maxBytes, blobs }: FetchSourceOptions): Promise<FetchedSource> {
  const bucket = url.hostname;
  const key = decodeURIComponent(url.pathname.replace(/^\/+/, ''));
  try {
    const out = await blobs.readSource(bucket, key, maxBytes);
    if (out.sizeBytes > maxBytes) throw tooLarge(maxBytes, out.sizeBytes);
    return { bytes: out.bytes, contentType: out.contentType ?? 'application/octet-stream', fileName: key.split('/').pop() };
  } catch (err) {
    if (err instanceof IngestSourceError) throw err;
    if (isLarderError(err) && err.statusCode === 404) throw new IngestSourceError(`s3://${bucket}/${key} does not exist`, 'not_found');
    throw new IngestSourceError(`could not read s3://${bucket}/${key}`, 'unreachable');
  }
}

function tooLarge(maxBytes: number, declared?: number): IngestSourceError {
  return new IngestSourceError(
    `the source is larger than the ${maxBytes}-byte ingest limit${declared !== undefined ? ` (${declared} bytes)` : ''}`,
    'too_large',
  );
}

function fileNameOf(disposition: string | null, path: string): string | undefined {
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
