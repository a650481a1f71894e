/**
 * The async ingest lifecycle: pending → downloading → rating → completed | rejected | failed, with
 * sources served from 127.0.0.1 (and s3://), an S3 fault injected on our bucket only, and the
 * worker invoked the way Lambda would (its handler, and an Event Invoke over the Lambda API).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLambdaClient } from '../../../src/aws';
import { createIngestWorkerHandler } from '../../../src/handlers/ingestWorker';
import { createDefaultRater, keys, lambdaIngestInvoker, runIngest, type ArtifactStatus, type Rater } from '../../../src/registry';
import { fetchSource, type SourceFetcher } from '../../../src/registry/download';
import { bareBytes, goodModelArchive } from '../../unit/registry/fixtures';
import { faults } from '../../setup/services';
import { createHarness, expectError, expectSpec, startSourceServer, type Harness, type SourceServer } from './harness';

let h: Harness;
let source: SourceServer;
/** Status of the record as the fetcher and the rater saw it (proves each step is really taken). */
const seenStatus: { download: ArtifactStatus[]; rating: ArtifactStatus[] } = { download: [], rating: [] };

beforeAll(async () => {
  source = await startSourceServer();
  const defaultRater = createDefaultRater();
  const observingFetch: SourceFetcher = async (url, options) => {
    const id = h.pendingIngests.at(-1);
    if (id) seenStatus.download.push((await h.runtime.store.get(id))!.status);
    return fetchSource(url, options);
  };
  const observingRater: Rater = {
    rate: async (input) => {
      const id = h.pendingIngests.at(-1);
      if (id) seenStatus.rating.push((await h.runtime.store.get(id))!.status);
      return defaultRater.rate(input);
    },
  };
  h = await createHarness({ invoker: 'manual', limits: { maxIngestBytes: 64 * 1024 }, fetchSource: observingFetch, rater: observingRater });
});
afterAll(async () => {
  await source?.close();
});

const worker = () => createIngestWorkerHandler(async () => h.runtime.ingest);

async function ingest(type: string, path: string, body: Record<string, unknown> = {}) {
  const res = await h.call('POST', `/artifact/${type}`, { json: { url: source.url(path), ...body } });
  expect(res.statusCode, res.body).toBe(202);
  expectSpec('Artifact', res.json());
  return res.json().metadata.id as string;
}

describe('ingest lifecycle', () => {
  it('walks pending → downloading → rating → completed; GET shows each state; rate is 404 until rated', async () => {
    source.set('/models/tiny.tar.gz', { body: goodModelArchive() });
    const id = await ingest('model', '/models/tiny.tar.gz', { name: 'ingested-tiny' });
    const pending = (await h.call('GET', `/artifacts/model/${id}`)).json();
    expect(pending.status.state).toBe('pending');
    expect(pending.data.download_url).toBeUndefined();
    expectSpec('Artifact', pending);
    expectError(await h.call('GET', `/artifact/model/${id}/rate`), 404);
    expectError(await h.call('GET', `/artifacts/model/${id}`, { query: { download: 'true' } }), 409);

    seenStatus.download.length = seenStatus.rating.length = 0;
    const outcome = await worker()({ artifact_id: id });
    expect(outcome).toEqual({ outcome: 'completed', id });
    expect(seenStatus).toEqual({ download: ['downloading'], rating: ['rating'] });

    const done = (await h.call('GET', `/artifacts/model/${id}`)).json();
    expect(done.status.state).toBe('completed');
    expectSpec('Artifact', done);
    const bytes = Buffer.from(await (await fetch(done.data.download_url)).arrayBuffer());
    expect(bytes.equals(goodModelArchive())).toBe(true);
    const rating = await h.call('GET', `/artifact/model/${id}/rate`);
    expect(rating.statusCode).toBe(200);
    expectSpec('ModelRating', rating.json());
    expect((await h.runtime.store.get(id))!.version).toBe(4); // created, downloading, rating, completed
  });

  it('links an ingested model to the dataset it names, and rates it with that link', async () => {
    const ds = await h.call('POST', '/artifact/dataset', { body: '# ingest-data\n\n## License\n\nMIT', headers: { 'X-Artifact-Name': 'ingest-data' } });
    source.set('/models/linked.tar.gz', { body: goodModelArchive() });
    const id = await ingest('model', '/models/linked.tar.gz', { name: 'linked-model', dataset: 'ingest-data' });
    await worker()({ artifact_id: id });
    const rating = (await h.call('GET', `/artifact/model/${id}/rate`)).json();
    expect(rating.dataset_quality).toBe(1); // linked (0.5) + README (0.25) + MIT (0.25)
    expect(rating.tree_score).toBe(1);
    const waiter = await h.runtime.store.getItem(keys.waiter('dataset', 'ingest-data', id));
    expect(waiter?.linkedId).toBe(ds.json().metadata.id);
  });

  it('takes a retried or duplicated event as done: no step repeated', async () => {
    source.set('/models/retry.tar.gz', { body: goodModelArchive() });
    const id = await ingest('model', '/models/retry.tar.gz');
    const [a, b] = await Promise.all([worker()({ artifact_id: id }), worker()({ artifact_id: id })]);
    expect([a, b].map((o) => (o as { outcome: string }).outcome).sort()).toEqual(['completed', 'skipped']);
    const again = await worker()({ artifact_id: id });
    expect(again).toMatchObject({ outcome: 'skipped', reason: 'already completed' });
    expect(source.hits('/models/retry.tar.gz')).toBe(1);
    expect((await h.runtime.store.get(id))!.version).toBe(4);
  });

  it('rejects a model rated below the minimum: reason kept, unlisted, bytes dropped, URL free again', async () => {
    source.set('/models/junk.bin', { body: bareBytes(512) });
    const id = await ingest('model', '/models/junk.bin', { name: 'junk-ingest' });
    const outcome = await worker()({ artifact_id: id });
    expect(outcome).toMatchObject({ outcome: 'rejected' });
    const got = (await h.call('GET', `/artifacts/model/${id}`)).json();
    expect(got.status).toMatchObject({ state: 'rejected', reason: expect.stringMatching(/net score .* below/) });
    expectError(await h.call('GET', `/artifacts/model/${id}`, { query: { download: 'true' } }), 424, 'REJECTED');
    expectError(await h.call('GET', '/artifact/byName/junk-ingest'), 404);
    expect((await h.bucketKeys()).some((k) => k.includes(id))).toBe(false);
    expect(await h.runtime.store.getItem(keys.urlMarker((await import('../../../src/registry/names')).parseSourceUrl(source.url('/models/junk.bin')).digest))).toBeUndefined();
    await ingest('model', '/models/junk.bin', { name: 'junk-again' });
    expectError(await h.call('PUT', `/artifacts/model/${id}`, { json: { metadata: { name: 'junk-ingest', id, type: 'model' }, data: { url: source.url('/x') } } }), 409);
  });

  it('fails a source that answers 404, with the reason', async () => {
    const id = await ingest('dataset', '/datasets/missing.zip');
    expect(await worker()({ artifact_id: id })).toMatchObject({ outcome: 'failed', reason: expect.stringContaining('404') });
    const got = (await h.call('GET', `/artifacts/dataset/${id}`)).json();
    expect(got.status).toMatchObject({ state: 'failed', reason: expect.stringContaining('404') });
    expectError(await h.call('GET', `/artifacts/dataset/${id}`, { query: { download: 'true' } }), 409);
  });

  it('fails a source past the size cap, whether it says its length or not', async () => {
    source.set('/big/declared.bin', { body: Buffer.alloc(100 * 1024, 1) });
    source.set('/big/chunked.bin', { body: Buffer.alloc(100 * 1024, 1), chunked: true });
    for (const path of ['/big/declared.bin', '/big/chunked.bin']) {
      const id = await ingest('code', path);
      expect(await worker()({ artifact_id: id })).toMatchObject({ outcome: 'failed', reason: expect.stringContaining('larger than the 65536-byte ingest limit') });
      expect((await h.bucketKeys()).some((k) => k.includes(id))).toBe(false);
    }
  });

  it('fails when S3 refuses to store the bytes (fault injected on this bucket only), then succeeds on retry of a new ingest', async () => {
    source.set('/models/s3fault.tar.gz', { body: goodModelArchive() });
    const id = await ingest('model', '/models/s3fault.tar.gz');
    const rule = await faults('s3').set({ failNext: 10, status: 500, match: { operation: 'PutObject', pathPrefix: `/${h.bucket}/` } });
    try {
      expect(await worker()({ artifact_id: id })).toMatchObject({ outcome: 'failed', reason: expect.stringMatching(/could not store the artifact bytes \(S3 PutObject/) });
    } finally {
      await faults('s3').clear(rule);
    }
    const got = (await h.call('GET', `/artifacts/model/${id}`)).json();
    expect(got.status.state).toBe('failed');
    expect(got.status.reason).not.toMatch(/\$metadata|at /);
    const retryId = await ingest('model', '/models/s3fault.tar.gz', { name: 'second-try' });
    expect(await worker()({ artifact_id: retryId })).toMatchObject({ outcome: 'completed' });
  });

  it('ingests from an s3:// source', async () => {
    await h.s3.send(new PutObjectCommand({ Bucket: h.bucket, Key: 'incoming/model.tar.gz', Body: goodModelArchive() }));
    const res = await h.call('POST', '/artifact/model', { json: { url: `s3://${h.bucket}/incoming/model.tar.gz` } });
    expect(res.statusCode).toBe(202);
    expect(res.json().metadata.name).toBe('model');
    expect(await worker()({ artifact_id: res.json().metadata.id })).toMatchObject({ outcome: 'completed' });
    const missing = await h.call('POST', '/artifact/model', { json: { url: `s3://${h.bucket}/incoming/none.tar.gz` } });
    expect(await worker()({ artifact_id: missing.json().metadata.id })).toMatchObject({ outcome: 'failed', reason: expect.stringContaining('does not exist') });
  });

  it('marks a record abandoned mid-flight by a dead worker as failed', async () => {
    source.set('/models/abandoned.tar.gz', { body: goodModelArchive() });
    const id = await ingest('model', '/models/abandoned.tar.gz');
    await h.runtime.store.update(id, 'simulate a crash', (r) => ({ record: { ...r, status: 'downloading' } }));
    expect(await runIngest(h.runtime.ingestDeps, id)).toMatchObject({ outcome: 'skipped', status: 'downloading' });
    expect(await runIngest({ ...h.runtime.ingestDeps, leaseMs: -1 }, id)).toMatchObject({ outcome: 'failed' });
    expect((await h.runtime.store.get(id))!.statusReason).toMatch(/did not finish within 0 s while downloading/);
  });

  it('refuses bad ingest requests with 400s', async () => {
    expectError(await h.call('POST', '/artifact/model', { json: {} }), 400);
    expectError(await h.call('POST', '/artifact/model', { json: { url: 'ftp://x.example/a' } }), 400);
    expectError(await h.call('POST', '/artifact/model', { json: { url: 42 } }), 400);
    expectError(await h.call('POST', '/artifact/model', { body: '{"url": ', headers: { 'Content-Type': 'application/json' } }), 400);
    expectError(await h.call('POST', '/artifact/model', { json: { url: source.url('/a'), name: 'bad/name' } }), 400);
  });

  it('answers a malformed worker event without throwing', async () => {
    expect(await worker()({})).toMatchObject({ error_code: 'VALIDATION' });
    expect(await worker()({ artifact_id: '../x' })).toMatchObject({ error_code: 'VALIDATION' });
    expect(await worker()({ artifact_id: 'no-such-id' })).toMatchObject({ outcome: 'skipped' });
  });
});

describe('starting the worker', () => {
  it('invokes the worker function asynchronously over the Lambda Invoke API (InvocationType Event)', async () => {
    const calls: { path: string; type?: string; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        calls.push({ path: req.url ?? '', type: req.headers['x-amz-invocation-type'] as string | undefined, body });
        res.writeHead(202).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const invoke = lambdaIngestInvoker(createLambdaClient(h.config, { endpoint }), 'IngestWorkerFunction');
      await invoke('abc-123');
      expect(calls).toEqual([{ path: '/2015-03-31/functions/IngestWorkerFunction/invocations', type: 'Event', body: '{"artifact_id":"abc-123"}' }]);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('records the artifact as failed (and frees its URL) when the worker cannot be started', async () => {
    const broken = await createHarness({
      invoker: async () => {
        throw new Error('connect ECONNREFUSED');
      },
    });
    source.set('/models/unstarted.tar.gz', { body: goodModelArchive() });
    const res = await broken.call('POST', '/artifact/model', { json: { url: source.url('/models/unstarted.tar.gz'), name: 'unstarted' } });
    const body = expectError(res, 500);
    expect(body.error).not.toContain('ECONNREFUSED');
    const items = await broken.tableItems();
    const record = items.find((i) => i.entity === 'artifact');
    expect(record).toMatchObject({ status: 'failed', statusReason: 'the ingest worker could not be started' });
    expect(items.some((i) => i.entity === 'url')).toBe(false);
  });
});
