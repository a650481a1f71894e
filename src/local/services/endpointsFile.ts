/**
 * The one record of the running local services (the "stack") that every command reads:
 *
 *   <dataDir>/services.lock    {"pid", "command", "startedAt"}: taken (O_EXCL) before anything starts,
 *                              so two servers never share one data folder
 *   <dataDir>/endpoints.json   {"endpoints": {...}, "env": {...}, "pid", "command", "services", "pids", "startedAt", "dataDir"}
 *   <dataDir>/services.env     KEY=VALUE lines (`set -a; . .larder/services.env`, dotenv, docker --env-file)
 *
 * (For `sam local --env-vars`, whose containers see the host as host.docker.internal and get only
 * declared, non-reserved variables, scripts/sam-env.ts derives the right file from endpoints.json.)
 *
 * The owner writes them when its services are up and removes them when they stop. A reader checks
 * that `pid` is alive, so a file left by a killed process is not mistaken for running services; a
 * lock whose pid is gone is taken over.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { LarderError } from '../../errors';
import type { ServiceName } from './process';
import { isPidAlive } from './process';

export const ENDPOINTS_FILE = 'endpoints.json';
export const ENV_FILE = 'services.env';
export const LOCK_FILE = 'services.lock';

export interface EndpointsFile {
  endpoints: Partial<Record<ServiceName, string>>;
  env: Record<string, string>;
  /** The process that owns the services (stopping it stops them). */
  pid: number;
  /** The larder command that started them (`services`, `start`, `start-api`, …). */
  command?: string;
  /** The services this stack runs. */
  services?: ServiceName[];
  /** Child processes (s3rver's node, DynamoDB Local's java). */
  pids?: { s3?: number; dynamodb?: number };
  startedAt: string;
  dataDir: string;
}

export type EndpointsInfo = Omit<EndpointsFile, 'pid' | 'startedAt' | 'dataDir'>;

export function writeEndpointFiles(dataDir: string, info: EndpointsInfo): string[] {
  const content: EndpointsFile = { ...info, pid: process.pid, startedAt: new Date().toISOString(), dataDir };
  const envText = Object.entries(info.env).map(([k, v]) => `${k}=${v}`).join('\n') + '\n';
  const files: Array<[string, string]> = [
    [ENDPOINTS_FILE, JSON.stringify(content, null, 2) + '\n'],
    [ENV_FILE, envText],
  ];
  return files.map(([name, text]) => {
    const path = join(dataDir, name);
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, path);
    return path;
  });
}

/** Removes the record, unless another (live) process has written its own since. */
export function removeEndpointFiles(dataDir: string): void {
  const current = readJson<EndpointsFile>(join(dataDir, ENDPOINTS_FILE));
  if (current && current.pid !== process.pid && isPidAlive(current.pid)) return;
  for (const name of [ENDPOINTS_FILE, ENV_FILE]) rmSync(join(dataDir, name), { force: true });
}

/** The running services' endpoints, or undefined when none are running (no file, or its process is gone). */
export function readEndpointsFile(dataDir: string): EndpointsFile | undefined {
  const content = readJson<EndpointsFile>(join(dataDir, ENDPOINTS_FILE));
  return content && typeof content.pid === 'number' && isPidAlive(content.pid) ? content : undefined;
}

export interface StackLock {
  path: string;
  release(): void;
}

export interface LockHolder {
  pid: number;
  command?: string;
  startedAt?: string;
}

/** Who holds the data folder's lock (a live process), if anyone. */
export function lockHolder(dataDir: string): LockHolder | undefined {
  const holder = readJson<LockHolder>(join(dataDir, LOCK_FILE));
  return holder && typeof holder.pid === 'number' && holder.pid !== process.pid && isPidAlive(holder.pid) ? holder : undefined;
}

/**
 * Takes the data folder's lock or throws CONFLICT naming the holder. A lock left by a dead process
 * is taken over. The lock is what keeps two s3rvers off one `<dataDir>/s3` folder.
 */
export function acquireStackLock(dataDir: string, command: string): StackLock {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = lockHolder(dataDir);
      if (holder) throw lockedError(dataDir, holder);
      rmSync(path, { force: true }); // stale: its process is gone
      continue;
    }
    writeSync(fd, JSON.stringify({ pid: process.pid, command, startedAt: new Date().toISOString() }) + '\n');
    closeSync(fd);
    return {
      path,
      release() {
        const holder = readJson<LockHolder>(path);
        if (holder?.pid === process.pid) rmSync(path, { force: true });
      },
    };
  }
  throw new LarderError('CONFLICT', `could not take the lock ${path}; remove it if no Larder process is running`);
}

export function lockedError(dataDir: string, holder: LockHolder): LarderError {
  return new LarderError(
    'CONFLICT',
    `the local services' data folder ${dataDir} is in use by another Larder process (pid ${holder.pid}, \`larder ${holder.command ?? '?'}\`` +
      `${holder.startedAt ? ` since ${holder.startedAt}` : ''}). Other commands attach to it by themselves; ` +
      'to run a second, separate stack, pass --data-dir DIR (or stop that one with Ctrl-C in its terminal).',
    { details: { pid: holder.pid, command: holder.command, dataDir } },
  );
}

function readJson<T>(path: string): T | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}
