/**
 * Optimistic concurrency: every write is conditional on what was read (a record's `version`, a
 * name partition's HEAD); when the condition fails because someone else wrote first, the whole
 * read-decide-write step runs again. Nothing is lost: a writer either commits on top of the latest
 * state or retries; after `maxAttempts` it gives up with a 409 that says to try again.
 */
import { ConflictError } from '../errors';

/** Thrown inside an attempt to ask for a retry (a lost race, not an error). */
export class RetryableConflict extends Error {
  constructor(message = 'concurrent write') {
    super(message);
    this.name = 'RetryableConflict';
  }
}

export interface RetryOptions {
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export async function withOptimisticRetry<T>(what: string, attempt: (n: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 120;
  const base = options.baseDelayMs ?? 10;
  const cap = options.maxDelayMs ?? 1000;
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (!isRetryableConflict(err)) throw err;
      if (n >= maxAttempts) {
        throw new ConflictError(`${what}: still conflicting with concurrent writes after ${n} attempts; try again`, { cause: err });
      }
      // Full jitter: spreads the losers of one round over the next window instead of colliding again.
      const window = Math.min(cap, base * 2 ** Math.min(n, 8));
      await new Promise((r) => setTimeout(r, Math.random() * window));
    }
  }
}

/** A lost race: a version/HEAD condition failed, or DynamoDB saw two transactions on one item. */
export function isRetryableConflict(err: unknown): boolean {
  if (err instanceof RetryableConflict) return true;
  const name = (err as { name?: string })?.name;
  if (name === 'ConditionalCheckFailedException' || name === 'TransactionConflictException') return true;
  if (name === 'TransactionCanceledException') {
    const reasons = (err as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
    return reasons.every((r) => !r.Code || r.Code === 'None' || r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict');
  }
  return false;
}
