/**
 * The Node runtime as Lambda provides it. Expected values are written from the runtime interface
 * client's documented behaviour (aws-lambda-nodejs-runtime-interface-client: Errors.js, index.mjs,
 * CallbackContext.js, HttpResponseStream.js) and Lambda's limits, not from what larder prints.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { runtimeFixtureApp, RUNTIME_FIXTURES, type FixtureApp } from './runtimeFixture';

const NODE_MAJOR = Number(process.versions.node.split('.')[0]);
const parsed = (s: string) => JSON.parse(s);

describe("the sandbox behaves like Lambda's Node runtime", () => {
  let app: FixtureApp;
  beforeAll(() => {
    app = runtimeFixtureApp('node-runtime', {
      layerMap: { 'arn:aws:lambda:us-east-1:123456789012:layer:pinned-deps:3': join(RUNTIME_FIXTURES, 'node-runtime/layers/mapped') },
    });
  });
  afterAll(async () => app.stop());

  it('answers a thrown error with its own type and logs "Invoke Error" with the error as JSON', async () => {
    const r = await app.emulator.invoke('ErrorsFunction', { kind: 'thrown' });
    expect(r.functionError).toBe('Unhandled');
    expect(parsed(r.payload)).toMatchObject({ errorType: 'Error', errorMessage: 'shelf is empty' });
    const line = r.logLines.find((l) => l.includes('Invoke Error'));
    expect(line).toMatch(new RegExp(`^\\S+Z\\t${r.requestId}\\tERROR\\tInvoke Error \\t\\{`));
    const json = JSON.parse(line!.slice(line!.indexOf('\t{') + 1));
    expect(json).toMatchObject({ errorType: 'Error', errorMessage: 'shelf is empty', code: 'E_EMPTY' });
    expect(json.stack[0]).toBe('Error: shelf is empty');
    expect(r.logLines.indexOf(line!)).toBeLessThan(r.logLines.findIndex((l) => l.startsWith('END')));
  });

  it('reports an uncaught exception as the error itself (no Runtime.UncaughtException) and starts cold after', async () => {
    const r = await app.emulator.invoke('ErrorsFunction', { kind: 'uncaught' });
    expect(parsed(r.payload)).toMatchObject({ errorType: 'RangeError', errorMessage: 'late failure' });
    expect(r.logLines.some((l) => /\tERROR\tUncaught Exception \t\{"errorType":"RangeError"/.test(l))).toBe(true);
    const next = await app.emulator.invoke('ErrorsFunction', {});
    expect(next.coldStart).toBe(true);
  });

  it('reports an unhandled rejection as Runtime.UnhandledPromiseRejection with the "Error: " prefix', async () => {
    const r = await app.emulator.invoke('ErrorsFunction', { kind: 'rejection' });
    expect(parsed(r.payload)).toMatchObject({ errorType: 'Runtime.UnhandledPromiseRejection', errorMessage: 'Error: nobody caught this' });
    expect(r.logLines.some((l) => l.includes('\tERROR\tUnhandled Promise Rejection \t{"errorType":"Runtime.UnhandledPromiseRejection"'))).toBe(true);
    const str = await app.emulator.invoke('ErrorsFunction', { kind: 'rejection-string' });
    expect(parsed(str.payload)).toMatchObject({ errorType: 'Runtime.UnhandledPromiseRejection', errorMessage: 'plain reason' });
  });

  it('allows a response of exactly 6,291,556 bytes and refuses one byte more, naming the size', async () => {
    const limit = 6_291_556;
    const fits = await app.emulator.invoke('ErrorsFunction', { kind: 'big', chars: limit - 2 });
    expect(fits.functionError).toBeUndefined();
    expect(Buffer.byteLength(fits.payload)).toBe(limit);
    const over = await app.emulator.invoke('ErrorsFunction', { kind: 'big', chars: limit - 1 });
    expect(parsed(over.payload)).toEqual({
      errorType: 'Function.ResponseSizeTooLarge',
      errorMessage: 'Response payload size (6291557 bytes) exceeded maximum allowed payload size (6291556 bytes).',
    });
  });

  it('puts stdout and stderr written by the function before END and REPORT, unterminated lines too', async () => {
    const r = await app.emulator.invoke('OutputFunction', {});
    const end = r.logLines.findIndex((l) => l.startsWith('END'));
    for (const text of ['written to stdout', 'written to stderr', 'no newline at the end']) {
      const at = r.logLines.indexOf(text);
      expect(at, text).toBeGreaterThan(0);
      expect(at, text).toBeLessThan(end);
    }
  });

  it('waits for the event loop to empty after callback() unless callbackWaitsForEmptyEventLoop is false', async () => {
    const waits = await app.emulator.invoke('CallbackFunction', {});
    expect(parsed(waits.payload)).toEqual({ waits: true });
    const fired = waits.logLines.findIndex((l) => l.endsWith('\tINFO\ttimer fired'));
    expect(fired).toBeGreaterThan(0);
    expect(fired).toBeLessThan(waits.logLines.findIndex((l) => l.startsWith('END')));

    const noWait = await app.emulator.invoke('CallbackFunction', { noWait: true });
    expect(parsed(noWait.payload)).toEqual({ waits: false });
    expect(noWait.logLines.some((l) => l.endsWith('timer fired'))).toBe(false);
  });

  it("sets sam local's and Lambda's variables: AWS_SAM_LOCAL, NODE_PATH, PATH, LAMBDA_RUNTIME_DIR, a trace id per call", async () => {
    const first = parsed((await app.emulator.invoke('OutputFunction', {})).payload);
    const second = parsed((await app.emulator.invoke('OutputFunction', {})).payload);
    expect(first.AWS_SAM_LOCAL).toBe('true');
    expect(first.LAMBDA_RUNTIME_DIR).toBe('/var/runtime');
    expect(first.NODE_PATH).toBe(`/opt/nodejs/node${NODE_MAJOR}/node_modules:/opt/nodejs/node_modules:/var/runtime/node_modules:/var/runtime:/var/task`);
    expect(first.PATH).toMatch(/:\/usr\/local\/bin:\/usr\/bin\/:\/bin$/);
    expect(first._X_AMZN_TRACE_ID).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0/);
    expect(second._X_AMZN_TRACE_ID).not.toBe(first._X_AMZN_TRACE_ID);
  });

  it('resolves the AWS SDK v3 the runtime ships for handlers that do not bundle it, from ESM and CommonJS', async () => {
    const esm = await app.emulator.invoke('SdkEsmFunction', {});
    expect(esm.error).toBeUndefined();
    expect(parsed(esm.payload)).toEqual({ client: 'S3Client', command: 'function' });
    const cjs = await app.emulator.invoke('SdkCjsFunction', {});
    expect(cjs.error).toBeUndefined();
    expect(parsed(cjs.payload)).toEqual({ client: 'DynamoDBClient' });
  });

  it('mounts layers at /opt: bare imports, /opt paths in fs and import(), a nodejsXX-built layer, an ARN mapped to a folder', async () => {
    const r = await app.emulator.invoke('LayersFunction', {});
    expect(r.error).toBeUndefined();
    expect(parsed(r.payload)).toEqual({
      greeting: 'hello from the layer',
      padded: '007',
      pinned: `pinned for node${NODE_MAJOR}`,
      helper: 'helper from /opt/nodejs/lib',
      config: { source: 'shared layer' },
      configAsync: 'shared layer',
      nodejsEntries: ['data', 'lib', 'node20', 'node22', 'node_modules', 'package.json'],
      toolExists: true,
      missing: false,
    });
    const cjs = await app.emulator.invoke('LayersCjsFunction', {});
    expect(parsed(cjs.payload)).toEqual({ greeting: 'hello from the cjs', source: 'shared layer' });
  });

  it('warns once, with the flag to use, about a layer ARN it cannot fetch offline, and still runs the function', async () => {
    const r = await app.emulator.invoke('UnmappedLayerFunction', {});
    expect(r.functionError).toBeUndefined();
    const warning = app.lines.filter((l) => l.includes('AWSLambdaPowertoolsTypeScriptV2:20'));
    expect(warning).toHaveLength(1);
    expect(warning[0]).toMatch(/cannot be downloaded offline.*--layer-map arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsTypeScriptV2:20=/);
  });
});
