/**
 * Running a user's TypeScript function from sources the way `sam build` (BuildMethod esbuild) would
 * build it: esbuild bundles the entry point with the template's BuildProperties before each cold start,
 * so what runs is what would deploy (Powertools' CommonJS require cycles and JSON requires included,
 * which a TypeScript loader mishandles) and an edit is picked up by the next sandbox. The output goes to
 * `<CodeUri>/node_modules/.cache/larder/<LogicalId>/` — the cache folder convention — so packages
 * left External still resolve from the function's own node_modules; a read-only CodeUri falls back to
 * the OS temp dir.
 */
import { buildSync } from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { LarderError } from '../errors';
import { esbuildOptionsFor } from './esbuildOptions';
import type { FunctionDefinition } from './template';

/** Builds the function and returns the folder holding its bundle. */
export function buildFromSources(fn: FunctionDefinition): string {
  const outDir = cacheDir(fn);
  for (const entry of readdirSync(outDir)) rmSync(join(outDir, entry), { recursive: true, force: true });
  const options = esbuildOptionsFor(fn, outDir);
  try {
    buildSync({ ...options, metafile: false });
  } catch (err) {
    throw new LarderError('VALIDATION', `${fn.logicalId}: esbuild (Metadata.BuildProperties, as \`sam build\` runs it) failed: ${(err as Error).message.split('\n').slice(0, 6).join('\n')}`, { cause: err });
  }
  const ext = options.outExtension?.['.js'] ?? '.js';
  // In the deployed .zip (no package.json from the project) a .js file is CommonJS; the bundle's own
  // package.json keeps it so here, whatever the project's says, and marks an ES module bundle named .js.
  if (ext === '.js') writeFileSync(join(outDir, 'package.json'), options.format === 'esm' ? '{"type":"module"}\n' : '{"type":"commonjs"}\n');
  return outDir;
}

function cacheDir(fn: FunctionDefinition): string {
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

export function bundleBaseName(file: string): string {
  return basename(file).replace(/\.[^.]+$/, '');
}
