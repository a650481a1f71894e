import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { fixtureEmulator, parsed } from './fixtures';
import { startApiServer, type ApiServer } from '../../../src/local/apiServer';
import { startLambdaApiServer } from '../../../src/local/lambdaApiServer';
import type { RunningServer } from '../../../src/local/httpServer';
import type { LambdaEmulator } from '../../../src/local/emulator';

const run = promisify(execFile);

describe('start-api and start-lambda over real HTTP', () => {
  let emulator: LambdaEmulator;
  let lines: string[];
  let api: ApiServer;
  let lambda: RunningServer;
  let client: LambdaClient;
  const failedEventsFile = join(mkdtempSync(join(tmpdir(), 'larder-failed-')), 'failed-events.jsonl');

  beforeAll(async () => {
    ({ emulator, lines } = fixtureEmulator({ failedEventsFile }));
    lambda = await startLambdaApiServer({ emulator, port: 0, log: (l) => lines.push(l) });
    emulator.setServiceEnv({ AWS_ENDPOINT_URL_LAMBDA: lambda.url });
    api = await startApiServer({ emulator, port: 0, log: (l) => lines.push(l) });
    client = new LambdaClient({ region: 'us-east-1', endpoint: lambda.url, credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 });
  });
  afterAll(async () => {
    client?.destroy();
    await api?.close();
    await lambda?.close();
    await emulator?.stop();
  });

  it('turns a GET into a v1 proxy event with path and multi-value query parameters and headers', async () => {
    const res = await fetch(`${api.url}/items/42?tag=a&tag=b&q=x`, { headers: { 'X-Trace': 'one' } });
    expect(res.status).toBe(200);
    const body: any = await res.json();
    expect(body).toMatchObject({
      resource: '/items/{id}',
      path: '/items/42',
      httpMethod: 'GET',
      pathParameters: { id: '42' },
      queryStringParameters: { tag: 'b', q: 'x' },
      multiValueQueryStringParameters: { tag: ['a', 'b'], q: ['x'] },
      isBase64Encoded: false,
      requestContext: { stage: 'test', resourcePath: '/items/{id}', httpMethod: 'GET' },
    });
    expect(body.headers['X-Trace']).toBe('one');
    expect(body.multiValueHeaders['X-Trace']).toEqual(['one']);
    expect(res.headers.get('set-cookie')).toBe('a=1, b=2');
  });

  it('prefers a literal path segment over a parameter', async () => {
    const body: any = await (await fetch(`${api.url}/items/search`)).json();
    expect(body.resource).toBe('/items/search');
    expect(body.pathParameters).toBeNull();
  });

  it('round-trips a JSON body as text', async () => {
    const res = await fetch(`${api.url}/upload`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'flour' }) });
    expect(res.status).toBe(201);
    const body: any = await res.json();
    expect(body).toMatchObject({ isBase64Encoded: false, bodyText: '{"name":"flour"}' });
  });

  it('base64-encodes binary bodies (BinaryMediaTypes) and multipart uploads byte for byte', async () => {
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31) % 256));
    const sha = (await import('node:crypto')).createHash('sha256').update(bytes).digest('hex');
    const bin: any = await (await fetch(`${api.url}/upload`, { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: bytes })).json();
    expect(bin).toMatchObject({ isBase64Encoded: true, bodyBytes: bytes.length, bodySha: sha });

    const form = new FormData();
    form.append('name', 'weights');
    form.append('file', new Blob([bytes]), 'weights.bin');
    const multi: any = await (await fetch(`${api.url}/upload`, { method: 'POST', body: form })).json();
    expect(multi.isBase64Encoded).toBe(true);
    expect(multi.bodyBytes).toBeGreaterThan(bytes.length);
    expect(multi.headers['content-type'] ?? multi.headers['Content-Type']).toMatch(/^multipart\/form-data; boundary=/);
  });

  it('decodes isBase64Encoded responses to bytes', async () => {
    const res = await fetch(`${api.url}/files/a/b/c.bin?binary=1`);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(Buffer.from([0, 1, 2, 250, 255]));
  });

  it('answers CORS preflight from the template and 403 for unknown routes, like API Gateway', async () => {
    const pre = await fetch(`${api.url}/upload`, { method: 'OPTIONS' });
    expect(pre.status).toBe(200);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    expect(pre.headers.get('access-control-allow-methods')).toBe('GET,POST,OPTIONS');
    const missing = await fetch(`${api.url}/nowhere`);
    expect(missing.status).toBe(403);
    expect(await missing.json()).toEqual({ message: 'Missing Authentication Token' });
  });

  it('answers LambdaClient synchronously, with FunctionError on a handler error', async () => {
    const ok = await client.send(new InvokeCommand({ FunctionName: 'CallbackFunction', Payload: Buffer.from(JSON.stringify({ q: 1 })), LogType: 'Tail' }));
    expect(ok.StatusCode).toBe(200);
    expect(ok.FunctionError).toBeUndefined();
    expect(JSON.parse(Buffer.from(ok.Payload!).toString())).toEqual({ style: 'callback', got: { q: 1 } });
    expect(Buffer.from(ok.LogResult!, 'base64').toString()).toMatch(/REPORT RequestId/);

    const failed = await client.send(new InvokeCommand({ FunctionName: 'ThrowsFunction', Payload: Buffer.from('{"shelf":"B1"}') }));
    expect(failed.FunctionError).toBe('Unhandled');
    expect(JSON.parse(Buffer.from(failed.Payload!).toString())).toMatchObject({ errorType: 'InventoryError', errorMessage: 'shelf B1 is empty' });
  });

  it('answers an unknown function with ResourceNotFoundException and a bad payload with InvalidRequestContentException', async () => {
    await expect(client.send(new InvokeCommand({ FunctionName: 'Nope', Payload: Buffer.from('{}') }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    const res = await fetch(`${lambda.url}/2015-03-31/functions/EchoFunction/invocations`, { method: 'POST', body: '{not json' });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toBe('InvalidRequestContentException');
  });

  it('runs Event invocations in the background (202), including one handler invoking another', async () => {
    const out = await client.send(new InvokeCommand({ FunctionName: 'InvokerFunction', Payload: Buffer.from(JSON.stringify({ target: 'EchoFunction', payload: { log: 'sent-by-invoker' } })) }));
    expect(JSON.parse(Buffer.from(out.Payload!).toString())).toEqual({ statusCode: 202, endpoint: lambda.url });
    await emulator.drainAsync();
    expect(lines.some((l) => /\tINFO\thello from the handler sent-by-invoker$/.test(l))).toBe(true);
  });

  it('logs a failed Event invocation and appends it to the failed-events file, so it is not lost', async () => {
    const out = await client.send(new InvokeCommand({ FunctionName: 'ThrowsFunction', InvocationType: 'Event', Payload: Buffer.from('{"shelf":"Z9"}') }));
    expect(out.StatusCode).toBe(202);
    await emulator.drainAsync();
    expect(lines.some((l) => l.includes('asynchronous invocation failed') && l.includes('shelf Z9 is empty'))).toBe(true);
    expect(existsSync(failedEventsFile)).toBe(true);
    const record = JSON.parse(readFileSync(failedEventsFile, 'utf8').trim().split('\n').pop()!);
    expect(record).toMatchObject({ function: 'ThrowsFunction', event: { shelf: 'Z9' }, error: { errorType: 'InventoryError' } });
  });

  it('answers `aws lambda invoke --endpoint-url` when the aws CLI is installed', async (ctx) => {
    const which = await run('sh', ['-c', 'command -v aws']).catch(() => undefined);
    if (!which?.stdout.trim()) {
      console.warn('aws CLI not found on PATH: skipping the `aws lambda invoke` check');
      return ctx.skip();
    }
    const outFile = join(mkdtempSync(join(tmpdir(), 'larder-awscli-')), 'out.json');
    const env = { ...process.env, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', AWS_DEFAULT_REGION: 'us-east-1', AWS_PAGER: '' };
    const { stdout } = await run(
      'aws',
      ['lambda', 'invoke', '--endpoint-url', lambda.url, '--function-name', 'CallbackFunction', '--payload', '{"cli":true}', ...(await cliBinaryFormatArgs(env)), outFile],
      { env, timeout: 30_000 },
    );
    expect(JSON.parse(stdout)).toMatchObject({ StatusCode: 200 });
    expect(JSON.parse(readFileSync(outFile, 'utf8'))).toEqual({ style: 'callback', got: { cli: true } });
  });
});

/** aws CLI v2 reads --payload as base64 unless told otherwise; v1 takes it raw and lacks the flag. */
async function cliBinaryFormatArgs(env: NodeJS.ProcessEnv): Promise<string[]> {
  const { stdout, stderr } = await run('aws', ['--version'], { env });
  return /aws-cli\/1\./.test(stdout + stderr) ? [] : ['--cli-binary-format', 'raw-in-base64-out'];
}
