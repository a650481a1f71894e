/**
 * A registry wired to the shared local services (DynamoDB Local, S3) with its own table and bucket,
 * the artifact handler called with REST v1 proxy events, and a local HTTP server on 127.0.0.1 that
 * serves ingest sources (no network beyond loopback).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { expect } from 'vitest';
import { createS3Client } from '../../../src/aws';
import { createDynamoDocumentClient } from '../../../src/aws/dynamodb';
import type { LarderConfig } from '../../../src/config';
import { createArtifactHandler } from '../../../src/handlers/artifact';
import { createRegistryRuntime, ensureArtifactTable, type Rater, type RegistryRuntime, type RegistryRuntimeOptions } from '../../../src/registry';
import type { SourceFetcher } from '../../../src/registry/download';
import { ensureBucket, testConfig, uniqueName } from '../../setup/services';
import { specErrors } from '../../unit/registry/spec';

export type InvokerMode = 'direct' | 'manual';

export interface HarnessOptions {
  /** direct: the ingest runs inside the POST (awaited); manual: ids queue up in `pendingIngests`. */
  invoker?: InvokerMode | ((id: string) => Promise<void>);
  limits?: RegistryRuntimeLimits;
  rater?: Rater;
  fetchSource?: SourceFetcher;
  /** Default: the loopback source server (127.0.0.1) and this harness's bucket are allowed sources. */
  ingestPolicy?: RegistryRuntimeOptions['ingestPolicy'];
  /** Access control; default off. */
  auth?: RegistryRuntimeOptions['auth'];
}
type RegistryRuntimeLimits = Partial<RegistryRuntime['limits']>;

export interface CallOptions {
  json?: unknown;
  body?: Buffer | string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  base64?: boolean;
}

export interface CallResult extends APIGatewayProxyResult {
  json: () => any;
}

export interface Harness {
  config: LarderConfig;
  s3: S3Client;
  ddb: DynamoDBDocumentClient;
  bucket: string;
  table: string;
  runtime: RegistryRuntime;
  pendingIngests: string[];
  call: (method: string, path: string, options?: CallOptions) => Promise<CallResult>;
  /** The handler with any event (an S3 notification, say). */
  invoke: (event: unknown) => Promise<APIGatewayProxyResult>;
  tableItems: () => Promise<Record<string, unknown>[]>;
  bucketKeys: () => Promise<string[]>;
}

export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  const config = testConfig();
  const s3 = createS3Client(config);
  const ddb = createDynamoDocumentClient(config);
  const bucket = uniqueName('registry');
  const table = uniqueName('registry');
  await Promise.all([ensureBucket(s3, bucket), ensureArtifactTable(ddb, table)]);
  const pendingIngests: string[] = [];
  const runtime = createRegistryRuntime(config, {
    s3,
    ddb,
    bucket,
    tableName: table,
    limits: options.limits,
    rater: options.rater,
    fetchSource: options.fetchSource,
    ingestPolicy: options.ingestPolicy ?? { allowHosts: ['127.0.0.1'], s3Buckets: [bucket] },
    auth: options.auth ?? { mode: 'off' },
    invoker: (ingest) =>
      typeof options.invoker === 'function'
        ? options.invoker
        : options.invoker === 'manual'
        ? async (id) => void pendingIngests.push(id)
        : async (id) => {
            await ingest(id);
          },
  });
  const handler = createArtifactHandler(async () => ({ registry: runtime.registry, maxUploadBytes: runtime.limits.maxUploadBytes, insights: runtime.insights, auth: runtime.auth, uploads: runtime.uploads }));
  const call = async (method: string, path: string, o: CallOptions = {}): Promise<CallResult> => {
    const result = await handler(restEvent(method, path, o));
    return { ...result, json: () => JSON.parse(result.body) };
  };
  const tableItems = async () => {
    const out = await ddb.send(new ScanCommand({ TableName: table, ConsistentRead: true }));
    return out.Items ?? [];
  };
  const bucketKeys = async () => {
    const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    return (out.Contents ?? []).map((o) => o.Key!);
  };
  return { config, s3, ddb, bucket, table, runtime, pendingIngests, call, invoke: handler, tableItems, bucketKeys };
}

/** A REST v1 proxy event as `sam local generate-event apigateway aws-proxy` shapes it. */
export function restEvent(method: string, path: string, o: CallOptions = {}): APIGatewayProxyEvent {
  const headers: Record<string, string> = { ...(o.json !== undefined ? { 'Content-Type': 'application/json' } : {}), ...o.headers };
  const raw = o.json !== undefined ? JSON.stringify(o.json) : o.body;
  const body = raw === undefined ? null : o.base64 ? Buffer.from(raw).toString('base64') : Buffer.isBuffer(raw) ? raw.toString('utf8') : raw;
  return {
    body,
    resource: '/{proxy+}',
    path,
    httpMethod: method,
    isBase64Encoded: Boolean(o.base64),
    queryStringParameters: o.query ?? null,
    multiValueQueryStringParameters: o.query ? Object.fromEntries(Object.entries(o.query).map(([k, v]) => [k, [v]])) : null,
    pathParameters: { proxy: path.replace(/^\//, '') },
    stageVariables: null,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    requestContext: {
      accountId: '123456789012',
      apiId: '1234567890',
      resourceId: '123456',
      stage: 'prod',
      requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      requestTimeEpoch: Date.now(),
      identity: { sourceIp: '127.0.0.1', userAgent: 'vitest' },
      path: `/prod${path}`,
      resourcePath: '/{proxy+}',
      httpMethod: method,
      protocol: 'HTTP/1.1',
    } as unknown as APIGatewayProxyEvent['requestContext'],
  };
}

/** The response is `{error, error_code}` with this status, and nothing that looks like a stack or an SDK message. */
export function expectError(res: CallResult, status: number, code?: string): { error: string; error_code: string } {
  expect(res.statusCode, res.body).toBe(status);
  const body = res.json();
  expect(Object.keys(body).sort()).toEqual(['error', 'error_code']);
  expect(typeof body.error).toBe('string');
  if (code) expect(body.error_code).toBe(code);
  expect(body.error).not.toMatch(/\n\s+at |Exception|\$metadata|node_modules/);
  return body;
}

/** The JSON body validates against the spec's schema. */
export function expectSpec(schema: string | { arrayOf: string }, body: unknown): void {
  expect(specErrors(schema, body)).toEqual([]);
}

/** What the local source server answers for a path. */
export interface SourceRoute {
  status?: number;
  body?: Buffer | string;
  headers?: Record<string, string>;
  /** Send without Content-Length, in chunks. */
  chunked?: boolean;
}

export interface SourceServer {
  url: (path: string) => string;
  set: (path: string, route: SourceRoute) => void;
  hits: (path: string) => number;
  close: () => Promise<void>;
}

/** An HTTP server on 127.0.0.1 serving ingest sources; unknown paths are 404s. */
export async function startSourceServer(): Promise<SourceServer> {
  const routes = new Map<string, SourceRoute>();
  const hits = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const route = routes.get(path);
    if (!route) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    const body = route.body === undefined ? Buffer.alloc(0) : Buffer.from(route.body);
    if (route.chunked) {
      res.writeHead(route.status ?? 200, { 'Content-Type': 'application/octet-stream', ...route.headers });
      for (let i = 0; i < body.length; i += 64 * 1024) res.write(body.subarray(i, i + 64 * 1024));
      res.end();
      return;
    }
    res.writeHead(route.status ?? 200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(body.length), ...route.headers }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    set: (path, route) => void routes.set(path, route),
    hits: (path) => hits.get(path) ?? 0,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
