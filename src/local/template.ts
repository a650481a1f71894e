/**
 * Reads a SAM template into the facts the emulator needs: each function's handler, code location,
 * runtime, memory, timeout, /tmp size, environment and Api events, plus the Api's binary media types
 * and CORS settings.
 *
 * Only what our template uses is supported: Globals.Function / Globals.Api, Parameters with
 * defaults, Conditions (Equals/Not/And/Or), and the intrinsics Ref, Sub, GetAtt, If, Join, Select
 * (short `!Tag` and long `Fn::` forms), resolved against local stand-ins for each resource. An
 * intrinsic we do not know fails with TEMPLATE_INVALID naming its path, rather than running with a
 * silently wrong value.
 */
import { readFileSync, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDocument, type CollectionTag, type ScalarTag } from 'yaml';
import { LarderError } from '../errors';
import { resolveIntrinsics, type ResolveScope } from './intrinsics';

export const DEFAULT_TEMPLATE = 'lambda_assets/template.yaml';
const SUPPORTED_RUNTIMES = ['nodejs18.x', 'nodejs20.x', 'nodejs22.x', 'nodejs24.x'];

export interface ApiEventRoute {
  eventName: string;
  path: string;
  method: string;
  /** Logical id of the AWS::Serverless::Api the event attaches to (undefined → SAM's implicit api). */
  restApiId?: string;
}

export interface FunctionDefinition {
  logicalId: string;
  /** The function's name as Lambda would know it: FunctionName when set, else the logical id. */
  functionName: string;
  handler: string;
  runtime: string;
  /** Absolute directory of the function's code (CodeUri resolved against the template's folder). */
  codeDir: string;
  memoryMb: number;
  timeoutSec: number;
  ephemeralStorageMb: number;
  architecture: string;
  environment: Record<string, string>;
  apiEvents: ApiEventRoute[];
  /** Metadata.BuildMethod (`makefile`, `esbuild`, …), when set. */
  buildMethod?: string;
  /**
   * The esbuild options: Metadata.BuildProperties under BuildMethod esbuild (SAM runs esbuild) or
   * makefile (the Makefile's build-<LogicalId> target runs scripts/build.ts, which reads them; SAM
   * itself ignores BuildProperties there). Undefined when built another way.
   */
  esbuild?: EsbuildProperties;
}

export interface EsbuildProperties {
  EntryPoints?: string[];
  External?: string[];
  Format?: 'esm' | 'cjs';
  Target?: string;
  Minify?: boolean;
  Sourcemap?: boolean;
  OutExtension?: string[];
  Banner?: string;
  MainFields?: string;
}

export interface ApiDefinition {
  logicalId: string;
  stageName: string;
  binaryMediaTypes: string[];
  cors?: CorsSettings;
}

export interface CorsSettings {
  allowOrigin: string;
  allowMethods?: string;
  allowHeaders?: string;
  maxAge?: string;
  allowCredentials?: boolean;
}

export interface LoadedTemplate {
  path: string;
  dir: string;
  region: string;
  functions: FunctionDefinition[];
  apis: ApiDefinition[];
  /** The resolved Resources section, for tests that look at tables, buckets and policies. */
  resources: Record<string, { Type: string; Properties?: Record<string, any>; Metadata?: Record<string, any> }>;
}

export interface TemplateOptions {
  region?: string;
  /** Template parameter overrides, like `sam --parameter-overrides`. */
  parameterOverrides?: Record<string, string>;
}

/** Custom YAML tags for CloudFormation's short intrinsic forms: `!Ref X` → `{Ref: X}` etc. */
function cfnTags(): Array<ScalarTag | CollectionTag> {
  const names = ['Ref', 'Sub', 'GetAtt', 'If', 'Join', 'Select', 'Equals', 'Not', 'And', 'Or', 'Split', 'FindInMap', 'Base64', 'GetAZs', 'ImportValue', 'Condition'];
  const tags: Array<ScalarTag | CollectionTag> = [];
  for (const name of names) {
    const key = name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
    const toValue = (value: unknown) => ({ [key]: name === 'GetAtt' && typeof value === 'string' ? value.split('.') : value });
    tags.push({ tag: `!${name}`, resolve: (str: string) => toValue(str) } as ScalarTag);
    tags.push({ tag: `!${name}`, collection: 'seq', resolve: (seq: any) => toValue(seq.toJSON()) } as CollectionTag);
    tags.push({ tag: `!${name}`, collection: 'map', resolve: (map: any) => toValue(map.toJSON()) } as CollectionTag);
  }
  return tags;
}

/** Parses template text to plain data with intrinsics as `{Ref: …}` / `{"Fn::Sub": …}` objects. */
export function parseTemplateText(text: string, source: string): Record<string, any> {
  const doc = parseDocument(text, { customTags: cfnTags(), prettyErrors: true });
  if (doc.errors.length) {
    throw new LarderError('TEMPLATE_INVALID', `${source}: invalid YAML: ${doc.errors[0].message.split('\n')[0]}`);
  }
  const data = doc.toJS({ maxAliasCount: 1000 });
  if (!data || typeof data !== 'object' || typeof data.Resources !== 'object') {
    throw new LarderError('TEMPLATE_INVALID', `${source}: not a CloudFormation/SAM template (no Resources section)`);
  }
  return data;
}

export function loadTemplate(path = DEFAULT_TEMPLATE, options: TemplateOptions = {}): LoadedTemplate {
  const abs = resolve(path);
  if (!existsSync(abs)) {
    throw new LarderError('TEMPLATE_INVALID', `${abs}: template not found (pass --template PATH or run from the project root)`);
  }
  return readTemplate(parseTemplateText(readFileSync(abs, 'utf8'), abs), abs, options);
}

/** Turns parsed template data into function and api definitions. */
export function readTemplate(raw: Record<string, any>, path: string, options: TemplateOptions = {}): LoadedTemplate {
  const dir = dirname(path);
  const region = options.region ?? 'us-east-1';
  const resources: Record<string, any> = raw.Resources ?? {};
  const scope: ResolveScope = {
    source: path,
    region,
    parameters: resolveParameters(raw.Parameters ?? {}, options.parameterOverrides ?? {}, path),
    conditions: raw.Conditions ?? {},
    resources,
  };
  const resolved = resolveIntrinsics(resources, scope, 'Resources') as LoadedTemplate['resources'];
  const globalsFn = (resolveIntrinsics(raw.Globals?.Function ?? {}, scope, 'Globals.Function') ?? {}) as Record<string, any>;
  const globalsApi = (resolveIntrinsics(raw.Globals?.Api ?? {}, scope, 'Globals.Api') ?? {}) as Record<string, any>;

  const functions: FunctionDefinition[] = [];
  const apis: ApiDefinition[] = [];
  for (const [logicalId, res] of Object.entries(resolved)) {
    if (res.Type === 'AWS::Serverless::Function') functions.push(readFunction(logicalId, res, globalsFn, dir, path));
    if (res.Type === 'AWS::Serverless::Api') apis.push(readApi(logicalId, { ...globalsApi, ...(res.Properties ?? {}) }));
  }
  if (!apis.length && functions.some((f) => f.apiEvents.length)) apis.push(readApi('ServerlessRestApi', globalsApi));
  return { path, dir, region, functions, apis, resources: resolved };
}

function readFunction(logicalId: string, res: any, globals: Record<string, any>, dir: string, path: string): FunctionDefinition {
  const p = { ...globals, ...(res.Properties ?? {}) };
  const where = `${path}: Resources.${logicalId}`;
  const fail = (msg: string) => {
    throw new LarderError('TEMPLATE_INVALID', `${where}: ${msg}`);
  };
  if (typeof p.Handler !== 'string' || !p.Handler.includes('.')) fail(`Handler: expected "file.export", found ${JSON.stringify(p.Handler)}`);
  if (typeof p.Runtime !== 'string' || !SUPPORTED_RUNTIMES.includes(p.Runtime)) {
    fail(`Runtime: expected one of ${SUPPORTED_RUNTIMES.join(', ')}, found ${JSON.stringify(p.Runtime)}`);
  }
  const number = (key: string, fallback: number, min: number, max: number) => {
    const v = p[key] === undefined ? fallback : Number(key === 'EphemeralStorage' ? p[key]?.Size : p[key]);
    if (!Number.isInteger(v) || v < min || v > max) fail(`${key}: expected a whole number from ${min} to ${max}, found ${JSON.stringify(p[key])}`);
    return v;
  };
  const envVars: Record<string, unknown> = {
    ...(globals.Environment?.Variables ?? {}),
    ...(res.Properties?.Environment?.Variables ?? {}),
  };
  const environment: Record<string, string> = {};
  for (const [k, v] of Object.entries(envVars)) if (v !== undefined && v !== null) environment[k] = String(v);
  const apiEvents: ApiEventRoute[] = [];
  for (const [eventName, ev] of Object.entries<any>(p.Events ?? {})) {
    if (ev?.Type !== 'Api') continue;
    const props = ev.Properties ?? {};
    if (typeof props.Path !== 'string' || typeof props.Method !== 'string') fail(`Events.${eventName}: an Api event needs Path and Method`);
    apiEvents.push({ eventName, path: props.Path, method: props.Method.toUpperCase(), restApiId: typeof props.RestApiId === 'string' ? props.RestApiId : undefined });
  }
  const meta = res.Metadata ?? {};
  return {
    logicalId,
    functionName: typeof p.FunctionName === 'string' && p.FunctionName ? p.FunctionName : logicalId,
    handler: p.Handler,
    runtime: p.Runtime,
    codeDir: resolve(dir, typeof p.CodeUri === 'string' ? p.CodeUri : '.'),
    memoryMb: number('MemorySize', 128, 128, 10240),
    timeoutSec: number('Timeout', 3, 1, 900),
    ephemeralStorageMb: number('EphemeralStorage', 512, 512, 10240),
    architecture: Array.isArray(p.Architectures) ? String(p.Architectures[0]) : 'x86_64',
    environment,
    apiEvents,
    buildMethod: typeof meta.BuildMethod === 'string' ? meta.BuildMethod : undefined,
    esbuild: meta.BuildMethod === 'esbuild' || (meta.BuildMethod === 'makefile' && meta.BuildProperties) ? (meta.BuildProperties ?? {}) : undefined,
  };
}

function readApi(logicalId: string, p: Record<string, any>): ApiDefinition {
  const unquote = (v: unknown) => (typeof v === 'string' ? v.replace(/^'(.*)'$/, '$1') : undefined);
  let cors: CorsSettings | undefined;
  if (typeof p.Cors === 'string') cors = { allowOrigin: unquote(p.Cors)! };
  else if (p.Cors && typeof p.Cors === 'object') {
    cors = {
      allowOrigin: unquote(p.Cors.AllowOrigin) ?? '*',
      allowMethods: unquote(p.Cors.AllowMethods),
      allowHeaders: unquote(p.Cors.AllowHeaders),
      maxAge: unquote(p.Cors.MaxAge) ?? (p.Cors.MaxAge !== undefined ? String(p.Cors.MaxAge) : undefined),
      allowCredentials: p.Cors.AllowCredentials === true,
    };
  }
  return {
    logicalId,
    stageName: typeof p.StageName === 'string' ? p.StageName : 'Prod',
    // SAM writes '/' as '~1' in BinaryMediaTypes (a JSON-pointer escape).
    binaryMediaTypes: (Array.isArray(p.BinaryMediaTypes) ? p.BinaryMediaTypes : []).map((t: unknown) => String(t).replace(/~1/g, '/')),
    cors,
  };
}

function resolveParameters(params: Record<string, any>, overrides: Record<string, string>, source: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, def] of Object.entries(params)) {
    const value = overrides[name] ?? def?.Default;
    if (value === undefined) {
      throw new LarderError('TEMPLATE_INVALID', `${source}: Parameters.${name} has no Default; pass it with --parameter-overrides ${name}=VALUE`);
    }
    if (Array.isArray(def?.AllowedValues) && !def.AllowedValues.map(String).includes(String(value))) {
      throw new LarderError('TEMPLATE_INVALID', `${source}: Parameters.${name}: expected one of ${def.AllowedValues.join(', ')}, found "${value}"`);
    }
    out[name] = String(value);
  }
  return out;
}

/** Finds a function by logical id or FunctionName; the error lists what exists. */
export function findFunction(template: LoadedTemplate, name: string): FunctionDefinition {
  const bare = name.replace(/^arn:aws:lambda:[^:]*:[^:]*:function:/, '').replace(/:[^:]+$/, '');
  const fn = template.functions.find((f) => f.logicalId === bare || f.functionName === bare);
  if (!fn) {
    throw new LarderError('FUNCTION_NOT_FOUND', `function "${name}" is not in ${template.path} (functions: ${template.functions.map((f) => f.logicalId).join(', ') || 'none'})`);
  }
  return fn;
}
