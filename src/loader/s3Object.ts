/**
 * S3 object reads for the loader: HeadObject (ETag + size) and a download made of parallel ranged
 * GETs with explicit `bytes=a-b` ranges, each landing at its offset in one preallocated buffer (the
 * caller decodes from memory and writes the cache file in one go, not a write per network chunk).
 * Without a HeadObject first (nothing cached to revalidate), the first ranged GET tells the object's
 * size and ETag (Content-Range, ETag) as its headers arrive, and the other parts start then, each
 * with If-Match: a cold start saves a round trip per table. Each part checks it received exactly
 * the bytes it asked for and is retried on a short or failed body; 5xx, throttling and dropped
 * connections are retried with back-off within the invocation's time (retry.ts), on top of the SDK's
 * own attempts. SDK errors are wrapped here, naming bucket and key.
 */
import { GetObjectCommand, HeadObjectCommand, type GetObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { LarderError } from '../errors';
import type { Progress } from './progress';
import { isRetriableS3Error, unboundedRetry, withRetries, type RetryPolicy } from './retry';

export interface ObjectRef {
  bucket: string;
  key: string;
}

export interface ObjectHead {
  etag: string;
  size: number;
}

export interface DownloadOptions {
  /**
   * The object's ETag and size from HeadObject: ranges are computed from the size and each GET sends
   * If-Match. Absent: the first part's response tells them (see above).
   */
  head?: ObjectHead;
  /** Called once the size and ETag are known, before the bulk of the bytes arrive. */
  onHead?: (head: ObjectHead) => void;
  partBytes: number;
  concurrency: number;
  progress?: Progress;
  /** Attempts per part for body-level failures (short reads, resets). */
  partAttempts?: number;
  /** Back-off for 5xx / throttling / connection failures (default: bounded, no deadline). */
  retry?: RetryPolicy;
}

export async function headObject(s3: S3Client, ref: ObjectRef, retry: RetryPolicy = unboundedRetry()): Promise<ObjectHead> {
  try {
    const out = await withRetries(retry, () => s3.send(new HeadObjectCommand({ Bucket: ref.bucket, Key: ref.key })));
    return { etag: out.ETag ?? '', size: out.ContentLength ?? 0 };
  } catch (err) {
    throw wrapS3Error(err, ref, 'HeadObject');
  }
}

/** Downloads the whole object into one buffer; returns it with the size and ETag it was read at. */
export async function downloadToBuffer(s3: S3Client, ref: ObjectRef, options: DownloadOptions): Promise<{ bytes: Buffer; head: ObjectHead }> {
  if (options.head) {
    const head = options.head;
    options.onHead?.(head);
    const buf = Buffer.allocUnsafe(head.size);
    await downloadParts(s3, ref, options, head, partRanges(0, head.size, options.partBytes), (chunk, position) => chunk.copy(buf, position));
    return { bytes: buf, head };
  }
  // No HeadObject: the first part's response headers give the size and ETag. The buffer is
  // allocated and the other parts started right then, while the first part's body streams in.
  let buf: Buffer | undefined;
  let rest: Promise<void> | undefined;
  let discovered: ObjectHead | undefined;
  const first: PartRequest = { start: 0, end: options.partBytes - 1 };
  first.onResponse = (out) => {
    const head = discovered ?? headOfFirstPart(out, ref);
    // A server that ignored the range sent the whole object: nothing else to fetch.
    const whole = !out.ContentRange;
    first.end = (whole ? head.size : Math.min(options.partBytes, head.size)) - 1;
    if (discovered) return; // a retry of the first part: same object (If-Match), same range
    discovered = head;
    first.etag = head.etag; // retries of the first part must read the same version
    options.onHead?.(head);
    buf = Buffer.allocUnsafe(head.size);
    const target = buf;
    if (whole) return;
    rest = downloadParts(s3, ref, options, head, partRanges(options.partBytes, head.size, options.partBytes), (chunk, position) => chunk.copy(target, position), 1);
    rest.catch(() => {}); // awaited below
  };
  try {
    await fetchPart(s3, ref, options, first, (chunk, position) => chunk.copy(buf!, position));
  } catch (err) {
    if (err instanceof LarderError && err.details?.httpStatus === 416) {
      // An empty object has no byte 0 to range over (S3 answers 416 InvalidRange): ask its head.
      const head = await headObject(s3, ref, options.retry);
      if (head.size === 0) {
        options.onHead?.(head);
        return { bytes: Buffer.alloc(0), head };
      }
    }
    await rest?.catch(() => {}); // no part left running after an error
    throw err;
  }
  await rest;
  return { bytes: buf!, head: discovered! };
}

/** Size and ETag from a ranged GET's response: Content-Range `bytes a-b/size`, or a whole body when the server ignored the range. */
function headOfFirstPart(out: GetObjectCommandOutput, ref: ObjectRef): ObjectHead {
  const etag = out.ETag ?? '';
  const range = out.ContentRange ? /^bytes \d+-\d+\/(\d+)$/.exec(out.ContentRange) : null;
  if (range) return { etag, size: Number(range[1]) };
  if (!out.ContentRange && out.ContentLength !== undefined) return { etag, size: out.ContentLength };
  throw new LarderError('UPSTREAM', `s3://${ref.bucket}/${ref.key}: GetObject answered a ranged request with Content-Range ${JSON.stringify(out.ContentRange ?? null)}`, { details: { bucket: ref.bucket, key: ref.key } });
}

function partRanges(from: number, size: number, partBytes: number): [number, number][] {
  const ranges: [number, number][] = [];
  for (let start = from; start < size; start += partBytes) ranges.push([start, Math.min(size, start + partBytes) - 1]);
  return ranges;
}

type Sink = (chunk: Buffer, position: number) => void;

interface PartRequest {
  start: number;
  end: number;
  /** If-Match; absent only for a first part that discovers the object. */
  etag?: string;
  /** Sees the response before its body is read (may narrow `end` to what the object holds). */
  onResponse?: (out: GetObjectCommandOutput) => void;
}

/** `ranges` with `concurrency` GETs in flight (less `busy`, the parts already running elsewhere). */
async function downloadParts(s3: S3Client, ref: ObjectRef, options: DownloadOptions, head: ObjectHead, ranges: [number, number][], sink: Sink, busy = 0): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < ranges.length) {
      const [start, end] = ranges[next++];
      await fetchPart(s3, ref, options, { start, end, etag: head.etag || undefined }, sink);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency - busy, ranges.length)) }, worker));
}

async function fetchPart(s3: S3Client, ref: ObjectRef, options: DownloadOptions, part: PartRequest, sink: Sink): Promise<void> {
  // Server and connection failures: back-off rounds within the invocation's time. Inside a round,
  // a body cut short is retried at once (the bytes were flowing; the next GET usually completes).
  try {
    await withRetries(options.retry ?? unboundedRetry(), () => fetchPartOnce(s3, ref, options, part, sink));
  } catch (err) {
    throw isSdkError(err) ? wrapS3Error(err, ref, 'GetObject') : err;
  }
}

async function fetchPartOnce(s3: S3Client, ref: ObjectRef, options: DownloadOptions, part: PartRequest, sink: Sink): Promise<void> {
  const attempts = options.partAttempts ?? 3;
  const { start } = part;
  for (let attempt = 1; ; attempt++) {
    let received = 0;
    try {
      const out = await s3.send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key, Range: `bytes=${start}-${part.end}`, IfMatch: part.etag || undefined }));
      part.onResponse?.(out);
      const end = part.end;
      // Bytes from elsewhere than asked (a server that ignored the range) must not land at `start`.
      if (out.ContentRange ? !out.ContentRange.startsWith(`bytes ${start}-`) : start > 0) {
        (out.Body as { destroy?: () => void } | undefined)?.destroy?.();
        throw new LarderError('UPSTREAM', `s3://${ref.bucket}/${ref.key}: GetObject of bytes ${start}-${end} answered Content-Range ${JSON.stringify(out.ContentRange ?? null)}`, { details: { bucket: ref.bucket, key: ref.key } });
      }
      const body = out.Body as AsyncIterable<Uint8Array> | undefined;
      if (!body) throw new Error('empty response body');
      for await (const piece of body) {
        const chunk = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
        const room = end + 1 - (start + received);
        const take = chunk.length > room ? chunk.subarray(0, room) : chunk;
        sink(take, start + received);
        received += take.length;
        options.progress?.add(take.length);
      }
      const expected = end - start + 1;
      if (received !== expected) throw new ShortReadError(`received ${received} of ${expected} bytes for range ${start}-${end}`);
      return;
    } catch (err) {
      options.progress?.add(-received);
      if (isSdkError(err) && isRetriableS3Error(err)) throw err; // the next back-off round (fetchPart)
      if (isSdkError(err)) throw wrapS3Error(err, ref, 'GetObject');
      if (attempt >= attempts) {
        throw new LarderError('UPSTREAM', `s3://${ref.bucket}/${ref.key}: download failed after ${attempts} attempts: ${(err as Error).message}`, { cause: err, details: { bucket: ref.bucket, key: ref.key } });
      }
    }
  }
}

class ShortReadError extends Error {}

function isSdkError(err: unknown): boolean {
  return Boolean(err && typeof err === 'object' && '$metadata' in err);
}

/** Wraps an SDK error once, naming the bucket and key. */
export function wrapS3Error(err: unknown, ref: ObjectRef, operation: string): LarderError {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  const where = `s3://${ref.bucket}/${ref.key}`;
  const details = { bucket: ref.bucket, key: ref.key, operation, awsError: e.name, httpStatus: status };
  if (e.name === 'NoSuchKey' || e.name === 'NotFound' || e.name === 'NoSuchBucket' || status === 404) {
    const what = e.name === 'NoSuchBucket' ? `bucket "${ref.bucket}" does not exist` : 'object not found';
    return new LarderError('OBJECT_NOT_FOUND', `${where}: ${what} (${operation}); run "larder seed" to upload the data tables`, { cause: err, details });
  }
  if (status === 412 || e.name === 'PreconditionFailed') {
    return new LarderError('CONFLICT', `${where}: the object changed during the download (${operation}); retry`, { cause: err, statusCode: 409, details });
  }
  if (e.name === 'SlowDown' || e.name === 'ThrottlingException' || status === 503 || status === 429) {
    return new LarderError('THROTTLED', `${where}: S3 is throttling (${operation}: ${e.name})`, { cause: err, details });
  }
  return new LarderError('UPSTREAM', `${where}: ${operation} failed: ${e.name ?? 'Error'}: ${e.message ?? ''}`.trim(), { cause: err, details });
}
