/**
 * What `larder invoke | start-api | start-lambda | start | demo` share: the assembly of template →
 * local services (only those the functions need, shared with other commands through one stack per
 * data folder) → the template's own tables and buckets → emulator → an internal Lambda Invoke
 * endpoint, so handlers can invoke each other (AWS_ENDPOINT_URL_LAMBDA) in every mode.
 * The command-line options themselves are defined in src/cli/runtimeArgs.ts.
 */
import { resolve } from 'node:path';
import { loadConfig, type LarderConfig } from '../config';
import { LarderError } from '../errors';
import { createS3Client, isLocalEndpoint } from '../aws/clients';
import { createDynamoDbClient } from '../aws/dynamodb';
import { loadTemplate, DEFAULT_TEMPLATE, findDefaultTemplate, type LoadedTemplate } from './template';
import { readEnvVarsFile } from './lambdaEnv';
import { LambdaEmulator } from './emulator';
import { resolveServices, type ResolvedServices } from './serviceEndpoints';
import { startLambdaApiServer } from './lambdaApiServer';
import type { RunningServer } from './httpServer';
import { applyProvisionPlan, describeProvisioning, parseServicesFlag, provisionPlan, servicesNeeded, type ProvisionResult } from './provision';
import type { ServiceName } from './services/process';
import { installMissingNodes } from './nodeRuntimes';
import { asyncStatePaths, parseTrafficArgs } from './trafficSettings';
import { parseSandboxArgs } from './sandboxArgs';
import { scheduledEventsOf } from './schedules/scheduledEvents';
import { startSchedules, type RunningSchedules } from './schedules/scheduleRunner';

export const DEFAULT_BUNDLE_DIR = '.larder/build';

/** The parsed runtime options (src/cli/runtimeArgs.ts defines them as flags). */
export interface LocalRuntimeArgs {
  template?: string;
  'env-vars'?: string;
  bundle?: boolean;
  'bundle-dir'?: string;
  /** auto | all | none | a comma list (s3,dynamodb,bedrock). */
  services?: string;
  'no-services'?: boolean;
  'data-dir'?: string;
  'inherit-aws-credentials'?: boolean;
  'idle-timeout'?: string;
  region?: string;
  node?: string;
  'parameter-overrides'?: string;
  /** Install the Node each function's Runtime names from the npm registry when missing. */
  'install-node'?: boolean;
  /** Async timers' scale and the concurrency cap (trafficSettings.ts). */
  'time-scale'?: string;
  'max-concurrency'?: string;
  /** Sandbox runtime options (sandboxArgs.ts). */
  'debug-port'?: string;
  'layer-map'?: string;
  'no-hot-reload'?: boolean;
}
export interface LocalRuntime {
  config: LarderConfig;
  template: LoadedTemplate;
  emulator: LambdaEmulator;
  services: ResolvedServices;
  /** The template's tables and buckets, as created (or found) in the local services. */
  provisioned: ProvisionResult[];
  /** The internal Invoke endpoint handlers reach through AWS_ENDPOINT_URL_LAMBDA. */
  lambdaEndpoint?: RunningServer;
  /** The template's Schedule/ScheduleV2 events, when the command runs them (start, start-api). */
  schedules?: RunningSchedules;
  stop(): Promise<void>;
}

export interface LocalRuntimeOptions {
  /** Port of the Lambda Invoke endpoint (start-lambda's own port, or 0 for an internal one). */
  lambdaPort?: number;
  lambdaHost?: string;
  /** Extra emulator settings (tests). */
  log?: (line: string) => void;
  quietServices?: boolean;
  /** Run the template's Schedule/ScheduleV2 events on their timetable (start, start-api). */
  schedules?: boolean;
  /** The larder command (recorded in the stack's endpoints.json). */
  command?: string;
  /** Address the services listen on (default: local.host). */
  servicesHost?: string;
}

export function parseParameterOverrides(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (text ?? '').split(/\s+/).filter(Boolean)) {
    const m = /^(?:ParameterKey=)?([A-Za-z0-9]+)(?:,ParameterValue)?=(.*)$/.exec(part);
    if (!m) throw new LarderError('VALIDATION', `--parameter-overrides: expected Name=Value, found "${part}"`);
    out[m[1]] = m[2];
  }
  return out;
}

/** A path with a slash is resolved against the working directory; a bare name (e.g. `node22`) is looked up on PATH. */
function resolveBinary(value: string): string {
  return value.includes('/') ? resolve(value) : value;
}

export async function createLocalRuntime(args: LocalRuntimeArgs, options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  const idleSeconds = Number(args['idle-timeout'] ?? 600);
  if (!Number.isFinite(idleSeconds) || idleSeconds < 0) throw new LarderError('VALIDATION', `--idle-timeout: expected seconds ≥ 0, found "${args['idle-timeout']}"`);
  const traffic = parseTrafficArgs(args);
  const template = loadTemplate(args.template ?? findDefaultTemplate(), {
    region: args.region,
    parameterOverrides: parseParameterOverrides(args['parameter-overrides']),
  });
  const envVars = args['env-vars'] ? readEnvVarsFile(resolve(args['env-vars'])) : undefined;
  const config = loadConfig();
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  for (const w of template.warnings) log(`[larder] template: ${w}`);
  if (args['install-node'] && !args.node) await installMissingNodes(template.functions.map((f) => f.runtime), config.overrides.localNode?.byMajor, log);
  const ownTemplate = isLarderTemplate(template, config);
  const need = servicesFor(args, template, ownTemplate);
  if (!args['no-services'] && args.services !== 'all' && !ownTemplate) {
    const why = servicesNeeded(template).reasons;
    for (const s of need) {
      const reasons = why[s] ?? ['--services'];
      log(`[larder] services: ${s} needed by ${reasons.slice(0, 3).join(', ')}${reasons.length > 3 ? ` (+${reasons.length - 3} more)` : ''}`);
    }
  }
  const services = await resolveServices({
    config,
    need,
    disabled: args['no-services'],
    command: options.command ?? 'invoke',
    dataDir: args['data-dir'],
    host: options.servicesHost,
    // Larder's data bucket belongs to Larder's own template; a user's template gets its own buckets.
    buckets: ownTemplate ? [config.s3.bucket] : [],
    quiet: options.quietServices,
  });
  for (const note of services.notes) log(`[larder] services: ${note}`);
  let provisioned: ProvisionResult[];
  try {
    provisioned = await provision(template, services, config);
  } catch (err) {
    await services.stop();
    throw err;
  }
  const lines = describeProvisioning(provisioned);
  if (lines.length) log(`[larder] template resources in the local services:\n${lines.join('\n')}`);
  const emulator = new LambdaEmulator({
    template,
    bundleDir: args.bundle ? resolve(args['bundle-dir'] ?? DEFAULT_BUNDLE_DIR) : undefined,
    envVars,
    serviceEnv: { ...services.env },
    inheritAwsCredentials: args['inherit-aws-credentials'],
    idleTimeoutMs: idleSeconds * 1000,
    node: { binary: args.node ? resolveBinary(args.node) : undefined, byMajor: config.overrides.localNode?.byMajor, fallback: config.overrides.localNode?.binary },
    ...asyncQueueSettings(config),
    timeScale: traffic.timeScale,
    maxConcurrency: traffic.maxConcurrency,
    ...parseSandboxArgs(args),
    log,
  });
  let lambdaEndpoint: RunningServer | undefined;
  try {
    lambdaEndpoint = await startLambdaApiServer({ emulator, host: options.lambdaHost, port: options.lambdaPort ?? 0, log });
  } catch (err) {
    await emulator.stop();
    await services.stop();
    throw err;
  }
  emulator.setServiceEnv({ AWS_ENDPOINT_URL_LAMBDA: lambdaEndpoint.url });
  emulator.resumeQueuedEvents();
  const schedules = options.schedules
    ? startSchedules({ schedules: scheduledEventsOf(template), region: template.region, invokeEvent: (fn, payload) => emulator.invokeEvent(fn, payload), timeScale: traffic.timeScale, log })
    : undefined;
  return {
    config,
    template,
    emulator,
    services,
    provisioned,
    lambdaEndpoint,
    schedules,
    async stop() {
      schedules?.stop();
      await lambdaEndpoint?.close();
      await emulator.stop();
      await services.stop();
    },
  };
}

/** The durable async queue, destination files and failed-events file under local.data_dir. */
function asyncQueueSettings(config: LarderConfig) {
  const paths = asyncStatePaths(config.rootDir, config.local.data_dir);
  return { asyncQueueDir: paths.queueDir, destinationsDir: paths.destinationsDir, failedEventsFile: paths.failedEventsFile };
}

/** Larder's own template (lambda_assets/template.yaml of this project) uses S3, DynamoDB and Bedrock. */
export function isLarderTemplate(template: Pick<LoadedTemplate, 'path'>, config: LarderConfig): boolean {
  return resolve(template.path) === resolve(config.rootDir, DEFAULT_TEMPLATE);
}

function servicesFor(args: LocalRuntimeArgs, template: LoadedTemplate, ownTemplate: boolean): ServiceName[] {
  const forced = parseServicesFlag(args.services);
  if (forced) return forced;
  return ownTemplate ? ['s3', 'dynamodb', 'bedrock'] : servicesNeeded(template).services;
}

/** Creates the template's tables and buckets in the local services (never against non-local endpoints). */
async function provision(template: LoadedTemplate, services: ResolvedServices, config: LarderConfig): Promise<ProvisionResult[]> {
  const plan = provisionPlan(template);
  if (!plan.tables.length && !plan.buckets.length && !plan.unresolved.length) return [];
  const ddbEndpoint = services.env.AWS_ENDPOINT_URL_DYNAMODB;
  const s3Endpoint = services.env.AWS_ENDPOINT_URL_S3;
  const dynamodb = isLocalEndpoint(ddbEndpoint) && !services.unavailable.dynamodb ? createDynamoDbClient(config, { endpoint: ddbEndpoint, maxAttempts: 2 }) : undefined;
  const s3 = isLocalEndpoint(s3Endpoint) ? createS3Client(config, { endpoint: s3Endpoint, maxAttempts: 2 }) : undefined;
  try {
    return await applyProvisionPlan(plan, { dynamodb, s3 });
  } finally {
    dynamodb?.destroy();
    s3?.destroy();
  }
}
