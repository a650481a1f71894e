/**
 * No lost updates, links or duplicates under concurrency: every write is conditional on what it
 * read, and the losers retry (or answer 409 where the spec says so).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../../src/registry';
import { goodModelArchive } from '../../unit/registry/fixtures';
import { createHarness, startSourceServer, type Harness, type SourceServer } from './harness';

let h: Harness;
let source: SourceServer;

beforeAll(async () => {
  h = await createHarness({ invoker: 'manual' });
  source = await startSourceServer();
});
afterAll(async () => {
  await source?.close();
});

describe('concurrency', () => {
  it('50 concurrent uploads to one name: every record kept, every waiting model linked', async () => {
    // Prepare: 25 datasets named "shared-data" and 25 models that name it, all at once.
    const datasetUploads = Array.from({ length: 25 }, (_, i) =>
      h.call('POST', '/artifact/dataset', { body: `# shared-data copy ${i}\nLicense: MIT`, headers: { 'X-Artifact-Name': 'shared-data' } }),
    );
    const modelUploads = Array.from({ length: 25 }, () =>
      h.call('POST', '/artifact/model', { body: goodModelArchive(), base64: true, headers: { 'X-Artifact-Name': 'shared-data', 'X-Artifact-Dataset': 'shared-data' } }),
    );
    // Act
    const results = await Promise.all([...datasetUploads, ...modelUploads]);
    // Assess: 50 × 201, 50 distinct ids, all listed under the name
    expect(results.map((r) => r.statusCode)).toEqual(Array(50).fill(201));
    const ids = results.map((r) => r.json().metadata.id as string);
    expect(new Set(ids).size).toBe(50);
    const listed = await h.runtime.registry.byName('shared-data');
    expect(listed.map((m) => m.id).sort()).toEqual([...ids].sort());

    // every model links to the oldest dataset of that name
    const datasetIds = ids.slice(0, 25);
    const members = (await h.runtime.store.queryPartition(keys.namePartition('dataset', 'shared-data'), 'MEMBER#')).map((m) => m.id);
    expect(members.sort()).toEqual([...datasetIds].sort());
    const oldest = (await h.runtime.store.queryPartition(keys.namePartition('dataset', 'shared-data'), 'MEMBER#', 1))[0].id;
    const waiters = await h.runtime.store.queryPartition(keys.namePartition('dataset', 'shared-data'), 'WANT#');
    expect(waiters).toHaveLength(25);
    expect(waiters.every((w) => w.linkedId === oldest)).toBe(true);

    // deleting the linked dataset relinks every model to the next oldest, in the same transaction
    await h.runtime.registry.delete('dataset', oldest);
    const next = (await h.runtime.store.queryPartition(keys.namePartition('dataset', 'shared-data'), 'MEMBER#', 1))[0].id;
    const relinked = await h.runtime.store.queryPartition(keys.namePartition('dataset', 'shared-data'), 'WANT#');
    expect(relinked.every((w) => w.linkedId === next)).toBe(true);
  }, 180_000); // ~50 rounds of optimistic retries on one HEAD: seconds, more on a loaded machine

  it('models and their dataset arriving together never miss each other', async () => {
    const models = Array.from({ length: 10 }, () =>
      h.call('POST', '/artifact/model', { body: goodModelArchive(), base64: true, headers: { 'X-Artifact-Name': 'late-model', 'X-Artifact-Dataset': 'late-data' } }),
    );
    const dataset = h.call('POST', '/artifact/dataset', { body: '# late-data', headers: { 'X-Artifact-Name': 'late-data' } });
    const [datasetRes, ...modelRes] = await Promise.all([dataset, ...models]);
    expect([datasetRes, ...modelRes].every((r) => r.statusCode === 201)).toBe(true);
    const waiters = await h.runtime.store.queryPartition(keys.namePartition('dataset', 'late-data'), 'WANT#');
    expect(waiters).toHaveLength(10);
    expect(waiters.every((w) => w.linkedId === datasetRes.json().metadata.id)).toBe(true);

    // and the last dataset of the name leaving unlinks them
    await h.runtime.registry.delete('dataset', datasetRes.json().metadata.id);
    const unlinked = await h.runtime.store.queryPartition(keys.namePartition('dataset', 'late-data'), 'WANT#');
    expect(unlinked.every((w) => w.linkedId === undefined)).toBe(true);
  });

  it('20 concurrent replacements of one artifact: every one applied once, the last bytes kept', async () => {
    const created = await h.call('POST', '/artifact/code', { body: '# v0', headers: { 'X-Artifact-Name': 'hot-code' } });
    const id = created.json().metadata.id;
    const bodies = Array.from({ length: 20 }, (_, i) => `# version ${i + 1}`);
    const results = await Promise.all(bodies.map((b) => h.call('PUT', `/artifacts/code/${id}`, { body: b, headers: { 'X-Artifact-Name': 'hot-code', 'Content-Type': 'text/plain' } })));
    expect(results.map((r) => r.statusCode)).toEqual(Array(20).fill(200));
    const record = await h.runtime.store.get(id);
    expect(record!.version).toBe(21);
    // the record names bytes that exist, and no replaced bytes are left behind
    const keysForId = (await h.bucketKeys()).filter((k) => k.includes(id));
    expect(keysForId).toEqual([record!.blob!.key]);
    const bytes = await h.runtime.blobs.get(record!.blob!.key);
    expect(bodies).toContain(bytes.toString());
  });

  it('20 concurrent ingests of one URL: exactly one 202, the rest 409', async () => {
    source.set('/dup/model.tar.gz', { body: goodModelArchive() });
    const url = source.url('/dup/model.tar.gz');
    const results = await Promise.all(Array.from({ length: 20 }, () => h.call('POST', '/artifact/model', { json: { url, name: 'dup-model' } })));
    const statuses = results.map((r) => r.statusCode).sort();
    expect(statuses.filter((s) => s === 202)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    for (const r of results.filter((r) => r.statusCode === 409)) expect(r.json().error_code).toBe('CONFLICT');
    expect((await h.runtime.registry.byName('dup-model')).length).toBe(1);
    // the same source spelled differently is the same source
    const again = await h.call('POST', '/artifact/model', { json: { url: `${url}/`, name: 'dup-model' } });
    expect(again.statusCode).toBe(409);
  });
});
