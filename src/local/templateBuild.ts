/**
 * `larder build`: a user's template built into the layout `sam build` writes (`.aws-sam/build/`):
 * one folder per function and layer, named by logical id, and a `template.yaml` whose CodeUri /
 * ContentUri / Code point at those folders (with Metadata.SamResourceId, as SAM writes it), so
 * `sam local`, `sam deploy` and `larder invoke -t .aws-sam/build/template.yaml` all run the result.
 * How each function is built follows its Metadata, as in SAM: BuildMethod esbuild → esbuild with the
 * BuildProperties; makefile → `make build-<LogicalId>` in CodeUri with ARTIFACTS_DIR set; otherwise
 * the CodeUri folder is copied with the node_modules already installed there (SAM would run npm
 * install; Larder works offline). Inline code stays inline. Nothing of Larder's goes into the output.
 */
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { stringify } from 'yaml';
import { LarderError } from '../errors';
import { esbuildOptionsFor } from './esbuildOptions';
import type { FunctionDefinition, LoadedTemplate } from './template';

export const DEFAULT_BUILD_DIR = '.aws-sam/build';

export interface BuiltArtifact {
  logicalId: string;
  kind: 'function' | 'layer';
  method: 'esbuild' | 'makefile' | 'copy' | 'inline' | 'skipped';
  dir?: string;
  reason?: string;
}

export interface TemplateBuildOptions {
  buildDir: string;
  /** Only these functions (and every layer); default all. */
  only?: string[];
}

export async function buildTemplate(template: LoadedTemplate, options: TemplateBuildOptions): Promise<BuiltArtifact[]> {
  const buildDir = resolve(options.buildDir);
  if (isInside(template.dir, buildDir) && template.path.startsWith(buildDir + sep)) {
    throw new LarderError('VALIDATION', `${template.path} is already inside the build folder ${buildDir}; build the source template instead`);
  }
  mkdirSync(buildDir, { recursive: true });
  const out: BuiltArtifact[] = [];
  const raw = structuredClone(template.raw);
  for (const fn of template.functions) {
    if (options.only?.length && !options.only.includes(fn.logicalId)) continue;
    const artifact = await buildFunction(fn, join(buildDir, fn.logicalId));
    out.push(artifact);
    if (artifact.dir) pointAt(raw.Resources[fn.logicalId], fn.resourceType === 'AWS::Serverless::Function' ? 'CodeUri' : 'Code', fn.logicalId);
  }
  for (const skipped of template.skippedFunctions) out.push({ logicalId: skipped.logicalId, kind: 'function', method: 'skipped', reason: skipped.reason });
  const layers = new Map(template.functions.flatMap((f) => f.layers).filter((l) => l.logicalId && l.contentDir).map((l) => [l.logicalId!, l.contentDir!]));
  for (const [id, dir] of layers) {
    const dest = join(buildDir, id);
    copyFolder(dir, dest);
    out.push({ logicalId: id, kind: 'layer', method: 'copy', dir: dest });
    pointAt(raw.Resources[id], raw.Resources[id].Type === 'AWS::Serverless::LayerVersion' ? 'ContentUri' : 'Content', id);
  }
  writeFileSync(join(buildDir, 'template.yaml'), stringify(raw, { version: '1.1', lineWidth: 0, aliasDuplicateObjects: false }));
  return out;
}

async function buildFunction(fn: FunctionDefinition, dest: string): Promise<BuiltArtifact> {
  const base = { logicalId: fn.logicalId, kind: 'function' as const };
  if (fn.inlineCode !== undefined) return { ...base, method: 'inline' };
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  if (fn.buildMethod === 'esbuild') {
    try {
      await build({ ...esbuildOptionsFor(fn, dest), metafile: false });
    } catch (err) {
      throw new LarderError('VALIDATION', `${fn.logicalId}: esbuild failed: ${(err as Error).message.split('\n').slice(0, 6).join('\n')}`, { cause: err });
    }
    return { ...base, method: 'esbuild', dir: dest };
  }
  if (fn.buildMethod === 'makefile') {
    if (!existsSync(join(fn.codeDir, 'Makefile'))) throw new LarderError('VALIDATION', `${fn.logicalId}: BuildMethod makefile, but ${fn.codeDir} has no Makefile`);
    try {
      execFileSync('make', [`build-${fn.logicalId}`], { cwd: fn.codeDir, env: { ...process.env, ARTIFACTS_DIR: dest }, stdio: 'pipe', timeout: 600_000 });
    } catch (err) {
      const e = err as { stderr?: Buffer; message: string };
      throw new LarderError('VALIDATION', `${fn.logicalId}: make build-${fn.logicalId} failed: ${(e.stderr?.toString() || e.message).trim().split('\n').slice(-6).join('\n')}`, { cause: err });
    }
    return { ...base, method: 'makefile', dir: dest };
  }
  copyFolder(fn.codeDir, dest);
  return { ...base, method: 'copy', dir: dest };
}

/** Copies a code folder, leaving out build output and caches (.aws-sam, node_modules/.cache). */
function copyFolder(source: string, dest: string): void {
  if (!existsSync(source)) throw new LarderError('VALIDATION', `${source}: no such folder to build`);
  const skip = (p: string) => {
    const rel = relative(source, p).split(sep);
    return rel[0] === '.aws-sam' || rel[0] === '.git' || (rel.includes('node_modules') && rel[rel.indexOf('node_modules') + 1] === '.cache');
  };
  rmSync(dest, { recursive: true, force: true });
  cpSync(source, dest, { recursive: true, filter: (p) => !skip(p), dereference: true });
}

/** Points a resource's code property at its folder in the build dir, as SAM's built template does. */
function pointAt(resource: Record<string, any>, key: string, folder: string): void {
  resource.Properties = { ...(resource.Properties ?? {}), [key]: folder };
  const meta = { ...(resource.Metadata ?? {}), SamResourceId: folder };
  // The asset is now the built folder; a CDK asset path would point back at cdk.out.
  delete meta['aws:asset:path'];
  resource.Metadata = meta;
}

function isInside(dir: string, parent: string): boolean {
  const rel = relative(parent, dir);
  return !rel.startsWith('..') && !rel.startsWith(sep);
}
