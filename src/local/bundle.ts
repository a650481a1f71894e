/**
 * The bundle step (`npm run build`, `larder build`, and `sam build` through the Makefile): esbuild per
 * function with the template's Metadata.BuildProperties into `<outDir>/<LogicalId>/` (or, for SAM,
 * straight into its ARTIFACTS_DIR), plus what Larder's own code reads from LAMBDA_TASK_ROOT at run time:
 *   - ml_config.yaml (resolveConfigPath looks in LAMBDA_TASK_ROOT first), only in bundles of Larder's
 *     own modules — a user's function never gets it;
 *   - for functions that contain the data loader, the `lambda_source: package` tables from data_cache/
 *     at `data_cache/<local_path>` (tablePackagePath), with the data's NOTICE and MIT licence.
 * Native packages stay External (nodejs-polars ships a .node binary); a deployable package
 * (`copyExternals`) gets them for Lambda's platform (linux, the function's architecture, glibc) and
 * fails clearly when that native package is not installed. The report adds the node_modules each
 * function needs to its bundle and compares the sum with Lambda's 250 MB unzipped limit.
 */
import { build, type Metafile } from 'esbuild';
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { compiledConfigPath, loadConfig, localCacheDir, tableLocalPath, tablePackagePath, writeCompiledConfig, type LarderConfig } from '../config';
import { LarderError } from '../errors';
import { splitHandler } from './handlerLocation';
import { esbuildOptionsFor } from './esbuildOptions';
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
  /** `lambda_source: package` tables copied into the package (functions containing the data loader). */
  packagedTables: { table: string; bytes: number }[];
  /** Package-shipped tables not found in data_cache/ (run `npm run build:data`); the loader reads them from S3 then. */
  missingTables: string[];
}

/** Lambda's platform for native packages: linux, the function's architecture, glibc (Amazon Linux 2023). */
export interface NativeTarget {
  os: 'linux';
  cpu: 'x64' | 'arm64';
  libc: 'glibc';
}

export function lambdaNativeTarget(architecture: string): NativeTarget {
  return { os: 'linux', cpu: architecture === 'arm64' ? 'arm64' : 'x64', libc: 'glibc' };
}

/** The module whose presence in a bundle means the function reads tables, so it gets the package-shipped ones. */
const DATA_LOADER_MODULE = 'src/loader/s3StreamingLoader.ts';
/** Modules that read ml_config.yaml: a bundle containing one is Larder's own and gets the config file. */
const LARDER_CONFIG_MODULES = ['src/config/'];

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
  /**
   * Write the one selected function (`only: [id]`) straight into this directory instead of
   * `<outDir>/<LogicalId>/` — SAM's ARTIFACTS_DIR. Its contents are replaced, the directory kept.
   */
  artifactsDir?: string;
  /** Fail when a package-shipped table is missing from data_cache/ (default: warn; the loader falls back to S3). */
  requirePackageTables?: boolean;
}

export async function bundleFunctions(options: BundleOptions): Promise<BundleReport[]> {
  if (options.artifactsDir !== undefined) {
    const ids = options.template.functions.map((f) => f.logicalId);
    if (options.only?.length !== 1 || !ids.includes(options.only[0])) {
      throw new LarderError('VALIDATION', `artifactsDir builds exactly one function of the template (${ids.join(', ')}); got ${JSON.stringify(options.only ?? [])}`);
    }
  }
  const reports: BundleReport[] = [];
  for (const fn of options.template.functions) {
    if (options.only?.length && !options.only.includes(fn.logicalId)) continue;
    reports.push(await bundleFunction(fn, options));
  }
  return reports;
}

async function bundleFunction(fn: FunctionDefinition, options: BundleOptions): Promise<BundleReport> {
  const props = fn.esbuild;
  const skipped = (reason: string): BundleReport => ({ logicalId: fn.logicalId, status: 'skipped', reason, bundleBytes: 0, externals: [], totalBytes: 0, fitsZipLimit: true, packagedTables: [], missingTables: [] });
  if (!props) return skipped('no esbuild BuildProperties in Metadata (BuildMethod esbuild or makefile)');
  const { modulePath } = splitHandler(fn.handler);
  const entryPoints = (props.EntryPoints?.length ? props.EntryPoints : [modulePath + '.ts']).map((p) => resolve(fn.codeDir, p));
  const missing = entryPoints.filter((p) => !existsSync(p));
  if (missing.length) return skipped(`entry point ${missing.join(', ')} does not exist yet`);

  const outDir = options.artifactsDir !== undefined ? resolve(options.artifactsDir) : resolve(options.outDir, fn.logicalId);
  emptyDirectory(outDir);
  const esbuildOptions = esbuildOptionsFor(fn, outDir);
  let metafile: Metafile;
  try {
    metafile = (await build(esbuildOptions)).metafile!;
  } catch (err) {
    throw new LarderError('INTERNAL', `${fn.logicalId}: esbuild failed: ${(err as Error).message.split('\n').slice(0, 6).join('\n')}`, { cause: err });
  }
  const configFile = join(options.rootDir, 'ml_config.yaml');
  let packagedTables: BundleReport['packagedTables'] = [];
  let missingTables: string[] = [];
  // Larder's config belongs only in Larder's own functions (they read it from LAMBDA_TASK_ROOT), never in a user's bundle.
  if (existsSync(configFile) && containsModulePrefix(metafile, options.rootDir, LARDER_CONFIG_MODULES)) {
    cpSync(configFile, join(outDir, 'ml_config.yaml'));
    writeCompiledConfig(configFile, compiledConfigPath(join(outDir, 'ml_config.yaml'))); // skips the YAML parse on a cold start
    if (containsModule(metafile, options.rootDir, DATA_LOADER_MODULE)) {
      ({ packagedTables, missingTables } = copyPackageTables(loadConfig(configFile, {}), outDir));
      if (missingTables.length && options.requirePackageTables) {
        throw new LarderError('NOT_FOUND', `${fn.logicalId}: package-shipped tables missing from data_cache/: ${missingTables.join(', ')} (run \`npm run build:data\` first)`);
      }
    }
  }

  const bundleBytes = directoryBytes(outDir);
  // A deployable package carries only Lambda's native binaries; a local run (linkExternals) the host's.
  const target = options.copyExternals ? lambdaNativeTarget(fn.architecture) : undefined;
  const externals = [...externalPackages(metafile)].map((name) => {
    const closure = packageClosure(name, options.rootDir).filter((dir) => !target || fitsTarget(dir, target));
    if (target) requireNativePackages(fn.logicalId, closure, target, options.rootDir);
    return { name, closure, bytes: closure.reduce((n, dir) => n + directoryBytes(dir), 0) };
  });
  if (options.copyExternals || options.linkExternals) {
    const modules = join(options.rootDir, 'node_modules');
    for (const { closure } of externals) {
      for (const dir of closure) {
        const dest = join(outDir, 'node_modules', dir.slice(modules.length + 1));
        mkdirSync(dirname(dest), { recursive: true });
        if (options.copyExternals) cpSync(dir, dest, { recursive: true, dereference: true });
        else symlinkSync(dir, dest, 'dir');
      }
    }
  }
  const totalBytes = bundleBytes + externals.reduce((n, e) => n + e.bytes, 0);
  return {
    logicalId: fn.logicalId,
    status: 'built',
    outDir,
    bundleBytes,
    externals: externals.map(({ name, bytes }) => ({ name, bytes })),
    totalBytes,
    fitsZipLimit: totalBytes <= LAMBDA_UNZIPPED_LIMIT_BYTES,
    packagedTables,
    missingTables,
  };
}

/** Empties a directory, keeping it (SAM created ARTIFACTS_DIR and copies from it afterwards). */
function emptyDirectory(dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const entry of readdirSync(dir)) rmSync(join(dir, entry), { recursive: true, force: true });
}

/** True when the bundle includes a module under one of these project folders (e.g. src/config/). */
function containsModulePrefix(metafile: Metafile, rootDir: string, prefixes: string[]): boolean {
  return Object.keys(metafile.inputs).some((input) => {
    const rel = relative(rootDir, resolve(input)).split('\\').join('/');
    return prefixes.some((p) => rel.startsWith(p));
  });
}

function containsModule(metafile: Metafile, rootDir: string, module: string): boolean {
  return Object.keys(metafile.inputs).some((input) => relative(rootDir, resolve(input)).split('\\').join('/') === module);
}

/** Copies every `lambda_source: package` table to `<outDir>/data_cache/<local_path>`, with the data's notice and licence. */
function copyPackageTables(config: LarderConfig, outDir: string): Pick<BundleReport, 'packagedTables' | 'missingTables'> {
  const packagedTables: BundleReport['packagedTables'] = [];
  const missingTables: string[] = [];
  for (const [table, t] of Object.entries(config.tables)) {
    if (t.lambda_source !== 'package') continue;
    const source = tableLocalPath(config, table);
    if (!existsSync(source)) {
      missingTables.push(table);
      continue;
    }
    const dest = tablePackagePath(config, table, outDir);
    mkdirSync(dirname(dest), { recursive: true });
    cpSync(source, dest);
    packagedTables.push({ table, bytes: statSync(dest).size });
  }
  if (packagedTables.length) {
    // The FinSights data is MIT-licensed: its notice travels with every copy.
    for (const file of ['NOTICE.md', 'LICENSE.FinSights.txt']) {
      const source = join(localCacheDir(config), file);
      if (existsSync(source)) cpSync(source, join(outDir, 'data_cache', file));
    }
  }
  return { packagedTables, missingTables };
}

/** False for a package whose package.json `os`/`cpu`/`libc` exclude the target (another platform's native binary). */
function fitsTarget(dir: string, target: NativeTarget): boolean {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { os?: string[]; cpu?: string[]; libc?: string[] };
  // npm's rule: a value must be listed (when any value is listed without '!') and not negated.
  const allows = (list: string[] | undefined, value: string) => {
    const positive = (list ?? []).filter((v) => !v.startsWith('!'));
    return (positive.length === 0 || positive.includes(value)) && !(list ?? []).includes(`!${value}`);
  };
  return allows(pkg.os, target.os) && allows(pkg.cpu, target.cpu) && allows(pkg.libc, target.libc);
}

/**
 * A package that ships per-platform binaries as optional dependencies named `<name>-<os>-<cpu>-gnu`
 * (the napi-rs convention, e.g. nodejs-polars-linux-x64-gnu) must have Lambda's one installed, or the
 * package would fail to load in Lambda. npm installs only the host's: build on Linux x64, e.g. in
 * SAM's build container (`sam build --use-container`).
 */
function requireNativePackages(logicalId: string, closure: string[], target: NativeTarget, rootDir: string): void {
  for (const dir of closure) {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; optionalDependencies?: Record<string, string> };
    const wanted = Object.keys(pkg.optionalDependencies ?? {}).find((dep) => dep.endsWith(`-${target.os}-${target.cpu}-gnu`));
    if (wanted && !existsSync(join(rootDir, 'node_modules', wanted, 'package.json'))) {
      const installed = Object.keys(pkg.optionalDependencies ?? {}).filter((dep) => existsSync(join(rootDir, 'node_modules', dep, 'package.json')));
      throw new LarderError(
        'NOT_FOUND',
        `${logicalId}: ${pkg.name} needs its native package for Lambda (${wanted}), which is not installed ` +
          `(installed: ${installed.join(', ') || 'none'}). npm installs only the host's platform: build on Linux ${target.cpu} ` +
          '(`sam build --use-container`, or `npm ci` on such a machine).',
      );
    }
  }
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
    if (r.packagedTables.length) lines.push(`${''.padEnd(24)} + data_cache/: ${r.packagedTables.map((t) => `${t.table} ${(t.bytes / 1024).toFixed(1)} KB`).join(', ')}`);
    if (r.missingTables.length) {
      lines.push(`${''.padEnd(24)} ! not in data_cache/ (run \`npm run build:data\`), read from S3 instead: ${r.missingTables.join(', ')}`);
    }
  }
  return lines.join('\n');
}

