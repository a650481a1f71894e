/**
 * Large artifacts through the presigned upload path, against the shared local S3 and DynamoDB
 * Local: POST /artifact/{type}/upload-url → a plain HTTP PUT (fetch) of 20 MB to the presigned URL →
 * registered when the object lands (on the next GET, or an S3 ObjectCreated event) → downloadable
 * with identical bytes. A >6 MB direct body is a 413 naming that path; an unused URL never becomes
 * a completed record; bad input is a 400 with nothing written.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepStaleIngests } from '../../../src/registry';
import { createHarness, expectError, type Harness } from './harness';

const MB = 1024 * 1024;
const sha256 = (b: Buffer | Uint8Array) => createHash('sha256').update(b).digest('hex');
let h: Harness;

beforeAll(async () => {
  h = await createHarness({ invoker: 'manual' });
});

afterAll(async () => {
  await h?.call('DELETE', '/reset');
});

async function requestUpload(type: string, body: Record<string, unknown>) {
  const res = await h.call('POST', `/artifact/${type}/upload-url`, { json: body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

describe('presigned uploads', () => {
  it('takes a 20 MB artifact through a presigned PUT and serves the same bytes back', async () => {
    const bytes = randomBytes(20 * MB);
    const ticket = await requestUpload('model', { name: 'big-model', size: bytes.length, file_name: 'big-model.bin' });
    expect(ticket.metadata).toMatchObject({ name: 'big-model', type: 'model' });
    expect(ticket.status.state).toBe('pending');
    expect(ticket.upload).toMatchObject({ method: 'PUT', headers: { 'Content-Type': 'application/octet-stream' } });
    expect(Date.parse(ticket.upload.expires_at)).toBeGreaterThan(Date.now());
    const id = ticket.metadata.id;

    expect((await h.call('GET', ticket.poll)).json().status.state).toBe('pending'); // nothing landed yet

    const put = await fetch(ticket.upload.url, { method: 'PUT', body: bytes, headers: ticket.upload.headers });
    expect(put.status, await put.text()).toBe(200);

    const polled = await h.call('GET', `/artifacts/model/${id}`);
    expect(polled.json().status, polled.body).toMatchObject({ state: 'completed' });
    const record = await h.runtime.store.get(id);
    expect(record?.blob).toMatchObject({ sizeBytes: bytes.length, sha256: sha256(bytes), fileName: 'big-model.bin' });
    expect(record?.upload).toBeUndefined();
    expect(record?.rating?.net_score).toBeTypeOf('number');

    const download = await h.call('GET', `/artifacts/model/${id}`, { query: { download: 'true' } });
    expect(download.statusCode).toBe(302); // 20 MB is past the inline limit
    const got = await fetch(String(download.headers!.Location));
    expect(got.status).toBe(200);
    expect(sha256(new Uint8Array(await got.arrayBuffer()))).toBe(sha256(bytes));
  });

  it('registers an upload from an S3 ObjectCreated event, without a poll', async () => {
    const bytes = Buffer.from('name,value\na,1\n');
    const ticket = await requestUpload('dataset', { name: 'event-data', content_type: 'text/csv', file_name: 'event-data.csv' });
    const put = await fetch(ticket.upload.url, { method: 'PUT', body: bytes, headers: ticket.upload.headers });
    expect(put.status).toBe(200);
    const record = await h.runtime.store.get(ticket.metadata.id);
    const key = (record?.upload?.key ?? '').split('/').map(encodeURIComponent).join('/');
    expect(key).not.toBe('');
    const res = await h.invoke({ Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: h.bucket }, object: { key, size: bytes.length } } }] });
    expect(res.statusCode, res.body).toBe(200);
    expect(JSON.parse(res.body).settled).toEqual([{ id: ticket.metadata.id, state: 'completed' }]);
    expect((await h.runtime.store.get(ticket.metadata.id))?.blob).toMatchObject({ contentType: 'text/csv', sha256: sha256(bytes) });
  });

  it('answers a direct body over 6 MB with a 413 that names the presigned path, storing nothing', async () => {
    const before = (await h.tableItems()).length;
    const res = await h.call('POST', '/artifact/model', { body: randomBytes(5 * MB), base64: true, headers: { 'Content-Type': 'application/octet-stream', 'X-Artifact-Name': 'too-big' } });
    const error = expectError(res, 413, 'TOO_LARGE');
    expect(error.error).toContain('POST /artifact/model/upload-url');
    expect((await h.tableItems()).length).toBe(before);
  });

  it('an unused upload URL ends failed and unlisted, never completed', async () => {
    const ticket = await requestUpload('code', { name: 'never-sent' });
    const id = ticket.metadata.id;
    const listed = async () => (await h.call('POST', '/artifacts', { json: [{ name: 'never-sent' }] })).json().map((m: { id: string }) => m.id);
    const afterLease = Date.now() + h.runtime.ingestDeps.leaseMs! + 1000;
    expect(Date.parse(ticket.upload.expires_at)).toBeLessThan(afterLease - 1000); // the URL dies before the lease

    const swept = await sweepStaleIngests(h.runtime.ingestDeps, afterLease);
    expect(swept.failed).toContain(id);
    const after = (await h.call('GET', `/artifacts/code/${id}`)).json();
    expect(after.status.state).toBe('failed');
    expect(after.status.reason).toMatch(/upload URL expired/);
    expect(await listed()).not.toContain(id);
    expect((await h.runtime.store.get(id))?.blob).toBeUndefined();
  });

  it('refuses a wrong type, a missing or bad name, bad fields and an oversized declared size with nothing written', async () => {
    const before = (await h.tableItems()).length;
    expectError(await h.call('POST', '/artifact/widget/upload-url', { json: { name: 'x' } }), 400);
    expectError(await h.call('POST', '/artifact/model/upload-url', { json: {} }), 400);
    expectError(await h.call('POST', '/artifact/model/upload-url', { json: { name: 'bad/name' } }), 400);
    expectError(await h.call('POST', '/artifact/model/upload-url', { json: { name: 'ok', content_type: 'not a type' } }), 400);
    expectError(await h.call('POST', '/artifact/model/upload-url', { json: { name: 'ok', size: -3 } }), 400);
    expectError(await h.call('POST', '/artifact/dataset/upload-url', { json: { name: 'ok', code: 'some-code' } }), 400);
    expectError(await h.call('POST', '/artifact/model/upload-url', { json: { name: 'ok', size: h.runtime.limits.maxIngestBytes + 1 } }), 413);
    expectError(await h.call('POST', '/artifact/model/upload-url', { body: 'not json', headers: { 'Content-Type': 'application/json' } }), 400);
    expect((await h.tableItems()).length).toBe(before);
  });

  it('requires X-Authorization when access control is on', async () => {
    const secured = await createHarness({ invoker: 'manual', auth: { mode: 'required', adminPassword: 'presigned-test-pw' } });
    try {
      expectError(await secured.call('POST', '/artifact/model/upload-url', { json: { name: 'locked' } }), 403);
      const login = await secured.call('PUT', '/authenticate', { json: { user: { name: 'ece30861defaultadminuser', is_admin: true }, secret: { password: 'presigned-test-pw' } } });
      expect(login.statusCode, login.body).toBe(200);
      const ok = await secured.call('POST', '/artifact/model/upload-url', { json: { name: 'unlocked' }, headers: { 'X-Authorization': login.json() } });
      expect(ok.statusCode, ok.body).toBe(201);
    } finally {
      await secured.runtime.registry.reset();
    }
  });
});
