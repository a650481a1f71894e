/**
 * Bedrock calls: bounded retries on throttling (on top of the SDK's own), and one mapping from SDK
 * errors to LarderErrors that name the model and say what to do.
 */
import { LarderError } from '../../errors';

export interface RetryOptions {
  /**
   * Extra rounds after the SDK's own retries (3 attempts, ~0.5 s-based backoff for throttling) gave
   * up on a ThrottlingException. Default 1: two SDK rounds are ~4–8 s, already a long wait in Lambda.
   */
  retries?: number;
  baseDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export function isThrottling(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'ThrottlingException' || e?.name === 'TooManyRequestsException' || e?.$metadata?.httpStatusCode === 429;
}

/** Runs `call`, retrying throttling with exponential backoff and jitter; maps the final error. */
export async function withThrottleRetry<T>(what: string, call: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const retries = options.retries ?? 1;
  const base = options.baseDelayMs ?? 500;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (isThrottling(err) && attempt < retries) {
        await sleep(base * 2 ** attempt * (0.5 + Math.random() / 2));
        continue;
      }
      throw bedrockError(what, err, attempt + 1);
    }
  }
}

export function bedrockError(what: string, err: unknown, attempts = 1): LarderError {
  if (err instanceof LarderError) return err;
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const detail = e?.message ?? String(err);
  if (isThrottling(err)) {
    return new LarderError('THROTTLED', `Bedrock throttled ${what} after ${attempts} attempts; retry later or raise the account's quota`, { cause: err, statusCode: 503 });
  }
  if (e?.name === 'ServiceUnavailableException' || e?.name === 'ModelNotReadyException') {
    return new LarderError('THROTTLED', `Bedrock is unavailable for ${what}: ${detail}`, { cause: err, statusCode: 503 });
  }
  if (e?.name === 'AccessDeniedException') {
    return new LarderError('UPSTREAM', `Bedrock denied ${what}: ${detail} (enable model access in the Bedrock console and allow bedrock:InvokeModel)`, { cause: err });
  }
  return new LarderError('UPSTREAM', `Bedrock failed ${what}: ${e?.name ? e.name + ': ' : ''}${detail}`, { cause: err });
}
