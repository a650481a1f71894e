/**
 * Response streaming end to end with a client we did not write: the AWS SDK's
 * InvokeWithResponseStreamCommand against start-lambda, for our fixture and for the `sam init`
 * response-streaming app (../shared/sam-apps, run unmodified from its own folder).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { InvokeWithResponseStreamCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { runtimeFixtureApp, type FixtureApp } from './runtimeFixture';
import { startLambdaApiServer } from '../../../src/local/lambdaApiServer';
import { loadTemplate } from '../../../src/local/template';
import { LambdaEmulator } from '../../../src/local/emulator';
import type { RunningServer } from '../../../src/local/httpServer';

const PRELUDE_TYPE = 'application/vnd.awslambda.http-integration-response';
const SAM_STREAMING_APP = resolve(import.meta.dirname, '../../../../shared/sam-apps/nodejs22.x-response-streaming/template.yaml');

async function collect(client: LambdaClient, name: string, payload: unknown, logType?: 'Tail') {
  const out = await client.send(new InvokeWithResponseStreamCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(payload)), LogType: logType }));
  const chunks: Buffer[] = [];
  let complete: any;
  for await (const ev of out.EventStream!) {
    if (ev.PayloadChunk?.Payload) chunks.push(Buffer.from(ev.PayloadChunk.Payload));
    if (ev.InvokeComplete) complete = ev.InvokeComplete;
  }
  return { out, chunks, body: Buffer.concat(chunks), complete };
}

function splitPrelude(body: Buffer): { prelude: any; rest: string } {
  const end = body.indexOf(Buffer.alloc(8));
  return { prelude: JSON.parse(body.subarray(0, end).toString('utf8')), rest: body.subarray(end + 8).toString('utf8') };
}

describe('InvokeWithResponseStream on start-lambda', () => {
  let app: FixtureApp;
  let server: RunningServer;
  let client: LambdaClient;
  beforeAll(async () => {
    app = runtimeFixtureApp('node-runtime');
    server = await startLambdaApiServer({ emulator: app.emulator, port: 0, log: (l) => app.lines.push(l) });
    client = new LambdaClient({ region: 'us-east-1', endpoint: server.url, credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 });
  });
  afterAll(async () => {
    client?.destroy();
    await server?.close();
    await app?.stop();
  });

  it('streams awslambda.streamifyResponse output chunk by chunk, with the HTTP prelude and content type', async () => {
    const { out, chunks, body, complete } = await collect(client, 'StreamFunction', { parts: ['one,', 'two,', 'three'] }, 'Tail');
    expect(out.StatusCode).toBe(200);
    expect(out.ResponseStreamContentType).toBe(PRELUDE_TYPE);
    expect(out.ExecutedVersion).toBe('$LATEST');
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    const { prelude, rest } = splitPrelude(body);
    expect(prelude).toEqual({ statusCode: 201, headers: { 'Content-Type': 'text/plain', 'X-Fixture': 'stream' }, cookies: ['a=1'] });
    expect(rest).toBe('one,two,three');
    expect(complete.ErrorCode).toBeUndefined();
    expect(Buffer.from(complete.LogResult, 'base64').toString('utf8')).toMatch(/^START RequestId: [\s\S]*REPORT RequestId: /);
  });

  it('ends the stream with InvokeComplete carrying the error when the handler fails mid-stream', async () => {
    const { body, complete } = await collect(client, 'StreamFunction', { parts: ['partial'], fail: true });
    expect(splitPrelude(body).rest).toBe('partial');
    expect(complete.ErrorCode).toBe('Error');
    expect(JSON.parse(complete.ErrorDetails)).toMatchObject({ errorType: 'Error', errorMessage: 'stream broke' });
  });

  it('answers a handler that does not stream with its JSON payload as one chunk', async () => {
    const { out, chunks, body } = await collect(client, 'ErrorsFunction', {});
    expect(out.ResponseStreamContentType).toBe('application/json');
    expect(chunks).toHaveLength(1);
    expect(JSON.parse(body.toString('utf8'))).toEqual({ ok: true });
  });
});

describe.skipIf(!existsSync(SAM_STREAMING_APP))('the sam init response-streaming app (unmodified)', () => {
  it('runs awslambda.streamifyResponse and streams its HTML in several chunks', async () => {
    const lines: string[] = [];
    const emulator = new LambdaEmulator({ template: loadTemplate(SAM_STREAMING_APP), log: (l) => lines.push(l), sandboxRoot: join(tmpdir(), 'larder-emulator-tests') });
    const server = await startLambdaApiServer({ emulator, port: 0, log: (l) => lines.push(l) });
    const client = new LambdaClient({ region: 'us-east-1', endpoint: server.url, credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 });
    try {
      const { out, chunks, body, complete } = await collect(client, 'StreamingFunction', {});
      expect(out.ResponseStreamContentType).toBe(PRELUDE_TYPE);
      expect(complete.ErrorCode).toBeUndefined();
      const { prelude, rest } = splitPrelude(body);
      expect(prelude).toEqual({ statusCode: 200, headers: { 'Content-Type': 'text/html', 'X-Custom-Header': 'Example-Custom-Header' } });
      expect(rest.startsWith('<html><p>First write!</p><h1>Streaming h1</h1><h2>Streaming h2</h2>')).toBe(true);
      expect(rest.endsWith('<p>DONE!</p></html>')).toBe(true);
      expect(chunks.length).toBeGreaterThanOrEqual(5);
    } finally {
      client.destroy();
      await server.close();
      await emulator.stop();
    }
  });
});
