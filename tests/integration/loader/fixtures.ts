/**
 * Tiny loader fixtures: a data directory with the tables of ml_config.yaml (a few hundred rows),
 * a config pointing at it (cache.local_dir), a unique bucket on the shared local S3 seeded with it,
 * and a private /tmp cache dir. Built in the test, never from the real data cache.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pl from 'nodejs-polars';
import { parse, stringify } from 'yaml';
import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../../../src/aws';
import { embeddingsTableName, tableConfig, type LarderConfig } from '../../../src/config';
import { writeEmbeddingsParquet } from '../../../src/dataset/embeddingsParquet';
import { seedBucket } from '../../../src/loader/seed';
import { testConfig, uniqueName } from '../../setup/services';

export interface LoaderFixture {
  dir: string;
  cacheDir: string;
  bucket: string;
  config: LarderConfig;
  s3: S3Client;
  rows: number;
  dims: number;
  /** A config whose env differs (e.g. another budget), same data dir and bucket. */
  withEnv(extra: Record<string, string>): LarderConfig;
  cleanup(): void;
}

const ROOT = resolve(import.meta.dirname, '../../..');

/** Writes the fixture tables into `dir` (paths as in the config). */
export function writeFixtureTables(config: LarderConfig, dir: string, rows: number, dims: number, seed = 1): { ids: string[]; vectors: Float32Array } {
  const at = (table: string) => join(dir, tableConfig(config, table).local_path);
  const ids = Array.from({ length: rows }, (_, i) => `0000000001_10-K_2020_section_7_${i}`);
  for (const t of ['sentences', 'companies', 'sections', 'kpi_facts', embeddingsTableName(config)]) mkdirSync(join(at(t), '..'), { recursive: true });
  pl.DataFrame({
    sentenceID: pl.Series('sentenceID', ids, pl.String),
    docID: pl.Series('docID', ids.map(() => '0000000001_10-K_2020'), pl.String),
    cik_int: pl.Series('cik_int', new Int32Array(rows).fill(1)),
    company_name: pl.Series('company_name', ids.map(() => 'Test Co'), pl.String),
    ticker: pl.Series('ticker', ids.map(() => 'TST'), pl.String),
    report_year: pl.Series('report_year', new Int32Array(rows).fill(2020)),
    section_item: pl.Series('section_item', ids.map(() => 'ITEM_7'), pl.String),
    section_name: pl.Series('section_name', ids.map(() => 'Item 7: MD&A'), pl.String),
    sentence: pl.Series('sentence', ids.map((_, i) => `Sentence number ${i} (seed ${seed}).`), pl.String),
    sentence_pos: pl.Series('sentence_pos', Int32Array.from({ length: rows }, (_, i) => i)),
    prev_sentence_id: pl.Series('prev_sentence_id', ids.map((_, i) => (i ? ids[i - 1] : null)), pl.String),
    next_sentence_id: pl.Series('next_sentence_id', ids.map((_, i) => (i + 1 < rows ? ids[i + 1] : null)), pl.String),
  }).writeParquet(at('sentences'));
  pl.DataFrame({
    company_id: [1, 2],
    cik_int: pl.Series('cik_int', Int32Array.from([1, 2])),
    cik: ['0000000001', '0000000002'],
    company_name: ['Test Co', 'Other Co'],
    ticker: ['TST', 'OTH'],
  }).writeParquet(at('companies'));
  pl.DataFrame({
    sec_item_canonical: ['ITEM_7'],
    section_code: ['PART_II_ITEM_7'],
    section_name: ['Item 7: MD&A'],
    section_description: ['Management discussion'],
    section_category: ['P2_MDA'],
    part_number: pl.Series('part_number', Int32Array.from([2])),
    priority: ['P0'],
  }).writeParquet(at('sections'));
  pl.DataFrame({
    cik: ['0000000001'], ticker: ['TST'], year: [2020], metric_key: ['revenue'], metric_label: ['Revenue'], metric_type: ['gaap'],
    value: [1.5e9], unit: ['USD'], filed_date: ['2021-02-01'], accession_no: ['0000000001-21-000001'],
  }).writeParquet(at('kpi_facts'));
  const vectors = new Float32Array(rows * dims);
  let x = seed * 7919;
  for (let i = 0; i < vectors.length; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    vectors[i] = x / 2147483648 - 0.5;
  }
  writeEmbeddingsParquet(at(embeddingsTableName(config)), ids, vectors, dims);
  return { ids, vectors };
}

/** Writes a copy of ml_config.yaml into `dir` with cache.local_dir = dir and small download parts. */
export function writeFixtureConfig(dir: string): string {
  const raw = parse(readFileSync(join(ROOT, 'ml_config.yaml'), 'utf8'));
  raw.cache.local_dir = dir;
  raw.cache.download_part_bytes = 1024 * 1024;
  raw.cache.download_concurrency = 3;
  const path = join(dir, 'ml_config.yaml');
  writeFileSync(path, stringify(raw));
  return path;
}

export async function createLoaderFixture(options: { rows?: number; dims?: number; seed?: boolean; env?: Record<string, string> } = {}): Promise<LoaderFixture> {
  const rows = options.rows ?? 400;
  const dims = 1024;
  const dir = mkdtempSync(join(tmpdir(), 'larder-loader-fixture-'));
  const cacheDir = join(dir, 'tmp-cache');
  const bucket = uniqueName('loader');
  const configPath = writeFixtureConfig(dir);
  const env = (extra: Record<string, string> = {}) => ({ LARDER_CONFIG: configPath, LARDER_BUCKET: bucket, LARDER_CACHE_DIR: cacheDir, ...options.env, ...extra });
  const config = testConfig(env());
  writeFixtureTables(config, dir, rows, dims);
  const s3 = createS3Client(config, { maxAttempts: 3 });
  if (options.seed !== false) await seedBucket(config, s3, { sourceDir: dir });
  return {
    dir,
    cacheDir,
    bucket,
    config,
    s3,
    rows,
    dims,
    withEnv: (extra) => testConfig(env(extra)),
    cleanup: () => {
      s3.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
