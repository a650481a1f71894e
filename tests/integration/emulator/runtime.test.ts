import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureEmulator, parsed } from './fixtures';
import { readEnvVarsFile } from '../../../src/local/lambdaEnv';
import type { LambdaEmulator } from '../../../src/local/emulator';

describe('the emulator runs handlers the way Lambda does', () => {
  let emulator: LambdaEmulator;
  let lines: string[];
  const hostSecret = 'HOST-SECRET-SHOULD-NOT-LEAK';

  beforeAll(() => {
    process.env.AWS_SECRET_ACCESS_KEY_BACKUP = process.env.AWS_SECRET_ACCESS_KEY ?? '';
    process.env.AWS_SECRET_ACCESS_KEY = hostSecret;
    const dir = mkdtempSync(join(tmpdir(), 'larder-envvars-'));
    const file = join(dir, 'env.json');
    writeFileSync(file, JSON.stringify({ Parameters: { STAGE: 'from-parameters', NOBODY_DECLARES: 'x' }, EchoFunction: { GREETING: 'from-file', UNDECLARED_FLAG: 'on' } }));
    ({ emulator, lines } = fixtureEmulator({ envVars: readEnvVarsFile(file) }));
  });

  afterAll(async () => {
    process.env.AWS_SECRET_ACCESS_KEY = process.env.AWS_SECRET_ACCESS_KEY_BACKUP || undefined;
    if (!process.env.AWS_SECRET_ACCESS_KEY) delete process.env.AWS_SECRET_ACCESS_KEY;
    await emulator.stop();
  });

  it('sets the environment Lambda sets, then the template, then --env-vars, and keeps host credentials out', async () => {
    const result = await emulator.invoke('EchoFunction', { hello: 'world' });
    expect(result.functionError).toBeUndefined();
    const { env, tmpdir: sandboxTmp } = parsed(result.payload);
    expect(env).toMatchObject({
      AWS_LAMBDA_FUNCTION_NAME: 'EchoFunction',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/EchoFunction',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      _HANDLER: 'echo.handler',
      TZ: ':UTC',
      LARDER_EPHEMERAL_STORAGE_MB: '600',
      // template: Globals merged with the function, intrinsics resolved
      TABLE_NAME: 'fixture-items',
      TABLE_ARN: 'arn:aws:dynamodb:us-east-1:123456789012:table/fixture-items',
      WORKER: 'fixture-slow',
      GREETING_LINE: 'in us-east-1 at test for fixture-slow',
      // --env-vars: Parameters for declared variables, then the function's own keys
      STAGE: 'from-parameters',
      GREETING: 'from-file',
      UNDECLARED_FLAG: 'on',
    });
    expect(env.AWS_LAMBDA_LOG_STREAM_NAME).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(env.LAMBDA_TASK_ROOT).toMatch(/tests\/fixtures\/handlers$/);
    expect(env.LARDER_CACHE_DIR).toBe(join(sandboxTmp, 'larder-cache'));
    expect(env.NOBODY_DECLARES).toBeUndefined();
    expect(env.DECLARED_BUT_EMPTY).toBeUndefined();
    expect(env.AWS_SECRET_ACCESS_KEY).not.toBe(hostSecret);
    expect(lines.some((l) => l.includes('UNDECLARED_FLAG') && l.includes('does not declare'))).toBe(true);
    expect(lines.some((l) => l.includes('Parameters.NOBODY_DECLARES'))).toBe(true);
  });

  it('passes a context with every field Lambda provides', async () => {
    const result = await emulator.invoke('EchoFunction', {});
    const { context, env } = parsed(result.payload);
    expect(context).toMatchObject({
      functionName: 'EchoFunction',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:EchoFunction',
      memoryLimitInMB: '512',
      awsRequestId: result.requestId,
      logGroupName: '/aws/lambda/EchoFunction',
      logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
      callbackWaitsForEmptyEventLoop: true,
    });
    expect(context.remainingMs).toBeGreaterThan(0);
    expect(context.remainingMs).toBeLessThanOrEqual(5000);
  });

  it('keeps module state and /tmp while warm; --cold starts a fresh sandbox with neither', async () => {
    const first = await emulator.invoke('EchoFunction', { log: 'first' }, { cold: true });
    const second = await emulator.invoke('EchoFunction', {});
    expect(first.coldStart).toBe(true);
    expect(second.coldStart).toBe(false);
    expect(parsed(second.payload).calls).toBe(parsed(first.payload).calls + 1);
    expect(parsed(second.payload).markerBefore).toBe(`call ${parsed(first.payload).calls}`);
    expect(second.sandboxId).toBe(first.sandboxId);
    expect(first.report.line).toMatch(/Init Duration: [\d.]+ ms/);
    expect(second.report.line).not.toMatch(/Init Duration/);
    expect(first.logLines.some((l) => /\tINFO\thello from the handler first$/.test(l) && l.includes(first.requestId))).toBe(true);

    const fresh = await emulator.invoke('EchoFunction', {}, { cold: true });
    expect(fresh.coldStart).toBe(true);
    expect(parsed(fresh.payload).calls).toBe(1);
    expect(parsed(fresh.payload).markerBefore).toBeNull();
    expect(parsed(fresh.payload).tmpdir).not.toBe(parsed(first.payload).tmpdir);
  });

  it('writes START, END and REPORT lines with measured memory', async () => {
    const result = await emulator.invoke('EchoFunction', {});
    expect(result.logLines[0]).toBe(`START RequestId: ${result.requestId} Version: $LATEST`);
    expect(result.logLines).toContain(`END RequestId: ${result.requestId}`);
    const report = result.logLines[result.logLines.length - 1];
    expect(report).toMatch(new RegExp(`^REPORT RequestId: ${result.requestId}\\tDuration: [\\d.]+ ms\\tBilled Duration: \\d+ ms\\tMemory Size: 512 MB\\tMax Memory Used: \\d+ MB`));
    expect(result.report.maxMemoryUsedMb).toBeGreaterThan(10);
  });

  it('gives concurrent invocations separate sandboxes, each cold once (a sandbox freed first is reused first)', async () => {
    const results = await Promise.all([1, 2, 3].map(() => emulator.invoke('CallbackFunction', { n: 1 })));
    // Cold starts are paced by the machine's cores and a warm sandbox serves the next waiter first
    // (docs/concurrency.md), so three quick calls use one to three sandboxes; tests/integration/emulator/concurrency.test.ts holds them busy.
    const sandboxes = new Set(results.map((r) => r.sandboxId));
    expect(results.filter((r) => r.coldStart)).toHaveLength(sandboxes.size);
    const again = await emulator.invoke('CallbackFunction', {});
    expect(again.coldStart).toBe(false);
    expect(results.map((r) => r.sandboxId)).toContain(again.sandboxId);
  });

  it('runs callback-style handlers on nodejs22.x and refuses them on nodejs24.x', async () => {
    const ok = await emulator.invoke('CallbackFunction', { x: 1 });
    expect(parsed(ok.payload)).toEqual({ style: 'callback', got: { x: 1 } });
    const refused = await emulator.invoke('Callback24Function', {});
    expect(refused.functionError).toBe('Unhandled');
    expect(parsed(refused.payload).errorType).toBe('Runtime.CallbackHandlerDeprecated');
  });

  it("returns a thrown error as Lambda's {errorType, errorMessage, trace}, and the sandbox stays warm", async () => {
    const result = await emulator.invoke('ThrowsFunction', { shelf: 'A3' });
    expect(result.functionError).toBe('Unhandled');
    const body = parsed(result.payload);
    expect(body.errorType).toBe('InventoryError');
    expect(body.errorMessage).toBe('shelf A3 is empty');
    expect(Array.isArray(body.trace)).toBe(true);
    expect(body.trace[0]).toContain('InventoryError: shelf A3 is empty');
    expect(result.report.line).toMatch(/Status: error\tError Type: InventoryError/);
    const next = await emulator.invoke('ThrowsFunction', { fail: false });
    expect(next.coldStart).toBe(false);
  });

  it('reports an error thrown while the module loads as an init failure', async () => {
    const result = await emulator.invoke('InitFailsFunction', {});
    expect(result.functionError).toBe('Unhandled');
    expect(parsed(result.payload)).toMatchObject({ errorType: 'Error', errorMessage: 'cannot reach the config store during init' });
    expect(result.report.line).toMatch(/Init Duration/);
  });

  it('names the functions that exist when asked for one that does not', async () => {
    await expect(emulator.invoke('NoSuchFunction', {})).rejects.toThrow(/function "NoSuchFunction" is not in .*template.yaml \(functions: EchoFunction, .*HttpFunction\)/);
  });

  it('finds a function by its FunctionName as well as its logical id', async () => {
    const result = await emulator.invoke('fixture-slow', { ms: 1 });
    expect(result.functionError).toBeUndefined();
    expect(result.functionName).toBe('SlowFunction');
  });
});
