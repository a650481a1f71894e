/**
 * Sync invocations under a burst, as Lambda scales them: no 429 below the function's concurrency
 * limit, cold starts paced by the machine and reused warm first, 429 past ReservedConcurrentExecutions
 * (TooManyRequestsException over the Invoke API), and init timeouts that do not count the time a
 * sandbox waited for a CPU.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { trafficEmulator, trafficLambdaApi, type TrafficLambdaApi, type TrafficRig } from './trafficFixtures';

describe('a burst of synchronous invocations', () => {
  let rig: TrafficRig;

  beforeAll(() => {
    rig = trafficEmulator({ coldStartConcurrency: 2 });
  });
  afterAll(async () => {
    await rig?.emulator.stop();
  });

  it('answers 40 concurrent calls without a 429 or an init timeout, starting far fewer sandboxes than calls', async () => {
    const results = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => rig.emulator.invoke('SlowInitFunction', { ms: 20, i })));
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(rejected.map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
    const ok = results.map((r) => (r as PromiseFulfilledResult<any>).value);
    expect(ok.filter((r) => r.functionError).map((r) => r.payload)).toEqual([]);
    const sandboxes = new Set(ok.map((r) => r.sandboxId));
    expect(ok.filter((r) => r.coldStart)).toHaveLength(sandboxes.size);
    expect(sandboxes.size).toBeLessThan(40);
  });

  it('holds each busy sandbox for one invocation: concurrent calls that stay busy get separate sandboxes', async () => {
    // Each call waits at a barrier until all three are inside the handler: only separate sandboxes get there.
    const results = await Promise.all([1, 2, 3].map((i) => rig.emulator.invoke('RecorderFunction', { barrier: 'B1', n: 3, i })));
    expect(new Set(results.map((r) => JSON.parse(r.payload).pid)).size).toBe(3);
    const again = await rig.emulator.invoke('RecorderFunction', {});
    expect(again.coldStart).toBe(false);
  });
});

describe('the function\'s concurrency limit', () => {
  let api: TrafficLambdaApi;
  let rig: TrafficRig;
  let client: LambdaClient;

  beforeAll(async () => {
    api = await trafficLambdaApi();
    ({ rig, client } = api);
  });
  afterAll(async () => {
    await api?.close();
  });

  it('throttles past ReservedConcurrentExecutions (2) with TooManyRequestsException, and only then', async () => {
    const call = () => client.send(new InvokeCommand({ FunctionName: 'ReservedFunction', Payload: Buffer.from(JSON.stringify({ ms: 1500 })) }));
    const results = await Promise.allSettled([call(), call(), call()]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    const [throttled] = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(throttled.reason).toMatchObject({ name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429 } });
  });

  it('applies an explicit local cap (--max-concurrency) the same way', async () => {
    const capped = trafficEmulator({ maxConcurrency: 1 });
    try {
      const results = await Promise.allSettled([capped.emulator.invoke('RecorderFunction', { ms: 1000 }), capped.emulator.invoke('RecorderFunction', { ms: 1000 })]);
      const rejected = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
      expect(rejected).toHaveLength(1);
      expect(rejected[0].reason).toMatchObject({ code: 'THROTTLED', statusCode: 429, message: expect.stringContaining('--max-concurrency') });
    } finally {
      await capped.emulator.stop();
    }
  });
});

describe('the init timeout', () => {
  it('does not count the time sandboxes waited for a CPU: 6 cold starts at once on a small init budget all finish', async () => {
    // Six sandboxes initialising at once on this machine's cores, each with 300 ms of its own CPU work
    // plus Node's and tsx's start-up: on a wall clock several would pass 4 s; on their own time none does.
    const rig = trafficEmulator({ coldStartConcurrency: 6, initTimeoutMs: 4000 });
    try {
      const results = await Promise.all(Array.from({ length: 6 }, () => rig.emulator.invoke('SlowInitFunction', { ms: 3000 })));
      expect(results.map((r) => r.error?.errorType ?? 'ok')).toEqual(Array(6).fill('ok'));
    } finally {
      await rig.emulator.stop();
    }
  });

  it('still fails an init that takes longer than the budget on its own', async () => {
    const rig = trafficEmulator({ initTimeoutMs: 150 });
    try {
      const result = await rig.emulator.invoke('SlowInitFunction', {});
      expect(result.error).toMatchObject({ errorType: 'Runtime.InitTimeout', errorMessage: 'Init did not finish within 0.15 seconds' });
      expect(result.report.line).toMatch(/Init Duration: [\d.]+ ms\tStatus: error\tError Type: Runtime.InitTimeout/);
    } finally {
      await rig.emulator.stop();
    }
  });
});
