/**
 * Where a function's Handler points: `query.handler` → the file that defines `query` and the export
 * `handler`. From sources: a function SAM would build with esbuild (BuildMethod esbuild) is bundled
 * first, as `sam build` would (sourceBuild.ts); inline code (InlineCode / ZipFile) is written to its
 * folder as Lambda writes index.js; otherwise the module is matched against
 * Metadata.BuildProperties.EntryPoints or found under CodeUri with a TypeScript or JavaScript
 * extension — which is also how a `sam build` output (`.aws-sam/build/template.yaml`, CodeUri holding
 * app.js while EntryPoints still says app.ts) runs. From a bundle, it is
 * `<bundleDir>/<LogicalId>/query.{mjs,js,cjs}`, as `npm run build` writes it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { LarderError } from '../errors';
import { buildFromSources, hasSourceEntryPoints } from './sourceBuild';
import type { FunctionDefinition } from './template';

export interface HandlerLocation {
  file: string;
  exportName: string;
  typescript: boolean;
  taskRoot: string;
}

const SOURCE_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs', '.cjs'];
const BUNDLE_EXTENSIONS = ['.mjs', '.js', '.cjs'];

export function splitHandler(handler: string): { modulePath: string; exportName: string } {
  const dot = handler.lastIndexOf('.');
  return { modulePath: handler.slice(0, dot), exportName: handler.slice(dot + 1) };
}

export function locateHandler(fn: FunctionDefinition, bundleDir?: string): HandlerLocation {
  const { modulePath, exportName } = splitHandler(fn.handler);
  if (bundleDir) {
    const taskRoot = resolve(bundleDir, fn.logicalId);
    const file = BUNDLE_EXTENSIONS.map((e) => join(taskRoot, modulePath + e)).find(existsSync);
    if (!file) {
      throw new LarderError('FUNCTION_NOT_FOUND', `${fn.logicalId}: no bundle at ${join(taskRoot, modulePath)}.{mjs,js,cjs}; run \`npm run build\` first`);
    }
    return { file, exportName, typescript: false, taskRoot };
  }
  if (fn.inlineCode !== undefined) return { file: writeInlineCode(fn, modulePath), exportName, typescript: false, taskRoot: fn.codeDir };
  if (fn.buildMethod === 'esbuild' && hasSourceEntryPoints(fn)) {
    const outDir = buildFromSources(fn);
    const file = BUNDLE_EXTENSIONS.flatMap((e) => [join(outDir, modulePath + e), join(outDir, basename(modulePath) + e)]).find(existsSync);
    if (!file) throw new LarderError('FUNCTION_NOT_FOUND', `${fn.logicalId}: esbuild wrote no ${basename(modulePath)}.{js,mjs,cjs} for Handler "${fn.handler}" (check EntryPoints)`);
    return { file, exportName, typescript: false, taskRoot: fn.codeDir };
  }
  const entry = (fn.esbuild?.EntryPoints ?? [])
    .map((p) => resolve(fn.codeDir, p))
    .find((p) => basename(p, extname(p)) === basename(modulePath) && existsSync(p));
  const candidates = [...(entry ? [entry] : []), ...SOURCE_EXTENSIONS.map((e) => resolve(fn.codeDir, modulePath + e))];
  const file = candidates.find(existsSync);
  if (!file) {
    throw new LarderError('FUNCTION_NOT_FOUND', `${fn.logicalId}: Handler "${fn.handler}" points at ${candidates[0]}, which does not exist`);
  }
  if (fn.builtCode) keepCommonJs(fn.codeDir, file);
  return { file, exportName, typescript: /\.[mc]?ts$/.test(file), taskRoot: fn.codeDir };
}

/**
 * In Lambda a .js file with no package.json in its package is CommonJS. Here Node walks further up,
 * and a project's `"type": "module"` (a CDK app's, say) would make a built CommonJS bundle fail to
 * load. Build output (a cdk asset, a `sam build` folder) gets a package.json saying commonjs, so it
 * loads as it does in Lambda.
 */
function keepCommonJs(codeDir: string, file: string): void {
  if (!file.endsWith('.js')) return;
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return;
    if (dir === codeDir || dirname(dir) === dir) break;
  }
  for (let dir = dirname(codeDir); dirname(dir) !== dir; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (!existsSync(pkg)) continue;
    if (/"type"\s*:\s*"module"/.test(readFileSync(pkg, 'utf8'))) writeFileSync(join(codeDir, 'package.json'), '{ "type": "commonjs" }\n');
    return;
  }
}

/**
 * Lambda writes ZipFile / InlineCode for Node.js to index.js; code written as an ES module (top-level
 * import/export) gets .mjs so Node loads it as one.
 */
function writeInlineCode(fn: FunctionDefinition, modulePath: string): string {
  const esm = /^\s*(import\s|export\s)/m.test(fn.inlineCode!);
  const file = join(fn.codeDir, modulePath + (esm ? '.mjs' : '.js'));
  mkdirSync(dirname(file), { recursive: true });
  if (!existsSync(file)) writeFileSync(file, fn.inlineCode!);
  return file;
}
