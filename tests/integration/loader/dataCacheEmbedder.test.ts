/**
 * What made the embeddings is part of "up to date": the emulator's embedding function version when
 * the build used the local Bedrock emulator, the model id when it used real Bedrock. A change
 * rebuilds the embeddings table and only it (the base tables keep their files).
 * Works on a copy of data_cache/ (base tables + the default model's embeddings) in a temp dir.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig, localCacheDir, tableConfig, embeddingsTableName, type LarderConfig } from '../../../src/config';
import { ensureDataCache } from '../../../src/cli/localDataset';
import { embedderOf } from '../../../src/dataset/dataCache';
import { MANIFEST_FILE, readManifest } from '../../../src/dataset/manifest';
import { EMULATOR_EMBEDDING_VERSION } from '../../../src/local/services/bedrock';
import { servicesInfo, testConfig } from '../../setup/services';

let config: LarderConfig;
const outDir = mkdtempSync(join(tmpdir(), 'larder-embedder-'));
const baseTables = ['sentences', 'companies', 'sections', 'kpi_facts'];
const mtimes = () => Object.fromEntries(baseTables.map((t) => [t, statSync(join(outDir, tableConfig(config, t).local_path)).mtimeMs]));
const embeddingsPath = () => join(outDir, tableConfig(config, embeddingsTableName(config, config.embedding.default)).local_path);

beforeAll(async () => {
  config = testConfig();
  await ensureDataCache(config); // built once per run by tests/setup/global-services.ts: a no-op here
  const src = localCacheDir(config);
  for (const rel of [MANIFEST_FILE, ...[...baseTables, embeddingsTableName(config, config.embedding.default)].map((t) => tableConfig(config, t).local_path)]) {
    mkdirSync(dirname(join(outDir, rel)), { recursive: true });
    copyFileSync(join(src, rel), join(outDir, rel));
  }
}, 180_000);
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('data cache: what made the embeddings decides whether they are current', () => {
  it('records the emulator embedding version, model id and dims for an emulator build', async () => {
    const r = await ensureDataCache(config, { outDir });
    const model = config.embedding.models[config.embedding.default];
    expect(r.manifest.embedding.sources?.[config.embedding.default]).toEqual({
      via: 'emulator',
      emulatorVersion: EMULATOR_EMBEDDING_VERSION,
      modelId: model.model_id,
      dims: model.dimensions,
    });
    expect(r.manifest.embedding.shapes?.[config.embedding.default]).toMatch(new RegExp(`:emulator-v${EMULATOR_EMBEDDING_VERSION}$`));
    expect((await ensureDataCache(config, { outDir })).skipped).toBe(true);
  });

  it('a changed emulator embedding function rebuilds the embeddings table only', async () => {
    const before = mtimes();
    const embeddingsBefore = statSync(embeddingsPath()).mtimeMs;
    vi.resetModules();
    vi.doMock('../../../src/local/services/bedrock', async (importOriginal) => ({ ...(await importOriginal<object>()), EMULATOR_EMBEDDING_VERSION: EMULATOR_EMBEDDING_VERSION + 1000 }));
    try {
      const { ensureDataCache: ensureWithNewFunction } = await import('../../../src/cli/localDataset');
      const r = await ensureWithNewFunction(config, { outDir });
      expect(r.skipped).toBe(false);
      expect(r.reason).toBe(`embeddings missing or changed: ${config.embedding.default}`);
      expect(r.manifest.embedding.sources?.[config.embedding.default]).toMatchObject({ via: 'emulator', emulatorVersion: EMULATOR_EMBEDDING_VERSION + 1000 });
      expect(mtimes()).toEqual(before);
      expect(statSync(embeddingsPath()).mtimeMs).not.toBe(embeddingsBefore);
      expect((await ensureWithNewFunction(config, { outDir })).skipped).toBe(true);
    } finally {
      vi.doUnmock('../../../src/local/services/bedrock');
      vi.resetModules();
    }
  }, 240_000); // re-embeds 20,844 sentences through the emulator: ~25 s quiet, minutes on a loaded 2-core box

  it('a build through real Bedrock records the model id, and replaces emulator vectors (base tables kept)', async () => {
    // A client configured for AWS whose requests are delivered to the local emulator: the build sees
    // real Bedrock's endpoint, the wire stays on loopback.
    const emulator = new URL(servicesInfo().endpoints.bedrock);
    const bedrock = new BedrockRuntimeClient({
      region: 'us-east-1',
      endpoint: 'https://bedrock-runtime.us-east-1.amazonaws.com',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    bedrock.middlewareStack.add(
      (next) => (args) => {
        Object.assign(args.request as object, { protocol: 'http:', hostname: emulator.hostname, port: Number(emulator.port) });
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'toLocalEmulator' },
    );
    expect(await embedderOf(config, bedrock)).toBe('bedrock');
    const before = mtimes();
    const r = await ensureDataCache(config, { outDir, bedrock });
    expect(r.reason).toBe(`embeddings missing or changed: ${config.embedding.default}`);
    const model = config.embedding.models[config.embedding.default];
    expect(r.manifest.embedding.sources?.[config.embedding.default]).toEqual({ via: 'bedrock', modelId: model.model_id, dims: model.dimensions });
    expect(readManifest(outDir)?.embedding.shapes?.[config.embedding.default]).toMatch(/:bedrock$/);
    expect(mtimes()).toEqual(before);
    expect((await ensureDataCache(config, { outDir, bedrock })).skipped).toBe(true);
    // The emulator again: Bedrock-made vectors are not the emulator's.
    expect((await ensureDataCache(config, { outDir })).skipped).toBe(false);
  }, 240_000);

  it('tells the emulator from real Bedrock by the endpoint', async () => {
    const env = { LARDER_LOG_LEVEL: 'silent' };
    expect(await embedderOf(loadConfig(undefined, env))).toBe('emulator'); // none: an in-process emulator
    expect(await embedderOf(loadConfig(undefined, { ...env, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: 'http://127.0.0.1:4010' }))).toBe('emulator');
    expect(await embedderOf(loadConfig(undefined, { ...env, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: 'https://bedrock-runtime.us-east-1.amazonaws.com' }))).toBe('bedrock');
    expect(await embedderOf(config, new BedrockRuntimeClient({ region: 'us-east-1' }))).toBe('bedrock');
    expect(await embedderOf(config, new BedrockRuntimeClient({ region: 'us-east-1', endpoint: 'http://localhost:9' }))).toBe('emulator');
  });
});
