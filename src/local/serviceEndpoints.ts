/**
 * Which local AWS endpoints the sandboxes get. In order: endpoints already in the environment
 * (AWS_ENDPOINT_URL_S3, …), a running `larder services` (its .larder/endpoints.json, if the
 * endpoints answer), else local services started here via startLocalServices — or none, with a
 * clear message, when that module is not available or the caller asked for no services.
 */
import { join, resolve } from 'node:path';
import { connect } from 'node:net';
import type { LarderConfig } from '../config';
import { readEndpointsFile } from './services/endpointsFile';

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

  const dataDir = resolve(options.config.rootDir, options.config.local.data_dir);
  const fromFile = await readRunningServices(dataDir);
  if (fromFile) return { env: fromFile, source: 'endpoints-file', note: `using the running \`larder services\` (${join(dataDir, 'endpoints.json')})`, stop: none };

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

/** The endpoints of a running `larder services` (its pid alive and every endpoint answering), else undefined. */
async function readRunningServices(dataDir: string): Promise<Record<string, string> | undefined> {
  const file = readEndpointsFile(dataDir);
  if (!file) return undefined;
  const env: Record<string, string> = {};
  for (const k of ENDPOINT_VARIABLES) if (file.env?.[k]) env[k] = file.env[k];
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
