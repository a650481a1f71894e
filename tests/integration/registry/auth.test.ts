/**
 * Access control as the spec describes it, against DynamoDB Local: PUT /authenticate, tokens in
 * X-Authorization (none → 403, wrong → 403), admin-only routes, expiry by uses and by time,
 * revocation, the default admin after a reset with its password from configuration, and 501 when
 * access control is off. Passwords are never stored in clear.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createHarness, expectError, expectSpec, type Harness } from './harness';

const ADMIN = 'ece30861defaultadminuser';
// The spec's example password, given as configuration (never in src/).
const PASSWORD = `correcthorsebatterystaple123(!__+@**(A'"\`;DROP TABLE artifacts;`;
const adminLogin = { user: { name: ADMIN, is_admin: true }, secret: { password: PASSWORD } };

let h: Harness;

beforeAll(async () => {
  h = await createHarness({ invoker: 'manual', auth: { mode: 'required', adminPassword: PASSWORD, tokenMaxUses: 5, tokenTtlSeconds: 3600 } });
});

async function login(body: unknown = adminLogin): Promise<string> {
  const res = await h.call('PUT', '/authenticate', { json: body });
  expect(res.statusCode, res.body).toBe(200);
  expectSpec('AuthenticationToken', res.json());
  expect(res.json()).toMatch(/^bearer [A-Za-z0-9_-]{40,}$/);
  return res.json();
}

describe('access control on', () => {
  it('issues a token for the default admin (created from configuration) and stores no password in clear', async () => {
    const token = await login();
    const items = await h.tableItems();
    const user = items.find((i) => i.pk === `USER#${ADMIN}`)!;
    expect(user.hash).toBeDefined();
    expect(JSON.stringify(items)).not.toContain('correcthorsebattery');
    expect(JSON.stringify(items)).not.toContain(token.slice(7)); // tokens are kept as digests
  });

  it('answers 401 for a wrong password or an unknown user, and 400 for a malformed request', async () => {
    expectError(await h.call('PUT', '/authenticate', { json: { ...adminLogin, secret: { password: 'wrong' } } }), 401);
    expectError(await h.call('PUT', '/authenticate', { json: { user: { name: 'nobody', is_admin: false }, secret: { password: PASSWORD } } }), 401);
    expectError(await h.call('PUT', '/authenticate', { json: { user: { name: ADMIN } } }), 400, 'VALIDATION');
  });

  it('needs X-Authorization everywhere but /health, /tracks and /authenticate: none → 403, wrong → 403', async () => {
    expect((await h.call('GET', '/health')).statusCode).toBe(200);
    expect((await h.call('GET', '/tracks')).statusCode).toBe(200);
    for (const [method, path] of [['POST', '/artifacts'], ['GET', '/artifacts/model/x'], ['DELETE', '/reset'], ['GET', '/health/components'], ['POST', '/artifact/byRegEx']]) {
      expectError(await h.call(method, path, { json: [{ name: '*' }] }), 403, 'UNAUTHORIZED');
      expectError(await h.call(method, path, { json: [{ name: '*' }], headers: { 'X-Authorization': 'bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } }), 403);
    }
    const token = await login();
    const ok = await h.call('POST', '/artifacts', { json: [{ name: '*' }], headers: { 'X-Authorization': token } });
    expect(ok.statusCode).toBe(200);
  });

  it('keeps reset and user management for admins (401 for others) and records who changed what', async () => {
    const admin = await login();
    const created = await h.call('POST', '/users', { json: { user: { name: 'casey', is_admin: false }, secret: { password: 'a long enough password' } }, headers: { 'X-Authorization': admin } });
    expect(created.statusCode, created.body).toBe(201);
    const casey = await login({ user: { name: 'casey', is_admin: false }, secret: { password: 'a long enough password' } });
    expectError(await h.call('DELETE', '/reset', { headers: { 'X-Authorization': casey } }), 401, 'UNAUTHORIZED');
    expectError(await h.call('POST', '/users', { json: { user: { name: 'x', is_admin: true }, secret: { password: 'xxxxxxxxxx' } }, headers: { 'X-Authorization': casey } }), 401);
    const up = await h.call('POST', '/artifact/code', { body: Buffer.from('print(1)'), headers: { 'Content-Type': 'text/plain', 'X-Artifact-Name': 'by-casey', 'X-Authorization': casey } });
    expect(up.statusCode).toBe(201);
    const audit = await h.call('GET', `/artifact/code/${up.json().metadata.id}/audit`, { headers: { 'X-Authorization': admin } });
    expect(audit.statusCode, audit.body).toBe(200);
    expect(audit.json()[0]).toMatchObject({ user: { name: 'casey', is_admin: false }, action: 'CREATE' });
    // deleting a user kills its tokens
    expect((await h.call('DELETE', '/users/casey', { headers: { 'X-Authorization': admin } })).statusCode).toBe(200);
    expectError(await h.call('POST', '/artifacts', { json: [{ name: '*' }], headers: { 'X-Authorization': casey } }), 403);
  });

  it('expires a token after its allowed uses, and on revocation', async () => {
    const token = await login();
    for (let i = 0; i < 5; i++) expect((await h.call('GET', '/health/components', { headers: { 'X-Authorization': token } })).statusCode).toBe(200);
    expect(expectError(await h.call('GET', '/health/components', { headers: { 'X-Authorization': token } }), 403).error).toMatch(/used up/);
    const other = await login();
    expect((await h.call('DELETE', '/authenticate', { headers: { 'X-Authorization': other } })).statusCode).toBe(200);
    expectError(await h.call('POST', '/artifacts', { json: [{ name: '*' }], headers: { 'X-Authorization': other } }), 403);
  });

  it('expires a token after its time (10 h in production; 1 s here)', async () => {
    const quick = await createHarness({ invoker: 'manual', auth: { mode: 'required', adminPassword: PASSWORD, tokenTtlSeconds: 1 } });
    const token = (await quick.call('PUT', '/authenticate', { json: adminLogin })).json();
    expect((await quick.call('POST', '/artifacts', { json: [{ name: '*' }], headers: { 'X-Authorization': token } })).statusCode).toBe(200);
    await new Promise((r) => setTimeout(r, 1100));
    expectError(await quick.call('POST', '/artifacts', { json: [{ name: '*' }], headers: { 'X-Authorization': token } }), 403);
  });

  it('the default admin exists after a reset', async () => {
    const admin = await login();
    expect((await h.call('DELETE', '/reset', { headers: { 'X-Authorization': admin } })).statusCode).toBe(200);
    expectError(await h.call('POST', '/artifacts', { json: [{ name: '*' }], headers: { 'X-Authorization': admin } }), 403); // the reset removed every token
    await login();
  });
});

describe('access control off', () => {
  it('answers /authenticate with 501 and needs no header', async () => {
    const off = await createHarness({ invoker: 'manual' });
    expectError(await off.call('PUT', '/authenticate', { json: adminLogin }), 501, 'NOT_IMPLEMENTED');
    expect((await off.call('POST', '/artifacts', { json: [{ name: '*' }] })).statusCode).toBe(200);
    expect((await off.call('DELETE', '/reset')).statusCode).toBe(200);
  });
});
