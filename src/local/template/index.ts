/**
 * Reads a SAM / CloudFormation template (YAML or JSON, `cdk synth` output included) into the facts
 * the emulator needs, the way SAM CLI does: leniently. Only what running a function needs must
 * resolve (its Handler, code, Runtime, sizes); everything else that cannot be resolved locally is a
 * placeholder with one warning naming its path (`template.warnings`), and a function Larder cannot
 * run is listed in `skippedFunctions` with the reason instead of failing the whole template.
 *
 * The API other modules build on (start-api routes, layers, local services, schedules): each loaded
 * template carries the parsed `raw` template and `resolve(value, path)`, the same resolver, so a
 * module reads what it needs (`raw.Resources.X.Properties.Auth`) without re-implementing intrinsics.
 *
 *   parse.ts       text → data (YAML short tags, duplicate keys as PyYAML reads them, JSON)
 *   intrinsics.ts  the lenient resolver (placeholders: isUnresolved / containsUnresolved)
 *   localValues.ts pseudo-parameters, Ref and GetAtt local values, SAM-generated resources
 *   functions.ts   functions (Serverless and Lambda), their code, layers and events
 *   apis.ts        Api definitions (stage, binary media types, CORS)
 *   routes.ts      every route a template declares (rest, http, url), for `larder list`
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LarderError } from '../../errors';
import { parseTemplateText } from './parse';
import { resolveIntrinsics, type ResolveScope } from './intrinsics';
import { FUNCTION_TYPES, readFunction } from './functions';
import { readApi } from './apis';
import type { ApiDefinition, FunctionDefinition, LoadedTemplate, RawTemplate, SkippedFunction, TemplateOptions, TemplateResource } from './types';

export * from './types';
export { parseTemplateText } from './parse';
export { LOCAL_ACCOUNT_ID, UNRESOLVED_PREFIX, isUnresolved, containsUnresolved, requireResolved } from './intrinsics';
export { FUNCTION_TYPES } from './functions';

/** Larder's own template, relative to the project root. */
export const DEFAULT_TEMPLATE = 'lambda_assets/template.yaml';

/** Where a command looks when no --template is given: a SAM project's own files first, as `sam` does. */
export const TEMPLATE_CANDIDATES = ['template.yaml', 'template.yml', 'template.json', DEFAULT_TEMPLATE];

/** The template a command uses without --template: the first of TEMPLATE_CANDIDATES in `cwd`. */
export function findDefaultTemplate(cwd = process.cwd()): string {
  const found = TEMPLATE_CANDIDATES.find((name) => existsSync(resolve(cwd, name)));
  return resolve(cwd, found ?? DEFAULT_TEMPLATE);
}

export function loadTemplate(path = findDefaultTemplate(), options: TemplateOptions = {}): LoadedTemplate {
  const abs = resolve(path);
  if (!existsSync(abs)) {
    throw new LarderError('TEMPLATE_INVALID', `${abs}: template not found (pass --template PATH, or run where ${TEMPLATE_CANDIDATES.join(', ')} is)`);
  }
  const warnings: string[] = [];
  const raw = parseTemplateText(readFileSync(abs, 'utf8'), abs, warnings);
  const template = readTemplate(raw, abs, options);
  template.warnings.unshift(...warnings);
  return template;
}

/** Turns parsed template data into function and api definitions. */
export function readTemplate(data: Record<string, any>, path: string, options: TemplateOptions = {}): LoadedTemplate {
  const raw = data as RawTemplate;
  const dir = dirname(path);
  const region = options.region ?? 'us-east-1';
  const warnings: string[] = [];
  const rawResources: Record<string, TemplateResource> = {};
  for (const [id, res] of Object.entries(raw.Resources ?? {})) {
    if (res && typeof res === 'object' && typeof res.Type === 'string') rawResources[id] = res;
    else warnings.push(`${path}: Resources.${id}: not a resource (no Type); ignored`);
  }
  const { values: parameters, missing } = resolveParameters(raw.Parameters ?? {}, options.parameterOverrides ?? {}, path, warnings);
  const scope: ResolveScope = {
    source: path,
    region,
    parameters,
    missingParameters: missing,
    conditions: raw.Conditions ?? {},
    mappings: raw.Mappings ?? {},
    resources: rawResources,
    warnings,
  };
  const resolveValue = (value: unknown, at: string) => resolveIntrinsics(value, scope, at);
  const resources = resolveValue(rawResources, 'Resources') as Record<string, TemplateResource>;
  const globalsApi = (resolveValue(raw.Globals?.Api ?? {}, 'Globals.Api') ?? {}) as Record<string, any>;

  const functions: FunctionDefinition[] = [];
  const skippedFunctions: SkippedFunction[] = [];
  const apis: ApiDefinition[] = [];
  const ctx = { source: path, dir, raw: rawResources, rawGlobals: raw.Globals ?? {}, resolve: resolveValue };
  for (const [logicalId, res] of Object.entries(rawResources)) {
    if (FUNCTION_TYPES.includes(res.Type)) {
      const read = readFunction(logicalId, ctx);
      if (read.ok) {
        functions.push(read.fn);
        warnings.push(...read.fn.warnings);
      } else skippedFunctions.push(read.skipped);
    }
    if (res.Type === 'AWS::Serverless::Api') apis.push(readApi(logicalId, { ...globalsApi, ...(resources[logicalId]?.Properties ?? {}) }));
  }
  if (!apis.some((a) => a.logicalId === 'ServerlessRestApi') && functions.some((f) => f.apiEvents.some((e) => !e.restApiId))) {
    apis.push(readApi('ServerlessRestApi', globalsApi));
  }
  return { path, dir, region, functions, skippedFunctions, apis, resources, raw: { ...raw, Resources: rawResources }, resolve: resolveValue, warnings };
}

/**
 * Parameter values: overrides, then Default. One without either is left out (a Ref to it is a
 * placeholder, fatal only where a run needs it). An override outside AllowedValues is an error: the
 * user typed it; a Default outside them is a warning.
 */
function resolveParameters(params: Record<string, any>, overrides: Record<string, string>, source: string, warnings: string[]) {
  const values: Record<string, unknown> = {};
  const missing = new Set<string>();
  for (const [name, def] of Object.entries(params)) {
    const value = overrides[name] ?? def?.Default;
    if (value === undefined) {
      missing.add(name);
      continue;
    }
    const allowed = Array.isArray(def?.AllowedValues) ? def.AllowedValues.map(String) : undefined;
    if (allowed && !allowed.includes(String(value))) {
      const message = `${source}: Parameters.${name}: expected one of ${allowed.join(', ')}, found "${value}"`;
      if (overrides[name] !== undefined) throw new LarderError('TEMPLATE_INVALID', message);
      warnings.push(`${message} (its Default)`);
    }
    const type = String(def?.Type ?? 'String');
    values[name] = type === 'CommaDelimitedList' || /^List</.test(type) ? String(value).split(',').map((s) => s.trim()) : String(value);
  }
  return { values, missing };
}

/** Finds a function by logical id or FunctionName (or ARN); the error lists what exists, or why it cannot run. */
export function findFunction(template: LoadedTemplate, name: string): FunctionDefinition {
  const bare = name.replace(/^arn:aws:lambda:[^:]*:[^:]*:function:/, '').replace(/:[^:]+$/, '');
  const fn = template.functions.find((f) => f.logicalId === bare || f.functionName === bare);
  if (fn) return fn;
  const skipped = template.skippedFunctions.find((f) => f.logicalId === bare);
  if (skipped) {
    throw new LarderError('FUNCTION_NOT_FOUND', `function "${name}" in ${template.path} cannot run here: ${skipped.reason}`);
  }
  throw new LarderError('FUNCTION_NOT_FOUND', `function "${name}" is not in ${template.path} (functions: ${template.functions.map((f) => f.logicalId).join(', ') || 'none'})`);
}
