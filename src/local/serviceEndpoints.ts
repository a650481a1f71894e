/**
 * One stack of local services per data folder, found by every command. resolveServices decides,
 * in this order:
 *
 *  1. nothing needed (or --no-services): no services; --no-services warns that the functions' SDK
 *     calls go to real AWS;
 *  2. endpoints in the environment (AWS_ENDPOINT_URL_S3, …) for every needed service: use them;
 *  3. a running stack in the data folder (<dataDir>/endpoints.json, its owner alive, its endpoints
 *     answering): attach to it. Needed services it lacks are started privately (temp folder);
 *  4. else take the data folder's lock, start what is needed, and record the endpoints; stop()
 *     removes the record and the lock. A lock held by a process still starting is waited for,
 *     then attached to.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { LarderConfig } from '../config';
import { acquireStackLock, lockedError, lockHolder, readEndpointsFile, removeEndpointFiles, writeEndpointFiles, type EndpointsFile } from './services/endpointsFile';
import type { ServiceName } from './services/process';

export interface ResolvedServices {
  /** AWS_ENDPOINT_URL_S3 / _DYNAMODB / _BEDROCK_RUNTIME of the services in use. */
  env: Record<string, string>;
  /** Where they came from, for the start-up message. */
  source: 'environment' | 'attached' | 'started' | 'none';
  /** The services in use (needed ones; with `attached`, those of the stack we share). */
  services: ServiceName[];
  /** One line each, for the start-up output: what was decided and why. */
  notes: string[];
  /** Services answering only 503 (DynamoDB without Java), with the reason. */
  unavailable: Partial<Record<ServiceName, string>>;
  /** The stack's owner when attached. */
  owner?: { pid: number; command?: string };
  /** The data folder of the stack (where endpoints.json is). */
  dataDir: string;
  /** Child pids of the services this process started (s3rver, java). */
  pids: { s3?: number; dynamodb?: number };
  /** Where the stack is recorded (endpoints.json, services.env), when this process owns it. */
  files?: string[];
  stop(): Promise<void>;
}

export interface ServiceRequest {
  config: LarderConfig;
  /** Services the functions need; [] → none started. */
  need: ServiceName[];
  /** The larder command, recorded in endpoints.json and named in lock messages. */
  command: string;
  /** --no-services: start nothing, and say that SDK calls go to real AWS. */
  disabled?: boolean;
  /** Default: config.local.data_dir. */
  dataDir?: string;
  host?: string;
  /** Buckets that exist from the start (only when this process starts S3). */
  buckets?: string[];
  persist?: boolean;
  /** Public ports (default: config.local.ports). */
  ports?: Partial<Record<ServiceName, number>>;
  /** Never attach: a running stack in the data folder is a CONFLICT error (`larder services`). */
  exclusive?: boolean;
  hostEnv?: Record<string, string | undefined>;
  quiet?: boolean;
  /** How long to wait for a stack another process is starting (default 30 s). */
  waitForStarterMs?: number;
}

const VARIABLE: Record<ServiceName, string> = { s3: 'AWS_ENDPOINT_URL_S3', dynamodb: 'AWS_ENDPOINT_URL_DYNAMODB', bedrock: 'AWS_ENDPOINT_URL_BEDROCK_RUNTIME' };
const NAME: Record<ServiceName, string> = { s3: 'S3', dynamodb: 'DynamoDB', bedrock: 'Bedrock' };
const none = async () => {};

export async function resolveServices(o: ServiceRequest): Promise<ResolvedServices> {
  const hostEnv = o.hostEnv ?? process.env;
  const dataDir = resolve(o.config.rootDir, o.dataDir ?? o.config.local.data_dir);
  const base = { unavailable: {}, dataDir, pids: {}, stop: none };
  if (o.disabled) {
    return {
      ...base, env: {}, source: 'none', services: [],
      notes: [
        'no local services (--no-services): the functions\' AWS SDK calls go to the real AWS endpoints ' +
          '(with dummy credentials they fail; --inherit-aws-credentials passes yours) unless --env-vars sets AWS_ENDPOINT_URL_*',
      ],
    };
  }
  if (!o.need.length) return { ...base, env: {}, source: 'none', services: [], notes: ['no local services: the template uses no S3, DynamoDB or Bedrock (--services all starts them anyway)'] };

  const fromEnv: Record<string, string> = {};
  for (const s of o.need) if (hostEnv[VARIABLE[s]]) fromEnv[VARIABLE[s]] = hostEnv[VARIABLE[s]]!;
  if (Object.keys(fromEnv).length === o.need.length) {
    return { ...base, env: fromEnv, source: 'environment', services: o.need, notes: [`using the endpoints in the environment (${Object.keys(fromEnv).join(', ')})`] };
  }

  const running = await runningStack(dataDir);
  if (running && o.exclusive) throw lockedError(dataDir, { pid: running.pid, command: running.command, startedAt: running.startedAt });
  if (running) return attach(o, running, dataDir);
  const { startLocalServices } = await import('./services/index');
  let lock;
  try {
    lock = acquireStackLock(dataDir, o.command);
  } catch (err) {
    // Another process holds the folder and is still starting: wait for its record, then share it.
    const holder = lockHolder(dataDir);
    if (!holder || o.exclusive) throw err;
    const started = await waitForStack(dataDir, o.waitForStarterMs ?? 30_000);
    if (!started) throw lockedError(dataDir, holder);
    return attach(o, started, dataDir);
  }
  try {
    const services = await startLocalServices({ config: o.config, only: o.need, dataDir, host: o.host, ports: o.ports, buckets: o.buckets, persist: o.persist, quiet: o.quiet, withoutJava: 'stand-in' });
    const env = endpointEnv(services.env, o.need);
    const files = writeEndpointFiles(dataDir, { endpoints: pick(services.endpoints, o.need), env: services.env, command: o.command, services: o.need, pids: services.pids });
    const notes = [`started ${o.need.map((s) => NAME[s]).join(', ')}; endpoints recorded in ${files[0]} (other commands attach to them)`];
    for (const reason of Object.values(services.unavailable)) notes.push(reason!);
    return {
      env, source: 'started', services: o.need, notes, unavailable: services.unavailable, dataDir, pids: services.pids, files,
      async stop() {
        try {
          removeEndpointFiles(dataDir);
          await services.stop();
        } finally {
          lock.release();
        }
      },
    };
  } catch (err) {
    lock.release();
    throw err;
  }
}

async function attach(o: ServiceRequest, running: EndpointsFile, dataDir: string): Promise<ResolvedServices> {
  const shared = (Object.keys(VARIABLE) as ServiceName[]).filter((s) => running.env?.[VARIABLE[s]]);
  const missing = o.need.filter((s) => !shared.includes(s));
  const env = endpointEnv(running.env, shared);
  const owner = { pid: running.pid, command: running.command };
  const notes = [`attached to the running stack of \`larder ${running.command ?? 'services'}\` (pid ${running.pid}, ${join(dataDir, 'endpoints.json')})`];
  if (!missing.length) return { env, source: 'attached', services: shared, notes, unavailable: {}, owner, dataDir, pids: {}, stop: none };
  // The stack lacks a service we need: start it for this process only, in a folder of its own.
  const { startLocalServices } = await import('./services/index');
  const privateDir = mkdtempSync(join(tmpdir(), 'larder-private-services-'));
  const extra = await startLocalServices({ config: o.config, only: missing, dataDir: privateDir, host: o.host, ports: { s3: 0, dynamodb: 0, bedrock: 0 }, quiet: o.quiet, withoutJava: 'stand-in' });
  notes.push(`started ${missing.map((s) => NAME[s]).join(', ')} for this command only (the running stack has none; its data goes when this command stops)`);
  for (const reason of Object.values(extra.unavailable)) notes.push(reason!);
  return {
    env: { ...env, ...endpointEnv(extra.env, missing) }, source: 'attached', services: [...shared, ...missing], notes, unavailable: extra.unavailable, owner, dataDir, pids: extra.pids,
    async stop() {
      try {
        await extra.stop();
      } finally {
        rmSync(privateDir, { recursive: true, force: true });
      }
    },
  };
}

/** The stack recorded in dataDir, if its owner is alive and every endpoint accepts connections. */
export async function runningStack(dataDir: string): Promise<EndpointsFile | undefined> {
  const file = readEndpointsFile(dataDir);
  if (!file) return undefined;
  const endpoints = Object.values(VARIABLE).map((k) => file.env?.[k]).filter((e): e is string => Boolean(e));
  const alive = await Promise.all(endpoints.map(reachable));
  return alive.every(Boolean) ? file : undefined;
}

async function waitForStack(dataDir: string, timeoutMs: number): Promise<EndpointsFile | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const file = await runningStack(dataDir);
    if (file) return file;
    if (!lockHolder(dataDir)) return runningStack(dataDir);
    await new Promise((r) => setTimeout(r, 200));
  }
  return undefined;
}

function endpointEnv(env: Record<string, string>, services: ServiceName[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of services) if (env[VARIABLE[s]]) out[VARIABLE[s]] = env[VARIABLE[s]];
  return out;
}

function pick(endpoints: Record<ServiceName, string>, services: ServiceName[]): Partial<Record<ServiceName, string>> {
  return Object.fromEntries(services.map((s) => [s, endpoints[s]]));
}

function reachable(endpoint: string): Promise<boolean> {
  return new Promise((resolvePromise) => {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      return resolvePromise(false);
    }
    const socket = connect({ host: url.hostname, port: Number(url.port || 80) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolvePromise(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** The public endpoint of each service in an env map (AWS_ENDPOINT_URL_S3 → s3, …). */
export function endpointsOf(env: Record<string, string>): Partial<Record<ServiceName, string>> {
  const out: Partial<Record<ServiceName, string>> = {};
  for (const [service, variable] of Object.entries(VARIABLE) as [ServiceName, string][]) if (env[variable]) out[service] = env[variable];
  return out;
}
