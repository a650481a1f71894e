/**
 * Every function a template can hold, read into a FunctionDefinition or a SkippedFunction with the
 * reason: AWS::Serverless::Function (CodeUri, InlineCode, Globals.Function merged as SAM merges it)
 * and AWS::Lambda::Function (a local `Code` path, `Code.ZipFile`, or a CDK asset named by
 * `Metadata.aws:asset:path`). Only what running the function needs must resolve (Handler, Runtime,
 * code, sizes); a function that cannot run here — another runtime, an image, code only in S3 — is
 * listed with why and never blocks the others.
 */
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { containsUnresolved, isUnresolved } from './intrinsics';
import type { ApiEventRoute, FunctionDefinition, FunctionEvent, LayerReference, SkippedFunction, TemplateResource } from './types';

export const FUNCTION_TYPES = ['AWS::Serverless::Function', 'AWS::Lambda::Function'];
const LAYER_TYPES = ['AWS::Serverless::LayerVersion', 'AWS::Lambda::LayerVersion'];
/** Node majors Lambda still runs (or ran recently): 16 and 18 run with a deprecation warning. */
const OLDEST_NODE_MAJOR = 16;
const DEPRECATED_NODE_MAJORS = [16, 18];

export interface FunctionReadContext {
  source: string;
  dir: string;
  raw: Record<string, TemplateResource>;
  rawGlobals: Record<string, any>;
  resolve(value: unknown, path: string): unknown;
}

export type ReadFunctionResult = { ok: true; fn: FunctionDefinition } | { ok: false; skipped: SkippedFunction };

export function readFunction(logicalId: string, ctx: FunctionReadContext): ReadFunctionResult {
  const res = ctx.raw[logicalId];
  const serverless = res.Type === 'AWS::Serverless::Function';
  const base = `Resources.${logicalId}.Properties`;
  const own = (ctx.resolve(res.Properties ?? {}, base) ?? {}) as Record<string, any>;
  const globals = serverless ? ((ctx.resolve(ctx.rawGlobals.Function ?? {}, 'Globals.Function') ?? {}) as Record<string, any>) : {};
  const p: Record<string, any> = { ...globals, ...own };
  const meta = (ctx.resolve(res.Metadata ?? {}, `Resources.${logicalId}.Metadata`) ?? {}) as Record<string, any>;
  const warnings: string[] = [];
  const skip = (reason: string): ReadFunctionResult => ({
    ok: false,
    skipped: { logicalId, resourceType: res.Type, runtime: text(p.Runtime), handler: text(p.Handler), reason },
  });
  const where = (key: string) => `${ctx.source}: ${base}.${key}`;

  if (p.PackageType === 'Image' || p.ImageUri !== undefined || (!serverless && p.Code?.ImageUri !== undefined)) {
    return skip('PackageType Image: a container image needs Docker; Larder runs .zip (Node.js) functions');
  }
  const runtime = p.Runtime;
  if (typeof runtime !== 'string' || isUnresolved(runtime)) return skip(`Runtime is ${runtime === undefined ? 'not set' : `unresolved (${where('Runtime')})`}`);
  const major = /^nodejs(\d+)\.x$/.exec(runtime);
  if (!major) return skip(`Runtime ${runtime} is not a Node.js runtime; Larder runs nodejs* functions only`);
  if (Number(major[1]) < OLDEST_NODE_MAJOR) return skip(`Runtime ${runtime} is no longer supported by Lambda (oldest here: nodejs${OLDEST_NODE_MAJOR}.x)`);
  if (DEPRECATED_NODE_MAJORS.includes(Number(major[1]))) {
    warnings.push(`${logicalId}: Runtime ${runtime} is deprecated by Lambda (no security updates; create/update blocked); it runs here, but move to nodejs22.x`);
  }
  if (typeof p.Handler !== 'string' || isUnresolved(p.Handler) || !p.Handler.includes('.')) {
    return skip(`${where('Handler')}: expected "file.export", found ${JSON.stringify(p.Handler)}`);
  }

  const code = codeLocation(logicalId, p, meta, serverless, ctx.dir);
  if ('reason' in code) return skip(code.reason);

  let sizeError: string | undefined;
  const number = (key: string, fallback: number, min: number, max: number) => {
    const raw = key === 'EphemeralStorage' ? p[key]?.Size : p[key];
    const v = p[key] === undefined ? fallback : Number(raw);
    if (!Number.isInteger(v) || v < min || v > max) sizeError ??= `${where(key)}: expected a whole number from ${min} to ${max}, found ${JSON.stringify(raw)}`;
    return v;
  };
  const memoryMb = number('MemorySize', 128, 128, 10240);
  const timeoutSec = number('Timeout', 3, 1, 900);
  const ephemeralStorageMb = number('EphemeralStorage', 512, 512, 10240);
  if (sizeError) return skip(sizeError);

  const environment: Record<string, string> = {};
  const envVars: Record<string, unknown> = { ...(globals.Environment?.Variables ?? {}), ...(own.Environment?.Variables ?? {}) };
  for (const [k, v] of Object.entries(envVars)) {
    if (v === undefined || v === null) continue;
    if (containsUnresolved(v) || typeof v === 'object') {
      // SAM CLI sets a variable it cannot resolve to "" (env_vars.py); say so, and how to set it.
      warnings.push(`${logicalId}: ${where(`Environment.Variables.${k}`)} is unresolved; it is set to "" (give it a value with --env-vars)`);
      environment[k] = '';
    } else environment[k] = String(v);
  }

  const events: Record<string, FunctionEvent> = {};
  const apiEvents: ApiEventRoute[] = [];
  for (const [eventName, ev] of Object.entries<any>(serverless && p.Events && typeof p.Events === 'object' ? p.Events : {})) {
    if (!ev || typeof ev !== 'object' || typeof ev.Type !== 'string') continue;
    const props = ev.Properties && typeof ev.Properties === 'object' ? ev.Properties : {};
    events[eventName] = { Type: ev.Type, Properties: props };
    if (ev.Type !== 'Api') continue;
    if (typeof props.Path !== 'string' || typeof props.Method !== 'string' || isUnresolved(props.Path) || isUnresolved(props.Method)) {
      warnings.push(`${logicalId}: ${where(`Events.${eventName}`)}: an Api event needs Path and Method; this route is not served`);
      continue;
    }
    apiEvents.push({ eventName, path: props.Path, method: props.Method.toUpperCase(), restApiId: typeof props.RestApiId === 'string' ? props.RestApiId : undefined });
  }

  return {
    ok: true,
    fn: {
      logicalId,
      resourceType: res.Type,
      functionName: typeof p.FunctionName === 'string' && p.FunctionName && !isUnresolved(p.FunctionName) ? p.FunctionName : logicalId,
      handler: p.Handler,
      runtime,
      codeDir: code.codeDir,
      inlineCode: code.inlineCode,
      builtCode: typeof meta['aws:asset:path'] === 'string' || typeof meta.SamResourceId === 'string' || undefined,
      memoryMb,
      timeoutSec,
      ephemeralStorageMb,
      architecture: Array.isArray(p.Architectures) && p.Architectures.length ? String(p.Architectures[0]) : 'x86_64',
      environment,
      apiEvents,
      events,
      functionUrlConfig: serverless && p.FunctionUrlConfig && typeof p.FunctionUrlConfig === 'object' ? p.FunctionUrlConfig : undefined,
      layers: readLayers(logicalId, serverless, ctx),
      buildMethod: typeof meta.BuildMethod === 'string' ? meta.BuildMethod : undefined,
      esbuild: meta.BuildMethod === 'esbuild' || (meta.BuildMethod === 'makefile' && meta.BuildProperties) ? (meta.BuildProperties ?? {}) : undefined,
      warnings,
    },
  };
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' && !isUnresolved(v) ? v : undefined;
}

/**
 * Where the code is. InlineCode / Code.ZipFile get a folder of their own under the OS temp dir (named
 * by a hash of the code; locateHandler writes the file there), as Lambda writes ZipFile to index.js.
 */
function codeLocation(logicalId: string, p: Record<string, any>, meta: Record<string, any>, serverless: boolean, dir: string): { codeDir: string; inlineCode?: string } | { reason: string } {
  const inline = serverless ? p.InlineCode : p.Code?.ZipFile;
  if (inline !== undefined) {
    if (typeof inline !== 'string' || containsUnresolved(inline)) return { reason: `${serverless ? 'InlineCode' : 'Code.ZipFile'} is unresolved` };
    return { codeDir: join(tmpdir(), 'larder-inline', createHash('sha256').update(inline).digest('hex').slice(0, 16)), inlineCode: inline };
  }
  // CDK (cdk synth) and SAM after `sam package` name the local asset folder in Metadata.
  const asset = meta['aws:asset:path'];
  if (typeof asset === 'string' && asset) return { codeDir: resolve(dir, asset) };
  const uri = serverless ? p.CodeUri : p.Code;
  if (uri === undefined) return serverless ? { codeDir: dir } : { reason: 'Code is not set' };
  if (typeof uri === 'string') {
    if (isUnresolved(uri)) return { reason: `${serverless ? 'CodeUri' : 'Code'} is unresolved` };
    if (uri.startsWith('s3://')) return { reason: `the code is in S3 (${uri}); point ${serverless ? 'CodeUri' : 'Code'} at a local folder` };
    if (/\.(zip|jar)$/i.test(uri)) return { reason: `${serverless ? 'CodeUri' : 'Code'} is an archive (${uri}); unzip it and point at the folder` };
    return { codeDir: resolve(dir, uri) };
  }
  return { reason: `the code is in S3 (${JSON.stringify(uri).slice(0, 100)}); point ${serverless ? 'CodeUri' : 'Code'} at a local folder` };
}

/** The function's layers (Globals' first for SAM functions), each a local folder or an ARN. */
function readLayers(logicalId: string, serverless: boolean, ctx: FunctionReadContext): LayerReference[] {
  const res = ctx.raw[logicalId];
  const lists: [unknown, string][] = [[res.Properties?.Layers, `Resources.${logicalId}.Properties.Layers`]];
  if (serverless) lists.unshift([ctx.rawGlobals.Function?.Layers, 'Globals.Function.Layers']);
  const out: LayerReference[] = [];
  for (const [list, path] of lists) {
    if (!Array.isArray(list)) continue;
    list.forEach((entry, i) => {
      const refId = entry && typeof entry === 'object' && typeof (entry as any).Ref === 'string' ? (entry as any).Ref : undefined;
      const layer = refId ? ctx.raw[refId] : undefined;
      if (refId && layer && LAYER_TYPES.includes(layer.Type)) {
        out.push({ logicalId: refId, ...layerContent(refId, layer, ctx) });
        return;
      }
      const arn = ctx.resolve(entry, `${path}[${i}]`);
      out.push({ arn: String(arn) });
    });
  }
  return out;
}

function layerContent(id: string, layer: TemplateResource, ctx: FunctionReadContext): { contentDir?: string; arn?: string } {
  const props = (ctx.resolve(layer.Properties ?? {}, `Resources.${id}.Properties`) ?? {}) as Record<string, any>;
  const asset = layer.Metadata?.['aws:asset:path'];
  const content = typeof asset === 'string' ? asset : layer.Type === 'AWS::Serverless::LayerVersion' ? props.ContentUri : props.Content;
  if (typeof content === 'string' && !isUnresolved(content) && !content.startsWith('s3://')) return { contentDir: resolve(ctx.dir, content) };
  return { arn: String(ctx.resolve({ Ref: id }, `Resources.${id}`)) };
}
