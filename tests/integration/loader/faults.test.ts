/**
 * The loader's fault survival, through the shared local S3 with fault rules scoped to this file's
 * bucket: S3 500×3 and 429×3 on GET, HEAD 503 with a warm /tmp cache (retried, and stale-if-error
 * when S3 stays down), latency, bodies cut short, a writer process killed mid-download, and flipped
 * bytes in cached files. Every scenario ends by comparing the digest of what was loaded with the
 * digest of the same tables read from the fixture's local cache: the right bytes, not just "a load".
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableConfig, type LarderConfig } from '../../../src/config';
import { createDataLoader, type DataLoader } from '../../../src/loader';
import { digestTables, type TableDigest } from '../../../src/loader/digest';
import { faults, localEnv } from '../../setup/services';
import { createLoaderFixture, type LoaderFixture } from './fixtures';

const ROOT = resolve(import.meta.dirname, '../../..');
let fx: LoaderFixture;
let expected: Record<string, TableDigest>;

/** A loader as a new process over `cacheDir` would build it, with a Lambda-like clock when given. */
function newProcess(cacheDir: string, remainingMs?: () => number): DataLoader {
  const loader = createDataLoader(fx.withEnv({ DATA_LOADING_MODE: 'S3_STREAMING', LARDER_CACHE_DIR: cacheDir }), undefined, { fresh: true, s3: fx.s3 });
  if (remainingMs) loader.bindInvocation?.({ getRemainingTimeInMillis: remainingMs });
  return loader;
}
/** A process that loads every table, leaving `cacheDir` warm (its background cache writes finished). */
async function warmCache(cacheDir: string): Promise<void> {
  const loader = newProcess(cacheDir);
  await digestTables(loader);
  await loader.settled?.();
}
const sourceOf = (loader: DataLoader, table: string) => loader.stats().find((s) => s.table === table);
const bucketRule = (operation: string) => ({ operation, pathPrefix: `/${fx.bucket}/` });

async function withFault<T>(rule: Parameters<ReturnType<typeof faults>['set']>[0], run: () => Promise<T>): Promise<T> {
  const rules = faults('s3');
  const id = await rules.set(rule);
  try {
    return await run();
  } finally {
    await rules.clear(id);
  }
}

beforeAll(async () => {
  fx = await createLoaderFixture({ rows: 600 });
  expected = await digestTables(createDataLoader(fx.withEnv({ DATA_LOADING_MODE: 'LOCAL_CACHE' }), undefined, { fresh: true }));
}, 60_000);
afterAll(() => fx?.cleanup());

describe('loader faults: S3 errors', () => {
  it.each([
    ['500×3', { failNext: 3, status: 500, code: 'InternalError' }],
    ['429×3', { failNext: 3, status: 429, code: 'SlowDown' }],
  ])('a cold start survives GetObject %s (more than the SDK\'s 3 attempts) with the right bytes', async (name, fault) => {
    const loader = newProcess(join(fx.dir, `cold-${name}`), () => 60_000);
    const got = await withFault({ ...fault, match: bucketRule('GetObject') }, () => digestTables(loader));
    expect(got).toEqual(expected);
    expect(sourceOf(loader, 'sentences')?.loadedFrom).toBe('s3');
  });

  it('HEAD 503×3 with a warm cache: retried, then served from /tmp', async () => {
    const cacheDir = join(fx.dir, 'head-503');
    await warmCache(cacheDir);
    const loader = newProcess(cacheDir, () => 60_000);
    const got = await withFault({ failNext: 3, status: 503, code: 'SlowDown', match: bucketRule('HeadObject') }, () => digestTables(loader));
    expect(got).toEqual(expected);
    expect(loader.stats().every((s) => s.loadedFrom === 'tmp' && !s.stale)).toBe(true);
  });

  it('S3 down for the whole invocation with a warm cache: the verified /tmp copy is served (stale-if-error)', async () => {
    const cacheDir = join(fx.dir, 'stale-if-error');
    await warmCache(cacheDir);
    const deadline = Date.now() + 2_500;
    const loader = newProcess(cacheDir, () => deadline - Date.now());
    const got = await withFault({ failNext: 10_000, status: 503, code: 'SlowDown', match: bucketRule('HeadObject') }, () => digestTables(loader));
    expect(got).toEqual(expected);
    expect(loader.stats().every((s) => s.loadedFrom === 'tmp' && s.stale === true)).toBe(true);
  });

  it('S3 down with an empty cache fails within the invocation\'s time, with an error naming the object', async () => {
    const deadline = Date.now() + 2_500;
    const loader = newProcess(join(fx.dir, 'down-cold'), () => deadline - Date.now());
    await withFault({ failNext: 10_000, status: 500, code: 'InternalError', match: { pathPrefix: `/${fx.bucket}/` } }, async () => {
      await expect(loader.kpiFacts()).rejects.toMatchObject({ code: 'UPSTREAM', message: expect.stringContaining(`s3://${fx.bucket}/`) });
    });
    // The retries stopped with the reserve (1 s) of the invocation still left for the handler to answer.
    expect(deadline - Date.now()).toBeGreaterThan(0);
  });

  it('survives latency and bodies cut short with the right bytes', async () => {
    const loader = newProcess(join(fx.dir, 'slow-and-cut'), () => 60_000);
    const got = await withFault({ latencyMs: 150, match: bucketRule('GetObject') }, () =>
      withFault({ truncateNext: 3, match: bucketRule('GetObject') }, () => digestTables(loader)),
    );
    expect(got).toEqual(expected);
  });
});

describe('loader faults: the /tmp cache', () => {
  it('flipped bytes in cached files (same size) are caught, refetched and never served', async () => {
    // Prepare: a warm cache, then flip one float byte of the embeddings and one byte of the KPI facts.
    const cacheDir = join(fx.dir, 'flipped');
    await warmCache(cacheDir);
    const embeddingsFile = join(cacheDir, `${embeddingsName()}.vectors-f32-v1`);
    const meta = JSON.parse(readFileSync(`${embeddingsFile}.meta.json`, 'utf8')) as { facts: { vectorsOffset: number } };
    flipByte(embeddingsFile, meta.facts.vectorsOffset + Math.floor((statSync(embeddingsFile).size - meta.facts.vectorsOffset) / 2));
    const kpiFile = join(cacheDir, 'kpi_facts.parquet');
    flipByte(kpiFile, Math.floor(statSync(kpiFile).size / 3));
    // Act
    const loader = newProcess(cacheDir);
    const got = await digestTables(loader);
    // Assess
    expect(got).toEqual(expected);
    expect(sourceOf(loader, embeddingsName())?.loadedFrom).toBe('s3');
    expect(sourceOf(loader, 'kpi_facts')?.loadedFrom).toBe('s3');
    expect(sourceOf(loader, 'sentences')?.loadedFrom).toBe('tmp');
  });

  it('a writer killed mid-download leaves a temp file that is reclaimed and not counted against the budget', async () => {
    // Prepare: a budget that holds the embeddings once, but not twice.
    const cacheDir = join(fx.dir, 'killed-writer');
    const embeddingsBytes = statSync(join(fx.dir, tableConfig(fx.config, embeddingsName()).local_path)).size;
    const budget = String(Math.floor(embeddingsBytes * 1.6) + 200_000);
    const env = { ...process.env, ...localEnv(), LARDER_CONFIG: join(fx.dir, 'ml_config.yaml'), LARDER_BUCKET: fx.bucket, LARDER_CACHE_DIR: cacheDir, DATA_LOADING_MODE: 'S3_STREAMING', LARDER_CACHE_BUDGET_BYTES: budget };
    // Act: a real process, its GETs slowed, killed once its temp file is on disk.
    await withFault({ latencyMs: 20_000, match: bucketRule('GetObject') }, async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'tests/integration/loader/killedWriter.child.ts')], { env, stdio: 'ignore' });
      try {
        await waitFor(() => existsSync(cacheDir) && readdirSync(cacheDir).some((f) => f.startsWith('.tmp-') && f.includes(embeddingsName())), 30_000);
      } finally {
        child.kill('SIGKILL');
        await new Promise((r) => child.once('exit', r));
      }
    });
    const leftover = readdirSync(cacheDir).filter((f) => f.startsWith('.tmp-'));
    expect(leftover.length).toBe(1);
    // Assess: a new process reclaims it, caches the embeddings within the budget, loads the right bytes.
    const loader = createDataLoader(fx.withEnv({ DATA_LOADING_MODE: 'S3_STREAMING', LARDER_CACHE_DIR: cacheDir, LARDER_CACHE_BUDGET_BYTES: budget }), undefined, { fresh: true, s3: fx.s3 });
    expect(readdirSync(cacheDir).filter((f) => f.startsWith('.tmp-'))).toEqual([]);
    expect(await digestTables(loader)).toEqual(expected);
    expect(loader.stats().find((s) => s.table === embeddingsName())).toMatchObject({ loadedFrom: 's3', cached: true });
    await loader.settled?.();
    expect(readdirSync(cacheDir).filter((f) => f.startsWith('.tmp-'))).toEqual([]);
    expect(readdirSync(cacheDir)).toContain(`${embeddingsName()}.vectors-f32-v1`);
  }, 60_000);
});

function embeddingsName(): string {
  return Object.keys(expected).find((t) => t.startsWith('embeddings'))!;
}

function flipByte(path: string, at: number): void {
  const buf = readFileSync(path);
  buf[at] ^= 0x40;
  writeFileSync(path, buf);
}

async function waitFor(done: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export type { LarderConfig };
