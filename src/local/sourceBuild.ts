/**
 * Running a user's TypeScript function from sources the way `sam build` (BuildMethod esbuild) would
 * build it: esbuild bundles the entry point with the template's BuildProperties before a cold start,
 * so what runs is what would deploy (Powertools' CommonJS require cycles and JSON requires included,
 * which a TypeScript loader mishandles).
 *
 * Each build goes to a folder of its own under `<CodeUri>/node_modules/.cache/larder/<LogicalId>/` —
 * the cache-folder convention, so packages left External still resolve from the function's own
 * node_modules; a read-only CodeUri falls back to the OS temp dir. A manifest records every input
 * file's mtime and size: the next cold start reuses the build when none changed (a stat per input, no
 * esbuild), and rebuilds when one did, which is how an edit reaches the next sandbox. A folder is
 * never rewritten in place, so sandboxes starting at the same time never see a half-written bundle;
 * folders superseded more than a minute ago are removed.
 */
import { buildSync } from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { LarderError } from '../errors';
import { esbuildOptionsFor } from './esbuildOptions';
import type { FunctionDefinition } from './template';

const MANIFEST = 'latest.json';
const SUPERSEDED_GRACE_MS = 60_000;
let buildCounter = 0;

interface BuildManifest {
  dir: string;
  optionsKey: string;
  inputs: Record<string, [number, number]>;
}

/** Builds the function (or reuses an up-to-date build) and returns the folder holding its bundle. */
export function buildFromSources(fn: FunctionDefinition): string {
  const base = cacheBase(fn);
  const options = esbuildOptionsFor(fn, base);
  const optionsKey = createHash('sha256').update(JSON.stringify({ ...options, outdir: undefined })).digest('hex');
  const current = readManifest(join(base, MANIFEST));
  if (current && current.optionsKey === optionsKey && existsSync(current.dir) && unchanged(current.inputs)) return current.dir;

  const outDir = join(base, `${Date.now().toString(36)}-${process.pid}-${buildCounter++}`);
  mkdirSync(outDir, { recursive: true });
  const inputs: Record<string, [number, number]> = {};
  try {
    const result = buildSync({ ...options, outdir: outDir, metafile: true });
    for (const input of Object.keys(result.metafile?.inputs ?? {})) {
      const file = resolve(options.absWorkingDir ?? process.cwd(), input.replace(/^[a-z-]+:/, ''));
      if (existsSync(file)) inputs[file] = stamp(file);
    }
  } catch (err) {
    rmSync(outDir, { recursive: true, force: true });
    throw new LarderError('VALIDATION', `${fn.logicalId}: esbuild (Metadata.BuildProperties, as \`sam build\` runs it) failed: ${(err as Error).message.split('\n').slice(0, 6).join('\n')}`, { cause: err });
  }
  const ext = options.outExtension?.['.js'] ?? '.js';
  // In the deployed .zip (no package.json from the project) a .js file is CommonJS; the bundle's own
  // package.json keeps it so here, whatever the project's says, and marks an ES module bundle named .js.
  if (ext === '.js') writeFileSync(join(outDir, 'package.json'), options.format === 'esm' ? '{"type":"module"}\n' : '{"type":"commonjs"}\n');
  const manifest: BuildManifest = { dir: outDir, optionsKey, inputs };
  const tmp = join(base, `.${MANIFEST}.${process.pid}.${buildCounter}`);
  writeFileSync(tmp, JSON.stringify(manifest));
  renameSync(tmp, join(base, MANIFEST));
  pruneSuperseded(base, outDir);
  return outDir;
}

function stamp(file: string): [number, number] {
  const st = statSync(file);
  return [st.mtimeMs, st.size];
}

function unchanged(inputs: Record<string, [number, number]>): boolean {
  for (const [file, [mtime, size]] of Object.entries(inputs)) {
    if (!existsSync(file)) return false;
    const [m, s] = stamp(file);
    if (m !== mtime || s !== size) return false;
  }
  return true;
}

function readManifest(path: string): BuildManifest | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as BuildManifest;
  } catch {
    return undefined;
  }
}

function pruneSuperseded(base: string, keep: string): void {
  const now = Date.now();
  for (const entry of readdirSync(base)) {
    const dir = join(base, entry);
    if (dir === keep || entry.startsWith('.') || entry === MANIFEST) continue;
    try {
      if (now - statSync(dir).mtimeMs > SUPERSEDED_GRACE_MS) rmSync(dir, { recursive: true, force: true });
    } catch {
      // Removed by another process meanwhile.
    }
  }
}

function cacheBase(fn: FunctionDefinition): string {
  const preferred = join(fn.codeDir, 'node_modules', '.cache', 'larder', fn.logicalId);
  try {
    mkdirSync(preferred, { recursive: true });
    return preferred;
  } catch {
    const fallback = join(tmpdir(), 'larder-esbuild', createHash('sha256').update(fn.codeDir).digest('hex').slice(0, 12), fn.logicalId);
    mkdirSync(fallback, { recursive: true });
    return fallback;
  }
}

/** True when the function's entry points are TypeScript sources present under CodeUri (not a `sam build` output). */
export function hasSourceEntryPoints(fn: FunctionDefinition): boolean {
  const entries = esbuildOptionsFor(fn, '.').entryPoints as string[];
  return entries.length > 0 && entries.every((e) => existsSync(e));
}
