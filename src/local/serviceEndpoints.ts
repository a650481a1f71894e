/**
 * Which local AWS endpoints the sandboxes get. In order: endpoints already in the environment
 * (AWS_ENDPOINT_URL_S3, …), a running `larder services` (its .larder/endpoints.json, if the
 * endpoints answer), else local services started here via startLocalServices — or none, with a
 * clear message, when that module is not available or the caller asked for no services.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { connect } from 'node:net';
import type { LarderConfig } from '../config';

export interface ResolvedServices {
  /** AWS_ENDPOINT_URL_S3 / _DYNAMODB / _BEDROCK_RUNTIME (whatever is known). */
  env: Record<string, string>;
  /** Where they came from, for the start-up message. */
  source: 'environment' | 'endpoints-file' | 'started' | 'none';
  note?: string;
  stop(): Promise<void>;
}

const ENDPOINT_VARIABLES = ['AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL_DYNAMODB', 'AWS_ENDPOINT_URL_BEDROCK_RUNTIME'];

export async function resolveServices(options: { config: LarderConfig; start: boolean; hostEnv?: Record<string, string | undefined>; quiet?: boolean }): Promise<ResolvedServices> {
  const hostEnv = options.hostEnv ?? process.env;
  const none = async () => {};
  const fromEnv: Record<string, string> = {};
  for (const k of ENDPOINT_VARIABLES) if (hostEnv[k]) fromEnv[k] = hostEnv[k]!;
  if (Object.keys(fromEnv).length) return { env: fromEnv, source: 'environment', stop: none };

  const file = join(resolve(options.config.rootDir, options.config.local.data_dir), 'endpoints.json');
  const fromFile = await readEndpointsFile(file);
  if (fromFile) return { env: fromFile, source: 'endpoints-file', note: file, stop: none };

  if (!options.start) return { env: {}, source: 'none', note: 'local services not started (--no-services)', stop: none };
  let mod: typeof import('./services/index');
  try {
    mod = await import('./services/index');
  } catch (err) {
    return { env: {}, source: 'none', note: `local services are not available (${(err as Error).message}); functions will call real AWS endpoints unless --env-vars sets them`, stop: none };
  }
  const services = await mod.startLocalServices({ config: options.config, quiet: options.quiet });
  const env: Record<string, string> = {};
  for (const k of ENDPOINT_VARIABLES) if (services.env[k]) env[k] = services.env[k];
  return { env, source: 'started', stop: () => services.stop() };
}

/** Reads endpoints.json loosely ({endpoints:{s3,…}}, {s3,…} or {env:{AWS_ENDPOINT_URL_S3,…}}); undefined when absent or stale. */
async function readEndpointsFile(file: string): Promise<Record<string, string> | undefined> {
  if (!existsSync(file)) return undefined;
  let data: any;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  const env: Record<string, string> = {};
  const e = data?.env ?? {};
  const ep = data?.endpoints ?? data ?? {};
  const pick = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  const s3 = pick(e.AWS_ENDPOINT_URL_S3) ?? pick(ep.s3);
  const ddb = pick(e.AWS_ENDPOINT_URL_DYNAMODB) ?? pick(ep.dynamodb);
  const br = pick(e.AWS_ENDPOINT_URL_BEDROCK_RUNTIME) ?? pick(ep.bedrock) ?? pick(ep.bedrockRuntime);
  if (s3) env.AWS_ENDPOINT_URL_S3 = s3;
  if (ddb) env.AWS_ENDPOINT_URL_DYNAMODB = ddb;
  if (br) env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME = br;
  if (!Object.keys(env).length) return undefined;
  const alive = await Promise.all(Object.values(env).map(reachable));
  return alive.every(Boolean) ? env : undefined;
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
