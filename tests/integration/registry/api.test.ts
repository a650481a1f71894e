/**
 * Every endpoint of the artifact API, success and error paths, through the handler with REST v1
 * events against DynamoDB Local and the S3 server; every JSON body checked against the spec.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GOOD_MODEL_README, bareBytes, goodModelArchive, makeZip, multipartBody } from '../../unit/registry/fixtures';

import { createHarness, expectError, expectSpec, startSourceServer, type Harness, type SourceServer } from './harness';

let h: Harness;
let source: SourceServer;

beforeAll(async () => {
  h = await createHarness({ invoker: 'direct', limits: { maxUploadBytes: 256 * 1024, inlineDownloadMaxBytes: 64 * 1024 } });
  source = await startSourceServer();
});
afterAll(async () => {
  await source?.close();
});

function multipart(fields: Record<string, string>, file: Buffer, fileName = 'artifact.tar.gz', boundary = 'larder-boundary') {
  const body = multipartBody(boundary, [
    ...Object.entries(fields).map(([name, value]) => ({ name, value })),
    { name: 'file', value: file, fileName, contentType: 'application/gzip' },
  ]);
  return { body, base64: true, headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` } };
}

async function uploadModel(name: string, extra: Record<string, string> = {}) {
  const res = await h.call('POST', '/artifact/model', multipart({ name, ...extra }, goodModelArchive()));
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

describe('health', () => {
  it('answers 200', async () => {
    const res = await h.call('GET', '/health');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });
});

describe('POST /artifact/{type} uploads', () => {
  it('stores a multipart upload → 201 Artifact with a working download URL', async () => {
    const res = await h.call('POST', '/artifact/model', multipart({ name: 'Upload Model' }, goodModelArchive()));
    expect(res.statusCode, res.body).toBe(201);
    const artifact = res.json();
    expectSpec('Artifact', artifact);
    expect(artifact.metadata).toMatchObject({ name: 'Upload Model', type: 'model' });
    expect(artifact.status.state).toBe('completed');
    expect(artifact.data.url).toMatch(new RegExp(`^s3://${h.bucket}/artifacts/model/upload-model/${artifact.metadata.id}\\.tar\\.gz$`));
    const download = await fetch(artifact.data.download_url);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(goodModelArchive())).toBe(true);
  });

  it('stores a raw base64 body named by X-Artifact-Name', async () => {
    const bytes = makeZip({ 'README.md': '# squad-mini\nQuestions and answers.', LICENSE: 'MIT License' });
    const res = await h.call('POST', '/artifact/dataset', {
      body: bytes,
      base64: true,
      headers: { 'Content-Type': 'application/zip', 'X-Artifact-Name': 'squad-mini', 'X-Artifact-Filename': 'squad.zip' },
    });
    expect(res.statusCode, res.body).toBe(201);
    expectSpec('Artifact', res.json());
    const got = await h.call('GET', `/artifacts/dataset/${res.json().metadata.id}`, { query: { download: 'true' } });
    expect(got.statusCode).toBe(200);
    expect(got.isBase64Encoded).toBe(true);
    expect(got.headers?.['Content-Type']).toBe('application/zip');
    expect(Buffer.from(got.body, 'base64').equals(bytes)).toBe(true);
  });

  it('takes several parts with an odd boundary, and links the model to the dataset it names', async () => {
    const ds = await h.call('POST', '/artifact/dataset', { body: '# odd-data', headers: { 'X-Artifact-Name': 'odd-data' } });
    const boundary = "odd'()+_,-./:=?boundary";
    const body = multipartBody(boundary, [
      { name: 'name', value: 'odd-model' },
      { name: 'note', value: 'ignored' },
      { name: 'file', value: goodModelArchive(), fileName: 'odd.tar.gz', contentType: 'application/gzip' },
      { name: 'dataset', value: 'Odd Data' },
      { name: 'code', value: 'odd-code' },
    ]);
    const res = await h.call('POST', '/artifact/model', { body, base64: true, headers: { 'Content-Type': `multipart/form-data; boundary="${boundary}"` } });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().metadata.id;
    const { readLinks } = await import('../../../src/registry/links');
    const links = await readLinks(h.runtime.store, (await h.runtime.store.get(id))!);
    expect(links).toEqual([
      { type: 'dataset', name: 'odd-data', linkedId: ds.json().metadata.id },
      { type: 'code', name: 'odd-code' },
    ]);
    const code = await h.call('POST', '/artifact/code', { body: '# odd-code', headers: { 'X-Artifact-Name': 'odd-code' } });
    expect((await readLinks(h.runtime.store, (await h.runtime.store.get(id))!))[1]).toEqual({ type: 'code', name: 'odd-code', linkedId: code.json().metadata.id });
    const rating = (await h.call('GET', `/artifact/model/${id}/rate`)).json();
    expect(rating.dataset_and_code_score).toBe(1); // dataset and code named and linked (re-rated when the code arrived)
  });

  it('refuses a multipart body without a file part, a raw body without a name, an unknown type', async () => {
    const noFile = multipartBody('b', [{ name: 'name', value: 'x' }]);
    expectError(await h.call('POST', '/artifact/model', { body: noFile, headers: { 'Content-Type': 'multipart/form-data; boundary=b' } }), 400, 'VALIDATION');
    expectError(await h.call('POST', '/artifact/code', { body: 'print(1)', headers: { 'Content-Type': 'application/octet-stream' } }), 400, 'VALIDATION');
    expectError(await h.call('POST', '/artifact/weights', multipart({ name: 'x' }, goodModelArchive())), 400, 'VALIDATION');
    expectError(await h.call('POST', '/artifact/model', multipart({ name: '../../etc' }, goodModelArchive())), 400, 'VALIDATION');
    expectError(await h.call('POST', '/artifact/dataset', multipart({ name: 'd', dataset: 'other' }, goodModelArchive())), 400, 'VALIDATION');
  });

  it('answers 413 for an upload past the limit, raw or multipart', async () => {
    const big = Buffer.alloc(300 * 1024, 7);
    expectError(await h.call('POST', '/artifact/code', { body: big, base64: true, headers: { 'Content-Type': 'application/octet-stream', 'X-Artifact-Name': 'big' } }), 413, 'TOO_LARGE');
    expectError(await h.call('POST', '/artifact/code', multipart({ name: 'big' }, Buffer.alloc(260 * 1024, 7))), 413, 'TOO_LARGE');
  });

  it('stores a direct upload rated below the minimum (201) and serves its rating (the 424 gate is for ingest by URL)', async () => {
    const res = await h.call('POST', '/artifact/model', { body: bareBytes(), base64: true, headers: { 'X-Artifact-Name': 'junk-model' } });
    expect(res.statusCode, res.body).toBe(201);
    const rate = await h.call('GET', `/artifact/model/${res.json().metadata.id}/rate`);
    expect(rate.statusCode).toBe(200);
    expectSpec('ModelRating', rate.json());
    expect(rate.json().net_score).toBeLessThan(0.5);
  });
});

describe('GET /artifacts/{type}/{id}', () => {
  it('answers the Artifact, its metadata only, and 404 for the wrong type or id', async () => {
    const created = await uploadModel('get-me');
    const id = created.metadata.id;
    const res = await h.call('GET', `/artifacts/model/${id}`);
    expect(res.statusCode).toBe(200);
    expectSpec('Artifact', res.json());
    const meta = await h.call('GET', `/artifacts/model/${id}`, { query: { metadata_only: 'true' } });
    expect(meta.json()).toEqual({ name: 'get-me', id, type: 'model' });
    expectSpec('ArtifactMetadata', meta.json());
    expectError(await h.call('GET', `/artifacts/dataset/${id}`), 404, 'NOT_FOUND');
    expectError(await h.call('GET', '/artifacts/model/00000000-0000-0000-0000-000000000000'), 404, 'NOT_FOUND');
    expectError(await h.call('GET', '/artifacts/model/bad$id'), 404, 'NOT_FOUND'); // not an id: looked up as a name
    expectError(await h.call('GET', `/artifacts/model/${'x'.repeat(300)}`), 400, 'VALIDATION'); // neither an id nor a name
  });

  it('redirects a download past the inline limit to the presigned URL', async () => {
    const big = Buffer.concat([Buffer.from('# big code\nLicense: MIT\n'), Buffer.alloc(100 * 1024, 0x61)]);
    const created = await h.call('POST', '/artifact/code', { body: big, base64: true, headers: { 'X-Artifact-Name': 'big-code', 'Content-Type': 'text/plain' } });
    expect(created.statusCode, created.body).toBe(201);
    const res = await h.call('GET', `/artifacts/code/${created.json().metadata.id}`, { query: { download: 'true' } });
    expect(res.statusCode).toBe(302);
    const location = res.headers!.Location as string;
    expect(location).toContain(h.bucket);
    const fetched = await fetch(location);
    expect(Buffer.from(await fetched.arrayBuffer()).equals(big)).toBe(true);
  });
});

describe('PUT /artifacts/{type}/{id}', () => {
  it('replaces the bytes of an upload and bumps its version', async () => {
    const created = await uploadModel('put-me');
    const id = created.metadata.id;
    const next = goodModelArchive({ 'NOTES.md': 'v2' });
    const res = await h.call('PUT', `/artifacts/model/${id}`, multipart({ name: 'put-me' }, next));
    expect(res.statusCode, res.body).toBe(200);
    expectSpec('Artifact', res.json());
    const record = await h.runtime.store.get(id);
    expect(record!.version).toBe(2);
    const got = await h.call('GET', `/artifacts/model/${id}`, { query: { download: 'true' } });
    expect(Buffer.from(got.body, 'base64').equals(next)).toBe(true);
    // the replaced bytes are gone: one object for this id
    expect((await h.bucketKeys()).filter((k) => k.includes(id))).toHaveLength(1);
  });

  it('replaces the source with the spec\'s Artifact body (a new ingest)', async () => {
    source.set('/put/v2.tar.gz', { body: goodModelArchive({ 'v2.txt': '2' }) });
    const created = await uploadModel('put-url');
    const id = created.metadata.id;
    const res = await h.call('PUT', `/artifacts/model/${id}`, { json: { metadata: { name: 'put-url', id, type: 'model' }, data: { url: source.url('/put/v2.tar.gz') } } });
    expect(res.statusCode, res.body).toBe(200);
    const after = await h.call('GET', `/artifacts/model/${id}`);
    expect(after.json().status.state).toBe('completed');
    expect(after.json().data.url).toBe(source.url('/put/v2.tar.gz'));
  });

  it('refuses a body whose name or id does not match, and an unknown id', async () => {
    const created = await uploadModel('put-check');
    const id = created.metadata.id;
    const url = source.url('/whatever');
    expectError(await h.call('PUT', `/artifacts/model/${id}`, { json: { metadata: { name: 'other', id, type: 'model' }, data: { url } } }), 400);
    expectError(await h.call('PUT', `/artifacts/model/${id}`, { json: { metadata: { name: 'put-check', id: 'x1', type: 'model' }, data: { url } } }), 400);
    expectError(await h.call('PUT', `/artifacts/model/${id}`, { json: { metadata: { name: 'put-check', id, type: 'model' } } }), 400);
    expectError(await h.call('PUT', '/artifacts/model/nope-1', { json: { metadata: { name: 'x', id: 'nope-1', type: 'model' }, data: { url } } }), 404);
  });
});

describe('DELETE /artifacts/{type}/{id}', () => {
  it('deletes record and bytes; a second delete is a 404', async () => {
    const created = await uploadModel('delete-me');
    const id = created.metadata.id;
    const res = await h.call('DELETE', `/artifacts/model/${id}`);
    expect(res.statusCode).toBe(200);
    expectSpec('ArtifactMetadata', res.json());
    expect((await h.bucketKeys()).some((k) => k.includes(id))).toBe(false);
    // everything but its audit trail, which outlives the artifact on purpose
    const left = (await h.tableItems()).filter((i) => String(i.pk).includes(id) || String(i.sk).includes(id));
    expect(left.map((i) => String(i.pk))).toEqual(left.map(() => `AUDIT#${id}`));
    expectError(await h.call('DELETE', `/artifacts/model/${id}`), 404);
  });
});

describe('lookups', () => {
  it('lists by name and type, paginates with the offset header, and validates queries', async () => {
    for (let i = 0; i < 3; i++) await uploadModel('paged');
    const first = await h.call('POST', '/artifacts', { json: [{ name: 'paged', types: ['model'] }] });
    expect(first.statusCode).toBe(200);
    expectSpec({ arrayOf: 'ArtifactMetadata' }, first.json());
    expect(first.json()).toHaveLength(3);
    expect(first.headers?.offset).toBeUndefined();

    const all: string[] = [];
    let offset: string | undefined;
    let pages = 0;
    do {
      const res = await h.runtime.registry.list([{ name: '*' }], offset);
      all.push(...res.items.map((i) => i.id));
      offset = res.nextOffset;
      pages++;
    } while (offset && pages < 50);
    expect(new Set(all).size).toBe(all.length);
    expect(all.length).toBeGreaterThanOrEqual(3);

    const none = await h.call('POST', '/artifacts', { json: [{ name: 'paged', types: ['dataset'] }] });
    expect(none.json()).toEqual([]);
    expectError(await h.call('POST', '/artifacts', { json: { name: '*' } }), 400);
    expectError(await h.call('POST', '/artifacts', { json: [{ name: '*' }], query: { offset: 'forged' } }), 400);
    expectError(await h.call('POST', '/artifacts', { body: '[{"name":', headers: { 'Content-Type': 'application/json' } }), 400);
  });

  it('pages through the offset header over HTTP-shaped calls', async () => {
    const own = await createHarness({ invoker: 'direct' });
    for (let i = 0; i < 5; i++) {
      const res = await own.call('POST', '/artifact/code', { body: `# code ${i}`, headers: { 'X-Artifact-Name': `code-${i}` } });
      expect(res.statusCode).toBe(201);
    }
    const { listPage, planSources } = await import('../../../src/registry/listing');
    const seen: string[] = [];
    let offset: string | undefined;
    do {
      const page = await listPage(own.runtime.store, planSources([{ name: '*' }]), offset, 2);
      seen.push(...page.items.map((i) => i.name));
      offset = page.nextOffset;
    } while (offset);
    expect(seen.sort()).toEqual(['code-0', 'code-1', 'code-2', 'code-3', 'code-4']);
    const res = await own.call('POST', '/artifacts', { json: [{ name: '*' }] });
    expect(res.json()).toHaveLength(5);
  });

  it('finds by name across types; 404 for none', async () => {
    await uploadModel('shared-name');
    await h.call('POST', '/artifact/code', { body: '# shared', headers: { 'X-Artifact-Name': 'Shared Name' } });
    const res = await h.call('GET', '/artifact/byName/shared-name');
    expect(res.statusCode).toBe(200);
    expectSpec({ arrayOf: 'ArtifactMetadata' }, res.json());
    expect(res.json().map((m: { type: string }) => m.type).sort()).toEqual(['code', 'model']);
    expectError(await h.call('GET', '/artifact/byName/never-registered'), 404);
    expectError(await h.call('GET', `/artifact/byName/${encodeURIComponent('a\u0001b')}`), 400);
  });

  it('searches names and READMEs by regex; refuses catastrophic patterns; 404 for no match', async () => {
    await uploadModel('regex-target-model');
    const byName = await h.call('POST', '/artifact/byRegEx', { json: { regex: '^regex-target' } });
    expect(byName.statusCode).toBe(200);
    expectSpec({ arrayOf: 'ArtifactMetadata' }, byName.json());
    expect(byName.json().map((m: { name: string }) => m.name)).toContain('regex-target-model');
    const byReadme = await h.call('POST', '/artifact/byRegEx', { json: { regex: 'trained on tiny-squad' } });
    expect(byReadme.json().length).toBeGreaterThan(0);
    for (const regex of ['(a{1,99999}){1,99999}$', '(a+)+$']) expectError(await h.call('POST', '/artifact/byRegEx', { json: { regex } }), 400);
    const ambiguous = await h.call('POST', '/artifact/byRegEx', { json: { regex: '(a|aa)*c$' } });
    expect([200, 404]).toContain(ambiguous.statusCode);
    expectError(await h.call('POST', '/artifact/byRegEx', { json: { regex: 'ece461rules' } }), 404);
    expectError(await h.call('POST', '/artifact/byRegEx', { json: {} }), 400);
  });
});

describe('GET /artifact/model/{id}/rate', () => {
  it('answers the ModelRating of a rated model; 404 for datasets and unknown ids', async () => {
    const created = await uploadModel('rated');
    const res = await h.call('GET', `/artifact/model/${created.metadata.id}/rate`);
    expect(res.statusCode).toBe(200);
    expectSpec('ModelRating', res.json());
    expect(res.json().net_score).toBeGreaterThanOrEqual(0.5);
    const ds = await h.call('POST', '/artifact/dataset', { body: GOOD_MODEL_README, headers: { 'X-Artifact-Name': 'not-a-model' } });
    expectError(await h.call('GET', `/artifact/model/${ds.json().metadata.id}/rate`), 404);
    expectError(await h.call('GET', '/artifact/model/unknown-id/rate'), 404);
  });
});

describe('routing and event errors', () => {
  it('answers 404 for unknown routes, 405 for a wrong method, 400 for a non-API event', async () => {
    expectError(await h.call('GET', '/nothing/here'), 404);
    expectError(await h.call('PATCH', '/artifacts/model/abc'), 405);
    const handler = (await import('../../../src/handlers/artifact')).createArtifactHandler(async () => ({ registry: h.runtime.registry, maxUploadBytes: 1 }));
    const res = await handler({ not: 'an event' });
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body).error_code).toBe('EVENT_INVALID');
  });

  it('routes on the resource template and pathParameters when API Gateway names them', async () => {
    const created = await uploadModel('by-resource');
    const { restEvent } = await import('./harness');
    const event = { ...restEvent('GET', `/artifacts/model/${created.metadata.id}`), resource: '/artifacts/{artifact_type}/{id}', pathParameters: { artifact_type: 'model', id: created.metadata.id } };
    const handler = (await import('../../../src/handlers/artifact')).createArtifactHandler(async () => ({ registry: h.runtime.registry, maxUploadBytes: 1024 }));
    const res = await handler(event);
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body).metadata.id).toBe(created.metadata.id);
  });
});

describe('when a store fails', () => {
  it('answers 500 {error, error_code} naming the operation, never the SDK message (DynamoDB fault on this table only)', async () => {
    const created = await uploadModel('store-fault');
    const { faults } = await import('../../setup/services');
    const rule = await faults('dynamodb').set({ failNext: 10, status: 500, match: { bodyIncludes: h.table } });
    try {
      const body = expectError(await h.call('GET', `/artifacts/model/${created.metadata.id}`), 500, 'UPSTREAM');
      expect(body.error).toMatch(/^the registry table is unavailable \(GetItem: \w+\)$/);
    } finally {
      await faults('dynamodb').clear(rule);
    }
    expect((await h.call('GET', `/artifacts/model/${created.metadata.id}`)).statusCode).toBe(200);
  });
});

describe('DELETE /reset', () => {
  it('empties the table and the bucket', async () => {
    const own = await createHarness({ invoker: 'direct' });
    await own.call('POST', '/artifact/code', { body: '# to be reset', headers: { 'X-Artifact-Name': 'resettable' } });
    expect((await own.tableItems()).length).toBeGreaterThan(0);
    expect((await own.bucketKeys()).length).toBeGreaterThan(0);
    const res = await own.call('DELETE', '/reset');
    expect(res.statusCode).toBe(200);
    expect(await own.tableItems()).toEqual([]);
    expect(await own.bucketKeys()).toEqual([]);
    expectError(await own.call('GET', '/artifact/byName/resettable'), 404);
  });
});
