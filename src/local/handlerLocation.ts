/**
 * Where a function's Handler points: `query.handler` → the file that defines `query` and the export
 * `handler`. From sources, the module is matched against Metadata.BuildProperties.EntryPoints (what
 * `sam build` bundles) or found under CodeUri with a TypeScript or JavaScript extension; from a
 * bundle, it is `<bundleDir>/<LogicalId>/query.{mjs,js,cjs}`, as `npm run build` writes it.
 */
import { existsSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { LarderError } from '../errors';
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
  const entry = (fn.esbuild?.EntryPoints ?? [])
    .map((p) => resolve(fn.codeDir, p))
    .find((p) => basename(p, extname(p)) === basename(modulePath));
  const candidates = entry ? [entry] : SOURCE_EXTENSIONS.map((e) => resolve(fn.codeDir, modulePath + e));
  const file = candidates.find(existsSync);
  if (!file) {
    throw new LarderError('FUNCTION_NOT_FOUND', `${fn.logicalId}: Handler "${fn.handler}" points at ${candidates[0]}, which does not exist`);
  }
  return { file, exportName, typescript: /\.[mc]?ts$/.test(file), taskRoot: fn.codeDir };
}
