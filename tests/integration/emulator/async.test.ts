/**
 * Event invocations with Lambda's guarantees: retries per MaximumRetryAttempts with back-off, the
 * on-failure / on-success destinations and DeadLetterQueue of the template, MaximumEventAgeInSeconds,
 * throttles retried rather than dropped, and a durable queue that an emulator restart resumes.
 * Lambda's minute-long back-off runs at --time-scale 0.001 (60 ms).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { runCommand } from '../../../src/cli';
import { readJsonLines, trafficEmulator, trafficLambdaApi, type TrafficLambdaApi, type TrafficRig } from './trafficFixtures';

describe('Event invocations are retried, then sent to the template\'s destinations', () => {
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

  const destination = (file: string) => readJsonLines(join(rig.dataDir, 'destinations', file));

  it('retries a throwing function twice (back-off 1 then 2 "minutes", scaled) and then writes Lambda\'s record to its OnFailure queue', async () => {
    // Prepare / Act: the AWS SDK's own Event invoke, over the wire.
    const out = await client.send(new InvokeCommand({ FunctionName: 'FlakyFunction', InvocationType: 'Event', Payload: Buffer.from(JSON.stringify({ fail: true, order: 'A1' })) }));
    expect(out.StatusCode).toBe(202);
    await rig.emulator.drainAsync();
    // Assess: three invocations, spaced by at least the scaled back-off.
    const tries = rig.records().filter((r) => r.event.order === 'A1');
    expect(tries).toHaveLength(3);
    expect(tries[1].time - tries[0].time).toBeGreaterThanOrEqual(60);
    expect(tries[2].time - tries[1].time).toBeGreaterThanOrEqual(120);
    const failures = destination('SQS-traffic-failures.jsonl').filter((r) => r.body.requestPayload.order === 'A1');
    expect(failures).toHaveLength(1);
    expect(failures[0].body).toMatchObject({
      version: '1.0',
      requestContext: { requestId: out.$metadata.requestId, condition: 'RetriesExhausted', approximateInvokeCount: 3, functionArn: expect.stringMatching(/:function:FlakyFunction:\$LATEST$/) },
      requestPayload: { fail: true, order: 'A1' },
      responseContext: { statusCode: 200, functionError: 'Unhandled' },
      responsePayload: { errorType: 'FlakyError', errorMessage: 'order A1 failed on purpose' },
    });
    expect(readdirSync(join(rig.dataDir, 'async-queue')).filter((f) => f.endsWith('.json'))).toEqual([]);
  });

  it('sends a success to the OnSuccess destination', async () => {
    rig.emulator.invokeEvent('FlakyFunction', { order: 'A2' });
    await rig.emulator.drainAsync();
    const ok = destination('SNS-traffic-successes.jsonl').filter((r) => r.body.requestPayload.order === 'A2');
    expect(ok).toHaveLength(1);
    expect(ok[0].body).toMatchObject({ requestContext: { condition: 'Success', approximateInvokeCount: 1 }, responsePayload: { ok: true } });
  });

  it('sends the bare event to the DeadLetterQueue with RequestID / ErrorCode / ErrorMessage attributes', async () => {
    const id = rig.emulator.invokeEvent('DlqFunction', { fail: true, order: 'A3' });
    await rig.emulator.drainAsync();
    expect(rig.records().filter((r) => r.event.order === 'A3')).toHaveLength(1); // MaximumRetryAttempts: 0
    const [msg] = destination('SQS-traffic-dead-letters.jsonl').filter((r) => JSON.parse(r.body.body).order === 'A3');
    expect(msg.body.messageAttributes).toMatchObject({ RequestID: { stringValue: id }, ErrorMessage: { stringValue: 'order A3 failed on purpose' } });
  });

  it('invokes a Lambda on-failure destination with the destination record as its event', async () => {
    rig.emulator.invokeEvent('ChainFunction', { fail: true, order: 'A4' });
    await rig.emulator.drainAsync();
    expect(rig.records().filter((r) => r.fn === 'ChainFunction' && r.event.order === 'A4')).toHaveLength(2); // MaximumRetryAttempts: 1
    const delivered = rig.records().filter((r) => r.fn === 'RecorderFunction' && r.event?.requestPayload?.order === 'A4');
    expect(delivered).toHaveLength(1);
    expect(delivered[0].event.requestContext).toMatchObject({ condition: 'RetriesExhausted', approximateInvokeCount: 2 });
  });

  it('retries throttled events (ReservedConcurrentExecutions: 2) until delivered instead of dropping them', async () => {
    const orders = Array.from({ length: 6 }, (_, i) => `T${i}`);
    for (const order of orders) rig.emulator.invokeEvent('ReservedFunction', { order, ms: 300 });
    await rig.emulator.drainAsync();
    const delivered = rig.records().filter((r) => r.fn === 'ReservedFunction').map((r) => r.event.order);
    expect(delivered.sort()).toEqual(orders);
    expect(existsSync(join(rig.dataDir, 'failed-events.jsonl'))).toBe(false);
  });

  it('shows the destination records with `larder events --json`', async () => {
    const logs: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((line: string) => void logs.push(line));
    try {
      expect(await runCommand(['events', '--json', '--dir', rig.dataDir, '--function', 'FlakyFunction'])).toBe(0);
    } finally {
      spy.mockRestore();
    }
    const report = JSON.parse(logs.join('\n'));
    expect(report.queued).toEqual([]);
    const failures = report.destinations.find((d: any) => d.name === 'traffic-failures');
    expect(failures).toMatchObject({ type: 'SQS', count: 1 });
  });
});

describe('the async queue keeps its promises across restarts and event age', () => {
  it('delivers events accepted before an emulator stopped when the next one starts on the same folder', async () => {
    // Prepare: accept five events, then stop before any attempt runs.
    const first = trafficEmulator();
    const ids = ['R1', 'R2', 'R3', 'R4', 'R5'].map((order) => first.emulator.invokeEvent('RecorderFunction', { order }));
    await first.emulator.stop();
    expect(readdirSync(join(first.dataDir, 'async-queue')).filter((f) => f.endsWith('.json'))).toHaveLength(5);
    // Act: a new emulator on the same folder.
    const second = trafficEmulator({}, { dataDir: first.dataDir, recordFile: first.recordFile });
    try {
      expect(second.emulator.resumeQueuedEvents()).toBe(5);
      await second.emulator.drainAsync();
      // Assess: each delivered once, and the queue is empty.
      expect(second.records().map((r) => r.event.order).sort()).toEqual(['R1', 'R2', 'R3', 'R4', 'R5']);
      expect(readdirSync(join(first.dataDir, 'async-queue')).filter((f) => f.endsWith('.json'))).toEqual([]);
      expect(ids).toHaveLength(5);
    } finally {
      await second.emulator.stop();
    }
  });

  it('gives up an event older than MaximumEventAgeInSeconds with condition EventAgeExceeded', async () => {
    // FlakyFunction keeps events 6 h: 4.3 s at time scale 0.0002; a first retry set to wait 1,000 h (720 s scaled) would come after that.
    const rig = trafficEmulator({ timeScale: 0.0002, asyncRetryDelayMs: 3_600_000_000 });
    try {
      rig.emulator.invokeEvent('FlakyFunction', { fail: true, order: 'E1' });
      await rig.emulator.drainAsync();
      const [record] = readJsonLines(join(rig.dataDir, 'destinations', 'SQS-traffic-failures.jsonl'));
      expect(record.body.requestContext).toMatchObject({ condition: 'EventAgeExceeded', approximateInvokeCount: 1 });
    } finally {
      await rig.emulator.stop();
    }
  });
});
