/**
 * Fault injection on the shared services, each rule scoped to this file's bucket, table or text so
 * parallel test files are not disturbed: the real SDK retries injected 5xx/throttling errors and
 * succeeds, or gives up with the typed error once the fault outlasts its attempts.
 */
import { GetObjectCommand, HeadBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { InvokeModelCommand, type BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBedrockRuntimeClient, createS3Client } from '../../../src/aws';
import { createDynamoDocumentClient } from '../../../src/aws/dynamodb';
import { ensureBucket, faults, servicesInfo, testConfig, uniqueName } from '../../setup/services';

const MAX_ATTEMPTS = 3;
let s3: S3Client;
let ddb: DynamoDBDocumentClient;
let bedrock: BedrockRuntimeClient;
let bucket: string;
let table: string;
const ruleIds: Array<[Parameters<typeof faults>[0], string]> = [];

async function addRule(service: Parameters<typeof faults>[0], rule: Parameters<ReturnType<typeof faults>['set']>[0]) {
  const id = await faults(service).set(rule);
  ruleIds.push([service, id]);
  return id;
}

beforeAll(async () => {
  const config = testConfig();
  s3 = createS3Client(config, { maxAttempts: MAX_ATTEMPTS });
  ddb = createDynamoDocumentClient(config, { maxAttempts: MAX_ATTEMPTS });
  bedrock = createBedrockRuntimeClient(config, { maxAttempts: MAX_ATTEMPTS });
  bucket = uniqueName('faults');
  table = uniqueName('faults');
  await ensureBucket(s3, bucket);
  await ddb.send(
    new CreateTableCommand({ TableName: table, BillingMode: 'PAY_PER_REQUEST', AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] }),
  );
});

afterEach(async () => {
  for (const [service, id] of ruleIds.splice(0)) await faults(service).clear(id);
});

describe('fault injection: S3', () => {
  it('the SDK retries two injected 503 SlowDown answers and the third attempt succeeds', async () => {
    await addRule('s3', { failNext: 2, status: 503, match: { operation: 'PutObject', pathPrefix: `/${bucket}/` } });

    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'retry/ok.txt', Body: 'stored after two failures' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'retry/ok.txt' }));

    expect(put.$metadata.attempts).toBe(3);
    expect(await got.Body!.transformToString()).toBe('stored after two failures');
  });

  it('a fault that outlasts the attempts surfaces as the typed S3 error with its status', async () => {
    await addRule('s3', { failNext: 10, status: 500, match: { pathPrefix: `/${bucket}/outlast/` } });

    const error = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'outlast/x' })).catch((err: unknown) => err);

    expect(error).toMatchObject({ name: 'InternalError', $metadata: { httpStatusCode: 500, attempts: MAX_ATTEMPTS } });
  });

  it('a response cut short surfaces as an error while reading the body', async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'cut/body.bin', Body: Buffer.alloc(256 * 1024, 1) }));
    await addRule('s3', { truncateNext: 1, match: { operation: 'GetObject', pathPrefix: `/${bucket}/cut/` } });

    const read = s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'cut/body.bin' })).then((r) => r.Body!.transformToByteArray());

    await expect(read).rejects.toThrow();
    const again = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'cut/body.bin' }));
    expect((await again.Body!.transformToByteArray()).length).toBe(256 * 1024);
  });

  it('adds latency to matching requests until the rule is cleared', async () => {
    const id = await addRule('s3', { latencyMs: 300, match: { operation: 'HeadBucket', pathPrefix: `/${bucket}` } });

    const startedMs = performance.now();
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    const delayedMs = performance.now() - startedMs;
    await faults('s3').clear(id);
    const rules = (await fetch(`${servicesInfo().endpoints.s3}/__larder/faults`).then((r) => r.json())) as { rules: Array<{ id: string }> };

    expect(delayedMs).toBeGreaterThanOrEqual(290);
    expect(rules.rules.map((r) => r.id)).not.toContain(id);
  });
});

describe('fault injection: DynamoDB', () => {
  it('the SDK retries injected ThrottlingExceptions (JSON __type shape) and succeeds', async () => {
    await addRule('dynamodb', { failNext: 2, status: 400, code: 'ThrottlingException', match: { operation: 'PutItem', bodyIncludes: table } });

    const put = await ddb.send(new PutCommand({ TableName: table, Item: { pk: 'throttled', value: 1 } }));
    const got = await ddb.send(new GetCommand({ TableName: table, Key: { pk: 'throttled' } }));

    expect(put.$metadata.attempts).toBe(3);
    expect(got.Item?.value).toBe(1);
  });

  it('a response cut short once is retried by the SDK (a network error) and the call succeeds', async () => {
    await ddb.send(new PutCommand({ TableName: table, Item: { pk: 'cut', value: 2 } }));
    await addRule('dynamodb', { truncateNext: 1, match: { operation: 'GetItem', bodyIncludes: table } });

    const got = await ddb.send(new GetCommand({ TableName: table, Key: { pk: 'cut' } }));

    expect(got.$metadata.attempts).toBe(2);
    expect(got.Item?.value).toBe(2);
  });

  it('a fault that outlasts the attempts surfaces as the typed error', async () => {
    await addRule('dynamodb', { failNext: 10, status: 500, match: { operation: 'GetItem', bodyIncludes: table } });

    const error = await ddb.send(new GetCommand({ TableName: table, Key: { pk: 'x' } })).catch((err: unknown) => err);

    expect(error).toMatchObject({ name: 'InternalServerError', $metadata: { httpStatusCode: 500, attempts: MAX_ATTEMPTS } });
  });
});

describe('fault injection: Bedrock Runtime', () => {
  const invokeTitan = (text: string) =>
    bedrock.send(
      new InvokeModelCommand({
        modelId: 'amazon.titan-embed-text-v2:0',
        contentType: 'application/json',
        accept: 'application/json',
        body: JSON.stringify({ inputText: text, dimensions: 256, normalize: true }),
      }),
    );

  it('the SDK retries an injected 429 ThrottlingException (x-amzn-ErrorType) and gets the embedding', async () => {
    const marker = uniqueName('throttle-me');
    await addRule('bedrock', { failNext: 1, status: 429, match: { operation: 'InvokeModel', bodyIncludes: marker } });

    const result = await invokeTitan(`quarterly revenue ${marker}`);

    expect(result.$metadata.attempts).toBe(2);
    expect(JSON.parse(new TextDecoder().decode(result.body)).embedding).toHaveLength(256);
  });

  it('a response cut short (HTTP/2 stream reset) surfaces as an error', async () => {
    const marker = uniqueName('cut-short');
    await addRule('bedrock', { truncateNext: 1, match: { bodyIncludes: marker } });

    await expect(invokeTitan(`operating margin ${marker}`)).rejects.toThrow(/NGHTTP2_INTERNAL_ERROR|aborted|closed/);
  });

  it('a 503 that outlasts the attempts surfaces as ServiceUnavailableException', async () => {
    const marker = uniqueName('unavailable');
    await addRule('bedrock', { failNext: 10, status: 503, match: { bodyIncludes: marker } });

    const error = await invokeTitan(`net income ${marker}`).catch((err: unknown) => err);

    expect(error).toMatchObject({ name: 'ServiceUnavailableException', $metadata: { httpStatusCode: 503, attempts: MAX_ATTEMPTS } });
  });
});
