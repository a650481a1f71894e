/** The start-api seams without the wire: payload 2.0 results, IAM policy evaluation, offline JWT checks, plain-data request parts. */
import { describe, expect, it } from 'vitest';
import { v2ResultToHttp } from '../../../src/local/api/responses';
import { policyAllows } from '../../../src/local/api/authorizers';
import { checkJwt } from '../../../src/local/api/jwt';
import { parseIdentityExpression } from '../../../src/local/api/authConfig';
import type { RequestParts } from '../../../src/local/api/requestParts';

const arn = 'arn:aws:execute-api:us-east-1:123456789012:larderlocal/Prod/GET/items/1';

describe('payload 2.0 results', () => {
  it('takes a result with statusCode as the response, cookies as Set-Cookie', () => {
    const out = v2ResultToHttp(JSON.stringify({ statusCode: 201, headers: { 'content-type': 'text/plain' }, cookies: ['a=1', 'b=2'], body: 'made' }));
    expect(out).toEqual({ statusCode: 201, headers: { 'content-type': 'text/plain', 'Set-Cookie': ['a=1', 'b=2'] }, body: Buffer.from('made') });
  });
  it('sends any other JSON as a 200 application/json body, and a string result as its text', () => {
    expect(v2ResultToHttp('{"hello":"world"}')).toEqual({ statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: Buffer.from('{"hello":"world"}') });
    expect(v2ResultToHttp('"plain"')).toMatchObject({ statusCode: 200, body: Buffer.from('plain') });
  });
});

describe("an authorizer's IAM policy", () => {
  const allow = (resource: string) => ({ Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: resource }] });
  it('allows a matching resource, wildcards included', () => {
    expect(policyAllows(allow(arn), arn)).toBe(true);
    expect(policyAllows(allow('arn:aws:execute-api:us-east-1:123456789012:larderlocal/*/GET/*'), arn)).toBe(true);
    expect(policyAllows(allow('arn:aws:execute-api:us-east-1:123456789012:larderlocal/*/POST/*'), arn)).toBe(false);
  });
  it('lets an explicit Deny win over an Allow', () => {
    const policy = { Statement: [...allow('*').Statement, { Action: 'execute-api:Invoke', Effect: 'Deny', Resource: arn }] };
    expect(policyAllows(policy, arn)).toBe(false);
  });
});

describe('JWT authorizers offline', () => {
  const parts = (authorization?: string) => ({ lowerHeaders: Object.assign(Object.create(null), authorization ? { authorization } : {}), query: Object.create(null) }) as unknown as RequestParts;
  const token = (claims: object) => `Bearer e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;
  const def = { kind: 'jwt' as const, name: 'Jwt', issuer: 'https://issuer.example', audience: ['app'], identity: [parseIdentityExpression('$request.header.Authorization')!] };
  it('accepts issuer, audience and a future expiry, passing the claims on', () => {
    const out = checkJwt(def, parts(token({ iss: 'https://issuer.example', aud: 'app', exp: 4102444800, sub: 'u1', scope: 'read write' })));
    expect(out).toEqual({ allow: true, context: { jwt: { claims: { iss: 'https://issuer.example', aud: 'app', exp: '4102444800', sub: 'u1', scope: 'read write' }, scopes: ['read', 'write'] } } });
  });
  it('answers 401 for a missing, malformed, foreign or expired token', () => {
    expect(checkJwt(def, parts())).toMatchObject({ allow: false, status: 401 });
    expect(checkJwt(def, parts('Bearer nonsense'))).toMatchObject({ allow: false, status: 401 });
    expect(checkJwt(def, parts(token({ iss: 'https://evil.example', aud: 'app' })))).toMatchObject({ allow: false, reason: expect.stringMatching(/issuer/) });
    expect(checkJwt(def, parts(token({ iss: 'https://issuer.example', aud: 'other' })))).toMatchObject({ allow: false, reason: expect.stringMatching(/audience/) });
    expect(checkJwt(def, parts(token({ iss: 'https://issuer.example', aud: 'app', exp: 1 })))).toMatchObject({ allow: false, reason: expect.stringMatching(/expired/) });
  });
});
