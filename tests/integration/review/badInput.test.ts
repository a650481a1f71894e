/**
 * Adversarial review of "bad input gets a clear error and loses nothing": malformed events thrown at
 * the four Lambda handlers (query, artifact, ingest worker, data loader check) and malformed HTTP
 * requests at the emulator's start-api and start-lambda servers. For every case: the handler answers
 * (never throws), a caller error is a 4xx, the body says what was wrong without a stack or SDK text,
 * and a rejected artifact write leaves the registry's own table and bucket as they were.
 */
import { request as httpRequest } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as queryHandler } from '../../../src/handlers/query';
import { handler as dataLoaderTestHandler } from '../../../src/handlers/dataLoaderTest';
import { createIngestWorkerHandler } from '../../../src/handlers/ingestWorker';
import { startApiServer, type ApiServer } from '../../../src/local/apiServer';
import { startLambdaApiServer } from '../../../src/local/lambdaApiServer';
import type { RunningServer } from '../../../src/local/httpServer';
import type { LambdaEmulator } from '../../../src/local/emulator';
import { multipartBody } from '../../unit/registry/fixtures';
import { fixtureEmulator } from '../emulator/fixtures';
import { createHarness, restEvent, type Harness } from '../registry/harness';
import { faults, localEnv } from '../../setup/services';

const NOT_EVENTS: Array<[string, unknown]> = [
  ['null', null],
  ['undefined', undefined],
  ['a string', 'POST /artifact/model'],
  ['an array', [{ httpMethod: 'GET' }]],
  ['a number', 42],
  ['a boolean', true],
  ['an empty object', {}],
];

/** No stack frames, file paths or SDK text in a message meant for the caller. */
function expectCleanMessage(message: unknown): void {
  expect(typeof message).toBe('string');
  expect((message as string).length).toBeGreaterThan(0);
  expect(message).not.toMatch(/\n\s+at |\bat .+:\d+:\d+|\/work\/|node_modules|\$metadata|Exception\b|TypeError|Cannot read propert/);
}

function expectApiError(res: APIGatewayProxyResult, status: number | RegExp, pattern?: RegExp): { error: string; error_code: string } {
  expect(res, 'the handler returned no response').toBeTruthy();
  if (typeof status === 'number') expect(res.statusCode, res.body).toBe(status);
  else expect(String(res.statusCode), res.body).toMatch(status);
  const body = JSON.parse(res.body);
  expect(body).toHaveProperty('error');
  expect(body).toHaveProperty('error_code');
  expectCleanMessage(body.error);
  if (pattern) expect(body.error).toMatch(pattern);
  return body;
}

// ---------------------------------------------------------------------------------------------
describe('ArtifactFunction with malformed events loses nothing', () => {
  let h: Harness;
  let before: { items: number; keys: number };

  beforeAll(async () => {
    h = await createHarness({ invoker: 'manual', limits: { maxUploadBytes: 64 * 1024 } });
    // One real artifact so "nothing new" is measured against a non-empty registry.
    const res = await h.call('POST', '/artifact/dataset', { body: 'seed bytes', headers: { 'Content-Type': 'text/plain', 'X-Artifact-Name': 'seed' } });
    expect(res.statusCode, res.body).toBe(201);
    before = { items: (await h.tableItems()).length, keys: (await h.bucketKeys()).length };
  });

  async function expectNothingNew(): Promise<void> {
    expect((await h.tableItems()).length).toBe(before.items);
    expect((await h.bucketKeys()).length).toBe(before.keys);
    expect(h.pendingIngests).toEqual([]);
  }

  it.each(NOT_EVENTS)('answers 400 EVENT_INVALID to %s as the event', async (_label, event) => {
    expectApiError(await raw(event), 400, /API Gateway/);
  });

  async function raw(event: unknown) {
    const { createArtifactHandler } = await import('../../../src/handlers/artifact');
    const fn = createArtifactHandler(async () => ({ registry: h.runtime.registry, maxUploadBytes: h.runtime.limits.maxUploadBytes }));
    return fn(event);
  }

  const base = (method: string, path: string, o: Parameters<typeof restEvent>[2] = {}) => restEvent(method, path, o) as unknown as Record<string, unknown>;

  it('rejects an event without httpMethod, or with a non-string one', async () => {
    const e = base('POST', '/artifact/model');
    delete e.httpMethod;
    expectApiError(await raw(e), 400);
    expectApiError(await raw({ ...base('POST', '/artifact/model'), httpMethod: 7 }), 400);
    await expectNothingNew();
  });

  it('answers an event without a path with a 4xx that does not print "undefined"', async () => {
    const e = base('GET', '/health');
    delete e.path;
    e.resource = '/{proxy+}';
    const body = expectApiError(await raw(e), /^4\d\d$/);
    expect(body.error).not.toMatch(/undefined/);
  });

  it('copes with null headers, null query, null body', async () => {
    const e = { ...base('POST', '/artifact/model'), headers: null, multiValueHeaders: null, queryStringParameters: null, body: null };
    expectApiError(await raw(e), 400, /X-Artifact-Name|body/);
    const get = { ...base('GET', '/health'), headers: null, body: null };
    expect((await raw(get)).statusCode).toBe(200);
    await expectNothingNew();
  });

  it('rejects isBase64Encoded bodies that are not base64', async () => {
    for (const body of ['not base64 at all!!!', '%%%%', 'ab=c', 'a']) {
      const e = { ...base('POST', '/artifact/dataset', { headers: { 'Content-Type': 'application/zip', 'X-Artifact-Name': 'b64-bad' } }), body, isBase64Encoded: true };
      expectApiError(await raw(e), 400, /base64/);
    }
    await expectNothingNew();
  });

  const jsonBodies: Array<[string, string, RegExp]> = [
    ['null', 'null', /JSON object/],
    ['[]', '[]', /JSON object/],
    ['"x"', '"x"', /JSON object/],
    ['a number', '5', /JSON object/],
    ['truncated JSON', '{"url": "http://x', /not valid JSON/],
    ['empty body', '', /empty/],
    ['whitespace body', '   \n', /empty/],
  ];
  it.each(jsonBodies)('POST /artifact/model with JSON body %s → 400', async (_l, body, pattern) => {
    expectApiError(await h.call('POST', '/artifact/model', { body, headers: { 'Content-Type': 'application/json' } }), 400, pattern);
    await expectNothingNew();
  });

  it.each(jsonBodies.filter(([l]) => l !== 'null' && l !== 'a number' && l !== '"x"'))('PUT /artifacts/model/{id} with JSON body %s → 400', async (_l, body, pattern) => {
    expectApiError(await h.call('PUT', '/artifacts/model/abc-123', { body, headers: { 'Content-Type': 'application/json' } }), /^40\d$/, pattern);
    await expectNothingNew();
  });

  it('POST /artifacts and /artifact/byRegEx with non-object / non-array bodies → 400', async () => {
    for (const body of ['null', '"x"', '5', '{', '']) {
      expectApiError(await h.call('POST', '/artifacts', { body, headers: { 'Content-Type': 'application/json' } }), 400);
      expectApiError(await h.call('POST', '/artifact/byRegEx', { body, headers: { 'Content-Type': 'application/json' } }), 400);
    }
    for (const json of [[null], [5], ['x'], [{ name: 5 }], { regex: 5 }, { regex: '(' }, { regex: null }]) {
      const path = Array.isArray(json) ? '/artifacts' : '/artifact/byRegEx';
      expectApiError(await h.call('POST', path, { json }), 400);
    }
  });

  it('rejects wrong field types in a JSON ingest request without writing', async () => {
    for (const json of [{ url: 5 }, { url: null }, { url: ['http://a'] }, { url: 'http://127.0.0.1/x', name: 5 }, { url: 'http://127.0.0.1/x', name: { a: 1 } }, {}, { url: 'file:///etc/passwd' }]) {
      expectApiError(await h.call('POST', '/artifact/model', { json }), 400);
    }
    await expectNothingNew();
  });

  it('rejects a deeply nested JSON body with a 400, not a stack overflow', async () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    expectApiError(await h.call('POST', '/artifact/model', { body: `{"url": ${deep}}`, headers: { 'Content-Type': 'application/json' } }), 400);
    expectApiError(await h.call('POST', '/artifacts', { body: deep, headers: { 'Content-Type': 'application/json' } }), 400);
    await expectNothingNew();
  });

  it('rejects an upload over the limit with 413 and stores nothing', async () => {
    const big = Buffer.alloc(200 * 1024, 1);
    expectApiError(await h.call('POST', '/artifact/dataset', { body: big, base64: true, headers: { 'Content-Type': 'application/zip', 'X-Artifact-Name': 'big' } }), 413);
    const mp = multipartBody('bnd', [{ name: 'name', value: 'big' }, { name: 'file', value: Buffer.alloc(100 * 1024, 2), fileName: 'big.zip', contentType: 'application/zip' }]);
    expectApiError(await h.call('POST', '/artifact/dataset', { body: mp, base64: true, headers: { 'Content-Type': 'multipart/form-data; boundary=bnd' } }), 413);
    await expectNothingNew();
  });

  it('rejects multipart bodies with a missing or wrong boundary, or no file part', async () => {
    const mp = multipartBody('right', [{ name: 'name', value: 'mp' }, { name: 'file', value: Buffer.from('PK'), fileName: 'a.zip', contentType: 'application/zip' }]);
    for (const ct of ['multipart/form-data', 'multipart/form-data; boundary=wrong', 'multipart/form-data; boundary=']) {
      expectApiError(await h.call('POST', '/artifact/dataset', { body: mp, base64: true, headers: { 'Content-Type': ct } }), 400);
    }
    const noFile = multipartBody('b', [{ name: 'name', value: 'mp' }]);
    expectApiError(await h.call('POST', '/artifact/dataset', { body: noFile, base64: true, headers: { 'Content-Type': 'multipart/form-data; boundary=b' } }), 400);
    expectApiError(await h.call('POST', '/artifact/dataset', { body: 'garbage', headers: { 'Content-Type': 'multipart/form-data; boundary=b' } }), 400);
    await expectNothingNew();
  });

  it('rejects a wrong Content-Type on a JSON-looking upload without X-Artifact-Name', async () => {
    expectApiError(await h.call('POST', '/artifact/model', { body: '{"url":"http://127.0.0.1/x"}', headers: { 'Content-Type': 'text/plain' } }), 400, /X-Artifact-Name/);
    await expectNothingNew();
  });

  const LONE_SURROGATE = '\uD800';
  const badNames = ['../etc', '..', '.', 'a/b', 'a\\b', 'nul\u0000byte', 'bell\u0007', 'rtl\u202Eoverride', 'zero\u200Bwidth', '', '   ', '*', 'x'.repeat(300), '\uD800'];
  it.each(badNames.map((n) => [JSON.stringify(n).slice(0, 40), n]))('rejects the name %s in every way it can arrive', async (_l, name) => {
    expectApiError(await h.call('POST', '/artifact/dataset', { body: 'b', headers: { 'Content-Type': 'text/plain', 'X-Artifact-Name': name === LONE_SURROGATE ? name : encodeURIComponent(name) } }), 400);
    const mp = multipartBody('b', [{ name: 'name', value: name }, { name: 'file', value: Buffer.from('PK'), fileName: 'a.zip', contentType: 'application/zip' }]);
    // (A lone surrogate cannot travel as UTF-8 bytes: it arrives as U+FFFD, a valid name.)
    if (name !== LONE_SURROGATE) expectApiError(await h.call('POST', '/artifact/dataset', { body: mp, base64: true, headers: { 'Content-Type': 'multipart/form-data; boundary=b' } }), 400);
    // By design an empty JSON "name" means "derive it from the URL" (registry.ingest), so only the others are 400s there.
    if (name !== '') expectApiError(await h.call('POST', '/artifact/model', { json: { url: 'http://127.0.0.1:9/m.zip', name } }), 400);
    await expectNothingNew();
  });

  it('rejects traversal, encoded traversal, NUL and unicode in ids and types', async () => {
    for (const path of [
      '/artifacts/model/..%2F..%2Fetc',
      '/artifacts/model/%2e%2e',
      '/artifacts/model/a%00b',
      '/artifacts/model/%E2%80%AE',
      '/artifacts/model/%E0%A4%A',
      '/artifacts/..%2Fmodel/abc',
      '/artifacts/MODEL/abc',
      `/artifacts/model/${'a'.repeat(65)}`,
      '/artifact/model/..%2F/rate',
      '/artifact/%00',
    ]) {
      for (const method of ['GET', 'DELETE', 'PUT']) {
        const res = await h.call(method, path, { body: 'x', headers: { 'Content-Type': 'text/plain', 'X-Artifact-Name': 'n' } });
        expectApiError(res, /^40[045]$/);
      }
    }
    expectApiError(await h.call('GET', '/artifact/byName/%00'), 400);
    expectApiError(await h.call('GET', '/artifact/byName/..%2F..'), 400);
    await expectNothingNew();
  });

  it('the ingest worker skips a well-formed id that names nothing, and writes nothing', async () => {
    const worker = createIngestWorkerHandler(async () => h.runtime.ingest);
    expect(await worker({ artifact_id: '00000000-0000-4000-8000-000000000000' })).toMatchObject({ outcome: 'skipped' });
    expect(await worker({ artifact_id: '../../etc' })).toMatchObject({ error_code: 'VALIDATION' });
    await expectNothingNew();
  });

  it('rejects wrong-typed path, resource, pathParameters and query parameters with a 400', async () => {
    const seedId = (await h.call('POST', '/artifact/byRegEx', { json: { regex: 'seed' } })).json()[0].id;
    const get = (o: Record<string, unknown>) => ({ ...base('GET', `/artifacts/dataset/${seedId}`), ...o });
    expectApiError(await raw(get({ path: 5 })), 400);
    expectApiError(await raw(get({ path: ['/health'] })), 400);
    expectApiError(await raw(get({ resource: 7 })), 400);
    expectApiError(await raw(get({ resource: '/artifacts/{artifact_type}/{id}', pathParameters: null })), 400);
    expectApiError(await raw(get({ resource: '/artifacts/{artifact_type}/{id}', pathParameters: { artifact_type: 'dataset', id: 5 } })), 400);
    expectApiError(await raw(get({ queryStringParameters: { download: 1 } })), 400);
    expectApiError(await raw(get({ queryStringParameters: { metadata_only: ['true'] } })), 400);
    expectApiError(await raw(get({ queryStringParameters: 'download=true' })), 400);
    expectApiError(await raw({ ...base('POST', '/artifacts', { json: [{ name: '*' }] }), queryStringParameters: { offset: 5 } }), 400);
    await expectNothingNew();
  });

  it('a store failure midway through an upload is a 5xx that leaves neither a blob nor a record behind', async () => {
    const upload = () => h.call('POST', '/artifact/dataset', { body: 'half-written', headers: { 'Content-Type': 'text/plain', 'X-Artifact-Name': 'half-written' } });
    // The blob is written first, then the record: fail the record's write on this table only.
    const ddbRules = await Promise.all(
      ['PutItem', 'TransactWriteItems'].map((operation) => faults('dynamodb').set({ failNext: 20, status: 500, match: { operation, bodyIncludes: h.table } })),
    );
    try {
      expectApiError(await upload(), /^5\d\d$/);
    } finally {
      for (const rule of ddbRules) await faults('dynamodb').clear(rule);
    }
    await expectNothingNew();
    const s3Rule = await faults('s3').set({ failNext: 20, status: 500, match: { operation: 'PutObject', pathPrefix: `/${h.bucket}/` } });
    try {
      expectApiError(await upload(), /^5\d\d$/);
    } finally {
      await faults('s3').clear(s3Rule);
    }
    await expectNothingNew();
  });

  it('answers 404 for unknown routes and 405 for unknown methods', async () => {
    expectApiError(await h.call('GET', '/nope'), 404, /no route/);
    expectApiError(await h.call('GET', '/'), 404);
    expectApiError(await h.call('BREW', '/health'), 405);
    expectApiError(await h.call('PATCH', '/artifacts/model/abc'), 405);
    expectApiError(await h.call('get', '/artifacts/../health'), /^40[045]$/);
  });

  it('rejects a bad X-Artifact-Name encoding and wrong-typed headers', async () => {
    // An undecodable X-Artifact-Name is kept as given (it is a valid name), so a 201 is fine here.
    const undecodable = await h.call('POST', '/artifact/dataset', { body: 'b', headers: { 'Content-Type': 'text/plain', 'X-Artifact-Name': '%E0%A4%A' } });
    expect([201, 400]).toContain(undecodable.statusCode);
    if (undecodable.statusCode === 201) await h.call('DELETE', `/artifacts/dataset/${undecodable.json().metadata.id}`);
    const e = { ...base('POST', '/artifact/dataset', { body: 'b' }), headers: { 'Content-Type': 5, 'X-Artifact-Name': ['a'] } };
    expectApiError(await raw(e), 400);
  });

  afterAll(async () => {
    // A case above may have been answered 201 (the undecodable name is kept as given); that is not a loss.
  });
});

// ---------------------------------------------------------------------------------------------
describe('IngestWorkerFunction with malformed events', () => {
  let ingested: string[];
  const worker = createIngestWorkerHandler(async () => async (id) => {
    ingested.push(id);
    return { artifact_id: id, state: 'completed' } as any;
  });
  beforeAll(() => {
    ingested = [];
  });

  const bad: Array<[string, unknown]> = [
    ...NOT_EVENTS,
    ['artifact_id as a number', { artifact_id: 5 }],
    ['artifact_id null', { artifact_id: null }],
    ['artifact_id an object', { artifact_id: { id: 'a' } }],
    ['artifact_id with traversal', { artifact_id: '../a' }],
    ['artifact_id with NUL', { artifact_id: 'a\u0000b' }],
    ['artifact_id too long', { artifact_id: 'a'.repeat(65) }],
    ['artifact_id empty', { artifact_id: '' }],
    ['an SQS-shaped event', { Records: [{ body: '{"artifact_id":"a"}' }] }],
  ];
  it.each(bad)('answers %s with {error, error_code} and runs nothing', async (_l, event) => {
    const res = (await worker(event)) as { error: string; error_code: string };
    expect(res).toHaveProperty('error_code');
    expectCleanMessage(res.error);
    expect(res.error).toMatch(/artifact_id/);
    expect(ingested).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
describe('DataLoaderTestFunction with malformed events', () => {
  beforeAll(() => {
    Object.assign(process.env, localEnv(), { DATA_LOADING_MODE: 'LOCAL_CACHE' });
  });
  const bad: Array<[string, unknown, RegExp]> = [
    ['null', null, /expected a JSON object/],
    ['undefined', undefined, /expected a JSON object/],
    ['a string', 'load_all', /expected a JSON object/],
    ['an array', ['load_all'], /expected a JSON object/],
    ['a number', 1, /expected a JSON object/],
    ['operations as a string', { operations: 'load_all' }, /operations/],
    ['operations with a number', { operations: [1] }, /operations/],
    ['an unknown operation', { operations: ['drop_tables'] }, /unknown operation/],
    ['a prototype key as operation', { operations: ['toString'] }, /unknown operation/],
    ['__proto__ as operation', { operations: ['__proto__'] }, /unknown operation/],
    ['constructor as operation', { operations: ['constructor'] }, /unknown operation/],
    ['model as a number', { operations: ['cache_state'], model: 5 }, /model/],
    ['sentence_ids as a string', { operations: ['cache_state'], sentence_ids: 'a' }, /sentence_ids/],
    ['sentence_ids with null', { operations: ['cache_state'], sentence_ids: [null] }, /sentence_ids/],
    ['an unknown embedding model', { operations: ['load_embeddings'], model: 'no_such_model' }, /no_such_model/],
  ];
  it.each(bad)('answers %s with 400 {error, error_type}', async (_l, event, pattern) => {
    const res = await dataLoaderTestHandler(event);
    expect(res.statusCode, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error_type).toBe('VALIDATION');
    expectCleanMessage(res.body.error);
    expect(res.body.error).toMatch(pattern);
  });
});

// ---------------------------------------------------------------------------------------------
describe('QueryFunction with malformed events', () => {
  beforeAll(() => {
    Object.assign(process.env, localEnv(), { DATA_LOADING_MODE: 'LOCAL_CACHE' });
  });

  it.each(NOT_EVENTS.filter(([l]) => l !== 'an empty object'))('answers %s as a direct event with a validation error object', async (_l, event) => {
    const r = (await queryHandler(event)) as any;
    expect(r.answer).toBeNull();
    expect(r.error_type).toBe('VALIDATION');
    expectCleanMessage(r.error);
    expect(r.error).toMatch(/event object/);
  });

  const directBad: Array<[string, unknown, RegExp]> = [
    ['no question', {}, /question is missing/],
    ['question a number', { question: 5 }, /question must be a string/],
    ['question an array', { question: ['a'] }, /question must be a string/],
    ['question null', { question: null }, /question/],
    ['question an object', { question: { toString: 'x' } }, /question must be a string/],
    ['top_k a string', { question: 'q?', top_k: '5' }, /top_k/],
    ['top_k huge', { question: 'q?', top_k: 1e9 }, /top_k/],
    ['top_k NaN-ish', { question: 'q?', top_k: 1.5 }, /top_k/],
    ['include_kpi a string', { question: 'q?', include_kpi: 'yes' }, /include_kpi/],
    ['model_key a number', { question: 'q?', model_key: 3 }, /model_key/],
    ['an unknown field', { question: 'q?', drop: true }, /unknown request field drop/],
    ['__proto__ field', JSON.parse('{"question":"q?","__proto__":{"x":1}}'), /unknown request field __proto__/],
  ];
  it.each(directBad)('answers a direct event with %s with a 400-class error object', async (_l, event, pattern) => {
    const r = (await queryHandler(event)) as any;
    expect(r.answer).toBeNull();
    expect(r.error_type).toBe('VALIDATION');
    expectCleanMessage(r.error);
    expect(r.error).toMatch(pattern);
  });

  const apiEvent = (body: string | null, o: Partial<APIGatewayProxyEvent> = {}) => ({ ...restEvent('POST', '/query', { body: body ?? undefined, headers: { 'Content-Type': 'application/json' } }), ...o });
  const apiBad: Array<[string, unknown, number, RegExp]> = [
    ['null body', apiEvent(null), 400, /empty/],
    ['JSON null', apiEvent('null'), 400, /JSON object/],
    ['JSON []', apiEvent('[]'), 400, /JSON object, found an array/],
    ['JSON "x"', apiEvent('"x"'), 400, /JSON object, found string/],
    ['truncated JSON', apiEvent('{"question":'), 400, /not valid JSON/],
    ['deeply nested JSON', apiEvent(`{"question": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`), 400, /question/],
    ['a huge question', apiEvent(JSON.stringify({ question: 'why? '.repeat(200_000) })), 400, /limit/],
    ['invalid base64', apiEvent('{{{{', { isBase64Encoded: true }), 400, /base64|JSON/],
    ['null headers', { ...apiEvent('{}'), headers: null, multiValueHeaders: null }, 400, /question is missing/],
    ['GET', { ...apiEvent(null), httpMethod: 'GET' }, 405, /POST/],
    ['wrong Content-Type', { ...apiEvent('question=hi'), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }, 400, /JSON/],
    ['path a number', { ...apiEvent('{"question":"q?"}'), path: 5 }, 400, /event\.path must be a string/],
    ['a header an array', { ...apiEvent('{"question":"q?"}'), headers: { 'Content-Type': ['application/json'] } }, 400, /event\.headers\.Content-Type/],
    ['control characters only', apiEvent(JSON.stringify({ question: '\u0000\u0001\u0002' })), 400, /question/],
  ];
  it.each(apiBad)('answers an API event with %s with %i and the documented error shape', async (_l, event, status, pattern) => {
    const res = (await queryHandler(event)) as APIGatewayProxyResult;
    expect(res.statusCode, res.body).toBe(status);
    const body = JSON.parse(res.body);
    expect(body).toMatchObject({ answer: null, error_code: expect.any(String), error_type: expect.any(String) });
    expectCleanMessage(body.error);
    expect(body.error).toMatch(pattern);
  });

  it('answers an API-looking event without httpMethod with a validation error, not a crash', async () => {
    const e: any = apiEvent('{"question":"q?"}');
    delete e.httpMethod;
    const r = (await queryHandler(e)) as any;
    expect(r.answer ?? null).toBeNull();
    expectCleanMessage(r.error ?? JSON.parse(r.body).error);
  });
});

// ---------------------------------------------------------------------------------------------
describe('start-api and start-lambda with malformed HTTP requests', () => {
  let emulator: LambdaEmulator;
  let api: ApiServer;
  let lambda: RunningServer;

  beforeAll(async () => {
    ({ emulator } = fixtureEmulator());
    lambda = await startLambdaApiServer({ emulator, port: 0, log: () => {} });
    api = await startApiServer({ emulator, port: 0, maxBodyBytes: 64 * 1024, log: () => {} });
  });
  afterAll(async () => {
    await api?.close();
    await lambda?.close();
    await emulator?.stop();
  });

  /** A raw request, so paths reach the server exactly as written (fetch would normalise them). */
  function send(base: string, method: string, path: string, body?: Buffer | string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
    const u = new URL(base);
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: u.hostname, port: u.port, method, path, headers: { ...headers, ...(body !== undefined ? { 'Content-Length': String(Buffer.byteLength(body)) } : {}) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  const invokePath = (name: string) => `/2015-03-31/functions/${name}/invocations`;

  it('start-lambda: a payload that is not JSON is a 400 InvalidRequestContentException', async () => {
    for (const body of ['{', 'nope', '\u0000', '{"a":1}{"b":2}']) {
      const res = await send(lambda.url, 'POST', invokePath('EchoFunction'), body);
      expect(res.status, res.text).toBe(400);
      expect(res.headers['x-amzn-errortype']).toBe('InvalidRequestContentException');
      expect(JSON.parse(res.text).message).toMatch(/JSON/);
    }
  });

  it('start-lambda: an unknown function is a 404 ResourceNotFoundException naming it', async () => {
    const res = await send(lambda.url, 'POST', invokePath('NoSuchFunction'), '{}');
    expect(res.status).toBe(404);
    expect(res.headers['x-amzn-errortype']).toBe('ResourceNotFoundException');
    expect(JSON.parse(res.text).message).toMatch(/NoSuchFunction/);
  });

  it('start-lambda: a function name with bad percent-encoding or traversal is a 4xx, not a 500', async () => {
    for (const name of ['%E0%A4%A', '%', '..%2F..%2Fetc', '%00', 'Echo%2FFunction']) {
      const res = await send(lambda.url, 'POST', invokePath(name), '{}');
      expect(String(res.status), `${name}: ${res.text}`).toMatch(/^4\d\d$/);
      const body = JSON.parse(res.text);
      expectCleanMessage(body.message);
      expect(body.message).not.toMatch(/URI malformed/);
    }
  });

  it('start-lambda: an oversized payload is a 413 before anything runs', async () => {
    const body = Buffer.alloc(1024 * 1024 + 10, 0x20);
    const res = await send(lambda.url, 'POST', invokePath('EchoFunction'), body, { 'X-Amz-Invocation-Type': 'Event' });
    expect(res.status).toBe(413);
    expect(res.headers['x-amzn-errortype']).toBe('RequestEntityTooLargeException');
  });

  it('start-lambda: unknown operations, methods and invocation types are 4xx', async () => {
    expect((await send(lambda.url, 'GET', invokePath('EchoFunction'))).status).toBe(404);
    expect((await send(lambda.url, 'POST', '/2015-03-31/functions'))).toMatchObject({ status: 404 });
    const t = await send(lambda.url, 'POST', invokePath('EchoFunction'), '{}', { 'X-Amz-Invocation-Type': 'Later' });
    expect(t.status).toBe(400);
    const cc = await send(lambda.url, 'POST', invokePath('EchoFunction'), '{}', { 'X-Amz-Client-Context': '!!!notbase64' });
    expect(cc.status).toBe(400);
  });

  it('start-api: unknown routes and methods answer 403 like API Gateway; oversized bodies 413', async () => {
    expect((await send(api.url, 'GET', '/nope')).status).toBe(403);
    expect((await send(api.url, 'DELETE', '/items/1')).status).toBe(403);
    const big = await send(api.url, 'POST', '/upload', Buffer.alloc(70 * 1024, 0x61), { 'Content-Type': 'application/octet-stream' });
    expect(big.status).toBe(413);
  });

  it('start-api: bad percent-encoding, traversal and NUL in the path do not crash the server', async () => {
    for (const path of ['/items/%E0%A4%A', '/items/%', '/items/..%2F..%2Fetc', '/items/%00', '/files/../../etc/passwd', '//items/1', '/items/%2e%2e']) {
      const res = await send(api.url, 'GET', path);
      expect(String(res.status), `${path}: ${res.text}`).toMatch(/^(200|4\d\d)$/);
      expect(res.text).not.toMatch(/\n\s+at |\/work\//);
    }
    for (const path of ['/items/1?q=%E0%A4%A', '/items/1?%=%', '/items/1?a=1&a=%00&&=']) {
      const res = await send(api.url, 'GET', path);
      expect(res.status, `${path}: ${res.text}`).toBe(200);
    }
    const headerBomb = await send(api.url, 'GET', '/items/1', undefined, { 'X-Big': 'x'.repeat(20 * 1024) });
    expect(String(headerBomb.status)).toMatch(/^(200|431)$/);
    // Still serving afterwards.
    expect((await send(api.url, 'GET', '/items/42')).status).toBe(200);
  });
});
