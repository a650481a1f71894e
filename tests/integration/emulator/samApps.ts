/**
 * The rendered `sam init` apps of ../shared/sam-apps (Apache-2.0, not ours: read from there, never
 * copied into the repo). An app whose code needs npm packages gets a copy with its own dependencies
 * installed (`npm install --omit=dev`, as `sam build` would), cached under
 * node_modules/.cache/larder-sam-apps/ by its package.json so later runs reuse it.
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

/** The app's folder, ready to run: the shared original when it needs no packages, else a cached copy with them installed. */
export function preparedApp(name: string): string {
  const source = join(SAM_APPS, name);
  const manifests = packageDirs(source).filter((dir) => runtimeDependencies(dir).length > 0);
  if (!manifests.length) return source;
  const hash = createHash('sha256').update(manifests.map((d) => readFileSync(join(d, 'package.json'))).join('\n')).digest('hex').slice(0, 12);
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
