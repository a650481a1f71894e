/**
 * Retrying S3 reads within the invocation's time. The SDK's own 3 attempts are one round here: a
 * round that ends in a 5xx, a throttle (429, 503 SlowDown) or a dropped connection is tried again
 * after a "full jitter" back-off (a random wait up to base × 2^round, capped), for as long as the
 * invocation has time left (`context.getRemainingTimeInMillis()`, bound by the handler) minus a
 * reserve for the work after the load — so three errors in a row no longer fail a cold start, and
 * no request holds a function past its budget. Outside an invocation (CLI, tests) the attempts and
 * the total wait are bounded instead. 404, 403, 412 and other client errors are never retried.
 */

export interface RetryPolicy {
  /** Milliseconds the invocation has left, or undefined outside one. */
  remainingMs: () => number | undefined;
  /** First back-off ceiling (doubles each round) and the largest single wait. */
  baseMs: number;
  capMs: number;
  /** Rounds when there is no invocation deadline. */
  maxAttempts: number;
  /** Time kept for the work after the load: no retry starts when less than this would remain. */
  reserveMs: number;
  /** Injected in tests. */
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** Even with time left, a store failing this often is down: the error is more useful than waiting on. */
const MAX_ROUNDS_WITH_DEADLINE = 30;

export const DEFAULT_RETRY: Omit<RetryPolicy, 'remainingMs'> = { baseMs: 100, capMs: 2_000, maxAttempts: 8, reserveMs: 1_000 };

/** A policy with no invocation deadline (the bounded attempts apply). */
export function unboundedRetry(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  return { remainingMs: () => undefined, ...DEFAULT_RETRY, ...overrides };
}

/** True for errors worth another round: 5xx, throttling, and connection-level failures. */
export function isRetriableS3Error(err: unknown): boolean {
  const e = err as { name?: string; code?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown } | undefined;
  if (!e || typeof e !== 'object') return false;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined) return status >= 500 || status === 429;
  if (e.name === 'SlowDown' || e.name === 'ThrottlingException' || e.name === 'RequestTimeout' || e.$retryable) return true;
  return ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ECONNABORTED', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'TimeoutError'].includes(e.code ?? e.name ?? '');
}

/**
 * Runs `attempt` until it succeeds, fails with a non-retriable error, or the policy's time or
 * attempts run out; then throws the last error. `onRetry` hears about each wait (for logs).
 */
export async function withRetries<T>(policy: RetryPolicy, attempt: () => Promise<T>, onRetry?: (err: unknown, round: number, waitMs: number) => void): Promise<T> {
  const random = policy.random ?? Math.random;
  const sleep = policy.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const started = Date.now();
  for (let round = 1; ; round++) {
    try {
      return await attempt();
    } catch (err) {
      if (!isRetriableS3Error(err)) throw err;
      const wait = Math.floor(random() * Math.min(policy.capMs, policy.baseMs * 2 ** (round - 1)));
      const remaining = policy.remainingMs();
      const outOfTime = remaining !== undefined ? remaining - wait < policy.reserveMs || round >= MAX_ROUNDS_WITH_DEADLINE : round >= policy.maxAttempts || Date.now() - started + wait > policy.capMs * policy.maxAttempts;
      if (outOfTime) throw err;
      onRetry?.(err, round, wait);
      await sleep(wait);
    }
  }
}
