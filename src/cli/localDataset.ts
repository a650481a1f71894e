/**
 * Composition for building data_cache/ on this machine (`npm run build:data`, `larder seed`,
 * `larder ask`/`eval`, `larder start`, the test setup, the bench): the data-set builder
 * (src/dataset/) with the Bedrock emulator as its local embedder. The builder takes the embedder as
 * a parameter; this edge is the one place that picks the emulator.
 */
import type { LarderConfig } from '../config';
import { ensureDataCache as ensureWith, buildDataCache as buildWith, type BuildDataOptions, type BuildResult } from '../dataset/dataCache';
import type { LocalEmbedder } from '../dataset/embedder';
import { EMULATOR_EMBEDDING_VERSION, startBedrockEmulator } from '../local/services/bedrock';

/** The Bedrock emulator as the build's embedder, started on loopback on a free port when needed. */
export function bedrockEmulatorEmbedder(host = '127.0.0.1'): LocalEmbedder {
  return {
    version: EMULATOR_EMBEDDING_VERSION,
    start: async () => {
      const emulator = await startBedrockEmulator({ host, port: 0 });
      return { endpoint: emulator.endpoint, close: () => emulator.close() };
    },
  };
}

/** src/dataset's ensureDataCache with the emulator as the local embedder (a no-op when data_cache/ is current). */
export function ensureDataCache(config: LarderConfig, options: BuildDataOptions = {}): Promise<BuildResult> {
  return ensureWith(config, { localEmbedder: bedrockEmulatorEmbedder(), ...options });
}

/** src/dataset's buildDataCache with the emulator as the local embedder. */
export function buildDataCache(config: LarderConfig, options: BuildDataOptions = {}): Promise<BuildResult> {
  return buildWith(config, { localEmbedder: bedrockEmulatorEmbedder(), ...options });
}

export { defaultSourceDir, type BuildDataOptions, type BuildResult } from '../dataset/dataCache';
