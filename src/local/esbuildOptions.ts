/**
 * The esbuild options `sam build` derives from a function's Metadata.BuildProperties (aws-lambda-builders'
 * NodejsNpmEsbuildBuilder): bundle for the node platform, CommonJS unless Format says esm, the Target,
 * Minify, Sourcemap, External, MainFields, OutExtension and Banner given (and Larder's own
 * SourcesContent, see template/types.ts). One place, so `larder build`,
 * `npm run build` and running TypeScript from sources all produce what SAM would.
 */
import type { BuildOptions } from 'esbuild';
import { resolve } from 'node:path';
import { splitHandler } from './handlerLocation';
import type { FunctionDefinition } from './template';

export function esbuildOptionsFor(fn: FunctionDefinition, outDir: string): BuildOptions {
  const props = fn.esbuild ?? {};
  const { modulePath } = splitHandler(fn.handler);
  const entryPoints = (props.EntryPoints?.length ? props.EntryPoints : [modulePath + '.ts']).map((p) => resolve(fn.codeDir, p));
  return {
    entryPoints,
    outdir: outDir,
    bundle: true,
    platform: 'node',
    format: props.Format ?? 'cjs',
    target: props.Target ?? 'node22',
    minify: props.Minify ?? false,
    sourcemap: props.Sourcemap ?? false,
    ...(props.SourcesContent === undefined ? {} : { sourcesContent: props.SourcesContent !== false && String(props.SourcesContent) !== 'false' }),
    external: props.External ?? [],
    mainFields: props.MainFields ? String(props.MainFields).split(',') : undefined,
    outExtension: pairs(props.OutExtension),
    banner: pairs(props.Banner),
    metafile: true,
    logLevel: 'silent',
  };
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
