/**
 * One function's execution environments: idle (warm) sandboxes, busy ones, and the invocations
 * waiting for one.
 *
 * Order of service, as Lambda's: a warm sandbox first; else the invocation joins a FIFO queue and a
 * cold start is requested through the machine's ColdStartGate. Whichever comes first — a sandbox
 * released by another invocation or a fresh one finishing init — goes to the oldest waiter, so a burst
 * is served by as few cold starts as the traffic needs. An invocation is throttled (429) only when the
 * function's concurrency limit (ReservedConcurrentExecutions / --max-concurrency / 1,000) is reached,
 * or when it waited its whole budget without a sandbox (`waitMs`).
 */
import { LarderError } from '../../errors';
import type { FunctionDefinition } from '../template';
import { SandboxInitError, type Sandbox } from '../sandbox';
import type { ColdStartGate, ConcurrencyLimit } from './concurrency';

/** Starts one sandbox for the function; `onLog` receives every line the process prints. */
export type LaunchSandbox = (fn: FunctionDefinition, onLog: (line: string) => void) => Promise<Sandbox>;

export interface SandboxLease {
  sandbox: Sandbox;
  /** True when this invocation is the sandbox's first (its init ran for it). */
  coldStart: boolean;
  /** Lines the sandbox printed during init (they precede START in the invocation's log). */
  initLogs: string[];
}

/** A cold start failed while this invocation was the oldest waiter: it reports the init error. */
export class ColdStartFailure extends Error {
  constructor(readonly initError: SandboxInitError, readonly initLogs: string[]) {
    super(initError.message);
    this.name = 'ColdStartFailure';
  }
}

export interface SandboxPoolOptions {
  launch: LaunchSandbox;
  gate: ColdStartGate;
  limit: ConcurrencyLimit;
  idleTimeoutMs: number;
}

/** The longest any invocation waits for a sandbox, progress or not (Lambda's maximum Timeout). */
const MAX_WAIT_MS = 900_000;

interface Waiter {
  resolve: (lease: SandboxLease) => void;
  reject: (err: Error) => void;
  timer?: NodeJS.Timeout;
}

export interface PoolStats {
  idle: number;
  busy: number;
  starting: number;
  waiting: number;
}

export class SandboxPool {
  private idle: Sandbox[] = [];
  private readonly busy = new Set<Sandbox>();
  /** Teardowns of sandboxes taken out of service and not finished yet (stop() waits for them). */
  private readonly retiring = new Set<Promise<void>>();
  private readonly waiters: Waiter[] = [];
  /** Cold starts queued at the gate, and ones initialising. */
  private queuedStarts = 0;
  private initializing = 0;
  private readonly idleTimers = new Map<Sandbox, NodeJS.Timeout>();
  private readonly logCapture = new Map<Sandbox, string[]>();
  private readonly initLogsOf = new WeakMap<Sandbox, string[]>();
  private readonly fresh = new WeakSet<Sandbox>();
  /** Bumped by recycle(): sandboxes of an older generation are disposed instead of reused. */
  private generation = 0;
  private readonly generationOf = new WeakMap<Sandbox, number>();
  private stopped = false;
  /** Counts sandboxes handed out and cold starts begun: a waiter's budget restarts while this moves. */
  private progress = 0;

  constructor(readonly fn: FunctionDefinition, private readonly options: SandboxPoolOptions) {}

  /**
   * A sandbox for one invocation: warm if one is idle, else the first to become free or finish init.
   * Throws THROTTLED (429) past the concurrency limit or after `waitMs` without a sandbox, and
   * ColdStartFailure when the cold start made for this invocation failed.
   */
  acquire(waitMs: number): Promise<SandboxLease> {
    if (this.stopped) return Promise.reject(new LarderError('INTERNAL', 'the emulator has been stopped'));
    const warm = this.takeIdle();
    if (warm) return Promise.resolve(this.lease(warm));
    const { max, source } = this.options.limit;
    const inFlight = this.busy.size + this.waiters.length;
    if (inFlight >= max) {
      return Promise.reject(new LarderError('THROTTLED', `${this.fn.logicalId}: ${inFlight} invocations in flight, the limit is ${max} (${source}); Rate Exceeded`, { statusCode: 429, details: { reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' } }));
    }
    return new Promise<SandboxLease>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject };
      const joined = Date.now();
      // The budget runs out only when the pool made no progress (no sandbox handed out or started)
      // during a whole budget: on a busy machine cold starts are slow, not failed, and a waiter
      // behind them is served in turn. MAX_WAIT_MS bounds the wait in any case.
      const arm = (progressSeen: number) => {
        waiter.timer = setTimeout(() => {
          if (this.progress !== progressSeen && Date.now() - joined < MAX_WAIT_MS) return arm(this.progress);
          this.removeWaiter(waiter);
          reject(new LarderError('THROTTLED', `${this.fn.logicalId}: no sandbox became free within ${((Date.now() - joined) / 1000).toFixed(1)} s (${this.busy.size} busy, ${this.initializing} initialising, ${this.queuedStarts} cold starts queued on this machine); Rate Exceeded`, { statusCode: 429, details: { reason: 'LocalCapacityWaitExceeded' } }));
        }, waitMs);
      };
      arm(this.progress);
      this.waiters.push(waiter);
      this.requestColdStarts();
    });
  }

  /** Where the sandbox's output goes during the current invocation. */
  captureLogs(sandbox: Sandbox, lines: string[] | undefined): void {
    if (lines) this.logCapture.set(sandbox, lines);
    else this.logCapture.delete(sandbox);
  }

  /** Ends an invocation: a reusable sandbox goes to the oldest waiter, else back to idle; others are disposed. */
  release(sandbox: Sandbox, reusable: boolean): void {
    this.busy.delete(sandbox);
    this.logCapture.delete(sandbox);
    if (!reusable || this.stopped || !sandbox.alive || this.generationOf.get(sandbox) !== this.generation) {
      void sandbox.dispose();
      this.requestColdStarts();
      return;
    }
    this.handOver(sandbox);
  }

  /** Disposes the warm sandboxes, so the next invocation starts a fresh one (`--cold`). */
  async discardIdle(): Promise<void> {
    await this.retireIdle();
  }

  /**
   * Takes the idle sandboxes out of service at once and returns their teardown (killing the
   * process, removing its /tmp), which stop() also waits for. A forced cold start does not wait for
   * it: Lambda never makes a new request wait on an old sandbox going away.
   */
  retireIdle(): Promise<void> {
    const idle = this.idle;
    this.idle = [];
    for (const s of idle) this.clearIdleTimer(s);
    const done = Promise.all(idle.map((s) => s.dispose())).then(() => {});
    this.retiring.add(done);
    void done.finally(() => this.retiring.delete(done)).catch(() => {});
    return done;
  }

  /**
   * Retires every current sandbox: idle ones now, busy ones when their invocation ends. Later
   * invocations get sandboxes started from now on (e.g. after the code changed).
   */
  async recycle(): Promise<void> {
    this.generation++;
    await this.discardIdle();
  }

  stats(): PoolStats {
    return { idle: this.idle.length, busy: this.busy.size, starting: this.initializing + this.queuedStarts, waiting: this.waiters.length };
  }

  /** Rejects the waiters and disposes every sandbox. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(new LarderError('INTERNAL', 'the emulator has been stopped'));
    }
    const all = [...this.idle, ...this.busy];
    for (const s of this.idle) this.clearIdleTimer(s);
    this.idle = [];
    this.busy.clear();
    await Promise.all([...all.map((s) => s.dispose()), ...this.retiring]);
  }

  private lease(sandbox: Sandbox): SandboxLease {
    this.progress++;
    this.busy.add(sandbox);
    const coldStart = this.fresh.has(sandbox);
    this.fresh.delete(sandbox);
    return { sandbox, coldStart, initLogs: coldStart ? (this.initLogsOf.get(sandbox) ?? []) : [] };
  }

  private handOver(sandbox: Sandbox): void {
    const waiter = this.waiters.shift();
    if (waiter) {
      clearTimeout(waiter.timer);
      waiter.resolve(this.lease(sandbox));
      return;
    }
    this.idle.push(sandbox);
    const timer = setTimeout(() => {
      this.idle = this.idle.filter((s) => s !== sandbox);
      this.idleTimers.delete(sandbox);
      void sandbox.dispose();
    }, this.options.idleTimeoutMs);
    timer.unref();
    this.idleTimers.set(sandbox, timer);
  }

  /** Asks the gate for as many cold starts as there are waiters not already covered by one. */
  private requestColdStarts(): void {
    while (!this.stopped && this.initializing + this.queuedStarts < this.waiters.length) {
      this.queuedStarts++;
      void this.options.gate.acquire().then((releaseSlot) => {
        this.queuedStarts--;
        // A warm sandbox may have served the waiter meanwhile: then this start is not needed.
        if (this.stopped || this.initializing >= this.waiters.length) return releaseSlot();
        this.initializing++;
        this.progress++;
        this.startOne().finally(() => {
          this.initializing--;
          releaseSlot();
        });
      });
    }
  }

  private async startOne(): Promise<void> {
    const generation = this.generation;
    const initLogs: string[] = [];
    let sandbox: Sandbox | undefined;
    const onLog = (line: string) => {
      const capture = sandbox ? this.logCapture.get(sandbox) : initLogs;
      capture?.push(line);
    };
    try {
      sandbox = await this.options.launch(this.fn, onLog);
    } catch (err) {
      const waiter = this.waiters.shift();
      if (waiter) {
        clearTimeout(waiter.timer);
        waiter.reject(err instanceof SandboxInitError ? new ColdStartFailure(err, initLogs) : (err as Error));
      }
      this.requestColdStarts();
      return;
    }
    this.fresh.add(sandbox);
    this.initLogsOf.set(sandbox, initLogs);
    this.generationOf.set(sandbox, generation);
    if (this.stopped || generation !== this.generation) {
      void sandbox.dispose();
      this.requestColdStarts();
      return;
    }
    this.handOver(sandbox);
  }

  private takeIdle(): Sandbox | undefined {
    while (this.idle.length) {
      const s = this.idle.pop()!;
      this.clearIdleTimer(s);
      if (s.alive) return s;
      void s.dispose();
    }
    return undefined;
  }

  private clearIdleTimer(sandbox: Sandbox): void {
    clearTimeout(this.idleTimers.get(sandbox));
    this.idleTimers.delete(sandbox);
  }

  private removeWaiter(waiter: Waiter): void {
    const i = this.waiters.indexOf(waiter);
    if (i >= 0) this.waiters.splice(i, 1);
  }
}
