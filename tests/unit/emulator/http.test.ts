import { describe, expect, it } from 'vitest';
import { matchRoute, routesFromTemplate } from '../../../src/local/apiRoutes';
import { isBinaryMediaType, proxyResultToHttp } from '../../../src/local/apiGatewayEvent';
import type { LoadedTemplate } from '../../../src/local/template';

const api = { logicalId: 'Api', stageName: 'Prod', binaryMediaTypes: [] };
const fnWith = (id: string, events: [string, string][]) => ({ logicalId: id, apiEvents: events.map(([method, path], i) => ({ eventName: `E${i}`, method, path, restApiId: 'Api' })) });
const template = {
  apis: [api],
  functions: [fnWith('Greedy', [['ANY', '/{proxy+}']]), fnWith('Param', [['POST', '/artifact/{type}']]), fnWith('Literal', [['POST', '/artifact/byRegEx']])],
} as unknown as LoadedTemplate;

describe('API Gateway routing', () => {
  const routes = routesFromTemplate(template);
  it('prefers literal segments, then parameters, then greedy paths', () => {
    expect(matchRoute(routes, 'POST', '/artifact/byRegEx')?.route.fn.logicalId).toBe('Literal');
    expect(matchRoute(routes, 'POST', '/artifact/model')).toMatchObject({ route: { fn: { logicalId: 'Param' } }, pathParameters: { type: 'model' } });
    expect(matchRoute(routes, 'GET', '/artifact/model')).toMatchObject({ route: { fn: { logicalId: 'Greedy' } }, pathParameters: { proxy: 'artifact/model' } });
    expect(matchRoute(routes, 'GET', '/')).toBeUndefined();
  });
  it('decodes percent-encoded path parameters', () => {
    expect(matchRoute(routes, 'POST', '/artifact/a%20b')?.pathParameters).toEqual({ type: 'a b' });
  });
});

describe('binary media types and proxy results', () => {
  it('matches exact types, wildcards and ignores parameters', () => {
    expect(isBinaryMediaType('multipart/form-data; boundary=x', ['multipart/form-data'])).toBe(true);
    expect(isBinaryMediaType('image/png', ['image/*'])).toBe(true);
    expect(isBinaryMediaType('application/json', ['image/*', 'application/octet-stream'])).toBe(false);
    expect(isBinaryMediaType(undefined, ['*/*'])).toBe(false);
    expect(isBinaryMediaType('text/plain', ['*/*'])).toBe(true);
  });
  it('decodes base64 bodies and merges multi-value headers', () => {
    const out = proxyResultToHttp(JSON.stringify({ statusCode: 200, headers: { A: '1' }, multiValueHeaders: { B: ['x', 'y'] }, body: Buffer.from('hi').toString('base64'), isBase64Encoded: true }));
    // Like sam local, a response without a Content-Type gets application/json.
    expect(out).toEqual({ statusCode: 200, headers: { A: '1', B: ['x', 'y'], 'Content-Type': 'application/json' }, body: Buffer.from('hi') });
  });
  it('rejects malformed results the way API Gateway does (502, with the reason for the log)', () => {
    expect(proxyResultToHttp('"just a string"')).toMatchObject({ invalid: expect.stringMatching(/expected an object with statusCode/) });
    expect(proxyResultToHttp('{"statusCode":"abc"}')).toMatchObject({ invalid: expect.stringMatching(/statusCode must be an HTTP status/) });
    expect(proxyResultToHttp('{"statusCode":200,"body":{"a":1}}')).toMatchObject({ invalid: expect.stringMatching(/body must be a string/) });
  });
});
