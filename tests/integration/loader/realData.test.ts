/**
 * The real data cache end to end: ensureDataCache() (built through the shared Bedrock emulator when
 * not current; a no-op otherwise), read by LocalCacheLoader; seeded into a bucket by seedBucket
 * (a second seed uploads nothing); and DataLoaderTestFunction run over S3 with the FinSights event,
 * cold then warm.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../../src/aws';
import type { LarderConfig } from '../../../src/config';
import { createDataLoader } from '../../../src/loader';
import { defaultSourceDir, ensureDataCache } from '../../../src/cli/localDataset';
import { seedBucket } from '../../../src/loader/seed';
import { localEnv, testConfig, uniqueName } from '../../setup/services';

let config: LarderConfig;
const bucket = uniqueName('loader-real');
const cacheDir = mkdtempSync(join(tmpdir(), 'larder-real-cache-'));

beforeAll(async () => {
  config = testConfig();
  const built = await ensureDataCache(config);
  expect(built.manifest.tables.sentences.rows).toBeGreaterThan(20_000);
}, 180_000);
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

describe('the real data cache', () => {
  it('is a no-op to ensure again once built', async () => {
    const again = await ensureDataCache(config);
    expect(again).toMatchObject({ skipped: true, reason: 'up to date' });
  });

  it('holds FinSights sentences with parsed ids, company tickers, section names and aligned embeddings', async () => {
    const loader = createDataLoader(config, { ...localEnv(), DATA_LOADING_MODE: 'LOCAL_CACHE' }, { fresh: true });
    const t = await loader.sentences();
    const [walmart] = await loader.sentencesByIds(['0000104169_10-K_2018_section_7_142']);
    expect(walmart).toMatchObject({ ticker: 'WMT', report_year: 2018, section_item: 'ITEM_7', sentence_pos: 142, docID: '0000104169_10-K_2018' });
    expect(walmart.section_name).toMatch(/^Item 7:/);
    expect(walmart.sentence).toMatch(/extinguishment of debt/);
    const m = await loader.embeddings();
    expect(m.ids).toEqual(t.sentenceID);
    expect(m.dims).toBe(1024);
    expect(new Set(t.sentenceID).size).toBe(t.count);
    expect((await loader.companies()).length).toBe(21);
  });

  it('seeds a bucket once: a second seed finds every object current', async () => {
    const seedConfig = testConfig({ LARDER_BUCKET: bucket });
    const s3 = createS3Client(seedConfig);
    const first = await seedBucket(seedConfig, s3);
    expect(first.uploaded.map((u) => u.table)).toEqual(expect.arrayContaining(['sentences', 'companies', 'sections', 'kpi_facts', 'embeddings_cohere_v4']));
    const second = await seedBucket(seedConfig, s3);
    expect(second.uploaded).toEqual([]);
    expect(second.skipped.length).toBe(first.uploaded.length);
  });

  it('answers the FinSights data loader test event through DataLoaderTestFunction: cold from S3, then warm from memory', async () => {
    Object.assign(process.env, { ...localEnv(), LARDER_BUCKET: bucket, DATA_LOADING_MODE: 'S3_STREAMING', LARDER_CACHE_DIR: cacheDir });
    const { handler } = await import('../../../src/handlers/dataLoaderTest');
    const event = JSON.parse(readFileSync(join(defaultSourceDir(config), 'test_data_loader.json'), 'utf8').replace(/^\uFEFF/, '')) as object;
    const cold = await handler(event);
    expect(cold.statusCode).toBe(200);
    const body = cold.body as { loader: string; operations: { operation: string; table?: { source: string; rows: number; columns: string[] } }[]; cache: { entries: unknown[] } };
    expect(body.loader).toBe('s3');
    const meta = body.operations.find((o) => o.operation === 'load_stage2_meta')!;
    expect(meta.table).toMatchObject({ source: 's3' });
    expect(meta.table!.rows).toBeGreaterThan(20_000);
    expect(meta.table!.columns).toContain('sentenceID');
    expect(body.cache.entries.length).toBeGreaterThanOrEqual(3);
    const warm = await handler(event);
    const warmBody = warm.body as typeof body;
    expect(warmBody.operations.filter((o) => o.table).every((o) => o.table!.source === 'memory')).toBe(true);
    const bad = await handler({ operations: ['load_stage3'] });
    expect(bad).toMatchObject({ statusCode: 400, body: { error_type: 'VALIDATION' } });
  });
});
