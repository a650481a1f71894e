/**
 * BlobStore: artifact bytes in S3 under `{artifacts_prefix}/{type}/{encoded normalised name}/{id}{ext}`
 * (a replacement adds a revision: `{id}.r{rev}{ext}`, so concurrent replacements never overwrite
 * each other's bytes and the record always names bytes that exist). Buffers only: local S3 servers
 * mishandle streamed, checksum-trailed bodies (FINDINGS.md).
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { LarderError, isLarderError } from '../errors';
import { nameKeySegment } from './names';
import type { ArtifactType, BlobRef } from './types';

export const PRESIGNED_URL_TTL_SECONDS = 900;

export class BlobStore {
  readonly prefix: string;

  constructor(
    readonly s3: S3Client,
    readonly bucket: string,
    prefix: string,
  ) {
    this.prefix = prefix.replace(/^\/+|\/+$/g, '');
  }

  keyFor(type: ArtifactType, nameNorm: string, id: string, ext: string, revision?: string): string {
    const file = revision ? `${id}.r${revision}${ext}` : `${id}${ext}`;
    return [this.prefix, type, nameKeySegment(nameNorm), file].filter(Boolean).join('/');
  }

  static newRevision(): string {
    return randomBytes(4).toString('hex');
  }

  async put(key: string, body: Buffer, contentType: string, fileName?: string): Promise<BlobRef> {
    const sha256 = createHash('sha256').update(body).digest('hex');
    await this.call('PutObject', 'store the artifact bytes', () =>
      this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType, ContentLength: body.length, Metadata: { sha256 } })),
    );
    return { key, sizeBytes: body.length, contentType, sha256, ...(fileName ? { fileName } : {}) };
  }

  async get(key: string): Promise<Buffer> {
    const out = await this.call('GetObject', 'read the artifact bytes', () => this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key })));
    if (!out.Body) throw new LarderError('UPSTREAM', `S3 returned no body for ${key}`, { statusCode: 500 });
    return Buffer.from(await out.Body.transformToByteArray());
  }

  async presignGet(blob: BlobRef, expiresInSeconds = PRESIGNED_URL_TTL_SECONDS): Promise<string> {
    const disposition = blob.fileName ? `attachment; filename*=UTF-8''${encodeURIComponent(blob.fileName)}` : undefined;
    return getSignedUrl(this.s3, new GetObjectCommand({ Bucket: this.bucket, Key: blob.key, ResponseContentDisposition: disposition }), { expiresIn: expiresInSeconds });
  }

  /** A presigned PUT for bytes a client sends straight to S3 (presignedUpload.ts); the Content-Type is signed. */
  async presignPut(key: string, contentType: string, expiresInSeconds: number): Promise<string> {
    return getSignedUrl(this.s3, new PutObjectCommand({ Bucket: this.bucket, Key: key, ContentType: contentType }), { expiresIn: expiresInSeconds });
  }

  /** The object's size, or undefined when there is no such object (yet). */
  async sizeOf(key: string): Promise<number | undefined> {
    try {
      const head = await this.call('HeadObject', 'look for the uploaded bytes', () => this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key })));
      return head.ContentLength ?? 0;
    } catch (err) {
      if (isLarderError(err) && err.code === 'OBJECT_NOT_FOUND') return undefined;
      throw err;
    }
  }

  /** Reachability of the bucket (GET /health/components). */
  async probe(): Promise<void> {
    await this.call('HeadBucket', `reach s3://${this.bucket}`, () => this.s3.send(new HeadBucketCommand({ Bucket: this.bucket })));
  }

  async delete(key: string): Promise<void> {
    await this.call('DeleteObject', 'delete the artifact bytes', () => this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })));
  }

  /** Reads an object in another bucket (s3:// ingest sources) with a size cap checked before reading. */
  async readSource(bucket: string, key: string, maxBytes: number): Promise<{ bytes: Buffer; contentType?: string; sizeBytes: number }> {
    const head = await this.call('HeadObject', `read s3://${bucket}/${key}`, () => this.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })));
    const size = head.ContentLength ?? 0;
    if (size > maxBytes) return { bytes: Buffer.alloc(0), sizeBytes: size };
    const bytes = await this.call('GetObject', `read s3://${bucket}/${key}`, async () => {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return Buffer.from((await out.Body?.transformToByteArray()) ?? new Uint8Array());
    });
    return { bytes, contentType: head.ContentType, sizeBytes: bytes.length };
  }

  /** Deletes every object under the artifacts prefix (DELETE /reset). Returns the count. */
  async deleteEverything(): Promise<number> {
    let deleted = 0;
    let token: string | undefined;
    do {
      const page = await this.call('ListObjectsV2', 'list the artifact bytes', () =>
        this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix ? `${this.prefix}/` : undefined, ContinuationToken: token })),
      );
      const objects = (page.Contents ?? []).map((o) => ({ Key: o.Key! }));
      if (objects.length) {
        await this.call('DeleteObjects', 'delete the artifact bytes', () => this.s3.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: objects, Quiet: true } })));
        deleted += objects.length;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return deleted;
  }

  private async call<T>(operation: string, what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (isLarderError(err)) throw err;
      const name = (err as Error)?.name ?? 'Error';
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (name === 'NotFound' || name === 'NoSuchKey' || status === 404) {
        throw new LarderError('OBJECT_NOT_FOUND', `could not ${what}: no such object`, { cause: err, statusCode: 404 });
      }
      throw new LarderError('UPSTREAM', `could not ${what} (S3 ${operation}: ${name})`, { cause: err, statusCode: 500 });
    }
  }
}
