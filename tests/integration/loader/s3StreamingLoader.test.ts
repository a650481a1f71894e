/**
 * S3StreamingLoader against the shared local S3: where each load's bytes come from, proven by SDK
 * request counts (countRequests) — cold (S3: ranged GETs, no HeadObject), warm (memory, 0 requests),
 * new process (a fresh loader over the same cache dir: one HeadObject per cached table, no GetObject)
 * — and how it recovers: changed
 * ETag, truncated cache file, byte budget with eviction, concurrent loads, S3 500s, missing objects,
 * bad Parquet, an unusable cache directory.
 */
import { existsSync, readdirSync, statSync, truncateSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { countRequests, type RequestCounter } from '../../../src/aws';
import { embeddingsTableName, tableConfig, tableS3Key, type LarderConfig } from '../../../src/config';
import { createDataLoader, S3StreamingLoader, type DataLoader } from '../../../src/loader';
import { writeEmbeddingsParquet } from '../../../src/dataset/embeddingsParquet';
import { faults } from '../../setup/services';
import { createLoaderFixture, type LoaderFixture } from './fixtures';

let fx: LoaderFixture;
let requests: RequestCounter;
let s3Config: LarderConfig;

/** A new loader over the same cache dir: what a new Lambda process (same /tmp) would build. */
const newProcess = (config = s3Config): DataLoader => createDataLoader(config, undefined, { fresh: true, s3: fx.s3 });
/** A process that loads with `load` and exits once its background /tmp writes are done (the cache is then warm). */
const earlierProcess = async (load: (loader: DataLoader) => Promise<unknown>, config = s3Config): Promise<DataLoader> => {
  const loader = newProcess(config);
  await load(loader);
  await loader.settled?.();
  return loader;
};
const statsOf = (loader: DataLoader, table: string) => loader.stats().find((s) => s.table === table)!;
const embeddingsTable = () => embeddingsTableName(fx.config);

beforeAll(async () => {
  // 700 rows × 1024 dims = 2.9 MB of vectors: three 1 MiB ranged GETs for the embeddings.
  fx = await createLoaderFixture({ rows: 700 });
  s3Config = fx.withEnv({ DATA_LOADING_MODE: 'S3_STREAMING' });
  requests = countRequests(fx.s3);
});
afterAll(() => fx?.cleanup());
afterEach(() => requests.reset());

describe('S3StreamingLoader: sources', () => {
  it('cold loads from S3 with no HeadObject, warm calls are memory hits with no requests, a new process revalidates with one HeadObject', async () => {
    // Prepare
    const cold = newProcess();
    // Act: cold
    const m = await cold.embeddings();
    await cold.sentences();
    // Assess
    expect(statsOf(cold, embeddingsTable())).toMatchObject({ source: 's3', cached: true, rows: 700 });
    // Nothing cached: no HeadObject; the first ranged GET of each object tells its size and ETag.
    expect(requests.get('HeadObject')).toBe(0);
    // 3 ranged parts of the embeddings, 1 for the sentences, 1 for their prebuilt artifact (index_sentences; not seeded here: a 404).
    expect(requests.get('GetObject')).toBe(3 + 1 + 1);

    // Act: warm (same process)
    requests.reset();
    const again = await cold.embeddings();
    expect(again).toBe(m);
    expect(requests.total()).toBe(0);
    expect(statsOf(cold, embeddingsTable()).source).toBe('memory');

    // Act: new process, same /tmp
    await cold.settled?.();
    const next = newProcess();
    const fromTmp = await next.embeddings();
    await next.sentences();
    expect(requests.get('HeadObject')).toBe(2); // embeddings and sentences, each cached: revalidated
    expect(requests.get('GetObject')).toBe(1); // index_sentences, never cached (a 404): asked again
    expect(statsOf(next, embeddingsTable()).source).toBe('tmp');
    expect(statsOf(next, 'sentences').source).toBe('tmp');
    expect(fromTmp.ids).toEqual(m.ids);
    expect(Buffer.from(fromTmp.vectors.buffer, fromTmp.vectors.byteOffset, fromTmp.vectors.byteLength).equals(Buffer.from(m.vectors.buffer, m.vectors.byteOffset, m.vectors.byteLength))).toBe(true);
  });

  it('fetches again when the object changed in S3 (ETag differs)', async () => {
    await earlierProcess((l) => l.companies());
    const key = tableS3Key(fx.config, 'companies');
    const { default: pl } = await import('nodejs-polars');
    const changed = pl.DataFrame({ company_id: [9], cik_int: [9], cik: ['0000000009'], company_name: ['Changed Co'], ticker: ['CHG'] }).writeParquet();
    await fx.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: key, Body: changed }));
    requests.reset();
    const loader = newProcess();
    const rows = await loader.companies();
    expect(rows.map((r) => r.ticker)).toEqual(['CHG']);
    expect(requests.get('GetObject')).toBe(1);
    expect(statsOf(loader, 'companies').source).toBe('s3');
  });

  it('drops a truncated cache file and fetches the table again', async () => {
    await earlierProcess((l) => l.embeddings());
    const file = readdirSync(fx.cacheDir).find((f) => f.startsWith(embeddingsTable()) && !f.endsWith('.meta.json'))!;
    truncateSync(join(fx.cacheDir, file), 1000);
    requests.reset();
    const loader = newProcess();
    const m = await loader.embeddings();
    expect(m.count).toBe(700);
    expect(requests.get('GetObject')).toBe(3);
    expect(statsOf(loader, embeddingsTable()).source).toBe('s3');
    await loader.settled?.();
    expect(statSync(join(fx.cacheDir, file)).size).toBeGreaterThan(700 * 1024 * 4);
  });

  it('drops a cache file that is the right size but unreadable, and fetches again', async () => {
    await earlierProcess((l) => l.sentences());
    const path = join(fx.cacheDir, 'sentences.parquet');
    const size = statSync(path).size;
    writeFileSync(path, Buffer.alloc(size, 7));
    requests.reset();
    const loader = newProcess();
    expect((await loader.sentences()).count).toBe(700);
    expect(requests.get('GetObject')).toBe(1 + 1); // the sentences again, and their artifact (a 404 here)
  });

  it('shares one download between 10 concurrent loads of a table', async () => {
    const loader = newProcess(fx.withEnv({ DATA_LOADING_MODE: 'S3_STREAMING', LARDER_CACHE_DIR: join(fx.dir, 'concurrent-cache') }));
    const results = await Promise.all(Array.from({ length: 10 }, () => loader.sections()));
    expect(new Set(results).size).toBe(1);
    expect(requests.get('HeadObject')).toBe(0);
    expect(requests.get('GetObject')).toBe(1);
  });
});

describe('S3StreamingLoader: embeddings the fast page reader declines', () => {
  it('caches them as a vector file after decoding with polars, and a new process reads that file', async () => {
    // Prepare: zstd-compressed embeddings (the fast reader only takes uncompressed PLAIN floats)
    const { default: pl } = await import('nodejs-polars');
    const { readEmbeddingsParquet } = await import('../../../src/loader/embeddingsParquet');
    const local = join(fx.dir, tableConfig(fx.config, embeddingsTable()).local_path);
    const zstd = join(fx.dir, 'zstd-embeddings.parquet');
    pl.readParquet(local).writeParquet(zstd, { compression: 'zstd' });
    const bucket = `${fx.bucket}-z`;
    const config = fx.withEnv({ DATA_LOADING_MODE: 'S3_STREAMING', LARDER_BUCKET: bucket, LARDER_CACHE_DIR: join(fx.dir, 'zstd-cache') });
    const { CreateBucketCommand } = await import('@aws-sdk/client-s3');
    await fx.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await fx.s3.send(new PutObjectCommand({ Bucket: bucket, Key: tableS3Key(config, embeddingsTable()), Body: (await import('node:fs')).readFileSync(zstd) }));
    // Act
    const cold = newProcess(config);
    const m = await cold.embeddings();
    await cold.settled?.();
    requests.reset();
    const warm = newProcess(config);
    const again = await warm.embeddings();
    // Assess
    expect((cold as S3StreamingLoader).cacheState().entries!.map((e) => e.form)).toEqual(['vectors-f32-v1']);
    expect(statsOf(warm, embeddingsTable()).source).toBe('tmp');
    expect(requests.get('GetObject')).toBe(0);
    expect(Array.from(again.vectors.subarray(0, 8))).toEqual(Array.from(m.vectors.subarray(0, 8)));
    expect(Array.from(m.vectors.subarray(0, 8))).toEqual(Array.from(readEmbeddingsParquet(local, { label: local, model: 'cohere_v4' }).vectors.subarray(0, 8)));
  });
});

describe('S3StreamingLoader: budget', () => {
  it('keeps the cache within its byte budget by evicting the least recently used table', async () => {
    // Prepare: a budget that holds the embeddings (room for their Parquet) and the companies, but not the sentences too
    const dir = join(fx.dir, 'budget-cache');
    const size = (table: string) => statSync(join(fx.dir, tableConfig(fx.config, table).local_path)).size;
    const budget = size(embeddingsTable()) + size('companies') + 200;
    const config = fx.withEnv({ DATA_LOADING_MODE: 'S3_STREAMING', LARDER_CACHE_DIR: dir, LARDER_CACHE_BUDGET_BYTES: String(budget) });
    const first = newProcess(config);
    await first.sentences();
    await first.companies();
    await first.settled?.();
    expect(existsSync(join(dir, 'sentences.parquet'))).toBe(true);
    // Act
    await first.embeddings();
    await first.settled?.();
    // Assess
    const loader = first as S3StreamingLoader;
    const state = loader.cacheState();
    expect(state.usedBytes).toBeLessThanOrEqual(budget);
    expect(state.entries!.map((e) => e.table)).toContain(`${embeddingsTable()}.vectors-f32-v1`);
    expect(existsSync(join(dir, 'sentences.parquet'))).toBe(false); // least recently used went first
  });

  it('loads a table too big for the budget without caching it', async () => {
    const dir = join(fx.dir, 'tiny-cache');
    const config = fx.withEnv({ DATA_LOADING_MODE: 'S3_STREAMING', LARDER_CACHE_DIR: dir, LARDER_CACHE_BUDGET_BYTES: '100000' });
    const loader = newProcess(config);
    const m = await loader.embeddings();
    expect(m.count).toBe(700);
    expect(statsOf(loader, embeddingsTable())).toMatchObject({ source: 's3', cached: false });
    expect(existsSync(dir) ? readdirSync(dir).filter((f) => f.startsWith(embeddingsTable())) : []).toEqual([]);
  });

  it('loads without caching when the cache directory is unusable (a cache problem never fails a load)', async () => {
    const blocker = join(fx.dir, 'not-a-dir');
    writeFileSync(blocker, 'x');
    const loader = newProcess(fx.withEnv({ DATA_LOADING_MODE: 'S3_STREAMING', LARDER_CACHE_DIR: join(blocker, 'cache') }));
    expect((await loader.sentences()).count).toBe(700);
    expect((await loader.embeddings()).count).toBe(700);
    expect(statsOf(loader, 'sentences')).toMatchObject({ source: 's3', cached: false });
  });
});

describe('S3StreamingLoader: failures', () => {
  it('retries S3 500s on GetObject and still loads', async () => {
    const rules = faults('s3');
    const id = await rules.set({ failNext: 2, status: 500, code: 'InternalError', match: { operation: 'GetObject', pathPrefix: `/${fx.bucket}/` } });
    try {
      const loader = newProcess(fx.withEnv({ DATA_LOADING_MODE: 'S3_STREAMING', LARDER_CACHE_DIR: join(fx.dir, 'retry-cache') }));
      expect((await loader.kpiFacts())[0].ticker).toBe('TST');
      expect(statsOf(loader, 'kpi_facts').source).toBe('s3');
    } finally {
      await rules.clear(id);
    }
  });

  it('recovers from a response cut short mid-body', async () => {
    const rules = faults('s3');
    const id = await rules.set({ truncateNext: 1, match: { operation: 'GetObject', pathPrefix: `/${fx.bucket}/` } });
    try {
      const loader = newProcess(fx.withEnv({ DATA_LOADING_MODE: 'S3_STREAMING', LARDER_CACHE_DIR: join(fx.dir, 'truncate-cache') }));
      expect((await loader.embeddings()).count).toBe(700);
    } finally {
      await rules.clear(id);
    }
  });

  it('fails a missing object with an error naming the bucket and key', async () => {
    const config = fx.withEnv({ DATA_LOADING_MODE: 'S3_STREAMING', LARDER_BUCKET: `${fx.bucket}-nope`.slice(0, 63) });
    const loader = newProcess(config);
    await expect(loader.sentences()).rejects.toMatchObject({ code: 'OBJECT_NOT_FOUND', message: expect.stringContaining(`s3://${config.s3.bucket}/${tableS3Key(config, 'sentences')}`) });
    // and a missing key in an existing bucket
    const other = { ...fx.config.tables };
    expect(other).toBeDefined();
  });

  it('fails a missing key in an existing bucket naming it', async () => {
    const { DeleteObjectCommand } = await import('@aws-sdk/client-s3');
    const key = tableS3Key(fx.config, 'kpi_facts');
    await fx.s3.send(new DeleteObjectCommand({ Bucket: fx.bucket, Key: key }));
    try {
      await expect(newProcess().kpiFacts()).rejects.toThrow(`s3://${fx.bucket}/${key}: object not found`);
    } finally {
      const { readFileSync } = await import('node:fs');
      await fx.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: key, Body: readFileSync(join(fx.dir, tableConfig(fx.config, 'kpi_facts').local_path)) }));
    }
  });

  it('fails clearly on embeddings of the wrong vector length', async () => {
    const path = join(fx.dir, 'bad-512.parquet');
    writeEmbeddingsParquet(path, ['a', 'b'], new Float32Array(2 * 512).fill(0.5), 512);
    await putEmbeddings(path);
    await expect(newProcess(badCacheConfig('len')).embeddings()).rejects.toMatchObject({
      code: 'TABLE_INVALID',
      message: expect.stringMatching(/vectors have length 512; the model "cohere_v4" is configured for 1024/),
    });
  });

  it('fails clearly on embeddings with null vectors', async () => {
    const { default: pl } = await import('nodejs-polars');
    const path = join(fx.dir, 'bad-null.parquet');
    const vec = Array.from({ length: 1024 }, () => 0.1);
    pl.DataFrame({ sentenceID: ['a', 'b'], embedding: pl.Series('embedding', [vec, null], pl.List(pl.Float32)) }).writeParquet(path);
    await putEmbeddings(path);
    await expect(newProcess(badCacheConfig('null')).embeddings()).rejects.toMatchObject({ code: 'TABLE_INVALID', message: expect.stringMatching(/1 of 2 rows have a null embedding/) });
  });
});

function badCacheConfig(name: string): LarderConfig {
  const dir = join(fx.dir, `bad-${name}-cache`);
  mkdirSync(dir, { recursive: true });
  return fx.withEnv({ DATA_LOADING_MODE: 'S3_STREAMING', LARDER_CACHE_DIR: dir });
}

async function putEmbeddings(path: string): Promise<void> {
  const { readFileSync } = await import('node:fs');
  await fx.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: tableS3Key(fx.config, embeddingsTable()), Body: readFileSync(path) }));
}
