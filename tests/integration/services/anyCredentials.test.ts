/**
 * Any credentials work against every local endpoint, as with AWS's other local tools: boto3 (a
 * client we did not write) and the SDK v3 with keys nobody configured, signed (SigV4, SigV2) and
 * presigned. The aws CLI v1 with made-up keys: cli.test.ts. Plus the S3 conditions s3rver ignores and the proxy answers.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../../src/aws';
import { ensureBucket, localEnv, servicesInfo, testConfig, uniqueName } from '../../setup/services';

const run = promisify(execFile);
const FOREIGN_KEYS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
let bucket: string;
let table: string;

/** The env a user's shell has: endpoints from services.env, but their own (made-up) keys. */
function userEnv(): NodeJS.ProcessEnv {
  const { AWS_ACCESS_KEY_ID: _a, AWS_SECRET_ACCESS_KEY: _s, ...env } = localEnv();
  return { PATH: process.env.PATH, HOME: process.env.HOME, ...env, AWS_ACCESS_KEY_ID: FOREIGN_KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: FOREIGN_KEYS.secretAccessKey, AWS_DEFAULT_REGION: 'us-east-1', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' };
}

beforeAll(async () => {
  bucket = uniqueName('anycreds');
  table = uniqueName('anycreds');
  await ensureBucket(createS3Client(testConfig()), bucket);
  const ddb = new DynamoDBClient({ endpoint: servicesInfo().endpoints.dynamodb, region: 'us-east-1', credentials: FOREIGN_KEYS });
  await ddb.send(new CreateTableCommand({ TableName: table, KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }));
});

describe('any credentials against the local endpoints', () => {
  it('boto3 with made-up keys: S3 (SigV4, SigV2, presigned GET), DynamoDB and Bedrock Converse all answer', async () => {
    const { stdout } = await run('python3', [resolve(import.meta.dirname, 'fixtures/boto3Clients.py'), bucket, table], { env: userEnv(), timeout: 60_000 });
    const out = JSON.parse(stdout);

    expect(out.s3_get).toBe('hello from boto3');
    expect(out.s3_list).toEqual(['boto3/hello.txt']);
    expect(out.s3_presigned_get).toBe('hello from boto3');
    expect(out.s3_sigv2_get).toBe('hello from boto3');
    expect(out.ddb_get).toBe('1');
    expect(out.bedrock_converse_role).toBe('assistant');
  });

  it('SDK v3 with made-up keys and its default checksums: PutObject, presigned GET and PUT', async () => {
    const s3 = new S3Client({ endpoint: servicesInfo().endpoints.s3, region: 'us-east-1', forcePathStyle: true, credentials: FOREIGN_KEYS });
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'sdk/a.txt', Body: 'signed with foreign keys' }));
    const getUrl = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: 'sdk/a.txt' }), { expiresIn: 60 });
    const putUrl = await getSignedUrl(s3, new PutObjectCommand({ Bucket: bucket, Key: 'sdk/b.txt' }), { expiresIn: 60 });

    const got = await fetch(getUrl);
    const put = await fetch(putUrl, { method: 'PUT', body: 'presigned put' });
    const back = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'sdk/b.txt' }));

    expect(got.status).toBe(200);
    expect(await got.text()).toBe('signed with foreign keys');
    expect(put.status).toBe(200);
    expect(await back.Body!.transformToString()).toBe('presigned put');
  });
});

describe('S3 conditions s3rver ignores, answered as S3 does', () => {
  const statusOf = async (p: Promise<unknown>) => p.then(() => 200, (e: S3ServiceException) => e.$metadata.httpStatusCode);

  it('GetObject/HeadObject with a stale If-Match → 412; with the current ETag → 200', async () => {
    const s3 = createS3Client(testConfig());
    const { ETag } = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'cond/get.txt', Body: 'v1' }));

    expect(await statusOf(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'cond/get.txt', IfMatch: '"0123456789abcdef0123456789abcdef"' })))).toBe(412);
    expect(await statusOf(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'cond/get.txt', IfMatch: '"0123456789abcdef0123456789abcdef"' })))).toBe(412);
    expect(await statusOf(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'cond/get.txt', IfMatch: ETag })))).toBe(200);
  });

  it('PutObject If-None-Match: * creates once, then 412 and the object is unchanged; If-Match overwrites only the current version', async () => {
    const s3 = createS3Client(testConfig());
    const first = await statusOf(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'cond/put.txt', Body: 'first', IfNoneMatch: '*' })));
    const second = await statusOf(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'cond/put.txt', Body: 'second', IfNoneMatch: '*' })));
    const stale = await statusOf(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'cond/put.txt', Body: 'third', IfMatch: '"0123456789abcdef0123456789abcdef"' })));
    const { ETag } = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'cond/put.txt' }));
    const current = await statusOf(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'cond/put.txt', Body: 'fourth', IfMatch: ETag })));
    const body = await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'cond/put.txt' }))).Body!.transformToString();

    expect([first, second, stale, current]).toEqual([200, 412, 412, 200]);
    expect(body).toBe('fourth');
  });
});
