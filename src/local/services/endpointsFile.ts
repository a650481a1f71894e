/**
 * Where `larder services` tells other processes how to reach the running services:
 *
 *   <dataDir>/endpoints.json   {"endpoints": {...}, "env": {...}, "pid", "startedAt", "dataDir"}
 *   <dataDir>/services.env     KEY=VALUE lines (`set -a; . .larder/services.env`, dotenv, docker --env-file)
 *
 * (For `sam local --env-vars`, whose containers see the host as host.docker.internal and get only
 * declared, non-reserved variables, scripts/sam-env.ts derives the right file from endpoints.json.)
 *
 * Written when the services are up, removed when they stop. A reader checks that `pid` is alive, so
 * a file left by a killed process is not mistaken for running services.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceName } from './process';
import { isPidAlive } from './process';

export const ENDPOINTS_FILE = 'endpoints.json';
export const ENV_FILE = 'services.env';

export interface EndpointsFile {
  endpoints: Record<ServiceName, string>;
  env: Record<string, string>;
  /** The `larder services` process. */
  pid: number;
  startedAt: string;
  dataDir: string;
}

export function writeEndpointFiles(dataDir: string, info: Omit<EndpointsFile, 'pid' | 'startedAt' | 'dataDir'>): string[] {
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

export function removeEndpointFiles(dataDir: string): void {
  for (const name of [ENDPOINTS_FILE, ENV_FILE]) rmSync(join(dataDir, name), { force: true });
}

/** The running services' endpoints, or undefined when none are running (no file, or its process is gone). */
export function readEndpointsFile(dataDir: string): EndpointsFile | undefined {
  const path = join(dataDir, ENDPOINTS_FILE);
  if (!existsSync(path)) return undefined;
  try {
    const content = JSON.parse(readFileSync(path, 'utf8')) as EndpointsFile;
    return typeof content.pid === 'number' && isPidAlive(content.pid) ? content : undefined;
  } catch {
    return undefined;
  }
}
