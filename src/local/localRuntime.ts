/**
 * What `larder invoke | start-api | start-lambda | start | demo` share: the options they take (SAM's
 * names where SAM has one), and the assembly of template → local services → emulator → an internal
 * Lambda Invoke endpoint, so handlers can invoke each other (AWS_ENDPOINT_URL_LAMBDA) in every mode.
 */
import { resolve } from 'node:path';
import { loadConfig, type LarderConfig } from '../config';
import { LarderError } from '../errors';
import type { ArgSpec } from '../cli/command';
import { loadTemplate, DEFAULT_TEMPLATE, type LoadedTemplate } from './template';
import { readEnvVarsFile } from './lambdaEnv';
import { LambdaEmulator } from './emulator';
import { resolveServices, type ResolvedServices } from './serviceEndpoints';
import { startLambdaApiServer } from './lambdaApiServer';
import type { RunningServer } from './httpServer';
import { installMissingNodes } from './nodeRuntimes';
import { asyncStatePaths, parseTrafficArgs, trafficArgs } from './trafficSettings';
import { parseSandboxArgs, sandboxArgs } from './sandboxArgs';
import { scheduledEventsOf } from './schedules/scheduledEvents';
import { startSchedules, type RunningSchedules } from './schedules/scheduleRunner';

export const DEFAULT_BUNDLE_DIR = '.larder/build';

export const runtimeArgs = {
  template: { type: 'string', alias: 't', description: 'SAM template', default: DEFAULT_TEMPLATE },
  'env-vars': { type: 'string', alias: 'n', description: 'JSON file of environment overrides in SAM\'s --env-vars format' },
  bundle: { type: 'boolean', description: 'Run the `npm run build` bundles instead of the TypeScript sources', default: false },
  'bundle-dir': { type: 'string', description: 'Where the bundles are', default: DEFAULT_BUNDLE_DIR },
  'no-services': { type: 'boolean', description: 'Do not start local S3/DynamoDB/Bedrock (use the endpoints in the environment or --env-vars)', default: false },
  'inherit-aws-credentials': { type: 'boolean', description: 'Pass the host\'s AWS credentials into the sandboxes (off: dummy local credentials)', default: false },
  'idle-timeout': { type: 'string', description: 'Seconds an unused sandbox stays warm', default: '600' },
  region: { type: 'string', description: 'AWS region the functions see', default: 'us-east-1' },
  node: { type: 'string', description: 'Node binary for every sandbox (default: LARDER_NODE_<MAJOR> for the function\'s Runtime, else LARDER_NODE_BINARY, else this Node)' },
  'parameter-overrides': { type: 'string', description: 'Template parameters, "Name=Value Name2=Value2"' },
  'install-node': { type: 'boolean', description: 'Install the Node each function\'s Runtime names from the npm registry when missing (no prompt)', default: false },
  ...trafficArgs,
  ...sandboxArgs,
} satisfies Record<string, ArgSpec>;

export type RuntimeArgs = { [K in keyof typeof runtimeArgs]: (typeof runtimeArgs)[K]['type'] extends 'boolean' ? boolean : string | undefined };

export interface LocalRuntime {
  config: LarderConfig;
  template: LoadedTemplate;
  emulator: LambdaEmulator;
  services: ResolvedServices;
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

export async function createLocalRuntime(args: RuntimeArgs, options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  const idleSeconds = Number(args['idle-timeout'] ?? 600);
  if (!Number.isFinite(idleSeconds) || idleSeconds < 0) throw new LarderError('VALIDATION', `--idle-timeout: expected seconds ≥ 0, found "${args['idle-timeout']}"`);
  const traffic = parseTrafficArgs(args);
  const template = loadTemplate(args.template ?? DEFAULT_TEMPLATE, {
    region: args.region,
    parameterOverrides: parseParameterOverrides(args['parameter-overrides']),
  });
  const envVars = args['env-vars'] ? readEnvVarsFile(resolve(args['env-vars'])) : undefined;
  const config = loadConfig();
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  for (const w of template.warnings) log(`[larder] template: ${w}`);
  if (args['install-node'] && !args.node) await installMissingNodes(template.functions.map((f) => f.runtime), config.overrides.localNode?.byMajor, log);
  const services = await resolveServices({ config, start: !args['no-services'], quiet: options.quietServices });
  if (services.note) log(`[larder] ${services.source === 'none' ? 'note' : 'services'}: ${services.note}`);
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
