/**
 * The bundle step (`npm run build`): esbuild per function with the template's Metadata.BuildProperties,
 * as `sam build` would, into `<outDir>/<LogicalId>/`, plus ml_config.yaml (the config is found through
 * LAMBDA_TASK_ROOT). Native packages stay External (nodejs-polars ships a .node binary); the report
 * adds the node_modules each function needs to its bundle and compares the sum with Lambda's 250 MB
 * unzipped limit for .zip packages.
 */
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { LarderError } from '../errors';
import { splitHandler } from './handlerLocation';
import type { FunctionDefinition, LoadedTemplate } from './template';

export const LAMBDA_UNZIPPED_LIMIT_BYTES = 250 * 1024 * 1024;

export interface BundleReport {
  logicalId: string;
  status: 'built' | 'skipped';
  reason?: string;
  outDir?: string;
  bundleBytes: number;
  externals: { name: string; bytes: number }[];
  totalBytes: number;
  fitsZipLimit: boolean;
}

export interface BundleOptions {
  template: LoadedTemplate;
  outDir: string;
  only?: string[];
  /** Copy the external packages into <outDir>/<LogicalId>/node_modules (a deployable folder). */
  copyExternals?: boolean;
  /**
   * Symlink them instead (cheap; for running a bundle outside the project tree). Without either, a
   * bundle under the project (the default .larder/build) resolves them from the project's node_modules.
   */
  linkExternals?: boolean;
  /** Project root: where node_modules and ml_config.yaml are. */
  rootDir: string;
}

export async function bundleFunctions(options: BundleOptions): Promise<BundleReport[]> {
  const reports: BundleReport[] = [];
  for (const fn of options.template.functions) {
    if (options.only?.length && !options.only.includes(fn.logicalId)) continue;
    reports.push(await bundleFunction(fn, options));
  }
  return reports;
}

async function bundleFunction(fn: FunctionDefinition, options: BundleOptions): Promise<BundleReport> {
  const props = fn.esbuild;
  const skipped = (reason: string): BundleReport => ({ logicalId: fn.logicalId, status: 'skipped', reason, bundleBytes: 0, externals: [], totalBytes: 0, fitsZipLimit: true });
  if (!props) return skipped('no Metadata.BuildMethod esbuild');
  const { modulePath } = splitHandler(fn.handler);
  const entryPoints = (props.EntryPoints?.length ? props.EntryPoints : [modulePath + '.ts']).map((p) => resolve(fn.codeDir, p));
  const missing = entryPoints.filter((p) => !existsSync(p));
  if (missing.length) return skipped(`entry point ${missing.join(', ')} does not exist yet`);

  const outDir = resolve(options.outDir, fn.logicalId);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const esbuildOptions: BuildOptions = {
    entryPoints,
    outdir: outDir,
    bundle: true,
    platform: 'node',
    format: props.Format ?? 'cjs',
    target: props.Target ?? 'node22',
    minify: props.Minify ?? false,
    sourcemap: props.Sourcemap ?? false,
    external: props.External ?? [],
    mainFields: props.MainFields ? String(props.MainFields).split(',') : undefined,
    outExtension: pairs(props.OutExtension),
    banner: pairs(props.Banner),
    metafile: true,
    logLevel: 'silent',
  };
  let metafile: Metafile;
  try {
    metafile = (await build(esbuildOptions)).metafile!;
  } catch (err) {
    throw new LarderError('INTERNAL', `${fn.logicalId}: esbuild failed: ${(err as Error).message.split('\n').slice(0, 6).join('\n')}`, { cause: err });
  }
  const configFile = join(options.rootDir, 'ml_config.yaml');
  if (existsSync(configFile)) cpSync(configFile, join(outDir, 'ml_config.yaml'));

  const bundleBytes = directoryBytes(outDir);
  const externals = [...externalPackages(metafile)].map((name) => ({ name, bytes: packageClosureBytes(name, options.rootDir) }));
  if (options.copyExternals || options.linkExternals) {
    const modules = join(options.rootDir, 'node_modules');
    for (const { name } of externals) {
      for (const dir of packageClosure(name, options.rootDir)) {
        const target = join(outDir, 'node_modules', dir.slice(modules.length + 1));
        mkdirSync(dirname(target), { recursive: true });
        if (options.copyExternals) cpSync(dir, target, { recursive: true, dereference: true });
        else symlinkSync(dir, target, 'dir');
      }
    }
  }
  const totalBytes = bundleBytes + externals.reduce((n, e) => n + e.bytes, 0);
  return { logicalId: fn.logicalId, status: 'built', outDir, bundleBytes, externals, totalBytes, fitsZipLimit: totalBytes <= LAMBDA_UNZIPPED_LIMIT_BYTES };
}

/** SAM writes esbuild's maps as ["key=value", …] (e.g. OutExtension: [".js=.mjs"]). */
function pairs(value: unknown): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  const list = Array.isArray(value) ? value : [value];
  const out: Record<string, string> = {};
  for (const item of list) {
    const text = String(item);
    const eq = text.indexOf('=');
    if (eq > 0) out[text.slice(0, eq)] = text.slice(eq + 1);
  }
  return out;
}

function externalPackages(metafile: Metafile): Set<string> {
  const builtins = new Set(builtinModules);
  const names = new Set<string>();
  for (const output of Object.values(metafile.outputs)) {
    for (const imp of output.imports) {
      if (!imp.external || imp.path.startsWith('node:') || builtins.has(imp.path.split('/')[0])) continue;
      const parts = imp.path.split('/');
      names.add(imp.path.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]);
    }
  }
  return names;
}

/** A package and every dependency (and installed optional dependency, e.g. a native binary) it pulls in. */
function packageClosure(name: string, rootDir: string, seen = new Set<string>()): string[] {
  const dir = join(rootDir, 'node_modules', name);
  if (seen.has(dir) || !existsSync(join(dir, 'package.json'))) return [];
  seen.add(dir);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  for (const dep of Object.keys({ ...(pkg.dependencies ?? {}), ...(pkg.optionalDependencies ?? {}) })) packageClosure(dep, rootDir, seen);
  return [...seen];
}

function packageClosureBytes(name: string, rootDir: string): number {
  return packageClosure(name, rootDir).reduce((n, dir) => n + directoryBytes(dir), 0);
}

function directoryBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    const st = lstatSync(p);
    if (st.isSymbolicLink()) total += statSync(p).isDirectory() ? directoryBytes(p) : statSync(p).size;
    else if (st.isDirectory()) total += directoryBytes(p);
    else total += st.size;
  }
  return total;
}

export function formatBundleReport(reports: BundleReport[]): string {
  const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;
  const lines = ['function                 bundle      externals (node_modules)            total      vs 250 MB'];
  for (const r of reports) {
    if (r.status === 'skipped') {
      lines.push(`${r.logicalId.padEnd(24)} skipped: ${r.reason}`);
      continue;
    }
    const ext = r.externals.map((e) => `${e.name} ${mb(e.bytes)}`).join(', ') || '—';
    const verdict = r.fitsZipLimit ? `fits (${((r.totalBytes / LAMBDA_UNZIPPED_LIMIT_BYTES) * 100).toFixed(0)}%)` : 'TOO BIG: use a container image';
    lines.push(`${r.logicalId.padEnd(24)} ${mb(r.bundleBytes).padEnd(11)} ${ext.padEnd(35)} ${mb(r.totalBytes).padEnd(10)} ${verdict}`);
  }
  return lines.join('\n');
}

