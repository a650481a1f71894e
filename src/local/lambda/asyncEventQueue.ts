/**
 * Event (asynchronous) invocations with Lambda's guarantees: accepted events are stored before the
 * 202 goes out, delivered at least once, retried after a function error up to MaximumRetryAttempts
 * (Lambda waits about 1 minute, then 2), retried after a throttle with back-off from 1 s to 5 min
 * without using up attempts, and given up only when retries are exhausted or the event is older than
 * MaximumEventAgeInSeconds. The outcome then goes to `settle` (destinations, DLQ, failed-events file).
 *
 * Every wait is multiplied by `timeScale` (`--time-scale 0.001` turns Lambda's minute into 60 ms),
 * and so is the maximum event age, so tests run the whole schedule quickly.
 */
import { randomUUID } from 'node:crypto';
import { isLarderError } from '../../errors';
import type { LambdaErrorPayload } from '../sandbox';
import type { AsyncEventStore, QueuedEvent } from './asyncEventStore';
import { newOwnerToken, retireOwnerToken } from './asyncEventStore';
import type { AsyncInvokeConfig } from './asyncInvokeConfig';
import type { InvokeResult } from './types';

export type AsyncOutcome =
  | { kind: 'success'; record: QueuedEvent; result: InvokeResult }
  | { kind: 'failure'; condition: 'RetriesExhausted' | 'EventAgeExceeded'; record: QueuedEvent; result?: InvokeResult; error: LambdaErrorPayload };

export interface AsyncEventQueueOptions {
  store: AsyncEventStore;
  invoke: (functionId: string, event: unknown, requestId: string) => Promise<InvokeResult>;
  configOf: (functionId: string) => AsyncInvokeConfig;
  settle: (outcome: AsyncOutcome) => Promise<void>;
  timeScale?: number;
  /** Lambda's pause before the first retry after a function error (≈ 1 min; the second waits twice that). */
  retryDelayMs?: number;
  /** Overrides every function's MaximumRetryAttempts (tests). */
  retryAttemptsOverride?: number;
  log: (line: string) => void;
}

const THROTTLE_FIRST_DELAY_MS = 1000;
const THROTTLE_MAX_DELAY_MS = 300_000;

export class AsyncEventQueue {
  private readonly owner = newOwnerToken();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly inFlight = new Set<string>();
  private idleWaiters: Array<() => void> = [];
  private stopped = false;

  constructor(private readonly options: AsyncEventQueueOptions) {}

  get timeScale(): number {
    return this.options.timeScale ?? 1;
  }

  /** Stores the event (before the caller answers 202) and schedules its first attempt now. */
  enqueue(functionId: string, event: unknown): string {
    const now = Date.now();
    const record: QueuedEvent = { id: randomUUID(), functionId, event, enqueuedAt: now, attempts: 0, throttles: 0, nextAttemptAt: now, owner: this.owner };
    this.options.store.put(record);
    this.schedule(record);
    return record.id;
  }

  /** Picks up events left by an emulator that stopped or crashed (and this one's own), in arrival order. */
  recover(): number {
    const records = this.options.store.adoptOrphans(this.owner).filter((r) => !this.inFlight.has(r.id));
    for (const r of records) this.schedule(r);
    if (records.length) this.options.log(`[larder] async queue: ${records.length} queued event(s) from an earlier run resumed`);
    return records.length;
  }

  /** Events accepted and not yet settled by this queue. */
  get pending(): number {
    return this.inFlight.size;
  }

  /** Resolves when every event accepted so far has been delivered or settled as failed. */
  drain(): Promise<void> {
    if (!this.inFlight.size) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops scheduling; stored events stay in the store for the next run (at-least-once delivery). */
  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    retireOwnerToken(this.owner);
    this.inFlight.clear();
    this.notifyIdle();
  }

  private schedule(record: QueuedEvent): void {
    if (this.stopped) return;
    this.inFlight.add(record.id);
    const delay = Math.max(0, record.nextAttemptAt - Date.now());
    const timer = setTimeout(() => {
      this.timers.delete(record.id);
      void this.attempt(record);
    }, delay);
    this.timers.set(record.id, timer);
  }

  private async attempt(record: QueuedEvent): Promise<void> {
    const config = this.options.configOf(record.functionId);
    const maxRetries = this.options.retryAttemptsOverride ?? config.maximumRetryAttempts;
    const maxAgeMs = config.maximumEventAgeSec * 1000 * this.timeScale;
    if (Date.now() - record.enqueuedAt > maxAgeMs) return this.fail(record, 'EventAgeExceeded');
    let result: InvokeResult | undefined;
    try {
      result = await this.options.invoke(record.functionId, record.event, record.id);
    } catch (err) {
      if (this.stopped) return;
      // Throttled (no sandbox within its wait, or the function's reserved concurrency) or an
      // emulator error: Lambda keeps retrying these until the event's age runs out.
      record.throttles++;
      record.lastError = { errorType: isLarderError(err) && err.code === 'THROTTLED' ? 'TooManyRequestsException' : 'Emulator.InvokeFailed', errorMessage: err instanceof Error ? err.message : String(err) };
      const delay = Math.min(THROTTLE_FIRST_DELAY_MS * 2 ** (record.throttles - 1), THROTTLE_MAX_DELAY_MS) * this.timeScale;
      return this.retryOrExpire(record, delay, maxAgeMs);
    }
    if (this.stopped) return;
    if (!result.functionError) {
      this.options.store.remove(record.id);
      await this.settle({ kind: 'success', record, result });
      return;
    }
    record.attempts++;
    record.lastError = result.error;
    if (record.attempts > maxRetries) return this.fail(record, 'RetriesExhausted', result);
    const delay = (this.options.retryDelayMs ?? 60_000) * record.attempts * this.timeScale;
    this.options.log(JSON.stringify({ level: 'WARN', message: 'asynchronous invocation returned an error; it will be retried', function: record.functionId, requestId: record.id, attempt: record.attempts, retryInMs: Math.round(delay), errorType: result.error?.errorType }));
    this.retryOrExpire(record, delay, maxAgeMs, result);
  }

  private retryOrExpire(record: QueuedEvent, delayMs: number, maxAgeMs: number, result?: InvokeResult): void {
    record.nextAttemptAt = Date.now() + delayMs;
    if (record.nextAttemptAt - record.enqueuedAt > maxAgeMs) return void this.fail(record, 'EventAgeExceeded', result);
    this.options.store.put(record);
    this.inFlight.delete(record.id);
    this.schedule(record);
  }

  private async fail(record: QueuedEvent, condition: 'RetriesExhausted' | 'EventAgeExceeded', result?: InvokeResult): Promise<void> {
    const error = record.lastError ?? { errorType: 'EventAgeExceeded', errorMessage: 'the event was older than MaximumEventAgeInSeconds before it could be delivered' };
    // Settle first, remove after: a crash in between delivers the failure twice, never zero times.
    await this.settle({ kind: 'failure', condition, record, result, error }, () => this.options.store.remove(record.id));
  }

  private async settle(outcome: AsyncOutcome, afterwards?: () => void): Promise<void> {
    try {
      await this.options.settle(outcome);
    } catch (err) {
      this.options.log(JSON.stringify({ level: 'ERROR', message: 'could not record the outcome of an asynchronous invocation', function: outcome.record.functionId, requestId: outcome.record.id, error: err instanceof Error ? err.message : String(err) }));
    } finally {
      if (!this.stopped) afterwards?.();
      this.inFlight.delete(outcome.record.id);
      this.notifyIdle();
    }
  }

  private notifyIdle(): void {
    if (this.inFlight.size) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
