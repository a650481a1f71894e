/**
 * A query engine for command-line use (`larder ask`, `larder eval`, the bench): finds a Bedrock
 * endpoint — AWS_ENDPOINT_URL_BEDROCK_RUNTIME if set, else the running `larder services` (from
 * <local.data_dir>/endpoints.json, if its process is alive), else an in-process Bedrock emulator
 * started for this command — and makes sure data_cache/ is built when reading the local cache.
 * Not used by the Lambda handler (which gets its endpoints from the environment). Composition, so it
 * lives at the CLI edge (it was src/rag/localRuntime.ts, the one rag module importing src/local).
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { createBedrockRuntimeClient } from '../aws';
import { loadConfig, type Env, type LarderConfig } from '../config';
import { chooseLoader, createDataLoader } from '../loader';
import { ensureDataCache } from './localDataset';
import { startBedrockEmulator } from '../local/services/bedrock';
import { QueryEngine } from '../rag/engine';
import type { ScanKernelName } from '../rag/vector/vectorIndex';

export interface LocalQueryEngine {
  engine: QueryEngine;
  config: LarderConfig;
  bedrockEndpoint: string;
  bedrockSource: 'environment' | 'larder services' | 'in-process emulator';
  close(): Promise<void>;
}

export async function openLocalQueryEngine(options: { configPath?: string; env?: Env; kernel?: ScanKernelName; embeddingModel?: string } = {}): Promise<LocalQueryEngine> {
  const env = options.env ?? process.env;
  let config = loadConfig(options.configPath, env);
  let close = async () => {};
  let bedrockSource: LocalQueryEngine['bedrockSource'] = 'environment';
  let endpoint = config.overrides.endpoints.bedrockRuntime;
  if (!endpoint) {
    const running = runningServicesBedrock(config);
    if (running) {
      endpoint = running;
      bedrockSource = 'larder services';
    } else {
      const emulator = await startBedrockEmulator({ host: config.local.host, port: 0 });
      endpoint = emulator.endpoint;
      bedrockSource = 'in-process emulator';
      close = () => emulator.close();
    }
    config = loadConfig(config.configPath, { ...env, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: endpoint });
  }
  try {
    const bedrock = createBedrockRuntimeClient(config);
    if (chooseLoader(config).mode === 'LOCAL_CACHE') {
      await ensureDataCache(config, { bedrock, models: [options.embeddingModel ?? config.embedding.default] });
    }
    const engine = new QueryEngine({ config, loader: createDataLoader(config), bedrock, kernel: options.kernel, embeddingModel: options.embeddingModel });
    return { engine, config, bedrockEndpoint: endpoint, bedrockSource, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The Bedrock endpoint of a running `larder services`, if its endpoints.json names a live process. */
function runningServicesBedrock(config: LarderConfig): string | undefined {
  const dataDir = isAbsolute(config.local.data_dir) ? config.local.data_dir : resolve(config.rootDir, config.local.data_dir);
  const file = join(dataDir, 'endpoints.json');
  if (!existsSync(file)) return undefined;
  try {
    const info = JSON.parse(readFileSync(file, 'utf8')) as { pid?: number; endpoints?: { bedrock?: string } };
    if (typeof info.pid !== 'number' || !info.endpoints?.bedrock) return undefined;
    process.kill(info.pid, 0);
    return info.endpoints.bedrock;
  } catch {
    return undefined;
  }
}
