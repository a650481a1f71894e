/**
 * The edit-run loop and hostile input: an edited handler is picked up on the next call without a
 * restart (warm reuse otherwise), `debugPort` opens the Node inspector in the sandbox, and
 * start-lambda answers deeply nested payloads with a 400 instead of overflowing the stack.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { runtimeFixtureApp, type FixtureApp } from './runtimeFixture';
import { startLambdaApiServer } from '../../../src/local/lambdaApiServer';
import type { RunningServer } from '../../../src/local/httpServer';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe('the edit-run loop', () => {
  let app: FixtureApp;
  beforeAll(() => {
    app = runtimeFixtureApp('node-runtime', { hotReload: { checkEveryMs: 0 } });
  });
  afterAll(async () => app?.stop());

  it('runs an edited handler on the next call in a fresh sandbox, and reuses the warm one otherwise', async () => {
    const first = await app.emulator.invoke('ErrorsFunction', {});
    const warm = await app.emulator.invoke('ErrorsFunction', {});
    expect(warm.coldStart).toBe(false);
    expect(warm.sandboxId).toBe(first.sandboxId);

    const file = join(app.dir, 'src/errors.js');
    writeFileSync(file, readFileSync(file, 'utf8').replace("return { ok: true };", "return { ok: 'edited' };"));
    const edited = await app.emulator.invoke('ErrorsFunction', {});
    expect(edited.coldStart).toBe(true);
    expect(JSON.parse(edited.payload)).toEqual({ ok: 'edited' });
    expect(app.lines.some((l) => l.includes('ErrorsFunction: code changed on disk'))).toBe(true);

    const after = await app.emulator.invoke('ErrorsFunction', {});
    expect(after.coldStart).toBe(false);
    expect(after.sandboxId).toBe(edited.sandboxId);
  });

  it('opens the Node inspector in the sandbox on --debug-port', async () => {
    const port = await freePort();
    const debug = runtimeFixtureApp('node-runtime', { debugPort: port });
    try {
      const r = await debug.emulator.invoke('OutputFunction', {});
      expect(r.functionError).toBeUndefined();
      expect(debug.lines.some((l) => l.startsWith(`Debugger listening on ws://127.0.0.1:${port}/`))).toBe(true);
      const targets: any = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
      expect(targets[0].webSocketDebuggerUrl).toMatch(new RegExp(`^ws://127\\.0\\.0\\.1:${port}/`));
    } finally {
      await debug.stop();
    }
  });
});

describe('deeply nested payloads on start-lambda', () => {
  let app: FixtureApp;
  let server: RunningServer;
  beforeAll(async () => {
    app = runtimeFixtureApp('node-runtime');
    server = await startLambdaApiServer({ emulator: app.emulator, port: 0, log: (l) => app.lines.push(l) });
  });
  afterAll(async () => {
    await server?.close();
    await app?.stop();
  });

  const invoke = (body: string) => fetch(`${server.url}/2015-03-31/functions/ErrorsFunction/invocations`, { method: 'POST', body });

  it('answers 400 InvalidRequestContentException, naming the depth, for 100,000 levels', async () => {
    const res = await invoke('['.repeat(100_000) + ']'.repeat(100_000));
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toBe('InvalidRequestContentException');
    expect(((await res.json()) as any).message).toMatch(/nests 100000 levels deep; larder accepts at most 512/);
  });

  it('runs a payload nested 500 levels deep', async () => {
    const res = await invoke('{"a":'.repeat(500) + '1' + '}'.repeat(500));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });
});
