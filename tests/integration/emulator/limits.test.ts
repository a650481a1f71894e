import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureEmulator, parsed } from './fixtures';
import type { LambdaEmulator } from '../../../src/local/emulator';

describe('the emulator enforces Lambda\'s limits', () => {
  let emulator: LambdaEmulator;

  beforeAll(() => {
    ({ emulator } = fixtureEmulator());
  });
  afterAll(async () => {
    await emulator.stop();
  });

  it('kills a sandbox at its Timeout, answers "Task timed out after N.00 seconds", and the next call is cold', async () => {
    const warmup = await emulator.invoke('SlowFunction', { ms: 1 });
    const timedOut = await emulator.invoke('SlowFunction', { ms: 10_000 });
    expect(timedOut.functionError).toBe('Unhandled');
    expect(parsed(timedOut.payload).errorType).toBe('Sandbox.Timedout');
    expect(parsed(timedOut.payload).errorMessage).toMatch(new RegExp(`${timedOut.requestId} Task timed out after 1\\.00 seconds$`));
    expect(timedOut.report.line).toMatch(/Status: timeout/);
    expect(timedOut.sandboxId).toBe(warmup.sandboxId);
    const next = await emulator.invoke('SlowFunction', { ms: 1 });
    expect(next.coldStart).toBe(true);
    expect(next.sandboxId).not.toBe(warmup.sandboxId);
    expect(parsed(next.payload).calls).toBe(1);
  });

  it('reports a sandbox whose heap runs out as Runtime.OutOfMemory and does not keep it', async () => {
    const result = await emulator.invoke('MemoryHogFunction', {});
    expect(result.functionError).toBe('Unhandled');
    expect(parsed(result.payload)).toMatchObject({ errorType: 'Runtime.OutOfMemory' });
    expect(parsed(result.payload).errorMessage).toMatch(/Runtime exited with error: signal: killed/);
    expect(result.report.maxMemoryUsedMb).toBe(192);
    expect(emulator.stats().MemoryHogFunction).toEqual({ idle: 0, busy: 0 });
  });

  it('recognises V8\'s own out-of-heap abort (heap limit from MemorySize) with the RSS watchdog off', async () => {
    const { emulator: heapOnly } = fixtureEmulator({ rssPollMs: 0 });
    try {
      const result = await heapOnly.invoke('MemoryHogFunction', {});
      expect(parsed(result.payload).errorType).toBe('Runtime.OutOfMemory');
    } finally {
      await heapOnly.stop();
    }
  });

  it('kills a sandbox whose off-heap memory (Buffers) passes MemorySize', async () => {
    const result = await emulator.invoke('MemoryHogFunction', { buffers: true }, { cold: true });
    expect(parsed(result.payload).errorType).toBe('Runtime.OutOfMemory');
  });

  it('fails writes past EphemeralStorage with ENOSPC, by writeFileSync, fs/promises and streams; deleting frees the space', async () => {
    const sync = parsed((await emulator.invoke('TmpWriterFunction', { mb: 600, how: 'sync', clean: true })).payload);
    expect(sync).toMatchObject({ ok: false, code: 'ENOSPC' });
    expect(sync.writtenMb).toBeGreaterThanOrEqual(500);
    expect(sync.writtenMb).toBeLessThan(512);

    const full = parsed((await emulator.invoke('TmpWriterFunction', { mb: 5, how: 'promises' })).payload);
    expect(full).toMatchObject({ ok: false, code: 'ENOSPC', writtenMb: 0 });

    const afterClean = parsed((await emulator.invoke('TmpWriterFunction', { mb: 100, how: 'promises', clean: true })).payload);
    expect(afterClean).toMatchObject({ ok: true, writtenMb: 100 });

    const stream = parsed((await emulator.invoke('TmpWriterFunction', { mb: 600, how: 'stream', clean: true })).payload);
    expect(stream).toMatchObject({ ok: false, code: 'ENOSPC' });
  });
});

describe('sandbox lifecycle settings', () => {
  it('retires a sandbox after the idle timeout, so the next call is cold', async () => {
    const { emulator } = fixtureEmulator({ idleTimeoutMs: 300 });
    try {
      const first = await emulator.invoke('CallbackFunction', {});
      const warm = await emulator.invoke('CallbackFunction', {});
      expect(warm.coldStart).toBe(false);
      await new Promise((r) => setTimeout(r, 1500));
      expect(emulator.stats().CallbackFunction.idle).toBe(0);
      const after = await emulator.invoke('CallbackFunction', {});
      expect(after.coldStart).toBe(true);
      expect(after.sandboxId).not.toBe(first.sandboxId);
    } finally {
      await emulator.stop();
    }
  });

  it('retries a failed Event invocation before logging it as failed', async () => {
    const { emulator, lines } = fixtureEmulator({ asyncRetryAttempts: 1, asyncRetryDelayMs: 10 });
    try {
      emulator.invokeEvent('ThrowsFunction', { shelf: 'R1' });
      await emulator.drainAsync();
      expect(lines.filter((l) => l.startsWith('START RequestId'))).toHaveLength(2);
      const failure = lines.find((l) => l.includes('asynchronous invocation failed'));
      expect(JSON.parse(failure!)).toMatchObject({ level: 'ERROR', function: 'ThrowsFunction', attempts: 2, errorType: 'InventoryError', errorMessage: 'shelf R1 is empty' });
    } finally {
      await emulator.stop();
    }
  });
});
