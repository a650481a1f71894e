/**
 * Picks the loader for this process and keeps it (and so its loaded tables) at module scope, so a
 * warm Lambda invocation pays nothing for data. The only code that decides from DATA_LOADING_MODE
 * and AWS_LAMBDA_FUNCTION_NAME (both read through src/config/env.ts).
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../aws';
import { readEnvOverrides, type Env, type EnvOverrides, type LarderConfig } from '../config';
import { log } from '../log';
import { LocalCacheLoader } from './localCacheLoader';
import { S3StreamingLoader } from './s3StreamingLoader';
import { TmpCache } from './tmpCache';
import type { DataLoader } from './types';

export interface DataLoaderDeps {
  /** S3 client for the streaming loader (built from the config when omitted). */
  s3?: S3Client;
  /** A new loader even if one exists for this config (tests: simulates a new process). */
  fresh?: boolean;
}

export interface LoaderChoice {
  mode: 'LOCAL_CACHE' | 'S3_STREAMING';
  reason: string;
  cacheDir: string;
  budgetBytes: number;
}

const MIB = 1024 * 1024;
const loaders = new Map<string, DataLoader>();

export function createDataLoader(config: LarderConfig, env?: Env, deps: DataLoaderDeps = {}): DataLoader {
  const overrides = env ? readEnvOverrides(env) : config.overrides;
  const choice = chooseLoader(config, overrides);
  const key = [choice.mode, config.configPath, config.s3.bucket, choice.cacheDir, overrides.endpoints.s3 ?? ''].join('|');
  const existing = loaders.get(key);
  if (existing && !deps.fresh && !deps.s3) return existing;
  let loader: DataLoader;
  if (choice.mode === 'S3_STREAMING') {
    const s3 = deps.s3 ?? createS3Client(config, { endpoint: overrides.endpoints.s3 });
    const cache = new TmpCache({ dir: choice.cacheDir, maxBytes: choice.budgetBytes });
    loader = new S3StreamingLoader(config, { s3, cache, taskRoot: overrides.lambda.taskRoot });
    log.info('data loader: S3StreamingLoader', { reason: choice.reason, bucket: config.s3.bucket, cacheDir: choice.cacheDir, budgetBytes: choice.budgetBytes });
  } else {
    loader = new LocalCacheLoader(config);
    log.info('data loader: LocalCacheLoader', { reason: choice.reason, dataCache: config.cache.local_dir });
  }
  loaders.set(key, loader);
  return loader;
}

/** Which loader, why, and where its cache lives — without building anything. */
export function chooseLoader(config: LarderConfig, overrides: EnvOverrides = config.overrides): LoaderChoice {
  const inLambda = Boolean(overrides.lambda.functionName);
  let mode: LoaderChoice['mode'];
  let reason: string;
  if (overrides.dataLoadingMode) {
    mode = overrides.dataLoadingMode;
    reason = `DATA_LOADING_MODE=${overrides.dataLoadingMode}`;
  } else if (inLambda) {
    mode = 'S3_STREAMING';
    reason = `AWS_LAMBDA_FUNCTION_NAME=${overrides.lambda.functionName} (running in Lambda)`;
  } else {
    mode = 'LOCAL_CACHE';
    reason = 'not in Lambda and DATA_LOADING_MODE unset';
  }
  const cacheDir = overrides.cacheDir ?? (inLambda ? join('/tmp', config.cache.lambda_dir_name) : join(tmpdir(), config.cache.lambda_dir_name));
  return { mode, reason, cacheDir, budgetBytes: cacheBudgetBytes(config, overrides) };
}

/** cache.budget_bytes, else EphemeralStorage (512 MB unless LARDER_EPHEMERAL_STORAGE_MB says) minus headroom. */
export function cacheBudgetBytes(config: LarderConfig, overrides: EnvOverrides = config.overrides): number {
  const explicit = overrides.cacheBudgetBytes ?? config.cache.budget_bytes;
  if (explicit) return explicit;
  const storageMb = overrides.lambda.ephemeralStorageMb ?? 512;
  return Math.max(0, storageMb * MIB - config.cache.headroom_bytes);
}

/** Forgets every module-scope loader (tests). */
export function resetDataLoaders(): void {
  loaders.clear();
}
