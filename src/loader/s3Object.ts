/**
 * S3 object reads for the loader: HeadObject (ETag + size) and a download made of parallel ranged
 * GETs with explicit `bytes=a-b` ranges, each landing at its offset in one preallocated buffer (the
 * caller decodes from memory and writes the cache file in one go, not a write per network chunk). Each part checks it received exactly
 * the bytes it asked for and is retried on a short or failed body; 5xx, throttling and dropped
 * connections are retried with back-off within the invocation's time (retry.ts), on top of the SDK's
 * own attempts. SDK errors are wrapped here, naming bucket and key.
 */
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
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
  /** The object's ETag and size from HeadObject: ranges are computed from the size and each GET sends If-Match. */
  head: ObjectHead;
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

/** Downloads the whole object into one buffer. */
export async function downloadToBuffer(s3: S3Client, ref: ObjectRef, options: DownloadOptions): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(options.head.size);
  await downloadParts(s3, ref, options, (chunk, position) => {
    chunk.copy(buf, position);
  });
  return buf;
}

type Sink = (chunk: Buffer, position: number) => void;

async function downloadParts(s3: S3Client, ref: ObjectRef, options: DownloadOptions, sink: Sink): Promise<void> {
  const { size } = options.head;
  const ranges: [number, number][] = [];
  for (let start = 0; start < size; start += options.partBytes) ranges.push([start, Math.min(size, start + options.partBytes) - 1]);
  let next = 0;
  const worker = async () => {
    while (next < ranges.length) {
      const [start, end] = ranges[next++];
      await fetchPart(s3, ref, options, start, end, sink);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, ranges.length) }, worker));
}

async function fetchPart(s3: S3Client, ref: ObjectRef, options: DownloadOptions, start: number, end: number, sink: Sink): Promise<void> {
  // Server and connection failures: back-off rounds within the invocation's time. Inside a round,
  // a body cut short is retried at once (the bytes were flowing; the next GET usually completes).
  try {
    await withRetries(options.retry ?? unboundedRetry(), () => fetchPartOnce(s3, ref, options, start, end, sink));
  } catch (err) {
    throw isSdkError(err) ? wrapS3Error(err, ref, 'GetObject') : err;
  }
}

async function fetchPartOnce(s3: S3Client, ref: ObjectRef, options: DownloadOptions, start: number, end: number, sink: Sink): Promise<void> {
  const attempts = options.partAttempts ?? 3;
  for (let attempt = 1; ; attempt++) {
    let received = 0;
    try {
      const out = await s3.send(
        new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key, Range: `bytes=${start}-${end}`, IfMatch: options.head.etag || undefined }),
      );
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
