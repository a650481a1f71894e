/** Function URLs served beside start-api, buffered and streamed, over real HTTP. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { runtimeFixtureApp, type FixtureApp } from './runtimeFixture';
import { startApiServer, type ApiServer } from '../../../src/local/apiServer';

function getChunks(url: string): Promise<{ status: number; headers: Record<string, unknown>; chunks: string[] }> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      const chunks: string[] = [];
      res.setEncoding('utf8');
      res.on('data', (c: string) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, chunks }));
    })
      .on('error', reject)
      .end();
  });
}

describe('Function URLs (FunctionUrlConfig)', () => {
  let app: FixtureApp;
  let api: ApiServer;
  const urlOf = (id: string) => api.functionUrls.find((u) => u.logicalId === id)!.url;
  beforeAll(async () => {
    app = runtimeFixtureApp('node-runtime');
    api = await startApiServer({ emulator: app.emulator, port: 0, log: (l) => app.lines.push(l) });
  });
  afterAll(async () => {
    await api?.close();
    await app?.stop();
  });

  it('serves each function URL on its own origin, with its invoke mode', () => {
    expect(api.functionUrls.map((u) => [u.logicalId, u.invokeMode]).sort()).toEqual([['BufferedUrlFunction', 'BUFFERED'], ['StreamFunction', 'RESPONSE_STREAM']]);
  });

  it('sends any path and method as a payload 2.0 event with a lambda-url requestContext, and maps status, headers and cookies', async () => {
    const res = await fetch(`${urlOf('BufferedUrlFunction')}/any/path?x=1`, { method: 'PUT', body: 'hello' });
    expect(res.status).toBe(202);
    expect(res.headers.get('x-route')).toBe('$default');
    expect(res.headers.get('set-cookie')).toBe('session=abc; Path=/');
    expect(res.headers.get('content-type')).toBe('application/json');
    const body: any = await res.json();
    expect(body).toMatchObject({ rawPath: '/any/path', query: { x: '1' }, method: 'PUT', body: 'hello' });
    expect(body.domainName).toMatch(/^[0-9a-f]{32}\.lambda-url\.us-east-1\.on\.aws$/);
  });

  it('streams a RESPONSE_STREAM function: status and headers from its prelude, the body as it is written', async () => {
    const { status, headers, chunks } = await getChunks(`${urlOf('StreamFunction')}/`);
    expect(status).toBe(201);
    expect(headers['content-type']).toBe('text/plain');
    expect(headers['x-fixture']).toBe('stream');
    expect(headers['set-cookie']).toEqual(['a=1']);
    expect(chunks.join('')).toBe('one,two,three');
    expect(chunks.length).toBeGreaterThanOrEqual(2);
  });
});
