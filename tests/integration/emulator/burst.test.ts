/**
 * Real traffic against the real template, over the wire: start-api in front of the emulator running
 * the artifact functions as they are, against the shared local S3 and DynamoDB, with no client
 * retries. 50 concurrent uploads all answer 201; a burst of 25 URL ingests (s3:// sources in the
 * local S3) all reach a terminal state with none left pending and nothing in the failed-events file.
 *
 * What the emulator guarantees here: every Event invocation of the ingest worker is accepted,
 * queued and delivered (retried on error). That a worker that keeps failing ends its record in
 * `failed` (leases, sweep) is the registry's side (issue 11 item 4).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../../src/aws';
import { loadConfig } from '../../../src/config';
import { loadTemplate } from '../../../src/local/template';
import { LambdaEmulator } from '../../../src/local/emulator';
import { startLambdaApiServer } from '../../../src/local/lambdaApiServer';
import { startApiServer, type ApiServer } from '../../../src/local/apiServer';
import type { RunningServer } from '../../../src/local/httpServer';
import { asyncStatePaths } from '../../../src/local/trafficSettings';
import { ensureBucket, localEnv, testConfig, uniqueName } from '../../setup/services';
import { readJsonLines } from './trafficFixtures';

const ROOT = resolve(import.meta.dirname, '../../..');
const TERMINAL = ['completed', 'rejected', 'failed'];

describe('the real artifact API under a burst, through start-api', () => {
  const bucket = uniqueName('burst');
  const table = uniqueName('burst');
  const dataDir = mkdtempSync(join(tmpdir(), 'larder-burst-'));
  const paths = asyncStatePaths(dataDir, '.');
  const lines: string[] = [];
  let emulator: LambdaEmulator;
  let lambda: RunningServer;
  let api: ApiServer;

  // s3:// ingest reads only the sources ml_config.yaml allows (registry.ingest.s3_buckets, e.g.
  // "larder-finsights/incoming/"): the burst's files go under a unique prefix there.
  const [sourceBucket, ...allowedPrefix] = loadConfig().registry.ingest.s3_buckets[0]!.split('/');
  const sourcePrefix = `${allowedPrefix.join('/')}${uniqueName('burst')}/`;

  beforeAll(async () => {
    const s3 = createS3Client(testConfig());
    await ensureBucket(s3, bucket);
    await ensureBucket(s3, sourceBucket!);
    await Promise.all(Array.from({ length: 25 }, (_, i) => s3.send(new PutObjectCommand({ Bucket: sourceBucket, Key: `${sourcePrefix}burst-${i}.csv`, Body: Buffer.from(`id,value\n${i},${i * i}\n`) }))));
    s3.destroy();
    emulator = new LambdaEmulator({
      template: loadTemplate(join(ROOT, 'lambda_assets/template.yaml'), { parameterOverrides: { DataBucketName: bucket, ArtifactsTableName: table, LogLevel: 'warn' } }),
      serviceEnv: { ...localEnv() },
      log: (line) => lines.push(line),
      sandboxRoot: join(tmpdir(), 'larder-burst-sandboxes'),
      timeScale: 0.01,
      asyncQueueDir: paths.queueDir,
      destinationsDir: paths.destinationsDir,
      failedEventsFile: paths.failedEventsFile,
    });
    lambda = await startLambdaApiServer({ emulator, port: 0, log: (l) => lines.push(l) });
    emulator.setServiceEnv({ AWS_ENDPOINT_URL_LAMBDA: lambda.url });
    api = await startApiServer({ emulator, port: 0, log: (l) => lines.push(l) });
  });
  afterAll(async () => {
    await api?.close();
    await lambda?.close();
    await emulator?.stop();
  });

  it('answers 50 concurrent uploads (no client retries) with 201 each, and keeps all 50', async () => {
    const statuses = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const res = await fetch(`${api.url}/artifact/dataset`, { method: 'POST', headers: { 'Content-Type': 'text/plain', 'X-Artifact-Name': 'burst-upload' }, body: `upload ${i}\n` });
        return { status: res.status, body: await res.text() };
      }),
    );
    expect(statuses.filter((s) => s.status !== 201)).toEqual([]);
    const ids = new Set(statuses.map((s) => JSON.parse(s.body).metadata.id));
    expect(ids.size).toBe(50);
    const byName = await fetch(`${api.url}/artifact/byName/burst-upload`);
    expect(byName.status).toBe(200);
    expect((await byName.json()) as unknown[]).toHaveLength(50);
  }, 180_000);

  it('takes a burst of 25 s3:// URL ingests (202 each) to terminal states, none left pending, none in failed-events', async () => {
    const accepted = await Promise.all(
      Array.from({ length: 25 }, async (_, i) => {
        const res = await fetch(`${api.url}/artifact/dataset`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ url: `s3://${sourceBucket}/${sourcePrefix}burst-${i}.csv`, name: `burst-ingest-${i}` }) });
        return { status: res.status, body: await res.text() };
      }),
    );
    expect(accepted.filter((a) => a.status !== 202)).toEqual([]);
    const ids = accepted.map((a) => JSON.parse(a.body).metadata.id as string);
    const states = async () => Promise.all(ids.map(async (id) => ((await (await fetch(`${api.url}/artifacts/dataset/${id}`)).json()) as any).status.state as string));
    await expect.poll(async () => (await states()).filter((s) => !TERMINAL.includes(s)), { timeout: 240_000, interval: 1000 }).toEqual([]);
    await emulator.drainAsync();
    expect(await states()).toEqual(Array(25).fill('completed'));
    expect(readJsonLines(paths.failedEventsFile)).toEqual([]);
    expect(lines.filter((l) => l.includes('Runtime.InitTimeout'))).toEqual([]);
  }, 300_000);
});
