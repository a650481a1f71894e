import { describe, expect, it } from 'vitest';
import { isRetriableS3Error, withRetries, type RetryPolicy } from '../../../src/loader/retry';

const sdkError = (status: number, name = 'InternalError') => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

function policy(remaining: () => number | undefined, waits: number[]): RetryPolicy {
  return { remainingMs: remaining, baseMs: 100, capMs: 2000, maxAttempts: 4, reserveMs: 1000, random: () => 0.5, sleep: async (ms) => void waits.push(ms) };
}

describe('S3 retries with back-off within the invocation time', () => {
  it('retries 5xx and throttling until it succeeds, waiting a jittered, doubling, capped time', async () => {
    // Prepare
    const waits: number[] = [];
    const failures = [sdkError(500), sdkError(503, 'SlowDown'), sdkError(429, 'ThrottlingException'), sdkError(500)];
    // Act
    const out = await withRetries(policy(() => 60_000, waits), async () => {
      const next = failures.shift();
      if (next) throw next;
      return 'ok';
    });
    // Assess: full jitter (random 0.5) of 100, 200, 400, 800 ms
    expect(out).toBe('ok');
    expect(waits).toEqual([50, 100, 200, 400]);
  });

  it('stops when the next wait would leave less than the reserve of the remaining time, with the last error', async () => {
    const waits: number[] = [];
    let remaining = 1_400;
    const p = policy(() => remaining, waits);
    p.sleep = async (ms) => {
      waits.push(ms);
      remaining -= ms + 100;
    };
    await expect(withRetries(p, async () => Promise.reject(sdkError(500)))).rejects.toThrow('InternalError');
    // 1400 → waits 50 (1250 left) → 100 (1050 left) → a 200 ms wait would leave 850 < 1000: stop.
    expect(waits).toEqual([50, 100]);
    expect(remaining).toBe(1_050);
  });

  it('without an invocation deadline, gives up after maxAttempts', async () => {
    const waits: number[] = [];
    let calls = 0;
    await expect(withRetries(policy(() => undefined, waits), async () => {
      calls++;
      throw sdkError(503, 'SlowDown');
    })).rejects.toThrow('SlowDown');
    expect(calls).toBe(4);
  });

  it('never retries a missing object, a denied request or a failed precondition', async () => {
    for (const status of [404, 403, 412, 400]) {
      let calls = 0;
      await expect(withRetries(policy(() => 60_000, []), async () => {
        calls++;
        throw sdkError(status, 'Nope');
      })).rejects.toThrow('Nope');
      expect(calls).toBe(1);
    }
    expect(isRetriableS3Error(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isRetriableS3Error(new Error('plain'))).toBe(false);
  });
});
