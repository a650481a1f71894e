/**
 * Larder's offline AWS: S3 (s3rver), DynamoDB (AWS's DynamoDB Local) and Bedrock Runtime (our
 * emulator), each behind a fault proxy, on 127.0.0.1. Started from code (tests, bench) or by
 * `larder services`. The three start in parallel; any failure stops what did start and names the
 * service. See docs/services.md.
 *
 *   const services = await startLocalServices();
 *   const config = loadConfig(undefined, { ...process.env, ...services.env });
 *   await services.faults.s3.set({ failNext: 2, status: 503, match: { pathPrefix: '/my-bucket/' } });
 *   await services.stop();
 */
import { resolve } from 'node:path';
import { mkdirSync } from 'node:fs';
import { loadConfig, type LarderConfig } from '../../config';
import { LOCAL_CREDENTIALS } from '../../aws/clients';
import { LarderError, ValidationError } from '../../errors';
import { log } from '../../log';
import { startBedrockEmulator } from './bedrock';
import { startDynamoDbServer } from './dynamodb/server';
import { startFaultProxy } from './faultProxy';
import { FaultState, localFaultController, parseFaultRules, type FaultController, type FaultRule } from './faults';
import { isPortFree, portInUseError, type ServiceName } from './process';
import { startS3Server } from './s3/server';
import { isJavaMissing } from './dynamodb/java';
import { startUnavailableService } from './unavailable';

export { remoteFaultController, type FaultController, type FaultRule, type FaultMatch } from './faults';
export type { ServiceName } from './process';

export const SERVICE_NAMES: readonly ServiceName[] = ['s3', 'dynamodb', 'bedrock'];

export interface LocalServicesOptions {
  /** Region, data dir and ports come from here (default: loadConfig()). */
  config?: LarderConfig;
  /** Start only these services (default: all three). */
  only?: ServiceName[];
  /** Public ports (the fault proxies); 0 → a free port. Default: config.local.ports. */
  ports?: Partial<Record<ServiceName, number>>;
  /** State directory: S3 objects in <dataDir>/s3, DynamoDB tables in <dataDir>/dynamodb when persisted. */
  dataDir?: string;
  /** Keep DynamoDB tables on disk (default: in memory). */
  persist?: boolean;
  /** Buckets that exist from the start. */
  buckets?: string[];
  /** Fault rules in force from the start (in addition to LARDER_FAULTS_<SERVICE> from the env). */
  faults?: Partial<Record<ServiceName, FaultRule | FaultRule[]>>;
  host?: string;
  /** No "started" log line. */
  quiet?: boolean;
  /**
   * When DynamoDB Local cannot run (no Java 17+): 'fail' (default) throws the JAVA_MISSING error;
   * 'stand-in' starts the others and gives DynamoDB an endpoint that answers 503 with the reason
   * (see `unavailable`), so functions that never touch DynamoDB still run.
   */
  withoutJava?: 'fail' | 'stand-in';
}

export interface LocalServices {
  /** Public endpoints (through the fault proxies); '' for a service that was not started. */
  endpoints: Record<ServiceName, string>;
  /** The servers themselves, bypassing the fault proxies (for comparisons, not for tests of faults). */
  directEndpoints: Record<ServiceName, string>;
  /** Process ids of the child processes (s3rver's node, DynamoDB Local's java), to check none survive. */
  pids: { s3?: number; dynamodb?: number };
  /** AWS_ENDPOINT_URL_S3 / _DYNAMODB / _BEDROCK_RUNTIME, AWS_REGION, dummy AWS credentials. */
  env: Record<string, string>;
  faults: Record<ServiceName, FaultController>;
  dataDir: string;
  /** Services that answer only 503 with this reason (withoutJava: 'stand-in'). */
  unavailable: Partial<Record<ServiceName, string>>;
  stop(): Promise<void>;
}

interface RunningService {
  name: ServiceName;
  endpoint: string;
  directEndpoint: string;
  pid?: number;
  faults: FaultController;
  unavailable?: string;
  stop(): Promise<void>;
}

export async function startLocalServices(options: LocalServicesOptions = {}): Promise<LocalServices> {
  const startedAtMs = performance.now();
  const config = options.config ?? loadConfig();
  const host = options.host ?? config.local.host;
  const only = [...new Set(options.only ?? SERVICE_NAMES)];
  const unknown = only.filter((name) => !SERVICE_NAMES.includes(name));
  if (unknown.length) throw new ValidationError(`startLocalServices: unknown service ${unknown.join(', ')} (expected ${SERVICE_NAMES.join(', ')})`);
  const dataDir = resolve(config.rootDir, options.dataDir ?? config.local.data_dir);
  mkdirSync(dataDir, { recursive: true });
  const ports: Record<ServiceName, number> = { s3: config.local.ports.s3, dynamodb: config.local.ports.dynamodb, bedrock: config.local.ports.bedrock };
  for (const name of SERVICE_NAMES) {
    const port = options.ports?.[name];
    if (port !== undefined) ports[name] = port;
  }
  const initialFaults = Object.fromEntries(only.map((name) => [name, startupFaults(name, config, options.faults?.[name])]));

  // A busy configured port fails before anything starts, naming the port and the service.
  for (const name of only) {
    if (ports[name] !== 0 && !(await isPortFree(host, ports[name]))) throw portInUseError(name, host, ports[name]);
  }

  const starts = only.map((name) => startOne(name, { host, port: ports[name], dataDir, persist: options.persist ?? false, buckets: options.buckets ?? [], faults: initialFaults[name], withoutJava: options.withoutJava ?? 'fail' }));
  const settled = await Promise.allSettled(starts);
  const running = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.allSettled(running.map((service) => service.stop()));
    throw failed.reason;
  }

  const byName = new Map(running.map((s) => [s.name, s]));
  const endpoint = (name: ServiceName) => byName.get(name)?.endpoint ?? '';
  const env: Record<string, string> = {
    AWS_REGION: config.s3.region,
    // The aws CLI v1 (botocore) reads AWS_DEFAULT_REGION, not AWS_REGION.
    AWS_DEFAULT_REGION: config.s3.region,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
  };
  if (byName.has('s3')) env.AWS_ENDPOINT_URL_S3 = endpoint('s3');
  if (byName.has('dynamodb')) env.AWS_ENDPOINT_URL_DYNAMODB = endpoint('dynamodb');
  if (byName.has('bedrock')) env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME = endpoint('bedrock');

  let stopping: Promise<void> | undefined;
  const services: LocalServices = {
    endpoints: { s3: endpoint('s3'), dynamodb: endpoint('dynamodb'), bedrock: endpoint('bedrock') },
    directEndpoints: {
      s3: byName.get('s3')?.directEndpoint ?? '',
      dynamodb: byName.get('dynamodb')?.directEndpoint ?? '',
      bedrock: byName.get('bedrock')?.directEndpoint ?? '',
    },
    pids: { s3: byName.get('s3')?.pid, dynamodb: byName.get('dynamodb')?.pid },
    env,
    faults: {
      s3: byName.get('s3')?.faults ?? notStarted('s3'),
      dynamodb: byName.get('dynamodb')?.faults ?? notStarted('dynamodb'),
      bedrock: byName.get('bedrock')?.faults ?? notStarted('bedrock'),
    },
    dataDir,
    unavailable: Object.fromEntries(running.flatMap((s) => (s.unavailable ? [[s.name, s.unavailable]] : []))),
    stop() {
      stopping ??= stopAll(running);
      return stopping;
    },
  };
  if (!options.quiet) {
    log.info('local services started', { endpoints: services.endpoints, startMs: Math.round(performance.now() - startedAtMs), dataDir });
  }
  return services;
}

interface StartOneOptions {
  host: string;
  port: number;
  dataDir: string;
  persist: boolean;
  buckets: string[];
  faults: FaultRule[];
  withoutJava: 'fail' | 'stand-in';
}

async function startOne(name: ServiceName, o: StartOneOptions): Promise<RunningService> {
  const server = await startBackend(name, o);
  const state = new FaultState();
  for (const rule of o.faults) state.add(rule);
  try {
    const proxy = await startFaultProxy({ service: name, host: o.host, port: o.port, target: server.endpoint, state });
    return {
      name,
      endpoint: proxy.endpoint,
      directEndpoint: server.endpoint,
      pid: server.pid,
      unavailable: server.unavailable,
      faults: localFaultController(state),
      async stop() {
        await proxy.close();
        await server.stop();
      },
    };
  } catch (err) {
    await server.stop();
    throw err;
  }
}

async function startBackend(name: ServiceName, o: StartOneOptions): Promise<{ endpoint: string; pid?: number; unavailable?: string; stop(): Promise<void> }> {
  // The backends listen on free ports; the configured port belongs to the fault proxy in front.
  switch (name) {
    case 's3':
      return startS3Server({ host: o.host, directory: resolve(o.dataDir, 's3'), buckets: o.buckets });
    case 'dynamodb':
      try {
        return await startDynamoDbServer({ host: o.host, persistDir: o.persist ? resolve(o.dataDir, 'dynamodb') : undefined });
      } catch (err) {
        if (o.withoutJava !== 'stand-in' || !isJavaMissing(err)) throw err;
        const reason = (err as Error).message;
        return { ...(await startUnavailableService('dynamodb', o.host, reason)), unavailable: reason };
      }
    case 'bedrock': {
      try {
        const emulator = await startBedrockEmulator({ host: o.host, port: 0 });
        return { endpoint: emulator.endpoint, stop: () => emulator.close() };
      } catch (err) {
        throw new LarderError('SERVICE_START', `bedrock: the emulator failed to start: ${(err as Error).message}`, { cause: err });
      }
    }
  }
}

async function stopAll(running: RunningService[]): Promise<void> {
  const results = await Promise.allSettled(running.map((s) => s.stop()));
  const failures = results.flatMap((r, i) => (r.status === 'rejected' ? [`${running[i].name}: ${(r.reason as Error).message}`] : []));
  if (failures.length) throw new LarderError('INTERNAL', `stopping the local services failed: ${failures.join('; ')}`);
}

function startupFaults(name: ServiceName, config: LarderConfig, fromOptions: FaultRule | FaultRule[] | undefined): FaultRule[] {
  const rules: FaultRule[] = fromOptions === undefined ? [] : parseFaultRules(fromOptions, `faults.${name}`);
  const text = config.overrides.localFaults?.[name];
  if (text) {
    const variable = `LARDER_FAULTS_${name.toUpperCase()}`;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new LarderError('CONFIG_INVALID', `${variable}: expected a fault rule as JSON (or an array of rules), found ${JSON.stringify(text)}`, { cause: err });
    }
    rules.push(...parseFaultRules(json, variable));
  }
  return rules;
}

function notStarted(name: ServiceName): FaultController {
  const fail = async (): Promise<never> => {
    throw new LarderError('INTERNAL', `${name} was not started (startLocalServices({ only }) left it out)`);
  };
  return { set: fail, clear: fail, stats: fail, resetStats: fail };
}
