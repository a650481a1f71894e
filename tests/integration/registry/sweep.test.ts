/**
 * Issue 11 item 4: the registry never strands an ingest. A record whose worker event is lost
 * (pending), or whose worker died (downloading/rating), ends `failed` with a reason once its lease
 * runs out — by the scheduled sweep (its handler invoked directly), or on read — and its URL is
 * free again; duplicate and retried events stay harmless. Lease of 1 s to keep the suite fast.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createIngestSweepHandler } from '../../../src/handlers/ingestSweep';
import { createIngestWorkerHandler } from '../../../src/handlers/ingestWorker';
import { goodModelArchive } from '../../unit/registry/fixtures';
import { createHarness, startSourceServer, type Harness, type SourceServer } from './harness';

let h: Harness;
let source: SourceServer;
const LEASE_MS = 1000;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  source = await startSourceServer();
  source.set('/m.tar.gz', { body: goodModelArchive() });
  h = await createHarness({ invoker: 'manual', ingestPolicy: { allowHosts: ['127.0.0.1'], s3Buckets: [], leaseSeconds: LEASE_MS / 1000 } });
});

const sweep = () => createIngestSweepHandler(async () => h.runtime.sweep)({ source: 'aws.events', 'detail-type': 'Scheduled Event' });
const worker = () => createIngestWorkerHandler(async () => h.runtime.ingest);
const post = async (path: string, name: string) => {
  const res = await h.call('POST', '/artifact/model', { json: { url: source.url(path), name } });
  expect(res.statusCode, res.body).toBe(202);
  return res.json().metadata.id as string;
};

describe('no stranded ingest', () => {
  it('the sweep fails a lost (pending) and a dead (downloading) ingest after the lease, and frees their URLs', async () => {
    const lost = await post('/m.tar.gz', 'lost');
    const dead = await post('/m.tar.gz?dead', 'dead');
    await h.runtime.store.update(dead, 'simulate a worker killed mid-download', (r) => ({ record: { ...r, status: 'downloading' } }));
    expect((await sweep()).failed).toEqual([]); // leases still running
    await pause(LEASE_MS + 200);
    const result = await sweep();
    expect(result.failed.sort()).toEqual([lost, dead].sort());
    for (const id of [lost, dead]) {
      const record = (await h.runtime.store.get(id))!;
      expect(record.status).toBe('failed');
      expect(record.statusReason).toMatch(/did not finish within 1 s while (pending|downloading)/);
    }
    expect((await sweep()).expired).toBe(0); // failed records leave the in-flight index
    // the URL is free: the same URL ingests again, and completes
    const again = await post('/m.tar.gz', 'lost-again');
    expect(await worker()({ artifact_id: again })).toMatchObject({ outcome: 'completed' });
  });

  it('a late or retried event for an expired ingest is harmless', async () => {
    const id = await post('/m.tar.gz?late', 'late');
    await pause(LEASE_MS + 200);
    expect(await worker()({ artifact_id: id })).toMatchObject({ outcome: 'failed', reason: expect.stringMatching(/did not finish/) });
    expect(await worker()({ artifact_id: id })).toMatchObject({ outcome: 'skipped' });
    expect((await h.runtime.store.get(id))!.status).toBe('failed');
  });

  it('a read fails an expired ingest at once (no waiting for the schedule)', async () => {
    const id = await post('/m.tar.gz?read', 'read');
    await pause(LEASE_MS + 200);
    const got = (await h.call('GET', `/artifacts/model/${id}`)).json();
    expect(got.status.state).toBe('failed');
    expect(got.status.reason).toMatch(/send the URL again/);
  });

  it('duplicate events run the ingest once', async () => {
    const id = await post('/m.tar.gz?dup', 'dup');
    const outcomes = await Promise.all([worker()({ artifact_id: id }), worker()({ artifact_id: id }), worker()({ artifact_id: id })]);
    expect(outcomes.filter((o) => 'outcome' in o && o.outcome === 'completed')).toHaveLength(1);
    expect(outcomes.filter((o) => 'outcome' in o && o.outcome === 'skipped')).toHaveLength(2);
    expect((await sweep()).failed).not.toContain(id);
  });
});
