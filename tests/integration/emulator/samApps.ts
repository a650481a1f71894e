/**
 * The rendered `sam init` apps of ../shared/sam-apps (Apache-2.0, not ours: read from there, never
 * copied into the repo). Each app runs from a copy under node_modules/.cache/larder-sam-apps/ (keyed
 * by its template and package.json files, reused by later runs), with its own dependencies installed
 * (`npm install --omit=dev`, as `sam build` would) when its code needs any.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';

export const SAM_APPS = resolve(import.meta.dirname, '../../../../shared/sam-apps');
const CACHE = resolve(import.meta.dirname, '../../../node_modules/.cache/larder-sam-apps');
/** Build tools listed as dependencies that the deployed code does not import. */
const BUILD_ONLY = new Set(['esbuild']);

export function samAppNames(): string[] {
  return existsSync(SAM_APPS) ? readdirSync(SAM_APPS).filter((d) => existsSync(join(SAM_APPS, d, 'template.yaml'))).sort() : [];
}

/**
 * A copy of the app, ready to run, with its own dependencies installed when its code needs any. Always
 * a copy: running writes caches next to the code (esbuild's source builds), and ../shared is read-only.
 */
export function preparedApp(name: string): string {
  const source = join(SAM_APPS, name);
  const manifests = packageDirs(source).filter((dir) => runtimeDependencies(dir).length > 0);
  const hash = createHash('sha256').update([readFileSync(join(source, 'template.yaml')), ...manifests.map((d) => readFileSync(join(d, 'package.json')))].join('\n')).digest('hex').slice(0, 12);
  const target = join(CACHE, `${name}-${hash}`);
  if (existsSync(join(target, '.installed'))) return target;
  rmSync(target, { recursive: true, force: true });
  cpSync(source, target, { recursive: true });
  for (const dir of manifests) {
    const rel = dir.slice(source.length);
    execFileSync('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', ...runtimeDependencies(dir).map(([n, v]) => `${n}@${v}`)], {
      cwd: join(target, rel),
      stdio: 'pipe',
      timeout: 300_000,
    });
  }
  writeFileSync(join(target, '.installed'), new Date().toISOString());
  return target;
}

function runtimeDependencies(dir: string): [string, string][] {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  return Object.entries(pkg.dependencies ?? {}).filter(([n]) => !BUILD_ONLY.has(n));
}

function packageDirs(dir: string, out: string[] = []): string[] {
  if (existsSync(join(dir, 'package.json'))) out.push(dir);
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    if (entry !== 'node_modules' && !entry.startsWith('.') && statSync(p).isDirectory()) packageDirs(p, out);
  }
  return out;
}
