/**
 * start-api for every API a template can declare, over real HTTP (fetch) against a fixture app:
 * HTTP API payload 2.0 and 1.0, the $default route, ApiGatewayV2 quick-create, the stage prefix, REST
 * and HTTP Lambda authorizers (the protected function is never called when they refuse), JWT, API keys,
 * and query/header names that are Object.prototype members.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runtimeFixtureApp, type FixtureApp } from './runtimeFixture';
import { startApiServer, type ApiServer } from '../../../src/local/apiServer';

describe('start-api serves REST and HTTP APIs with their authorizers', () => {
  let app: FixtureApp;
  let api: ApiServer;
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${api.url}${path}`, { headers });
  const json = async (res: Response) => ({ status: res.status, body: await res.json() as any, type: res.headers.get('content-type') });

  beforeAll(async () => {
    app = runtimeFixtureApp('apis');
    api = await startApiServer({ emulator: app.emulator, port: 0, log: (l) => app.lines.push(l) });
  });
  afterAll(async () => {
    await api?.close();
    await app?.stop();
  });

  it('turns an HttpApi request into a payload 2.0 event and adds the default Content-Type', async () => {
    const res = await fetch(`${api.url}/items/42?tag=a&tag=b`, { headers: [['X-Multi', 'one'], ['X-Multi', 'two'], ['Cookie', 'c1=v1; c2=v2']] });
    const { status, body, type } = await json(res);
    expect(status).toBe(200);
    expect(type).toBe('application/json');
    expect(body).toMatchObject({
      version: '2.0',
      routeKey: 'GET /items/{id}',
      rawPath: '/items/42',
      rawQueryString: 'tag=a&tag=b',
      queryStringParameters: { tag: 'a,b' },
      pathParameters: { id: '42' },
      cookies: ['c1=v1', 'c2=v2'],
      isBase64Encoded: false,
      requestContext: { http: { method: 'GET', path: '/items/42' }, routeKey: 'GET /items/{id}', stage: '$default' },
    });
    // fetch folds the repeated header into one line itself: the event keeps what the client sent.
    expect(body.headers['x-multi']).toBe('one, two');
    expect(body.headers.cookie).toBeUndefined();
  });

  it('sends payload 1.0 events to an HttpApi route with PayloadFormatVersion 1.0', async () => {
    const res = await fetch(`${api.url}/v1items?q=1`, { method: 'POST', body: '{"name":"jar"}', headers: { 'Content-Type': 'application/json' } });
    const { body } = await json(res);
    expect(body).toMatchObject({ version: '1.0', resource: '/v1items', path: '/v1items', httpMethod: 'POST', body: '{"name":"jar"}', queryStringParameters: { q: '1' } });
  });

  it('routes what nothing else matches to the HttpApi $default route, and serves an ApiGatewayV2 quick-create API', async () => {
    expect((await json(await get('/somewhere/else'))).body).toEqual({ function: 'DefaultRouteFunction', rawPath: '/somewhere/else', routeKey: '$default' });
    const quick = await json(await get('/quick'));
    expect(quick).toMatchObject({ status: 200, type: 'application/json', body: { function: 'QuickFunction', rawPath: '/quick', routeKey: 'GET /quick' } });
  });

  it('accepts the stage in front of a REST path, as the deployed URL has it', async () => {
    const staged = await json(await get('/Prod/open'));
    expect(staged.body).toMatchObject({ path: '/open', resource: '/open', requestContext: { stage: 'Prod', path: '/Prod/open' } });
    expect((await json(await get('/open'))).body.path).toBe('/open');
  });

  it('treats query keys and headers named like Object.prototype members as plain data', async () => {
    const res = await fetch(`${api.url}/open?toString=1&constructor=2&__proto__=3&valueOf=4&hasOwnProperty=5`, { headers: { constructor: 'c', toString: 't', valueOf: 'v' } });
    const { status, body } = await json(res);
    expect(status).toBe(200);
    // JSON.parse, not an object literal: a literal's __proto__ key would set the prototype.
    expect(body.queryStringParameters).toEqual(JSON.parse('{"toString":"1","constructor":"2","__proto__":"3","valueOf":"4","hasOwnProperty":"5"}'));
    expect(body.multiValueQueryStringParameters.constructor).toEqual(['2']);
    expect(body.headers).toMatchObject({ constructor: 'c', toString: 't', valueOf: 'v' });
    const v2 = await json(await fetch(`${api.url}/items/1?constructor=x&__proto__=y`, { headers: { __proto__: 'p' } as any }));
    expect(v2.status).toBe(200);
    expect(v2.body.queryStringParameters).toEqual(JSON.parse('{"constructor":"x","__proto__":"y"}'));
  });

  it('refuses what the authorizers refuse — 401 without identity, 403 on deny — and never calls the function', async () => {
    const refusals: [string, Record<string, string>, number, unknown][] = [
      ['/protected', {}, 401, { message: 'Unauthorized' }],
      ['/protected', { Authorization: 'Bearer deny' }, 403, { Message: 'User is not authorized to access this resource with an explicit deny' }],
      ['/protected', { Authorization: 'Bearer unauthorized' }, 401, { message: 'Unauthorized' }],
      ['/protected', { Authorization: 'Bearer NOT-VALID-1' }, 401, { message: 'Unauthorized' }],
      ['/request?tenant=t1', {}, 401, { message: 'Unauthorized' }],
      ['/request', { 'X-User': 'alice' }, 401, { message: 'Unauthorized' }],
      ['/request?tenant=t1', { 'X-User': 'bob' }, 403, { Message: 'User is not authorized to access this resource with an explicit deny' }],
      ['/keyed', {}, 403, { message: 'Forbidden' }],
      ['/simple', {}, 401, { message: 'Unauthorized' }],
      ['/simple', { Authorization: 'wrong' }, 403, { message: 'Forbidden' }],
      ['/policy', { 'X-User': 'bob' }, 403, { message: 'Forbidden' }],
      ['/jwt', {}, 401, { message: 'Unauthorized' }],
      ['/jwt', { Authorization: 'Bearer not-a-jwt' }, 401, { message: 'Unauthorized' }],
    ];
    for (const [path, headers, status, body] of refusals) {
      const res = await json(await get(path, headers));
      expect({ path, headers, ...res }).toMatchObject({ status, body });
    }
    expect(app.emulator.stats().ProtectedFunction).toBeUndefined();
  });

  it('passes an allowed request on with the authorizer context in requestContext.authorizer', async () => {
    const token = await json(await get('/protected', { Authorization: 'Bearer allow' }));
    expect(token.status).toBe(200);
    expect(token.body.requestContext.authorizer).toEqual({ principalId: 'user-allow', tier: 'gold', eventType: 'TOKEN' });

    const request = await json(await get('/Prod/request?tenant=t1', { 'X-User': 'alice' }));
    expect(request.body.requestContext.authorizer).toEqual({ principalId: 'alice', user: 'alice', tenant: 't1', eventType: 'REQUEST', version: 'none' });

    const simple = await json(await get('/simple', { Authorization: 'letmein' }));
    expect(simple.body.requestContext.authorizer).toEqual({ lambda: { routeKey: 'GET /simple', identity: 'letmein', version: '2.0' } });

    const policy = await json(await get('/policy', { 'X-User': 'alice' }));
    expect(policy.body.requestContext.authorizer).toEqual({ lambda: { user: 'alice', tenant: '', eventType: 'REQUEST', version: '1.0' } });

    const claims = { iss: 'https://issuer.example', aud: 'app', sub: 'u-1', exp: Math.floor(Date.now() / 1000) + 600 };
    const jwt = `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.unsigned`;
    const viaJwt = await json(await get('/jwt', { Authorization: `Bearer ${jwt}` }));
    expect(viaJwt.status).toBe(200);
    expect(viaJwt.body.requestContext.authorizer.jwt.claims).toMatchObject({ iss: 'https://issuer.example', sub: 'u-1' });

    expect((await get('/keyed', { 'x-api-key': 'any' })).status).toBe(200);
    expect(app.lines.filter((l) => l.includes('signatures are not verified'))).toHaveLength(1);
  });
});
