/**
 * ml_config.yaml → a typed, validated, frozen LarderConfig, with env overrides applied.
 * Errors name the file, the key path, what was expected and what was found.
 */
import { createHash } from 'node:crypto';
import { readFileSync, existsSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type * as z from 'zod/mini';
import { ConfigError } from '../errors';
import { configSchema, type RawConfig } from './schema';
import { readEnvOverrides, type Env, type EnvOverrides } from './env';

export interface LarderConfig extends RawConfig {
  /** Absolute path of the file this config came from. */
  readonly configPath: string;
  /** Directory of that file; relative paths in the config resolve against it. */
  readonly rootDir: string;
  /** The env overrides that were applied (endpoints, loading mode, Lambda facts). */
  readonly overrides: EnvOverrides;
}

export const DEFAULT_CONFIG_FILE = 'ml_config.yaml';

/**
 * Finds the config: explicit path, else LARDER_CONFIG, else ml_config.yaml in LAMBDA_TASK_ROOT (inside
 * Lambda: the package's own copy, whatever the cwd), in cwd, or in the project root (from sources; in a
 * bundle import.meta.url is the bundle, so that last guess only helps unbundled code).
 */
export function resolveConfigPath(path?: string, env: Env = process.env): string {
  const explicit = path ?? readEnvOverrides(env).configPath;
  if (explicit) return isAbsolute(explicit) ? explicit : resolve(process.cwd(), explicit);
  const candidates = [
    env.LAMBDA_TASK_ROOT ? resolve(env.LAMBDA_TASK_ROOT, DEFAULT_CONFIG_FILE) : undefined,
    resolve(process.cwd(), DEFAULT_CONFIG_FILE),
    resolve(dirname(new URL(import.meta.url).pathname), '../..', DEFAULT_CONFIG_FILE),
  ].filter((p): p is string => Boolean(p));
  return candidates.find((p) => existsSync(p)) ?? candidates[0];
}

export function loadConfig(path?: string, env: Env = process.env): LarderConfig {
  const configPath = resolveConfigPath(path, env);
  if (!existsSync(configPath)) {
    throw new ConfigError(`${configPath}: config file not found (set LARDER_CONFIG or run from the project root)`, {
      details: { notFound: true },
    });
  }
  const text = readFileSync(configPath, 'utf8');
  return parseConfig(text, configPath, env, compiledDocument(configPath, text));
}

/**
 * Parses and validates config text; `source` names the file in error messages. `document`, when
 * given, is the text already parsed (a compiled config, see writeCompiledConfig): it is validated
 * the same way, only the YAML parse is skipped.
 */
export function parseConfig(text: string, source: string, env: Env = process.env, document?: unknown): LarderConfig {
  const data: unknown = document === undefined ? parseYaml(text, source) : document;
  const parsed = configSchema.safeParse(data);
  if (!parsed.success) {
    throw new ConfigError(formatIssues(source, parsed.error.issues, data), { details: { issues: parsed.error.issues } });
  }
  const raw = parsed.data;
  checkReferences(source, raw);
  const overrides = readEnvOverrides(env);
  const configPath = resolve(source);
  const config: LarderConfig = {
    ...raw,
    s3: { ...raw.s3, bucket: overrides.bucket ?? raw.s3.bucket, region: overrides.region ?? raw.s3.region },
    registry: { ...raw.registry, table_name: overrides.tableName ?? raw.registry.table_name },
    cache: { ...raw.cache, budget_bytes: overrides.cacheBudgetBytes ?? raw.cache.budget_bytes },
    configPath,
    rootDir: dirname(configPath),
    overrides,
  };
  return deepFreeze(config);
}

function parseYaml(text: string, source: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length) {
    const e = doc.errors[0];
    throw new ConfigError(`${source}: invalid YAML: ${e.message.split('\n')[0]}`, { cause: e });
  }
  return doc.toJS();
}

/**
 * Where the compiled form of a config file lives: beside it, `ml_config.yaml` →
 * `ml_config.compiled.json`.
 */
export function compiledConfigPath(configPath: string): string {
  return configPath.replace(/\.ya?ml$/i, '') + '.compiled.json';
}

interface CompiledConfig {
  /** SHA-256 (hex) of the YAML text this document was parsed from. */
  sha256: string;
  document: unknown;
}

const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Writes the compiled form of a config file (its parsed document as JSON, with the SHA-256 of the
 * text) into `outDir`, for a Lambda package: on a cold start, parsing the YAML costs ~15–25 ms of
 * the first answer (a cold JIT), JSON.parse well under one. The config is validated first, so an
 * invalid file fails the build, not the function.
 */
export function writeCompiledConfig(configPath: string, outPath: string): void {
  const text = readFileSync(configPath, 'utf8');
  parseConfig(text, configPath, {});
  const compiled: CompiledConfig = { sha256: sha256Hex(text), document: parseYaml(text, configPath) };
  writeFileSync(outPath, JSON.stringify(compiled));
}

/**
 * The parsed document of a compiled config beside `configPath` when it was compiled from exactly
 * `text`; undefined otherwise (none, unreadable, or the YAML edited since), and the YAML is parsed.
 */
function compiledDocument(configPath: string, text: string): unknown {
  const path = compiledConfigPath(configPath);
  if (path === configPath || !existsSync(path)) return undefined;
  try {
    const compiled = JSON.parse(readFileSync(path, 'utf8')) as Partial<CompiledConfig>;
    return compiled.sha256 === sha256Hex(text) && compiled.document !== undefined ? compiled.document : undefined;
  } catch {
    return undefined;
  }
}

function checkReferences(source: string, raw: RawConfig): void {
  const fail = (path: string, expected: string, found: unknown) => {
    throw new ConfigError(`${source}: ${path}: expected ${expected}, found ${JSON.stringify(found)}`);
  };
  const servingKeys = Object.keys(raw.serving_models.models);
  if (!servingKeys.includes(raw.serving_models.default)) {
    fail('serving_models.default', `one of the serving model keys (${servingKeys.join(', ')})`, raw.serving_models.default);
  }
  const embeddingKeys = Object.keys(raw.embedding.models);
  if (!embeddingKeys.includes(raw.embedding.default)) {
    fail('embedding.default', `one of the embedding model keys (${embeddingKeys.join(', ')})`, raw.embedding.default);
  }
  for (const [name, table] of Object.entries(raw.tables)) {
    if (table.kind === 'embeddings') {
      if (!table.embedding_model || !embeddingKeys.includes(table.embedding_model)) {
        fail(`tables.${name}.embedding_model`, `one of the embedding model keys (${embeddingKeys.join(', ')})`, table.embedding_model ?? null);
      }
    } else if (table.embedding_model !== undefined) {
      fail(`tables.${name}.embedding_model`, 'no embedding_model on a table whose kind is not "embeddings"', table.embedding_model);
    }
  }
  for (const required of ['sentences', 'companies', 'sections', 'kpi_facts']) {
    if (!raw.tables[required]) fail(`tables.${required}`, 'a table entry', undefined);
  }
}

function formatIssues(source: string, issues: z.core.$ZodIssue[], data: unknown): string {
  const lines = issues.slice(0, 5).map((issue) => {
    const path = issue.path.length ? issue.path.map(String).join('.') : '(top level)';
    const found = lookup(data, issue.path);
    const expected = describeExpected(issue);
    const foundText = found === undefined ? 'nothing (the key is missing)' : JSON.stringify(found);
    return `${path}: expected ${expected}, found ${foundText}`;
  });
  const more = issues.length > 5 ? `\n  (+${issues.length - 5} more)` : '';
  return `${source}: invalid config\n  ${lines.join('\n  ')}${more}`;
}

function describeExpected(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.expected;
    case 'unrecognized_keys':
      return `no unknown keys (unknown: ${issue.keys.join(', ')})`;
    case 'invalid_value':
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      return `${issue.origin === 'string' ? 'length' : 'a value'} ≥ ${String(issue.minimum)}${issue.inclusive === false ? ' (exclusive)' : ''}`;
    case 'too_big':
      return `${issue.origin === 'string' ? 'length' : 'a value'} ≤ ${String(issue.maximum)}`;
    default:
      return issue.message.replace(/^Invalid input: /, '').replace(/^Invalid string: /, '');
  }
}

function lookup(data: unknown, path: PropertyKey[]): unknown {
  let cur: unknown = data;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}
