/**
 * What `larder start` and `larder demo` do before serving: build data_cache/ if it is stale (the
 * loader's ensureDataCache), upload it to the local bucket (seedBucket), and create the registry
 * table. Each step is guarded: a step whose code has not landed, or that fails, is reported in one
 * line and the rest still runs, so the API comes up either way.
 */
import { loadConfig, type LarderConfig } from '../config';
import { createS3Client } from '../aws';
import { createDynamoDocumentClient } from '../aws/dynamodb';
import { describeError } from '../errors';

export interface PreparedData {
  config: LarderConfig;
  steps: { step: string; ok: boolean; detail: string }[];
}

export async function prepareLocalData(serviceEnv: Record<string, string>, say: (line: string) => void): Promise<PreparedData> {
  const config = loadConfig(undefined, { ...process.env, ...serviceEnv });
  const steps: PreparedData['steps'] = [];
  const step = async (name: string, fn: () => Promise<string>) => {
    const t0 = performance.now();
    try {
      const detail = await fn();
      steps.push({ step: name, ok: true, detail });
      say(`  ✓ ${name}: ${detail} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (err) {
      steps.push({ step: name, ok: false, detail: describeError(err) });
      say(`  ✗ ${name}: ${describeError(err)}`);
    }
  };
  await step('data cache', async () => {
    const { ensureDataCache } = await import('../cli/localDataset');
    const r = await ensureDataCache(config);
    return r.skipped ? `current (${r.outDir})` : `built in ${r.outDir} (${r.reason})`;
  });
  if (config.overrides.endpoints.s3) {
    await step(`seed s3://${config.s3.bucket}`, async () => {
      const { seedBucket } = await import('../loader/seed');
      const s3 = createS3Client(config);
      try {
        const r = await seedBucket(config, s3);
        return `${r.uploaded.length} uploaded, ${r.skipped.length} already there${r.missing.length ? `, ${r.missing.length} not built (${r.missing.map((m) => m.table).join(', ')})` : ''}`;
      } finally {
        s3.destroy();
      }
    });
  }
  if (config.overrides.endpoints.dynamodb) {
    await step(`registry table ${config.registry.table_name}`, async () => {
      const { ensureArtifactTable } = await import('../registry/table');
      const ddb = createDynamoDocumentClient(config);
      try {
        await ensureArtifactTable(ddb, config.registry.table_name);
        return 'ready';
      } finally {
        ddb.destroy();
      }
    });
  }
  return { config, steps };
}
