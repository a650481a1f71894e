/**
 * The artifact registry through its handler against local S3 + DynamoDB Local: uploads and GETs
 * per second with p50/p95 latency, each next to the bare SDK calls that any upload/GET must make
 * (the baseline: S3 PutObject + DynamoDB PutItem, or one GetItem) in the same run; the cost of
 * contention (many writers on one name) against the same writers on distinct names; and the count
 * of lost or duplicated records, which must be 0.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { countRequests, createS3Client } from '../../src/aws';
import { createDynamoDocumentClient } from '../../src/aws/dynamodb';
import { loadConfig } from '../../src/config';
import { createArtifactHandler } from '../../src/handlers/artifact';
import { startLocalServices } from '../../src/local/services';
import { createRegistryRuntime, ensureArtifactTable } from '../../src/registry';
import type { BenchRow, BenchSuite } from './types';

const suite: BenchSuite = {
  name: 'registry',
  description: 'artifact handler: uploads and GETs per second, p50/p95, contention on one name, lost/duplicated records',
  async run(ctx) {
    const dataDir = await mkdtemp(join(tmpdir(), 'larder-bench-registry-'));
    const base = loadConfig(join(ctx.root, 'ml_config.yaml'), {});
    const services = await startLocalServices({ config: base, only: ['s3', 'dynamodb'], dataDir, quiet: true, ports: { s3: 0, dynamodb: 0 } });
    try {
      const config = loadConfig(join(ctx.root, 'ml_config.yaml'), services.env);
      const s3 = createS3Client(config);
      const ddb = createDynamoDocumentClient(config);
      const bucket = 'bench-registry';
      const table = 'bench-registry';
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      await ensureArtifactTable(ddb, table);
      const runtime = createRegistryRuntime(config, {
        s3,
        ddb,
        bucket,
        tableName: table,
        ingestPolicy: { s3Buckets: [bucket] }, // the ingest guard allows s3:// only from listed buckets
        invoker: (ingest) => async (id) => void (await ingest(id)),
      });
      const handle = createArtifactHandler(async () => ({ registry: runtime.registry, maxUploadBytes: runtime.limits.maxUploadBytes }));
      const ddbCounter = countRequests(ddb as never);

      const n = ctx.quick ? 40 : 200;
      const concurrency = 8;
      const body = Buffer.from(`# bench artifact\nLicense: MIT\n${'x'.repeat(16 * 1024)}`);
      const rows: BenchRow[] = [];

      // Uploads through the handler vs the bare S3 + DynamoDB writes of one upload.
      ctx.log(`${n} uploads through the handler, ${concurrency} at a time`);
      const ids: string[] = [];
      let failures = 0;
      const upload = await runConcurrent(n, concurrency, async (i) => {
        const res = await handle(event('POST', '/artifact/code', body, { 'Content-Type': 'text/plain', 'X-Artifact-Name': `bench-code-${i}` }));
        if (res.statusCode === 201) ids.push(JSON.parse(res.body).metadata.id);
        else failures++;
      });
      const bare = await runConcurrent(n, concurrency, async (i) => {
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `baseline/${i}.txt`, Body: body }));
        await ddb.send(new PutCommand({ TableName: table, Item: { pk: `BASE#${i}`, sk: 'META', n: i } }));
      });
      rows.push(rateRow('uploads/s (handler)', upload, bare, 'S3 PutObject + DynamoDB PutItem'));
      rows.push(...latencyRows('upload', upload, bare));

      // GETs through the handler (record + presigned URL) vs one consistent GetItem.
      ctx.log(`${n} GETs through the handler`);
      const get = await runConcurrent(n, concurrency, async (i) => {
        const res = await handle(event('GET', `/artifacts/code/${ids[i % ids.length]}`));
        if (res.statusCode !== 200) failures++;
      });
      const bareGet = await runConcurrent(n, concurrency, async (i) => {
        await ddb.send(new GetCommand({ TableName: table, Key: { pk: `ART#${ids[i % ids.length]}`, sk: 'META' }, ConsistentRead: true }));
      });
      rows.push(rateRow('GETs/s (handler)', get, bareGet, 'DynamoDB GetItem'));
      rows.push(...latencyRows('GET', get, bareGet));

      // Contention: 50 writers on one dataset name (each bumps that name's HEAD) vs on 50 names.
      const writers = ctx.quick ? 20 : 50;
      ctx.log(`${writers} concurrent uploads to one name vs to distinct names`);
      ddbCounter.reset();
      const distinct = await runConcurrent(writers, writers, async (i) => {
        const res = await handle(event('POST', '/artifact/dataset', body, { 'X-Artifact-Name': `bench-ds-${i}` }));
        if (res.statusCode !== 201) failures++;
      });
      const distinctTx = ddbCounter.get('TransactWriteItems');
      ddbCounter.reset();
      const sameIds: string[] = [];
      const same = await runConcurrent(writers, writers, async () => {
        const res = await handle(event('POST', '/artifact/dataset', body, { 'X-Artifact-Name': 'bench-hot-name' }));
        if (res.statusCode === 201) sameIds.push(JSON.parse(res.body).metadata.id);
        else failures++;
      });
      const sameTx = ddbCounter.get('TransactWriteItems');
      rows.push({
        metric: `${writers} uploads to one name, wall time`,
        value: same.wallMs,
        unit: 'ms',
        baseline: { name: `${writers} uploads to distinct names`, value: distinct.wallMs },
        ratio: same.wallMs / distinct.wallMs,
        note: `transactions tried: ${sameTx} vs ${distinctTx} (optimistic retries on the name's HEAD)`,
      });

      // 20 concurrent ingests of one URL: exactly one accepted.
      const urlRuns = 20;
      const statuses = await Promise.all(
        Array.from({ length: urlRuns }, () => handle(event('POST', '/artifact/code', Buffer.from(JSON.stringify({ url: `s3://${bucket}/baseline/0.txt` })), { 'Content-Type': 'application/json' })).then((r) => r.statusCode)),
      );
      const accepted = statuses.filter((s) => s === 202).length;

      // Lost or duplicated: what the registry lists against what it answered 201/202 for.
      const listed = new Map<string, number>();
      let offset: string | undefined;
      do {
        const page = await runtime.registry.list([{ name: '*' }], offset);
        for (const m of page.items) listed.set(m.id, (listed.get(m.id) ?? 0) + 1);
        offset = page.nextOffset;
      } while (offset);
      const expected = [...ids, ...sameIds];
      const lost = expected.filter((id) => !listed.has(id)).length;
      const duplicated = [...listed.values()].filter((c) => c > 1).length + Math.max(0, accepted - 1) + (expected.length - new Set(expected).size);
      rows.push({ metric: 'lost records', value: lost, unit: 'count', goal: '= 0', note: `${expected.length} uploads answered 201, ${failures} non-2xx` });
      rows.push({ metric: 'duplicated records', value: duplicated, unit: 'count', goal: '= 0', note: `${accepted} of ${urlRuns} concurrent ingests of one URL accepted (others 409)` });
      return rows;
    } finally {
      await services.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  },
};
export default suite;

interface Run {
  wallMs: number;
  latenciesMs: number[];
}

async function runConcurrent(n: number, concurrency: number, op: (i: number) => Promise<void>): Promise<Run> {
  const latenciesMs: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      while (next < n) {
        const i = next++;
        const t0 = performance.now();
        await op(i);
        latenciesMs.push(performance.now() - t0);
      }
    }),
  );
  return { wallMs: performance.now() - started, latenciesMs };
}

function percentile(xs: number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function rateRow(metric: string, run: Run, baseline: Run, baselineName: string): BenchRow {
  const rate = (r: Run) => (r.latenciesMs.length * 1000) / r.wallMs;
  return { metric, value: rate(run), unit: 'ops/s', baseline: { name: baselineName, value: rate(baseline) }, ratio: rate(run) / rate(baseline), note: 'ratio = handler / bare SDK calls, same concurrency' };
}

function latencyRows(what: string, run: Run, baseline: Run): BenchRow[] {
  return [50, 95].map((p) => ({
    metric: `${what} p${p}`,
    value: percentile(run.latenciesMs, p),
    unit: 'ms',
    baseline: { name: `bare SDK p${p}`, value: percentile(baseline.latenciesMs, p) },
    ratio: percentile(run.latenciesMs, p) / percentile(baseline.latenciesMs, p),
  }));
}

function event(method: string, path: string, body?: Buffer, headers: Record<string, string> = {}): APIGatewayProxyEvent {
  return {
    resource: '/{proxy+}',
    path,
    httpMethod: method,
    headers,
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: { httpMethod: method, path, stage: 'Prod' } as APIGatewayProxyEvent['requestContext'],
    body: body ? body.toString('base64') : null,
    isBase64Encoded: Boolean(body),
  };
}
