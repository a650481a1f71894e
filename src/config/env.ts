/**
 * The one place environment overrides of the config are read. Everything else receives the
 * resolved values. (createDataLoader reads AWS_LAMBDA_FUNCTION_NAME through `runtime.inLambda`.)
 */
import { ConfigError } from '../errors';

export type DataLoadingMode = 'LOCAL_CACHE' | 'S3_STREAMING';

export interface EnvOverrides {
  configPath?: string;
  dataLoadingMode?: DataLoadingMode;
  region?: string;
  bucket?: string;
  tableName?: string;
  cacheDir?: string;
  cacheBudgetBytes?: number;
  /** The ingest worker Lambda the artifact handler invokes asynchronously (INGEST_FUNCTION_NAME). */
  ingestFunctionName?: string;
  /** The registry's access control (LARDER_REGISTRY_AUTH: required | off) and its default admin's password (LARDER_ADMIN_PASSWORD). */
  registryAuth?: 'required' | 'off';
  adminPassword?: string;
  endpoints: { s3?: string; dynamodb?: string; bedrockRuntime?: string; lambda?: string };
  /** Fault rules for the local services at start, as JSON text (LARDER_FAULTS_S3 / _DYNAMODB / _BEDROCK). */
  localFaults?: { s3?: string; dynamodb?: string; bedrock?: string };
  /**
   * The Node binaries the emulator runs sandboxes with: LARDER_NODE_BINARY for every function,
   * LARDER_NODE_<MAJOR> (e.g. LARDER_NODE_22) for functions whose Runtime is nodejs<MAJOR>.x.
   */
  localNode?: { binary?: string; byMajor: Record<string, string> };
  /** Facts about the Lambda environment, as Lambda (or the emulator) sets them. */
  lambda: {
    functionName?: string;
    taskRoot?: string;
    memoryMb?: number;
    /** EphemeralStorage in MB, when the emulator (or a user) states it; Lambda itself does not expose it. */
    ephemeralStorageMb?: number;
  };
}

export type Env = Record<string, string | undefined>;

export function readEnvOverrides(env: Env = process.env): EnvOverrides {
  const mode = env.DATA_LOADING_MODE?.trim().toUpperCase();
  if (mode && mode !== 'LOCAL_CACHE' && mode !== 'S3_STREAMING') {
    throw new ConfigError(`DATA_LOADING_MODE: expected LOCAL_CACHE or S3_STREAMING, found "${env.DATA_LOADING_MODE}"`);
  }
  return {
    configPath: nonEmpty(env.LARDER_CONFIG),
    dataLoadingMode: (mode || undefined) as DataLoadingMode | undefined,
    region: nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION),
    bucket: nonEmpty(env.LARDER_BUCKET),
    tableName: nonEmpty(env.LARDER_TABLE_NAME),
    cacheDir: nonEmpty(env.LARDER_CACHE_DIR),
    cacheBudgetBytes: intVar(env, 'LARDER_CACHE_BUDGET_BYTES'),
    ingestFunctionName: nonEmpty(env.INGEST_FUNCTION_NAME),
    registryAuth: registryAuthVar(env),
    adminPassword: nonEmpty(env.LARDER_ADMIN_PASSWORD),
    endpoints: {
      s3: nonEmpty(env.AWS_ENDPOINT_URL_S3) ?? nonEmpty(env.AWS_ENDPOINT_URL),
      dynamodb: nonEmpty(env.AWS_ENDPOINT_URL_DYNAMODB) ?? nonEmpty(env.AWS_ENDPOINT_URL),
      bedrockRuntime: nonEmpty(env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME) ?? nonEmpty(env.AWS_ENDPOINT_URL),
      lambda: nonEmpty(env.AWS_ENDPOINT_URL_LAMBDA) ?? nonEmpty(env.AWS_ENDPOINT_URL),
    },
    localFaults: {
      s3: nonEmpty(env.LARDER_FAULTS_S3),
      dynamodb: nonEmpty(env.LARDER_FAULTS_DYNAMODB),
      bedrock: nonEmpty(env.LARDER_FAULTS_BEDROCK),
    },
    localNode: { binary: nonEmpty(env.LARDER_NODE_BINARY), byMajor: nodeBinariesByMajor(env) },
    lambda: {
      functionName: nonEmpty(env.AWS_LAMBDA_FUNCTION_NAME),
      taskRoot: nonEmpty(env.LAMBDA_TASK_ROOT),
      memoryMb: intVar(env, 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE'),
      ephemeralStorageMb: intVar(env, 'LARDER_EPHEMERAL_STORAGE_MB'),
    },
  };
}

function registryAuthVar(env: Env): 'required' | 'off' | undefined {
  const v = nonEmpty(env.LARDER_REGISTRY_AUTH)?.toLowerCase();
  if (v === undefined || v === 'required' || v === 'off') return v;
  throw new ConfigError(`LARDER_REGISTRY_AUTH: expected required or off, found "${env.LARDER_REGISTRY_AUTH}"`);
}

function nodeBinariesByMajor(env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    const m = /^LARDER_NODE_(\d+)$/.exec(name);
    const path = nonEmpty(value);
    if (m && path) out[String(Number(m[1]))] = path;
  }
  return out;
}

function nonEmpty(v: string | undefined): string | undefined {
  const t = v?.trim();
  return t ? t : undefined;
}

function intVar(env: Env, name: string): number | undefined {
  const v = nonEmpty(env[name]);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new ConfigError(`${name}: expected a positive whole number, found "${v}"`);
  return n;
}
