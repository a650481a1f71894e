/**
 * The Lambda service, locally — the façade the servers and commands use. For each function a
 * SandboxPool (warm reuse, one invocation per sandbox, cold starts paced by the machine's cores,
 * 429 only past the function's concurrency limit), START/END/REPORT lines as CloudWatch shows them,
 * and Event invocations through a durable AsyncEventQueue with Lambda's retries, event age and
 * destinations. The policy and how it maps to Lambda's: docs/concurrency.md.
 */
import { mkdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { LarderError } from '../errors';
import { findFunction, type LoadedTemplate } from './template';
import { undeclaredParameterWarnings, type EnvVarsFile } from './lambdaEnv';
import type { LambdaErrorPayload } from './sandbox';
import { LOCAL_ACCOUNT_ID } from './intrinsics';
import type { NodeBinaryChoice } from './nodeBinary';
import { buildReport } from './lambda/reportLine';
import { ColdStartGate, concurrencyLimitOf } from './lambda/concurrency';
import { ColdStartFailure, SandboxPool, type PoolStats } from './lambda/sandboxPool';
import { LAMBDA_INIT_TIMEOUT_MS, sandboxLauncher } from './lambda/sandboxLauncher';
import { AsyncEventQueue, type AsyncOutcome } from './lambda/asyncEventQueue';
import { FileEventStore, MemoryEventStore } from './lambda/asyncEventStore';
import { asyncInvokeConfigOf, type AsyncInvokeConfig } from './lambda/asyncInvokeConfig';
import { deliverOutcome } from './lambda/asyncDestinations';
import type { InvokeOptions, InvokeResult } from './lambda/types';

export type { InvocationReport } from './lambda/reportLine';
export type { InvokeOptions, InvokeResult } from './lambda/types';
import { responseTooLarge, traceIdHeader, SYNC_RESPONSE_LIMIT_BYTES } from './runtimeLimits';
import type { LayerMap } from './layers';
import { HotReload } from './hotReload';

/** Lambda's synchronous request payload limit (6 MB); responses allow a little more (runtimeLimits.ts). */
export const SYNC_PAYLOAD_LIMIT_BYTES = 6 * 1024 * 1024;
export { SYNC_RESPONSE_LIMIT_BYTES };

export interface EmulatorOptions {
  template: LoadedTemplate;
  /** Run `npm run build` bundles from this folder instead of the TypeScript sources. */
  bundleDir?: string;
  envVars?: EnvVarsFile;
  /** Endpoint variables of the local services (AWS_ENDPOINT_URL_S3, …). */
  serviceEnv?: Record<string, string>;
  inheritAwsCredentials?: boolean;
  /** How long an unused sandbox stays warm (default 10 minutes; Lambda keeps them 5–15). */
  idleTimeoutMs?: number;
  /** A local cap on each function's concurrent invocations (`--max-concurrency`); past it, 429. Default: ReservedConcurrentExecutions, else 1,000. */
  maxConcurrency?: number;
  /** Sandboxes initialising at once on this machine (default: one per core). */
  coldStartConcurrency?: number;
  /** How long an invocation may wait for a sandbox with no progress in the pool before a 429 (default: the function's Timeout + the init timeout). */
  sandboxWaitMs?: number;
  /** Init phase limit, CPU-wait excluded (default Lambda's 10 s). */
  initTimeoutMs?: number;
  /** Where log lines go (handler output and START/END/REPORT). Default: stderr. */
  log?: (line: string) => void;
  /** Parent folder of the sandboxes' /tmp directories. */
  sandboxRoot?: string;
  /** Overrides every function's MaximumRetryAttempts (tests). */
  asyncRetryAttempts?: number;
  /** Pause before the first retry after a function error (Lambda ≈ 60 s; the second waits twice that). */
  asyncRetryDelayMs?: number;
  /** Multiplies every async wait and the maximum event age (`--time-scale`; 0.001 turns a minute into 60 ms). */
  timeScale?: number;
  /** Durable queue folder: accepted Event invocations survive a restart. Without it the queue is in memory. */
  asyncQueueDir?: string;
  /** Folder of destination / DLQ files (`<Type>-<name>.jsonl`). */
  destinationsDir?: string;
  /** Failed Event invocations with no destination are appended here as JSON lines, so none is lost. */
  failedEventsFile?: string;
  rssPollMs?: number;
  /** Which Node runs the sandboxes (`--node`, LARDER_NODE_BINARY, LARDER_NODE_<MAJOR>); default the host's. */
  node?: NodeBinaryChoice;
  /** Local folders for layer ARNs the template names but cannot provide (`--layer-map`). */
  layerMap?: LayerMap;
  /** Opens the Node inspector in each sandbox on this port (`--debug-port`). */
  debugPort?: number;
  /** Retire warm sandboxes whose code changed on disk (default on); how often the code is re-checked. */
  hotReload?: boolean | { checkEveryMs: number };
}

export class LambdaEmulator {
  readonly template: LoadedTemplate;
  private readonly pools = new Map<string, SandboxPool>();
  private readonly asyncConfigs = new Map<string, AsyncInvokeConfig>();
  private readonly gate: ColdStartGate;
  private readonly launch: ReturnType<typeof sandboxLauncher>;
  private readonly hotReload?: HotReload;
  private readonly queue: AsyncEventQueue;
  private readonly log: (line: string) => void;
  private stopped = false;
  readonly warnings: string[] = [];

  constructor(private options: EmulatorOptions) {
    this.template = options.template;
    this.log = options.log ?? ((line) => process.stderr.write(line + '\n'));
    const sandboxRoot = options.sandboxRoot ?? join(tmpdir(), 'larder-sandboxes');
    mkdirSync(sandboxRoot, { recursive: true });
    if (options.envVars) {
      for (const w of undeclaredParameterWarnings(options.envVars, this.template.functions)) this.warn(w);
    }
    this.gate = new ColdStartGate(options.coldStartConcurrency);
    if (options.hotReload !== false) {
      const every = typeof options.hotReload === 'object' ? options.hotReload.checkEveryMs : undefined;
      this.hotReload = new HotReload({ template: this.template, bundleDir: options.bundleDir, layerMap: options.layerMap, checkEveryMs: every });
    }
    this.launch = sandboxLauncher({
      template: this.template,
      bundleDir: options.bundleDir,
      envVars: options.envVars,
      serviceEnv: () => this.options.serviceEnv,
      inheritAwsCredentials: options.inheritAwsCredentials,
      sandboxRoot,
      initTimeoutMs: options.initTimeoutMs,
      rssPollMs: options.rssPollMs,
      node: options.node,
      layerMap: options.layerMap,
      debugPort: options.debugPort,
      log: this.log,
      warn: (m) => this.warn(m),
    });
    this.queue = new AsyncEventQueue({
      store: options.asyncQueueDir ? new FileEventStore(options.asyncQueueDir) : new MemoryEventStore(),
      invoke: (fnId, event, requestId) => this.invoke(fnId, event, { requestId }),
      configOf: (fnId) => this.asyncConfig(fnId),
      settle: async (outcome) => void this.settle(outcome),
      timeScale: options.timeScale,
      retryDelayMs: options.asyncRetryDelayMs,
      retryAttemptsOverride: options.asyncRetryAttempts,
      log: this.log,
    });
  }

  /** Adds endpoint variables for sandboxes started from now on (e.g. the Lambda endpoint once it listens). */
  setServiceEnv(env: Record<string, string>): void {
    this.options.serviceEnv = { ...(this.options.serviceEnv ?? {}), ...env };
  }

  /** Synchronous (RequestResponse) invocation. Handler errors come back in the result, not as throws. */
  async invoke(name: string, event: unknown, options: InvokeOptions = {}): Promise<InvokeResult> {
    if (this.stopped) throw new LarderError('INTERNAL', 'the emulator has been stopped');
    const pool = this.pool(name);
    const fn = pool.fn;
    const requestId = options.requestId ?? randomUUID();
    const t0 = performance.now();
    const eventBytes = Buffer.byteLength(JSON.stringify(event ?? null));
    if (eventBytes > SYNC_PAYLOAD_LIMIT_BYTES) {
      this.warn(`${fn.logicalId}: the event is ${(eventBytes / 1048576).toFixed(1)} MB; Lambda refuses synchronous payloads over 6 MB (RequestEntityTooLargeException)`);
    }
    const code = this.hotReload?.check(fn);
    if (options.cold || code?.changed) {
      if (code?.changed) this.log(`[larder] ${fn.logicalId}: code changed on disk; the next sandbox loads it fresh`);
      void pool.retireIdle(); // the old sandboxes go away beside this request, not before it
    }
    const initTimeoutMs = this.options.initTimeoutMs ?? LAMBDA_INIT_TIMEOUT_MS;
    let lease;
    try {
      lease = await pool.acquire(this.options.sandboxWaitMs ?? fn.timeoutSec * 1000 + initTimeoutMs);
    } catch (err) {
      if (err instanceof ColdStartFailure) return this.initFailure(name, requestId, err, t0);
      throw err;
    }
    const { sandbox, coldStart } = lease;
    if (coldStart) sandbox.codeStamp = code?.stamp;
    const logLines = [...lease.initLogs];
    pool.captureLogs(sandbox, logLines);
    this.emit(logLines, `START RequestId: ${requestId} Version: $LATEST`);
    const outcome = await sandbox.invoke(requestId, event, {
      timeoutMs: fn.timeoutSec * 1000,
      invokedFunctionArn: `arn:aws:lambda:${this.template.region}:${LOCAL_ACCOUNT_ID}:function:${fn.functionName}`,
      clientContext: options.clientContext,
      traceId: options.traceId ?? traceIdHeader(),
      sink: options.sink,
    });
    let { ok, payload, error } = outcome;
    if (outcome.stream && ok) payload = outcome.stream.body.toString('utf8');
    const tooLarge = ok && !outcome.stream && payload !== undefined ? responseTooLarge(payload) : undefined;
    if (tooLarge) {
      ok = false;
      error = tooLarge;
    }
    const timedOut = !ok && error?.errorType === 'Sandbox.Timedout';
    const status = ok ? undefined : timedOut ? 'timeout' : 'error';
    if (timedOut) this.emit(logLines, `${new Date().toISOString()} ${requestId} Task timed out after ${fn.timeoutSec.toFixed(2)} seconds`);
    this.emit(logLines, `END RequestId: ${requestId}`);
    const report = buildReport({ fn, requestId, durationMs: outcome.durationMs, maxMemoryUsedMb: outcome.maxMemoryUsedMb, init: coldStart ? sandbox.initTimings : undefined, status, errorType: error?.errorType });
    this.emit(logLines, report.line);
    pool.release(sandbox, outcome.sandboxAlive && !this.stopped && (this.hotReload?.current(fn, sandbox.codeStamp) ?? true));
    return {
      requestId,
      functionName: fn.logicalId,
      payload: ok ? (payload ?? 'null') : JSON.stringify(error),
      functionError: ok ? undefined : 'Unhandled',
      error: ok ? undefined : error,
      coldStart,
      sandboxId: sandbox.id,
      report,
      logLines,
      stream: outcome.stream,
      roundTripMs: performance.now() - t0,
    };
  }

  /**
   * Event invocation: stores the event (durably with asyncQueueDir) and returns its request id at once
   * (Lambda answers 202); the queue delivers it with retries, back-off, event age and destinations.
   */
  invokeEvent(name: string, event: unknown): string {
    if (this.stopped) throw new LarderError('INTERNAL', 'the emulator has been stopped');
    const fn = this.pool(name).fn;
    this.asyncConfig(fn.logicalId);
    return this.queue.enqueue(fn.logicalId, event);
  }

  /** Delivers Event invocations a previous run accepted but did not finish (call once the endpoints are set). */
  resumeQueuedEvents(): number {
    return this.queue.recover();
  }

  /** Resolves when every Event invocation accepted so far has been delivered or settled as failed. */
  async drainAsync(): Promise<void> {
    await this.queue.drain();
  }

  /** Counts of warm and busy sandboxes per function. */
  stats(): Record<string, { idle: number; busy: number }> {
    const out: Record<string, { idle: number; busy: number }> = {};
    for (const [id, p] of this.pools) {
      const { idle, busy } = p.stats();
      out[id] = { idle, busy };
    }
    return out;
  }

  /** stats() plus sandboxes starting (queued at the cold-start gate or initialising) and invocations waiting. */
  poolStats(): Record<string, PoolStats> {
    const out: Record<string, PoolStats> = {};
    for (const [id, p] of this.pools) out[id] = p.stats();
    return out;
  }

  /** Retires the function's sandboxes (idle now, busy when they finish): later calls start fresh ones. */
  async recycle(name: string): Promise<void> {
    await this.pool(name).recycle();
  }

  /** Stops the queue (stored events wait for the next run) and disposes every sandbox. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.stop();
    await Promise.all([...this.pools.values()].map((p) => p.stop()));
  }

  private pool(name: string): SandboxPool {
    const fn = findFunction(this.template, name);
    let pool = this.pools.get(fn.logicalId);
    if (!pool) {
      pool = new SandboxPool(fn, {
        launch: this.launch,
        gate: this.gate,
        limit: concurrencyLimitOf(this.template, fn, this.options.maxConcurrency),
        idleTimeoutMs: this.options.idleTimeoutMs ?? 600_000,
      });
      this.pools.set(fn.logicalId, pool);
    }
    return pool;
  }

  private asyncConfig(functionId: string): AsyncInvokeConfig {
    let config = this.asyncConfigs.get(functionId);
    if (!config) {
      config = asyncInvokeConfigOf(this.template, findFunction(this.template, functionId));
      this.asyncConfigs.set(functionId, config);
    }
    return config;
  }

  private settle(outcome: AsyncOutcome): void {
    const fn = findFunction(this.template, outcome.record.functionId);
    deliverOutcome(outcome, {
      region: this.template.region,
      accountId: LOCAL_ACCOUNT_ID,
      functionName: fn.functionName,
      config: this.asyncConfig(fn.logicalId),
      destinationsDir: this.options.destinationsDir,
      failedEventsFile: this.options.failedEventsFile,
      invokeFunction: (target, payload) => {
        try {
          this.invokeEvent(target, payload);
          return true;
        } catch {
          return false;
        }
      },
      log: this.log,
    });
  }

  private initFailure(name: string, requestId: string, failure: ColdStartFailure, t0: number): InvokeResult {
    const fn = findFunction(this.template, name);
    const err = failure.initError;
    const logLines = [...failure.initLogs];
    this.emit(logLines, `START RequestId: ${requestId} Version: $LATEST`);
    this.emit(logLines, `END RequestId: ${requestId}`);
    const report = buildReport({ fn, requestId, durationMs: 0, maxMemoryUsedMb: 0, status: 'error', errorType: err.payload.errorType, initDurationMs: err.initDurationMs });
    this.emit(logLines, report.line);
    const payload: LambdaErrorPayload = err.payload;
    return { requestId, functionName: fn.logicalId, payload: JSON.stringify(payload), functionError: 'Unhandled', error: payload, coldStart: true, sandboxId: 'none', report, logLines, roundTripMs: performance.now() - t0 };
  }

  private emit(capture: string[], line: string): void {
    capture.push(line);
    this.log(line);
  }

  private warn(message: string): void {
    if (this.warnings.includes(message)) return;
    this.warnings.push(message);
    this.log(`[larder] warning: ${message}`);
  }
}
