/**
 * The Lambda packages of the functions that read tables, as `npm run build` makes them from the real
 * template: small (no nodejs-polars, which the hot path does not need), and correct — the bundled
 * DataLoaderTestFunction, run by the emulator outside the project tree (so no node_modules can be
 * found), streams the real tables from the local S3 and its `digest` equals the local data cache's.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../../src/aws';
import { ensureDataCache } from '../../../src/cli/localDataset';
import { createDataLoader } from '../../../src/loader';
import { digestTables } from '../../../src/loader/digest';
import { seedBucket } from '../../../src/loader/seed';
import { bundleFunctions, type BundleReport } from '../../../src/local/bundle';
import { LambdaEmulator } from '../../../src/local/emulator';
import { loadTemplate } from '../../../src/local/template';
import { servicesInfo, testConfig, uniqueName } from '../../setup/services';

const ROOT = resolve(import.meta.dirname, '../../..');
const PACKAGE_LIMIT_BYTES = 15 * 1024 * 1024;
const FUNCTIONS = ['QueryFunction', 'DataLoaderTestFunction'];

describe('Lambda packages of the table-reading functions', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'larder-lean-packages-'));
  const template = loadTemplate(join(ROOT, 'lambda_assets/template.yaml'));
  let reports: BundleReport[] = [];
  beforeAll(async () => {
    reports = await bundleFunctions({ template, outDir, rootDir: ROOT, only: FUNCTIONS });
  }, 120_000);
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it.each(FUNCTIONS)('%s: built, under 15 MB, without nodejs-polars', (id) => {
    const r = reports.find((x) => x.logicalId === id)!;
    expect(r.status, r.reason).toBe('built');
    expect(r.externals).toEqual([]);
    expect(r.totalBytes).toBeLessThan(PACKAGE_LIMIT_BYTES);
    const entry = readFileSync(join(r.outDir!, id === 'QueryFunction' ? 'query.mjs' : 'dataLoaderTest.mjs'), 'utf8');
    expect(entry).not.toMatch(/from\s+["']nodejs-polars["']|require\(["']nodejs-polars["']\)/);
  });

  it('the bundled DataLoaderTestFunction loads exactly the local cache\'s content from S3 (digest)', async () => {
    // Prepare: the real data cache, seeded into a bucket of the shared local S3.
    const config = testConfig();
    await ensureDataCache(config);
    const bucket = uniqueName('lean-package');
    const s3 = createS3Client(testConfig({ LARDER_BUCKET: bucket }));
    await seedBucket(testConfig({ LARDER_BUCKET: bucket }), s3);
    s3.destroy();
    const expected = await digestTables(createDataLoader(testConfig({ DATA_LOADING_MODE: 'LOCAL_CACHE' }), undefined, { fresh: true }));
    const emulator = new LambdaEmulator({
      template,
      bundleDir: outDir,
      log: () => {},
      sandboxRoot: join(outDir, 'sandboxes'),
      serviceEnv: servicesInfo().env,
      envVars: { DataLoaderTestFunction: { LARDER_BUCKET: bucket, DATA_LOADING_MODE: 'S3_STREAMING', LARDER_LOG_LEVEL: 'warn' } },
    });
    try {
      // Act
      const r = await emulator.invoke('DataLoaderTestFunction', { operations: ['digest'] });
      // Assess
      const out = JSON.parse(r.payload) as { statusCode: number; body: { digest: typeof expected; tables: { table: string; loadedFrom: string }[] } };
      expect(out.statusCode, r.payload.slice(0, 500)).toBe(200);
      expect(out.body.digest).toEqual(expected);
      const fromS3 = out.body.tables.filter((t) => t.loadedFrom === 's3').map((t) => t.table);
      expect(fromS3).toEqual(expect.arrayContaining(['sentences', 'kpi_facts']));
    } finally {
      await emulator.stop();
    }
  }, 180_000);
});
