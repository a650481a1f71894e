/**
 * Starting and stopping our own instances (not the shared ones): request stats per operation,
 * the HTTP control API, faults set at start from LARDER_FAULTS_S3, a busy port named in the error,
 * and no s3rver or JVM process left after stop().
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { CreateTableCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createS3Client, LOCAL_CREDENTIALS } from '../../../src/aws';
import { createDynamoDocumentClient } from '../../../src/aws/dynamodb';
import { startLocalServices, remoteFaultController, type LocalServices } from '../../../src/local/services';
import { waitForPidGone } from '../../../src/local/services/process';
import { testConfig } from '../../setup/services';

const dataDir = mkdtempSync(join(tmpdir(), 'larder-lifecycle-'));
const started: LocalServices[] = [];

async function start(options: Parameters<typeof startLocalServices>[0]) {
  const services = await startLocalServices({ dataDir, quiet: true, ports: { s3: 0, dynamodb: 0, bedrock: 0 }, ...options });
  started.push(services);
  return services;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.stop()));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** pid → command line of every running process, from `ps`. */
function processTable(): Map<number, string> {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return new Map(
    out
      .split('\n')
      .map((line) => line.trim().match(/^(\d+)\s+(.*)$/))
      .filter((m): m is RegExpMatchArray => m !== null)
      .map((m) => [Number(m[1]), m[2]]),
  );
}

describe('local services lifecycle', () => {
  it('counts requests per S3 operation, readable in code and over HTTP, and resets them', async () => {
    const services = await start({ only: ['s3'] });
    const s3 = createS3Client(testConfig(services.env));

    await s3.send(new CreateBucketCommand({ Bucket: 'stats-bucket' }));
    await s3.send(new PutObjectCommand({ Bucket: 'stats-bucket', Key: 'a.txt', Body: 'a' }));
    await s3.send(new GetObjectCommand({ Bucket: 'stats-bucket', Key: 'a.txt' }));
    await s3.send(new GetObjectCommand({ Bucket: 'stats-bucket', Key: 'a.txt', Range: 'bytes=0-0' }));
    await s3.send(new HeadObjectCommand({ Bucket: 'stats-bucket', Key: 'a.txt' }));
    await s3.send(new ListObjectsV2Command({ Bucket: 'stats-bucket' }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'stats-bucket', Key: 'a.txt' }));
    const inCode = await services.faults.s3.stats();
    const overHttp = await remoteFaultController(services.endpoints.s3).stats();
    await services.faults.s3.resetStats();

    expect(inCode).toEqual({ CreateBucket: 1, PutObject: 1, GetObject: 2, HeadObject: 1, ListObjectsV2: 1, DeleteObject: 1 });
    expect(overHttp).toEqual(inCode);
    expect(await services.faults.s3.stats()).toEqual({});
  });

  it('decodes an aws-chunked upload also while a bodyIncludes rule makes the proxy read the body first', async () => {
    const services = await start({ only: ['s3'] });
    const plain = new S3Client({ endpoint: services.endpoints.s3, region: 'us-east-1', forcePathStyle: true, credentials: LOCAL_CREDENTIALS });
    await plain.send(new CreateBucketCommand({ Bucket: 'chunked-bucket' }));
    await services.faults.s3.set({ failNext: 1, match: { bodyIncludes: 'a marker no body contains' } });
    const body = Buffer.from('small body, read whole by the proxy before forwarding\n'.repeat(100));

    await plain.send(new PutObjectCommand({ Bucket: 'chunked-bucket', Key: 'k', Body: Readable.from([body]), ContentLength: body.length }));
    const got = await plain.send(new GetObjectCommand({ Bucket: 'chunked-bucket', Key: 'k' }));

    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);
  });

  it('takes fault rules at start from LARDER_FAULTS_S3 and rejects an invalid rule posted over HTTP with 400', async () => {
    const config = testConfig({ LARDER_FAULTS_S3: JSON.stringify({ failNext: 1, status: 500, match: { operation: 'ListBuckets' } }) });
    const services = await start({ only: ['s3'], config });

    const first = await fetch(`${services.endpoints.s3}/`);
    const second = await fetch(`${services.endpoints.s3}/`);
    const bad = await fetch(`${services.endpoints.s3}/__larder/faults`, { method: 'POST', body: JSON.stringify({ failNext: -1 }) });

    expect(first.status).toBe(500);
    expect(await first.text()).toContain('<Code>InternalError</Code>');
    expect(second.status).toBe(200); // the rule is spent; s3rver answers unsigned ListBuckets too
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/failNext/);
  });

  it('keeps DynamoDB tables and S3 objects across a restart when persisting to the data dir', async () => {
    const persistDir = mkdtempSync(join(tmpdir(), 'larder-persist-'));
    try {
      const first = await start({ only: ['s3', 'dynamodb'], persist: true, dataDir: persistDir });
      const config = testConfig(first.env);
      await createDynamoDocumentClient(config).send(
        new CreateTableCommand({ TableName: 'kept-table', BillingMode: 'PAY_PER_REQUEST', AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] }),
      );
      await createS3Client(config).send(new CreateBucketCommand({ Bucket: 'kept-bucket' }));
      await createS3Client(config).send(new PutObjectCommand({ Bucket: 'kept-bucket', Key: 'kept.txt', Body: 'still here' }));
      await first.stop();

      const second = await start({ only: ['s3', 'dynamodb'], persist: true, dataDir: persistDir });
      const again = testConfig(second.env);
      const tables = await createDynamoDocumentClient(again).send(new ListTablesCommand({}));
      const object = await createS3Client(again).send(new GetObjectCommand({ Bucket: 'kept-bucket', Key: 'kept.txt' }));

      expect(tables.TableNames).toContain('kept-table');
      expect(await object.Body!.transformToString()).toBe('still here');
    } finally {
      await Promise.all(started.splice(0).map((s) => s.stop()));
      rmSync(persistDir, { recursive: true, force: true });
    }
  });

  it('fails with the port and the service named when a configured port is busy', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      for (const service of ['s3', 'dynamodb', 'bedrock'] as const) {
        const attempt = start({ only: [service], ports: { [service]: port } });
        await expect(attempt).rejects.toMatchObject({ code: 'PORT_IN_USE', message: expect.stringContaining(`${service}: port ${port}`) });
      }
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  it('leaves neither s3rver nor the JVM running when the process that started them is killed with SIGKILL', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures/servicesUntilKilled.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          if (out.includes('\n')) resolve(out.split('\n')[0]);
        });
        child.on('exit', (code) => reject(new Error(`fixture exited early with code ${code}`)));
      });
      const { s3Pid, javaPid } = JSON.parse(line) as { s3Pid: number; javaPid: number };
      const before = processTable();
      expect(before.get(s3Pid)).toContain('s3rverProcess.mjs');
      expect(before.get(javaPid)).toContain('DynamoDBLocal.jar');

      child.kill('SIGKILL');

      expect(await waitForPidGone(s3Pid, 15_000)).toBe(true);
      expect(await waitForPidGone(javaPid, 15_000)).toBe(true);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('leaves no s3rver or DynamoDB Local (java) process behind after stop()', async () => {
    const services = await startLocalServices({ dataDir, quiet: true, ports: { s3: 0, dynamodb: 0, bedrock: 0 } });
    const { s3: s3Pid, dynamodb: javaPid } = services.pids;
    const ddb = createDynamoDocumentClient(testConfig(services.env));
    await ddb.send(new ListTablesCommand({}));
    const before = processTable();

    await services.stop();
    const after = processTable();

    expect(before.get(s3Pid!)).toContain('s3rverProcess.mjs');
    expect(before.get(javaPid!)).toContain('DynamoDBLocal.jar');
    expect(after.has(s3Pid!)).toBe(false);
    expect(after.has(javaPid!)).toBe(false);
    const port = new URL(services.directEndpoints.dynamodb).port;
    expect([...after.values()].filter((args) => args.includes('DynamoDBLocal.jar') && args.includes(`-port ${port}`))).toEqual([]);
  });
});
