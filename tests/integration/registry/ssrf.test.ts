/**
 * No way in through ingest: every attempt of the issue — the local S3 server's listing, loopback,
 * the metadata address, private ranges, a redirect to loopback, a DNS name resolving to loopback,
 * another bucket — is refused, with nothing stored and the URL free again. Sources are served on
 * 127.0.0.1; the guard is configured as in production (nothing allowed) unless a test says so.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goodModelArchive } from '../../unit/registry/fixtures';
import { ensureBucket, uniqueName } from '../../setup/services';
import { createHarness, expectError, startSourceServer, type Harness, type SourceServer } from './harness';

let strict: Harness;
let dev: Harness;
let source: SourceServer;
let otherBucket: string;

beforeAll(async () => {
  source = await startSourceServer();
  [strict, dev] = await Promise.all([
    createHarness({ invoker: 'direct', ingestPolicy: { allowHosts: [], s3Buckets: [] } }),
    createHarness({ invoker: 'direct', ingestPolicy: { allowHosts: ['127.0.0.1'], s3Buckets: [] } }),
  ]);
  otherBucket = uniqueName('secret');
  await ensureBucket(strict.s3, otherBucket);
  await strict.s3.send(new PutObjectCommand({ Bucket: otherBucket, Key: 'credentials.txt', Body: Buffer.from('secret') }));
  source.set('/model.tar.gz', { body: goodModelArchive() });
});
afterAll(async () => {
  await source?.close();
});

async function expectNothingStored(h: Harness) {
  const artifacts = (await h.tableItems()).filter((i) => i.entity === 'artifact' && i.status !== 'failed');
  expect(artifacts).toEqual([]);
  expect(await h.bucketKeys()).toEqual([]);
}

describe('refused at registration (400, nothing stored)', () => {
  it.each([
    ['the local S3 server listing', () => `${strict.config.overrides.endpoints.s3 ?? 'http://127.0.0.1:1'}/${strict.bucket}?list-type=2`],
    ['loopback', () => source.url('/model.tar.gz')],
    ['the metadata address', () => 'http://169.254.169.254/latest/meta-data/iam/security-credentials/'],
    ['a private range', () => 'http://10.0.0.5/model.tar.gz'],
    ['IPv6 loopback', () => 'http://[::1]/model.tar.gz'],
    ['an IPv4-mapped IPv6 loopback', () => 'http://[::ffff:127.0.0.1]/model.tar.gz'],
    ['a decimal IP for loopback', () => 'http://2130706433/model.tar.gz'],
    ['a DNS name resolving to loopback', () => 'http://localhost/model.tar.gz'],
    ['another bucket', () => `s3://${otherBucket}/credentials.txt`],
  ])('%s', async (_what, url) => {
    const body = expectError(await strict.call('POST', '/artifact/dataset', { json: { url: url() } }), 400, 'VALIDATION');
    expect(body.error).toMatch(/refused/);
    await expectNothingStored(strict);
  });

  it('the metadata address stays closed even when its range is allowlisted', async () => {
    const h = await createHarness({ invoker: 'direct', ingestPolicy: { allowHosts: ['169.254.0.0/16'], s3Buckets: [] } });
    expectError(await h.call('POST', '/artifact/model', { json: { url: 'http://169.254.169.254/latest/' } }), 400, 'VALIDATION');
  });
});

describe('refused by the worker on connect and on redirects (failed, URL released, no bytes)', () => {
  it('a redirect from an allowed source (127.0.0.1) to a loopback address it does not allow, the metadata address, or s3://', async () => {
    for (const [path, target] of [
      ['/to-loopback', `http://127.0.0.2:${new URL(source.url('/')).port}/model.tar.gz`],
      ['/to-ipv6-loopback', `http://[::1]:${new URL(source.url('/')).port}/model.tar.gz`],
      ['/to-metadata', 'http://169.254.169.254/latest/meta-data/'],
      ['/to-s3', `s3://${otherBucket}/credentials.txt`],
    ] as const) {
      source.set(path, { status: 302, headers: { Location: target } });
      const res = await dev.call('POST', '/artifact/dataset', { json: { url: source.url(path), name: `redirect${path.replace(/\//g, '-')}` } });
      expect(res.statusCode, res.body).toBe(202);
      const got = (await dev.call('GET', `/artifacts/dataset/${res.json().metadata.id}`)).json();
      expect(got.status.state).toBe('failed');
      expect(got.status.reason).toMatch(/refused/);
      // the URL is free again (a retry is a new 202, not a 409)
      const again = await dev.call('POST', '/artifact/dataset', { json: { url: source.url(path), name: 'again' } });
      expect(again.statusCode).toBe(202);
    }
    expect(source.hits('/model.tar.gz')).toBe(0);
    expect(await dev.bucketKeys()).toEqual([]);
  });

  it('a redirect loop is cut off at max_redirects', async () => {
    source.set('/loop', { status: 302, headers: { Location: '/loop' } });
    const res = await dev.call('POST', '/artifact/dataset', { json: { url: source.url('/loop'), name: 'loop' } });
    const got = (await dev.call('GET', `/artifacts/dataset/${res.json().metadata.id}`)).json();
    expect(got.status.reason).toMatch(/redirected more than 5 times/);
    expect(source.hits('/loop')).toBe(6);
  });

  it('the worker refuses on its own too (a record registered before the guard, or a DNS answer that changed)', async () => {
    expect(strict.runtime.ingestDeps.fetchSource).toBeUndefined(); // the harness uses the real fetcher
    const { fetchSource } = await import('../../../src/registry/download');
    await expect(fetchSource(source.url('/model.tar.gz'), { maxBytes: 1e6, blobs: strict.runtime.blobs, guard: strict.runtime.ingestDeps.egress })).rejects.toThrow(/refused: 127\.0\.0\.1 is not a public address/);
    await expect(fetchSource(`s3://${otherBucket}/credentials.txt`, { maxBytes: 1e6, blobs: strict.runtime.blobs, guard: strict.runtime.ingestDeps.egress })).rejects.toThrow(/not an ingest source bucket/);
    expect(source.hits('/model.tar.gz')).toBe(0);
  });

  it('an allowed source still ingests', async () => {
    const res = await dev.call('POST', '/artifact/model', { json: { url: source.url('/model.tar.gz'), name: 'allowed' } });
    expect((await dev.call('GET', `/artifacts/model/${res.json().metadata.id}`)).json().status.state).toBe('completed');
  });
});
