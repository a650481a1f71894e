/**
 * Uploads the built data_cache/ tables to the configured bucket (the local S3 by default), creating
 * the bucket if needed and skipping objects that already hold the local file's bytes. Each upload
 * carries the file's SHA-256 in object metadata (`x-amz-meta-larder-sha256`); an object is current
 * when its size and that hash match. An object without it (uploaded by something else) counts as
 * current only when its ETag is a plain MD5 (a single-part upload without SSE-KMS) equal to the
 * file's: a multipart ETag ("<md5 of part md5s>-<parts>", computed differently by AWS and s3rver) or
 * a KMS one says nothing about the content, so such objects are uploaded again.
 * `larder seed` and `larder start` call this.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, HeadBucketCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { localCacheDir, tableConfig, tableS3Key, type LarderConfig } from '../config';
import { LarderError } from '../errors';
import { log } from '../log';
import { wrapS3Error } from './s3Object';

export interface SeedOptions {
  /** Directory holding the tables (default: data_cache/). */
  sourceDir?: string;
  /** Table names to upload (default: every table in the config whose file exists). */
  tables?: string[];
}

export interface SeedResult {
  bucket: string;
  uploaded: { table: string; key: string; bytes: number }[];
  skipped: { table: string; key: string; bytes: number }[];
  /** Tables in the config with no built file (e.g. embeddings of models not built). */
  missing: { table: string; path: string }[];
}

export async function seedBucket(config: LarderConfig, s3: S3Client, options: SeedOptions = {}): Promise<SeedResult> {
  const bucket = config.s3.bucket;
  const dir = options.sourceDir ?? localCacheDir(config);
  const result: SeedResult = { bucket, uploaded: [], skipped: [], missing: [] };
  await ensureBucketExists(s3, bucket);
  for (const table of options.tables ?? Object.keys(config.tables)) {
    const path = join(dir, tableConfig(config, table).local_path);
    const key = tableS3Key(config, table);
    if (!existsSync(path)) {
      result.missing.push({ table, path });
      continue;
    }
    const bytes = statSync(path).size;
    const body = readFileSync(path);
    const sha256 = createHash('sha256').update(body).digest('hex');
    const remote = await headOrNull(s3, bucket, key);
    if (remote && isCurrent(remote, bytes, sha256, body)) {
      result.skipped.push({ table, key, bytes });
      continue;
    }
    try {
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentLength: bytes,
          ContentType: 'application/vnd.apache.parquet',
          Metadata: { [SHA256_METADATA]: sha256 },
        }),
      );
    } catch (err) {
      throw wrapS3Error(err, { bucket, key }, 'PutObject');
    }
    log.info('seeded', { table, key: `s3://${bucket}/${key}`, bytes });
    result.uploaded.push({ table, key, bytes });
  }
  if (result.uploaded.length + result.skipped.length === 0) {
    throw new LarderError('TABLE_NOT_FOUND', `nothing to seed: no table files under ${dir}; build them with "npm run build:data"`, { details: { dir } });
  }
  return result;
}

/** Object metadata key (sent as `x-amz-meta-larder-sha256`) holding the SHA-256 of the uploaded bytes. */
export const SHA256_METADATA = 'larder-sha256';

export interface RemoteObject {
  etag: string;
  size: number;
  metadata: Record<string, string>;
}

/**
 * Whether the object already holds these bytes: same size and our SHA-256 in its metadata; without
 * that metadata, same size and a plain-MD5 ETag equal to the bytes' MD5.
 */
export function isCurrent(remote: RemoteObject, bytes: number, sha256: string, body: Buffer): boolean {
  if (remote.size !== bytes) return false;
  const recorded = remote.metadata[SHA256_METADATA];
  if (recorded !== undefined) return recorded === sha256;
  const etag = remote.etag.replace(/"/g, '').toLowerCase();
  return /^[0-9a-f]{32}$/.test(etag) && etag === createHash('md5').update(body).digest('hex');
}

async function ensureBucketExists(s3: S3Client, bucket: string): Promise<void> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    return;
  } catch (err) {
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status !== 404 && (err as Error).name !== 'NotFound' && (err as Error).name !== 'NoSuchBucket') throw wrapS3Error(err, { bucket, key: '' }, 'HeadBucket');
  }
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (err) {
    const name = (err as Error).name;
    if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw wrapS3Error(err, { bucket, key: '' }, 'CreateBucket');
  }
}

async function headOrNull(s3: S3Client, bucket: string, key: string): Promise<RemoteObject | null> {
  try {
    const out = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return { etag: out.ETag ?? '', size: out.ContentLength ?? -1, metadata: out.Metadata ?? {} };
  } catch (err) {
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404) return null;
    throw wrapS3Error(err, { bucket, key }, 'HeadObject');
  }
}
