/**
 * The environment a sandbox starts with, layered as Lambda and `sam local` layer it:
 *   1. what Lambda's runtime sets (AWS_LAMBDA_FUNCTION_NAME, …, TZ) plus the sandbox's /tmp facts;
 *   2. the template's Environment.Variables (Globals merged with the function's own);
 *   3. local service endpoints, when `larder services` (or a given endpoints file) is in play;
 *   4. `--env-vars FILE` in SAM's format: `Parameters` for every function + one object per function.
 * Unlike `sam local`, a variable from the file that the template does not declare is applied and
 * *warned about* (Lambda would not have it), not silently dropped. Host AWS_* credentials never leak in
 * unless `inheritAwsCredentials` is set; local runs get the dummy credentials the local services take.
 */
import { readFileSync, existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { LarderError } from '../errors';
import { LOCAL_CREDENTIALS } from '../aws/clients';
import type { FunctionDefinition } from './template';

/** Keys Lambda reserves: a template may not set them (deploy fails), so we never warn they are undeclared. */
export const LAMBDA_RESERVED_VARIABLES = new Set([
  '_HANDLER', '_X_AMZN_TRACE_ID', 'AWS_DEFAULT_REGION', 'AWS_REGION', 'AWS_EXECUTION_ENV', 'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME', 'AWS_LAMBDA_LOG_STREAM_NAME', 'AWS_ACCESS_KEY', 'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_LAMBDA_RUNTIME_API', 'LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR',
]);

/** Host variables a sandbox keeps (Lambda has its own LANG; PATH is rebuilt in Lambda's shape below). */
const HOST_PASSTHROUGH = ['LANG', 'HOME', 'SYSTEMROOT', 'LARDER_LOG_LEVEL', 'LARDER_DEBUG'];
const CREDENTIAL_VARIABLES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_CONFIG_FILE'];

/** SAM's --env-vars file: `{ "Parameters": {...}, "<FunctionLogicalId>": {...} }`. */
export type EnvVarsFile = Record<string, Record<string, string>>;

export function readEnvVarsFile(path: string): EnvVarsFile {
  if (!existsSync(path)) throw new LarderError('VALIDATION', `--env-vars ${path}: file not found`);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new LarderError('VALIDATION', `--env-vars ${path}: not valid JSON (${(err as Error).message})`);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    throw new LarderError('VALIDATION', `--env-vars ${path}: expected an object like {"Parameters": {...}, "MyFunction": {...}}`);
  }
  for (const [key, vars] of Object.entries(data)) {
    if (!vars || typeof vars !== 'object' || Array.isArray(vars)) {
      throw new LarderError('VALIDATION', `--env-vars ${path}: "${key}" must be an object of variable names to values`);
    }
    for (const [name, v] of Object.entries(vars)) {
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
        throw new LarderError('VALIDATION', `--env-vars ${path}: ${key}.${name} must be a string, found ${JSON.stringify(v)}`);
      }
    }
  }
  return data as EnvVarsFile;
}

export interface SandboxEnvOptions {
  fn: FunctionDefinition;
  region: string;
  /** The sandbox's own /tmp directory. */
  tmpDir: string;
  /** Where the handler's code lives (the function's CodeUri, or its bundle folder). */
  taskRoot: string;
  envVars?: EnvVarsFile;
  /** From `larder services`: AWS_ENDPOINT_URL_S3, … (credentials in it are ignored here). */
  serviceEnv?: Record<string, string>;
  inheritAwsCredentials?: boolean;
  hostEnv?: Record<string, string | undefined>;
  /** The Node binary the sandbox runs: its folder stands in for Lambda's /var/lang/bin on PATH. */
  nodeBinary?: string;
  /** Layer folders whose bin/ stands in for /opt/bin on PATH. */
  layerBinDirs?: string[];
  /** The real module search path (layers' node_modules, the runtime's SDK, the task root): CommonJS reads NODE_PATH at start-up. */
  nodePath?: string[];
}

export interface SandboxEnv {
  env: Record<string, string>;
  logStreamName: string;
  warnings: string[];
}

export function buildSandboxEnv(options: SandboxEnvOptions): SandboxEnv {
  const { fn, region, tmpDir } = options;
  const host = options.hostEnv ?? process.env;
  const env: Record<string, string> = {};
  for (const k of HOST_PASSTHROUGH) if (host[k] !== undefined) env[k] = host[k]!;

  const logStreamName = `${new Date().toISOString().slice(0, 10).replace(/-/g, '/')}/[$LATEST]${randomBytes(16).toString('hex')}`;
  Object.assign(env, {
    AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: logStreamName,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    LAMBDA_TASK_ROOT: options.taskRoot,
    LAMBDA_RUNTIME_DIR: '/var/runtime',
    _HANDLER: fn.handler,
    TZ: ':UTC',
    // What `sam local` sets: Powertools and many apps switch to local behaviour on it.
    AWS_SAM_LOCAL: 'true',
    // Lambda's PATH (/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin), with this machine's folders for /var/lang/bin and /opt/bin.
    PATH: [dirname(options.nodeBinary ?? process.execPath), '/usr/local/bin', '/usr/bin/', '/bin', ...(options.layerBinDirs ?? [])].join(':'),
    // Not set by Lambda; the emulator states these so code finds the sandbox's /tmp and its size.
    TMPDIR: tmpDir,
    LARDER_EPHEMERAL_STORAGE_MB: String(fn.ephemeralStorageMb),
    LARDER_CACHE_DIR: join(tmpDir, 'larder-cache'),
  });
  if (options.nodePath?.length) env.NODE_PATH = options.nodePath.join(':');
  // The SDK nags about Node < 22 on every client; Lambda's nodejs22.x never would, so neither do we.
  if (Number(process.versions.node.split('.')[0]) < 22) env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

  const warnings: string[] = [];
  const declared = new Set(Object.keys(fn.environment));
  for (const [k, v] of Object.entries(fn.environment)) {
    if (LAMBDA_RESERVED_VARIABLES.has(k)) {
      warnings.push(`${fn.logicalId}: the template sets ${k}, which Lambda reserves (deploy would fail); ignored`);
      continue;
    }
    // An empty declared value means "unset unless something below provides it" (SDKs ignore empty endpoints too).
    if (v !== '') env[k] = v;
  }

  for (const [k, v] of Object.entries(options.serviceEnv ?? {})) {
    if (CREDENTIAL_VARIABLES.includes(k) || k === 'AWS_REGION' || k === 'AWS_DEFAULT_REGION') continue;
    env[k] = v;
  }

  if (options.inheritAwsCredentials) {
    for (const k of CREDENTIAL_VARIABLES) if (host[k] !== undefined) env[k] = host[k]!;
  } else {
    env.AWS_ACCESS_KEY_ID = LOCAL_CREDENTIALS.accessKeyId;
    env.AWS_SECRET_ACCESS_KEY = LOCAL_CREDENTIALS.secretAccessKey;
    // No profile, no shared files: the SDK must not find the developer's real credentials.
    env.AWS_SHARED_CREDENTIALS_FILE = '/dev/null';
    env.AWS_CONFIG_FILE = '/dev/null';
  }

  const file = options.envVars ?? {};
  for (const [k, v] of Object.entries(file.Parameters ?? {})) {
    if (declared.has(k)) env[k] = hostReachable(String(v));
  }
  const own = file[fn.logicalId] ?? file[fn.functionName] ?? {};
  for (const [k, v] of Object.entries(own)) {
    if (!declared.has(k) && !LAMBDA_RESERVED_VARIABLES.has(k)) {
      warnings.push(
        `${fn.logicalId}: --env-vars sets ${k}, which the template does not declare; applied here, but Lambda (and sam local, which drops it) will not have it — add it to the function's Environment.Variables`,
      );
    }
    env[k] = hostReachable(String(v));
  }
  for (const [k, v] of Object.entries(env)) if (v === '') delete env[k];
  return { env, logStreamName, warnings };
}

/**
 * env.json serves `sam local` too, whose containers reach the host as host.docker.internal; our
 * sandboxes are host processes, so that name becomes 127.0.0.1 here.
 */
function hostReachable(value: string): string {
  return value.replace(/^(https?:\/\/)host\.docker\.internal(?=[:/]|$)/, '$1127.0.0.1');
}

/** `Parameters` keys that no function declares: `sam local` ignores them, so say so. */
export function undeclaredParameterWarnings(envVars: EnvVarsFile, functions: FunctionDefinition[]): string[] {
  const declared = new Set(functions.flatMap((f) => Object.keys(f.environment)));
  return Object.keys(envVars.Parameters ?? {})
    .filter((k) => !declared.has(k))
    .map((k) => `--env-vars Parameters.${k}: no function declares ${k} in the template, so no function gets it`);
}
