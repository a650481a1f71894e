/**
 * seedBucket's "already uploaded?" decision against AWS-shaped answers, with a stub S3 client (no
 * network): a multipart ETag ("<md5 of part md5s>-<parts>") says nothing about the bytes, so only
 * the SHA-256 seedBucket stores in object metadata, or a plain-MD5 ETag, can prove the object current.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, tableConfig } from '../../../src/config';
import { isCurrent, SHA256_METADATA, seedBucket } from '../../../src/loader/seed';

const config = loadConfig(undefined, { LARDER_LOG_LEVEL: 'silent' });
const dir = mkdtempSync(join(tmpdir(), 'larder-seed-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const body = Buffer.from('larder seed test bytes');
const path = join(dir, tableConfig(config, 'companies').local_path);
mkdirSync(dirname(path), { recursive: true });
writeFileSync(path, body);
const sha256 = createHash('sha256').update(body).digest('hex');
const md5 = createHash('md5').update(body).digest('hex');

/** HeadBucket succeeds; HeadObject answers `remote`; PutObject calls are recorded. */
function stubS3(remote: { ETag: string; ContentLength: number; Metadata?: Record<string, string> }) {
  const puts: PutObjectCommand['input'][] = [];
  const s3 = {
    send: async (cmd: unknown) => {
      if (cmd instanceof HeadObjectCommand) return remote;
      if (cmd instanceof PutObjectCommand) puts.push(cmd.input);
      return {};
    },
  } as unknown as S3Client;
  return { s3, puts };
}

const seed = (s3: S3Client) => seedBucket(config, s3, { sourceDir: dir, tables: ['companies'] });

describe('seedBucket on AWS-shaped objects', () => {
  it('skips a multipart object (ETag "…-2") whose metadata holds the same SHA-256', async () => {
    const { s3, puts } = stubS3({ ETag: '"3858f62230ac3c915f300c664312c11f-2"', ContentLength: body.length, Metadata: { [SHA256_METADATA]: sha256 } });
    expect((await seed(s3)).skipped).toHaveLength(1);
    expect(puts).toEqual([]);
  });

  it('uploads over a multipart object without the hash, and sends the hash with the upload', async () => {
    const { s3, puts } = stubS3({ ETag: '"3858f62230ac3c915f300c664312c11f-2"', ContentLength: body.length });
    expect((await seed(s3)).uploaded).toHaveLength(1);
    expect(puts[0].Metadata).toEqual({ [SHA256_METADATA]: sha256 });
  });

  it('falls back to a plain MD5 ETag only when no hash is recorded', async () => {
    expect((await seed(stubS3({ ETag: `"${md5}"`, ContentLength: body.length }).s3)).skipped).toHaveLength(1);
    const stale = stubS3({ ETag: `"${md5}"`, ContentLength: body.length, Metadata: { [SHA256_METADATA]: 'f'.repeat(64) } });
    expect((await seed(stale.s3)).uploaded).toHaveLength(1);
  });

  it('judges by size, recorded hash and ETag form (isCurrent)', () => {
    expect(isCurrent({ etag: `"${md5}"`, size: body.length, metadata: {} }, body.length, sha256, body)).toBe(true);
    expect(isCurrent({ etag: `"${md5}-1"`, size: body.length, metadata: {} }, body.length, sha256, body)).toBe(false);
    expect(isCurrent({ etag: `"${md5}"`, size: body.length + 1, metadata: {} }, body.length, sha256, body)).toBe(false);
    expect(isCurrent({ etag: `"${'0'.repeat(32)}"`, size: body.length, metadata: {} }, body.length, sha256, body)).toBe(false);
    expect(isCurrent({ etag: '"kms-or-anything"', size: body.length, metadata: { [SHA256_METADATA]: sha256 } }, body.length, sha256, body)).toBe(true);
  });
});
