/**
 * Fetches an ingest source — http(s):// (httpSource.ts), s3:// through the registry's S3 client —
 * only where the EgressGuard allows (egress.ts), with a byte cap enforced while reading (a lying or
 * absent Content-Length cannot get past it) and a time limit. Failures are IngestSourceErrors whose
 * message is the reason recorded on the artifact.
 */
import type { BlobStore } from './blobs';
import { isLarderError } from '../errors';
import { EgressGuard, EgressRefused } from './egress';
import { fetchHttpSource, tooLarge } from './httpSource';
import { IngestSourceError } from './sourceError';

export { IngestSourceError };

export interface FetchedSource {
  bytes: Buffer;
  contentType: string;
  fileName?: string;
}

export interface FetchSourceOptions {
  maxBytes: number;
  timeoutMs?: number;
  maxRedirects?: number;
  blobs: BlobStore;
  /** Where sources may come from; without one, nothing but public http(s) addresses (and no s3://). */
  guard?: EgressGuard;
}

const NO_EXCEPTIONS = new EgressGuard({ allowHosts: [], s3Buckets: [] });

export type SourceFetcher = (url: string, options: FetchSourceOptions) => Promise<FetchedSource>;

export const fetchSource: SourceFetcher = async (url, options) => {
  const parsed = new URL(url);
  if (parsed.protocol === 's3:') return fetchS3(parsed, options);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new IngestSourceError(`refused: ${parsed.protocol} sources are not fetched`, 'refused');
  return fetchHttpSource(parsed, {
    guard: options.guard ?? NO_EXCEPTIONS,
    maxBytes: options.maxBytes,
    timeoutMs: options.timeoutMs ?? 60_000,
    maxRedirects: options.maxRedirects ?? 5,
  });
};

async function fetchS3(url: URL, { maxBytes, blobs, guard = NO_EXCEPTIONS }: FetchSourceOptions): Promise<FetchedSource> {
  const bucket = url.hostname;
  const key = decodeURIComponent(url.pathname.replace(/^\/+/, ''));
  try {
    guard.checkS3(bucket, key);
  } catch (err) {
    throw new IngestSourceError(`refused: ${(err as EgressRefused).message}`, 'refused');
  }
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
