/**
 * `npm run build` for the real functions, then each bundle loads and answers under the emulator —
 * the check that the template's esbuild settings (ESM, banner, nodejs-polars external) produce code
 * that runs. Events are deliberately minimal; every AWS endpoint points at a closed loopback port, so
 * nothing leaves the machine and a handler that reaches for AWS fails fast, which is fine here: the
 * test is that the module loads and the handler runs (no Runtime.* error).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bundleFunctions, type BundleReport } from '../../../src/local/bundle';
import { loadTemplate } from '../../../src/local/template';
import { LambdaEmulator } from '../../../src/local/emulator';

const ROOT = resolve(import.meta.dirname, '../../..');
const CLOSED = 'http://127.0.0.1:9';
const EVENTS: Record<string, unknown> = {
  IngestSweepFunction: {},
  QueryFunction: {},
  DataLoaderTestFunction: { operations: ['not_an_operation'] },
  IngestWorkerFunction: {},
  ArtifactFunction: { httpMethod: 'GET', path: '/health', resource: '/health', headers: {}, multiValueHeaders: {}, queryStringParameters: null, pathParameters: null, requestContext: { stage: 'Prod' }, body: null, isBase64Encoded: false },
};

describe('the real functions, bundled', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'larder-real-bundles-'));
  const template = loadTemplate(join(ROOT, 'lambda_assets/template.yaml'));
  const emulator = new LambdaEmulator({
    template,
    bundleDir: outDir,
    log: () => {},
    serviceEnv: { AWS_ENDPOINT_URL_S3: CLOSED, AWS_ENDPOINT_URL_DYNAMODB: CLOSED, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: CLOSED, AWS_ENDPOINT_URL_LAMBDA: CLOSED },
    asyncRetryAttempts: 0,
  });
  let reports: BundleReport[] = [];
  afterAll(async () => {
    await emulator.stop();
    rmSync(outDir, { recursive: true, force: true });
  });

  it('bundles every function that has landed, within the 250 MB .zip limit', async () => {
    reports = await bundleFunctions({ template, outDir, rootDir: ROOT, linkExternals: true });
    expect(reports.filter((r) => r.status === 'skipped').map((r) => `${r.logicalId}: ${r.reason}`)).toEqual([]);
    expect(reports.map((r) => r.logicalId).sort()).toEqual(Object.keys(EVENTS).sort());
    for (const r of reports.filter((x) => x.status === 'built')) expect(r.fitsZipLimit, `${r.logicalId} is ${r.totalBytes} bytes`).toBe(true);
  }, 120_000);

  it.each(Object.keys(EVENTS))('%s: the bundle loads and its handler runs', async (id) => {
    const report = reports.find((r) => r.logicalId === id);
    // Every real function must bundle; a skipped one is a failure here, not a silent pass.
    expect(report?.status, `${id}: ${report?.reason ?? 'no report'}`).toBe('built');
    const result = await emulator.invoke(id, EVENTS[id]);
    expect(result.error?.errorType ?? 'none', result.payload.slice(0, 400)).not.toMatch(/^Runtime\./);
  }, 60_000);
});
