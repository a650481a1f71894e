/**
 * Loader speed and memory, as ratios against baselines measured in the same run, for a synthetic
 * 100k×1024 corpus (20k with --quick) and for the real data cache (~20.8k×1024):
 *   warm load   /tmp → ready vectors (new process, one HeadObject)   vs readFileSync of the raw vector bytes   goal ≤ 1.5×
 *   cold load   local S3 → ready vectors (new process, empty cache)  vs single-stream GetObject to a file + the warm load   goal ≤ 1.25×
 *   warm call   a warm invocation's loader cost                                                                   goal < 1 ms
 *   peak RSS    growth while loading (VmHWM − RSS before)            vs the vector bytes                        goal ≤ 1.5×
 * Each load runs in a child process (fresh module state, honest RSS); the median of 3 runs is kept.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createS3Client } from '../../src/aws';
import { loadConfig, type LarderConfig } from '../../src/config';
import { ensureDataCache } from '../../src/cli/localDataset';
import { readManifest } from '../../src/dataset/manifest';
import { buildSyntheticCache, defaultSyntheticDir } from '../../src/dataset/synthetic';
import { readEmbeddingsParquet } from '../../src/loader/embeddingsParquet';
import { seedBucket } from '../../src/loader/seed';
import { embeddingsTableName, tableConfig } from '../../src/config';
import { startLocalServices } from '../../src/local/services';
import type { BenchContext, BenchRow, BenchSuite } from './types';

interface ChildResult {
  mode: string;
  ms: number;
  rssBeforeMb: number;
  peakMb: number;
  vectorBytes?: number;
  warmCallMs?: number;
  source?: string;
  cached?: boolean;
}

const RUNS = 3;

const suite: BenchSuite = {
  name: 'loader',
  description: 'cache-aware loader: warm /tmp and cold S3 loads vs raw baselines, warm-call cost, peak RSS',
  async run(ctx) {
    const rows: BenchRow[] = [];
    const config = loadConfig(undefined, { ...process.env, LARDER_LOG_LEVEL: 'warn' });
    const s3DataDir = join(tmpdir(), `larder-bench-s3-${process.pid}`);
    const services = await startLocalServices({ config, only: ['s3'], quiet: true, dataDir: s3DataDir });
    try {
      const s3Endpoint = services.directEndpoints.s3;
      // LARDER_BENCH_LOADER_ROWS=100000,400000 adds sizes (400k: 1.6 GB of vectors, ~5.5 GB RAM to build).
      const sizes = ctx.quick ? [20_000] : (process.env.LARDER_BENCH_LOADER_ROWS ?? '100000').split(',').map(Number).filter((x) => x > 0);
      for (const n of sizes) {
        const synthDir = defaultSyntheticDir(n);
        if (!readManifest(synthDir)?.inputsHash.startsWith('synthetic:v2:')) {
          ctx.log(`building synthetic corpus ${n}×1024 in ${synthDir}`);
          await buildSyntheticCache(config, { rows: n, outDir: synthDir });
        }
        rows.push(...(await measure(ctx, config, s3Endpoint, `synthetic ${n / 1000}k`, synthDir)));
      }
      ctx.log('ensuring the real data cache (npm run build:data)');
      const real = await ensureDataCache(config);
      rows.push(...(await measure(ctx, config, s3Endpoint, 'real data cache', real.outDir)));
    } finally {
      await services.stop();
      rmSync(s3DataDir, { recursive: true, force: true }); // the seeded objects (up to GBs)
    }
    return rows;
  },
};
export default suite;

async function measure(ctx: BenchContext, config: LarderConfig, endpoint: string, label: string, dataDir: string): Promise<BenchRow[]> {
  const bucket = `larder-bench-${label.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`.replace(/-+$/, '');
  const work = join(tmpdir(), `larder-bench-loader-${process.pid}`);
  const cacheDir = join(work, 'cache');
  mkdirSync(work, { recursive: true });
  // EphemeralStorage big enough to cache the table (400k×1024 needs ~1.7 GB; Lambda allows up to 10 GB).
  const tableMb = statSync(join(dataDir, tableConfig(config, embeddingsTableName(config)).local_path)).size / 2 ** 20;
  const storageMb = Math.max(512, Math.ceil(tableMb + config.cache.headroom_bytes / 2 ** 20 + 64));
  const env = {
    ...process.env,
    LARDER_EPHEMERAL_STORAGE_MB: String(storageMb),
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    LARDER_BUCKET: bucket,
    LARDER_CACHE_DIR: cacheDir,
    DATA_LOADING_MODE: 'S3_STREAMING',
    LARDER_LOG_LEVEL: 'warn',
  };
  const seedConfig = loadConfig(config.configPath, env);
  ctx.log(`${label}: seeding s3://${bucket}`);
  await seedBucket(seedConfig, createS3Client(seedConfig), { sourceDir: dataDir, tables: [embeddingsTableName(config)] });

  // The raw vector bytes, for the warm baseline: exactly what readFileSync would give a hand-rolled loader.
  const rawPath = join(work, 'vectors.f32');
  const m = readEmbeddingsParquet(join(dataDir, tableConfig(config, embeddingsTableName(config)).local_path), { label, model: config.embedding.default });
  writeFileSync(rawPath, m.vectors);
  const vectorMb = m.vectors.byteLength / 2 ** 20;

  const child = (mode: string, arg = ''): ChildResult => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'loader-child.ts'), mode, arg], { env, encoding: 'utf8', maxBuffer: 1 << 20 });
    return JSON.parse(out.trim().split('\n').pop()!) as ChildResult;
  };
  const cold: ChildResult[] = [];
  const warm: ChildResult[] = [];
  const readRaw: ChildResult[] = [];
  const getSingle: ChildResult[] = [];
  for (let i = 0; i < RUNS; i++) {
    rmSync(cacheDir, { recursive: true, force: true });
    ctx.log(`${label}: run ${i + 1}/${RUNS}`);
    cold.push(child('load'));
    warm.push(child('load'));
    readRaw.push(child('read-raw', rawPath));
    getSingle.push(child('get-single', join(work, 'single-get.parquet')));
  }
  rmSync(work, { recursive: true, force: true });
  if (cold.some((r) => r.source !== 's3') || warm.some((r) => r.source !== 'tmp')) {
    throw new Error(`${label}: unexpected sources cold=${cold.map((r) => r.source)} warm=${warm.map((r) => r.source)}`);
  }
  const med = (rs: ChildResult[], f: (r: ChildResult) => number) => median(rs.map(f));
  const warmMs = med(warm, (r) => r.ms);
  const rawMs = med(readRaw, (r) => r.ms);
  const coldMs = med(cold, (r) => r.ms);
  const coldBaseline = med(getSingle, (r) => r.ms) + warmMs;
  const warmRss = med(warm, (r) => r.peakMb - r.rssBeforeMb);
  const coldRss = med(cold, (r) => r.peakMb - r.rssBeforeMb);
  const warmCall = med(warm, (r) => r.warmCallMs ?? NaN);
  const note = `${m.count}×${m.dims}, ${vectorMb.toFixed(0)} MiB vectors, EphemeralStorage ${storageMb} MB`;
  return [
    { metric: `${label}: warm load /tmp → vectors`, value: warmMs, unit: 'ms', baseline: { name: 'readFileSync raw f32', value: rawMs }, ratio: warmMs / rawMs, goal: '≤ 1.5×', note },
    { metric: `${label}: cold load S3 → vectors`, value: coldMs, unit: 'ms', baseline: { name: '1 GET to file + warm load', value: coldBaseline }, ratio: coldMs / coldBaseline, goal: '≤ 1.25×', note: 'cold = parallel ranged GETs into /tmp + page-level Parquet read' },
    { metric: `${label}: warm invocation loader cost`, value: warmCall, unit: 'ms', goal: '< 1 ms', note: 'embeddings() on a loaded loader' },
    { metric: `${label}: peak RSS growth, warm load`, value: warmRss, unit: 'MiB', baseline: { name: 'vector bytes', value: vectorMb }, ratio: warmRss / vectorMb, goal: '≤ 1.5×' },
    { metric: `${label}: peak RSS growth, cold load`, value: coldRss, unit: 'MiB', baseline: { name: 'vector bytes', value: vectorMb }, ratio: coldRss / vectorMb, goal: '≤ 1.5×', },
  ];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

