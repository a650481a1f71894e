/**
 * One stack, found by every command, over real processes: the `sam init` web backend
 * (../shared/sam-apps/nodejs22.x-web, its SimpleTable created from the template) served by
 * `larder start-api` in one process while `larder invoke` in a second process attaches to the same
 * DynamoDB; every socket the stack listens on (the JVM's included) is on 127.0.0.1; stopping the
 * owner removes the record and the lock. And a run with no java on the PATH.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EndpointsFile } from '../../../src/local/services/endpointsFile';
import { waitForPidGone } from '../../../src/local/services/process';
import { isLoopback, listeningAddresses } from './fixtures/listeningSockets';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../../..');
const SAM_APPS = resolve(ROOT, '../shared/sam-apps');
const haveApps = existsSync(join(SAM_APPS, 'nodejs22.x-web/template.yaml')) && existsSync(join(SAM_APPS, 'nodejs22.x-hello/template.yaml'));
// One process per command (no tsx wrapper process): its pid is the stack owner's, and killing it
// in a failed test's cleanup kills the command itself (the JVM's watchdog follows).
const CLI = ['--import', 'tsx', join(ROOT, 'src/cli.ts')];
const baseEnv = { ...process.env, LARDER_LOG_LEVEL: 'warn', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

let work: string;
let webApp: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'larder-stack-'));
  // A temp copy of the web app; its handlers import @aws-sdk/* (Lambda's runtime ships them):
  // link ours rather than fetch packages in a test.
  webApp = join(work, 'web');
  cpSync(join(SAM_APPS, 'nodejs22.x-web'), webApp, { recursive: true, filter: (src) => !src.includes('node_modules') });
  symlinkSync(join(ROOT, 'node_modules'), join(webApp, 'node_modules'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function startCli(args: string[], env = baseEnv): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [...CLI, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, output: () => output, exited };
}

async function waitFor(check: () => boolean, what: string, output: () => string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!haveApps)('one stack per data folder, shared by commands in other processes', () => {
  it('start-api serves the web backend with its SimpleTable; invoke in a second process attaches; all on 127.0.0.1; stop removes the record', async () => {
    const dataDir = join(work, 'stack-a');
    const template = join(webApp, 'template.yaml');
    const api = startCli(['start-api', '-t', template, '--port', '0', '--data-dir', dataDir]);
    try {
      await waitFor(() => api.output().includes('Ctrl-C to stop.') || api.child.exitCode !== null, 'start-api to be ready', api.output);
      const apiUrl = /API on (http:\/\/127\.0\.0\.1:\d+)/.exec(api.output())?.[1];
      expect(apiUrl, api.output()).toBeDefined();
      const record = JSON.parse(readFileSync(join(dataDir, 'endpoints.json'), 'utf8')) as EndpointsFile;

      const put = await fetch(`${apiUrl}/`, { method: 'POST', body: JSON.stringify({ id: 'id1', name: 'from the API' }) });
      const second = await run(process.execPath, [...CLI, 'invoke', 'getByIdFunction', '-t', template, '--data-dir', dataDir, '-e', join(webApp, 'events/event-get-by-id.json')], { cwd: ROOT, env: baseEnv, timeout: 90_000 }).catch((e) => e);
      const sockets = [...listeningAddresses(record.pid), ...listeningAddresses(record.pids!.dynamodb!)];
      const javaPid = record.pids!.dynamodb!;

      api.child.kill('SIGINT');
      const code = await api.exited;

      expect(put.status).toBe(200);
      expect(record).toMatchObject({ command: 'start-api', services: ['dynamodb'], pid: api.child.pid });
      expect(api.output()).toMatch(/table SampleTable \(SampleTable\): created/);
      const reply = JSON.parse(second.stdout.trim().split('\n').pop()!);
      expect(reply.statusCode).toBe(200);
      expect(JSON.parse(reply.body)).toEqual({ id: 'id1', name: 'from the API' });
      expect(second.stderr).toMatch(/attached to the running stack of `larder start-api`/);
      expect(second.stderr).not.toMatch(/started DynamoDB/);
      expect(sockets.length).toBeGreaterThanOrEqual(4); // API, Lambda API, DynamoDB proxy, the JVM
      expect(sockets.filter((a) => !isLoopback(a))).toEqual([]);
      expect(code).toBe(0);
      expect(existsSync(join(dataDir, 'endpoints.json'))).toBe(false);
      expect(existsSync(join(dataDir, 'services.lock'))).toBe(false);
      expect(await waitForPidGone(javaPid, 5000)).toBe(true);
    } finally {
      if (api.child.exitCode === null) api.child.kill('SIGKILL');
    }
  }, 180_000);
});

describe.skipIf(!haveApps)('services on demand and without Java', () => {
  it('a hello-world invoke starts no service at all', async () => {
    const dataDir = join(work, 'hello');
    const { stdout, stderr } = await run(process.execPath, [...CLI, 'invoke', 'HelloWorldFunction', '-t', join(SAM_APPS, 'nodejs22.x-hello/template.yaml'), '--data-dir', dataDir], { cwd: ROOT, env: baseEnv, timeout: 60_000 });

    expect(JSON.parse(stdout.trim())).toMatchObject({ statusCode: 200 });
    expect(stderr).toMatch(/no local services: the template uses no S3, DynamoDB or Bedrock/);
    expect(existsSync(join(dataDir, 'endpoints.json'))).toBe(false);
  }, 90_000);

  it('with PATH stripped of java: one message naming Java 17+, and a function that does not use DynamoDB still runs', async () => {
    const bin = join(work, 'bin-without-java');
    mkdirSync(bin, { recursive: true });
    symlinkSync(process.execPath, join(bin, 'node'));
    const env = { ...baseEnv, PATH: bin };
    const { stdout, stderr } = await run(process.execPath, [...CLI, 'invoke', 'HelloWorldFunction', '-t', join(SAM_APPS, 'nodejs22.x-hello/template.yaml'), '--services', 'all', '--data-dir', join(work, 'nojava')], { cwd: ROOT, env, timeout: 60_000 });

    expect(JSON.parse(stdout.trim())).toMatchObject({ statusCode: 200 });
    expect(stderr.match(/Java 17\+/g)).toHaveLength(1);
    expect(stderr).toMatch(/"java" was not found on the PATH/);
    expect(stderr).toMatch(/Functions that do not use DynamoDB still run/);
    expect(stderr).not.toMatch(/java: not found/);
  }, 90_000);
});
