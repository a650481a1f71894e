/**
 * The upload policy and the requests the seeds send as written (ModelGuard's multipart
 * `model_name`, `X-Model-Name`, its hand-built events, GET by name), NFKC names, the spec's numeric
 * `offset`, and ratings that follow their links — against DynamoDB Local and the S3 server.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createArtifactHandler } from '../../../src/handlers/artifact';
import { bareBytes, goodModelArchive, makeTarGz, multipartBody } from '../../unit/registry/fixtures';
import { createHarness, expectError, expectSpec, type Harness } from './harness';

const EVENTS = resolve(import.meta.dirname, '../../../test_events');
const load = (name: string) => JSON.parse(readFileSync(resolve(EVENTS, name), 'utf8'));

let h: Harness;
let gated: Harness;

beforeAll(async () => {
  [h, gated] = await Promise.all([createHarness({ invoker: 'manual' }), createHarness({ invoker: 'manual', limits: { gateUploads: true } })]);
});

function modelguardMultipart(fields: Record<string, string>, file: Buffer, fileName = 'model.pkl') {
  const boundary = 'mg-boundary';
  const body = multipartBody(boundary, [...Object.entries(fields).map(([name, value]) => ({ name, value })), { name: 'file', value: file, fileName, contentType: 'application/octet-stream' }]);
  return { body, base64: true, headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` } };
}

describe('upload policy', () => {
  it('with the gate on, a weak upload is a 424 naming the metrics that fell short, and nothing is kept', async () => {
    const before = (await gated.bucketKeys()).length;
    const body = expectError(await gated.call('POST', '/artifact/model', { body: bareBytes(), base64: true, headers: { 'X-Model-Name': 'junk' } }), 424, 'REJECTED');
    expect(body.error).toMatch(/net score [\d.]+ is below the minimum 0\.5; short: license 0 \(weight 0\.2\), ramp_up_time 0/);
    expect((await gated.bucketKeys()).length).toBe(before);
    expectError(await gated.call('GET', '/artifact/byName/junk'), 404);
  });

  it('rates datasets and code with the metrics the spec defines for them', async () => {
    const data = makeTarGz({ 'README.md': '# squad\nQuestions and answers.\n\nLicense: MIT\n', LICENSE: 'MIT License\n\nPermission is hereby granted, free of charge' });
    const res = await h.call('POST', '/artifact/dataset', { body: data, base64: true, headers: { 'X-Artifact-Name': 'scored-set' } });
    expect(res.statusCode, res.body).toBe(201);
    expectSpec('Artifact', res.json());
    expect(res.json().scores).toMatchObject({ license: 1, dataset_quality: 1 });
    expect(res.json().scores.ramp_up_time).toBeGreaterThan(0);
  });
});

describe("the seeds' requests", () => {
  it('names a multipart upload by its model_name field, and a raw one by X-Model-Name', async () => {
    const multi = await h.call('POST', '/artifact/model', modelguardMultipart({ model_name: 'bert-base' }, bareBytes(50 * 1024)));
    expect(multi.statusCode, multi.body).toBe(201);
    expect(multi.json().metadata.name).toBe('bert-base');
    const raw = await h.call('POST', '/artifact/model', { body: bareBytes(), base64: true, headers: { 'Content-Type': 'application/octet-stream', 'X-Model-Name': 'raw-bert' } });
    expect(raw.statusCode, raw.body).toBe(201);
    expect(raw.json().metadata.name).toBe('raw-bert');
  });

  it("answers ModelGuard's own test events: upload (multipart without a boundary), then download by name", async () => {
    const handler = createArtifactHandler(async () => ({ registry: h.runtime.registry, maxUploadBytes: h.runtime.limits.maxUploadBytes }));
    // As the notes write them: no requestContext (API Gateway always adds one; the test_events files carry it).
    const asWritten = (file: string) => {
      const { requestContext: _, ...event } = load(file);
      return event;
    };
    const created = await handler(asWritten('artifact_modelguard_upload.json'));
    expect(created.statusCode, created.body).toBe(201);
    expect(JSON.parse(created.body).metadata.name).toBe('test-model');
    const got = await handler(asWritten('artifact_modelguard_download.json'));
    expect((await handler(load('artifact_modelguard_download.json'))).statusCode).toBe(200);
    expect(got.statusCode, got.body).toBe(200);
    expectSpec('Artifact', JSON.parse(got.body));
    expect(JSON.parse(got.body).metadata.id).toBe(JSON.parse(created.body).metadata.id);
    const multipart = await handler(load('artifact_modelguard_upload_multipart.json'));
    expect(multipart.statusCode, multipart.body).toBe(201);
    expect(JSON.parse(multipart.body).metadata.name).toBe('bert-base');
  });

  it('GET /artifacts/{type}/{name}: one match → it, several → 409 listing their ids, none → 404', async () => {
    const one = await h.call('POST', '/artifact/code', { body: Buffer.from('print(1)\n'), headers: { 'Content-Type': 'text/x-python', 'X-Artifact-Name': 'only-once' } });
    expect(one.statusCode).toBe(201);
    const got = await h.call('GET', '/artifacts/code/only-once', { query: { metadata_only: 'true' } });
    expect(got.json()).toEqual(one.json().metadata);
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const r = await h.call('POST', '/artifact/code', { body: Buffer.from(`v${i}`), headers: { 'Content-Type': 'text/plain', 'X-Artifact-Name': 'twice' } });
      ids.push(r.json().metadata.id);
    }
    const conflict = expectError(await h.call('GET', '/artifacts/code/twice'), 409, 'CONFLICT');
    for (const id of ids) expect(conflict.error).toContain(id);
    expectError(await h.call('GET', '/artifacts/code/nobody-has-this'), 404, 'NOT_FOUND');
    expectError(await h.call('GET', '/artifacts/model/only-once'), 404, 'NOT_FOUND');
  });
});

describe('names and offsets', () => {
  it('refuses full-width dots and slashes (NFKC before validation) with nothing stored', async () => {
    const before = (await h.tableItems()).length;
    for (const name of ['\uff0e\uff0e', 'a\uff0fb']) {
      expectError(await h.call('POST', '/artifact/dataset', { body: Buffer.from('x'), headers: { 'Content-Type': 'text/plain', 'X-Artifact-Name': name } }), 400, 'VALIDATION');
    }
    expect((await h.tableItems()).length).toBe(before);
    expect((await h.bucketKeys()).some((k) => k.includes('..'))).toBe(false);
  });

  it('pages with the numeric offset of the spec example (?offset=3)', async () => {
    const own = await createHarness({ invoker: 'manual' });
    for (let i = 0; i < 5; i++) {
      const r = await own.call('POST', '/artifact/code', { body: Buffer.from(`c${i}`), headers: { 'Content-Type': 'text/plain', 'X-Artifact-Name': `page-${i}` } });
      expect(r.statusCode).toBe(201);
    }
    const all = (await own.call('POST', '/artifacts', { json: [{ name: '*' }] })).json().map((m: { name: string }) => m.name);
    expect(all).toHaveLength(5);
    const page = await own.call('POST', '/artifacts', { json: [{ name: '*' }], query: { offset: '3' } });
    expect(page.statusCode, page.body).toBe(200);
    expectSpec({ arrayOf: 'ArtifactMetadata' }, page.json());
    expect(page.json().map((m: { name: string }) => m.name)).toEqual(all.slice(3));
    expect(page.headers?.offset).toBeUndefined();
    expectError(await own.call('POST', '/artifacts', { json: [{ name: '*' }], query: { offset: '99999999' } }), 400, 'VALIDATION');
  });
});

describe('ratings follow links', () => {
  it("re-rates a model when its named dataset arrives and when it leaves", async () => {
    const model = await h.call('POST', '/artifact/model', { body: goodModelArchive(), base64: true, headers: { 'Content-Type': 'application/gzip', 'X-Artifact-Name': 'linked-model', 'X-Artifact-Dataset': 'late-set' } });
    expect(model.statusCode, model.body).toBe(201);
    const id = model.json().metadata.id;
    const rating = async () => (await h.call('GET', `/artifact/model/${id}/rate`)).json();
    const before = await rating();
    expect(before.dataset_quality).toBe(0);
    const data = await h.call('POST', '/artifact/dataset', { body: makeTarGz({ 'README.md': '# late-set\n\nLicense: MIT\n' }), base64: true, headers: { 'X-Artifact-Name': 'late-set' } });
    expect(data.statusCode).toBe(201);
    const linked = await rating();
    expect(linked.dataset_quality).toBeGreaterThan(0.5);
    expect(linked.net_score).toBeGreaterThan(before.net_score);
    expect((await h.call('DELETE', `/artifacts/dataset/${data.json().metadata.id}`)).statusCode).toBe(200);
    const unlinked = await rating();
    expect(unlinked.dataset_quality).toBe(0);
    expect(unlinked.net_score).toBe(before.net_score);
  });
});
