/**
 * Helpers for test files that talk to the shared local services started by
 * tests/setup/global-services.ts. The services are SHARED by all test files running in parallel:
 * use uniqueName() for buckets and tables, and scope fault rules with `match` (or start your own
 * instance with startLocalServices({ only: [...] }) for fault tests that need the whole service).
 *
 *   const config = testConfig();
 *   const s3 = createS3Client(config);
 *   const bucket = uniqueName('loader');
 *   await ensureBucket(s3, bucket);
 *   const id = await faults('s3').set({ failNext: 1, match: { pathPrefix: `/${bucket}/` } });
 */
import { resolve } from 'node:path';
import { BucketAlreadyExists, BucketAlreadyOwnedByYou, CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { inject } from 'vitest';
import { loadConfig, type Env, type LarderConfig } from '../../src/config';
import { remoteFaultController, type FaultController, type ServiceName } from '../../src/local/services';

export interface LarderServicesInfo {
  /** Through the fault proxies; use these. */
  endpoints: Record<ServiceName, string>;
  /** The servers themselves, bypassing the fault proxies. */
  directEndpoints: Record<ServiceName, string>;
  /** AWS_ENDPOINT_URL_S3 / _DYNAMODB / _BEDROCK_RUNTIME, AWS_REGION, dummy credentials. */
  env: Record<string, string>;
  dataDir: string;
  pids: { s3?: number; dynamodb?: number };
}

declare module 'vitest' {
  export interface ProvidedContext {
    larderServices: LarderServicesInfo;
  }
}

const CONFIG_PATH = resolve(import.meta.dirname, '../../ml_config.yaml');

/** The shared services' endpoints, env, data dir and pids. */
export function servicesInfo(): LarderServicesInfo {
  const info = inject('larderServices');
  if (!info) {
    throw new Error(
      'the local services are not running: they are started by tests/setup/global-services.ts (vitest.config.ts globalSetup), ' +
        'which skips them when only tests/unit files are selected; integration tests belong in tests/integration',
    );
  }
  return info;
}

/** Env pointing the SDK (and loadConfig) at the local services, with test log level. */
export function localEnv(): Record<string, string> {
  return { LARDER_LOG_LEVEL: 'warn', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...servicesInfo().env };
}

/**
 * ml_config.yaml with env overrides pointing at the local services. Only localEnv() and
 * `extraEnv` are seen (not the developer's shell), so results do not depend on who runs them.
 */
export function testConfig(extraEnv: Env = {}): LarderConfig {
  const env: Env = { ...localEnv(), ...extraEnv };
  return loadConfig(env.LARDER_CONFIG ? undefined : CONFIG_PATH, env);
}

/** The fault controller of a shared service, over HTTP (works from any worker process). */
export function faults(service: ServiceName): FaultController {
  return remoteFaultController(servicesInfo().endpoints[service]);
}

let counter = 0;

/**
 * A name no other test (file, worker or run) uses, valid as an S3 bucket and a DynamoDB table:
 * lowercase letters, digits and hyphens, 3–63 characters.
 */
export function uniqueName(prefix: string): string {
  const clean = prefix.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'test';
  const suffix = `${process.pid.toString(36)}-${(counter++).toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  return `${clean.slice(0, 62 - suffix.length)}-${suffix}`.replace(/^[^a-z0-9]+/, 't');
}

/** Creates the bucket unless it exists already. */
export async function ensureBucket(s3: S3Client, name: string): Promise<void> {
  try {
    await s3.send(new CreateBucketCommand({ Bucket: name }));
  } catch (err) {
    if (err instanceof BucketAlreadyOwnedByYou || err instanceof BucketAlreadyExists) return;
    throw err;
  }
}
