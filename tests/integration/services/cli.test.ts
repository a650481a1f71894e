/**
 * From the outside: the aws CLI (when installed), with a user's own made-up keys, sees our data
 * through --endpoint-url, and
 * `larder services` runs in the foreground, writes its endpoint files, and on SIGTERM removes them
 * and leaves no process behind.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { createS3Client } from '../../../src/aws';
import { createDynamoDocumentClient } from '../../../src/aws/dynamodb';
import type { EndpointsFile } from '../../../src/local/services/endpointsFile';
import { waitForPidGone } from '../../../src/local/services/process';
import { ensureBucket, localEnv, servicesInfo, testConfig, uniqueName } from '../../setup/services';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../../..');

function findAwsCli(): string | undefined {
  for (const candidate of ['aws', '/root/.pyenv/shims/aws', '/usr/local/bin/aws']) {
    try {
      execFileSync(candidate, ['--version'], { stdio: 'ignore', timeout: 20_000 });
      return candidate;
    } catch {
      // not this one
    }
  }
  return undefined;
}

const awsCli = findAwsCli();
if (!awsCli) console.warn('[larder] the aws CLI is not installed here: skipping the `aws s3 ls` / `aws dynamodb list-tables` checks');

describe.skipIf(!awsCli)('the aws CLI against the local services', () => {
  const awsEnv = () => ({
    ...process.env,
    ...localEnv(),
    AWS_CONFIG_FILE: join(tmpdir(), 'larder-no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(tmpdir(), 'larder-no-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
    // A user's own keys, not the S3RVER pair: the local services accept any credentials.
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  });

  it('`aws s3 ls --endpoint-url` lists an object we put with the SDK', async () => {
    const s3 = createS3Client(testConfig());
    const bucket = uniqueName('cli');
    await ensureBucket(s3, bucket);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'reports/annual.txt', Body: 'ten-K' }));

    const { stdout } = await run(awsCli!, ['s3', 'ls', `s3://${bucket}/reports/`, '--endpoint-url', servicesInfo().endpoints.s3], { env: awsEnv() });

    expect(stdout).toMatch(/\s5 annual\.txt/);
  });

  it('`aws dynamodb list-tables --endpoint-url` sees a table we created with the SDK', async () => {
    const ddb = createDynamoDocumentClient(testConfig());
    const table = uniqueName('cli');
    await ddb.send(
      new CreateTableCommand({ TableName: table, BillingMode: 'PAY_PER_REQUEST', AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] }),
    );

    const { stdout } = await run(awsCli!, ['dynamodb', 'list-tables', '--output', 'json', '--endpoint-url', servicesInfo().endpoints.dynamodb], { env: awsEnv() });

    expect((JSON.parse(stdout) as { TableNames: string[] }).TableNames).toContain(table);
  });
});

describe('larder services (the command)', () => {
  it('writes endpoints.json and services.env, and on SIGTERM stops everything and removes them', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'larder-cli-services-'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'services', '--data-dir', dataDir], {
      cwd: ROOT,
      env: { ...process.env, LARDER_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolveExit) => child.on('exit', (code) => resolveExit(code)));
    try {
      const endpointsPath = join(dataDir, 'endpoints.json');
      for (let i = 0; i < 600 && !existsSync(endpointsPath) && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 50));
      expect(existsSync(endpointsPath), output).toBe(true);
      const info = JSON.parse(readFileSync(endpointsPath, 'utf8')) as EndpointsFile;
      const envLines = readFileSync(join(dataDir, 'services.env'), 'utf8').trim().split('\n');
      const health = await fetch(`${info.endpoints.dynamodb}/__larder/health`).then((r) => r.json());
      const javaPids = descendants(child.pid!).filter(([, args]) => args.startsWith('java ') && args.includes('DynamoDBLocal.jar')).map(([pid]) => pid);

      child.kill('SIGTERM');
      const code = await exited;

      expect(output).toContain(info.endpoints.s3);
      expect(envLines).toContain(`AWS_ENDPOINT_URL_S3=${info.endpoints.s3}`);
      expect(envLines).toContain(`AWS_ENDPOINT_URL_BEDROCK_RUNTIME=${info.endpoints.bedrock}`);
      expect(health).toEqual({ ok: true, service: 'dynamodb' });
      expect(code).toBe(0);
      expect(existsSync(endpointsPath)).toBe(false);
      expect(existsSync(join(dataDir, 'services.env'))).toBe(false);
      expect(javaPids).toHaveLength(1);
      expect(await waitForPidGone(javaPids[0], 5000)).toBe(true);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

/** [pid, command line] of every descendant of a pid (DynamoDB Local's java runs under a watchdog sh). */
function descendants(pid: number): Array<[number, string]> {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3] }));
  const found: Array<[number, string]> = [];
  const queue = [pid];
  while (queue.length) {
    const parent = queue.shift()!;
    for (const row of rows.filter((r) => r.ppid === parent)) {
      found.push([row.pid, row.args]);
      queue.push(row.pid);
    }
  }
  return found;
}
