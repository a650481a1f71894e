/**
 * The Lambda service, locally: for each function a pool of sandboxes that stay warm for an idle
 * period, one invocation per sandbox at a time (concurrent calls get separate sandboxes, each cold
 * once), START/END/REPORT lines as CloudWatch shows them, and asynchronous (Event) invocations whose
 * failures are retried like Lambda's and then logged — and appended to a failed-events file — rather
 * than lost.
 */
import { mkdtempSync, mkdirSync, appendFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { LarderError } from '../errors';
import { findFunction, type FunctionDefinition, type LoadedTemplate } from './template';
import { buildSandboxEnv, undeclaredParameterWarnings, type EnvVarsFile } from './lambdaEnv';
import { locateHandler } from './handlerLocation';
import { Sandbox, SandboxInitError, type InitTimings, type LambdaErrorPayload, type StreamSink } from './sandbox';
import { prepareSandboxRuntime } from './sandboxRuntime';
import { responseTooLarge, traceIdHeader, SYNC_RESPONSE_LIMIT_BYTES } from './runtimeLimits';
import type { LayerMap } from './layers';
import { LOCAL_ACCOUNT_ID } from './intrinsics';
import { chooseNodeBinary, nodeVersionOf, runtimeMismatchWarning, type NodeBinaryChoice } from './nodeBinary';

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
  /** Sandboxes per function at once; past this an invocation is throttled (429), like reserved concurrency. */
  maxConcurrency?: number;
  initTimeoutMs?: number;
  /** Where log lines go (handler output and START/END/REPORT). Default: stderr. */
  log?: (line: string) => void;
  /** Parent folder of the sandboxes' /tmp directories. */
  sandboxRoot?: string;
  /** Retries of a failed Event invocation (Lambda: 2) and the pause before each. */
  asyncRetryAttempts?: number;
  asyncRetryDelayMs?: number;
  /** Failed Event invocations (after retries) are appended here as JSON lines, so none is lost. */
  failedEventsFile?: string;
  rssPollMs?: number;
  /** Which Node runs the sandboxes (`--node`, LARDER_NODE_BINARY, LARDER_NODE_<MAJOR>); default the host's. */
  node?: NodeBinaryChoice;
  /** Local folders for layer ARNs the template names but cannot provide (`--layer-map`). */
  layerMap?: LayerMap;
  /** Opens the Node inspector in each sandbox on this port (`--debug-port`). */
  debugPort?: number;
}

export interface InvocationReport {
  requestId: string;
  durationMs: number;
  billedDurationMs: number;
  memorySizeMb: number;
  maxMemoryUsedMb: number;
  initDurationMs?: number;
  init?: InitTimings;
  status?: 'error' | 'timeout';
  errorType?: string;
  line: string;
}

export interface InvokeResult {
  requestId: string;
  functionName: string;
  /** JSON text: the handler's result, or Lambda's error payload when functionError is set. */
  payload: string;
  functionError?: 'Unhandled';
  error?: LambdaErrorPayload;
  coldStart: boolean;
  sandboxId: string;
  report: InvocationReport;
  /** This invocation's log lines, START to REPORT (what `--log-type Tail` returns). */
  logLines: string[];
  /** A streaming handler's whole output (payload is then its text): content type and bytes. */
  stream?: { contentType: string; body: Buffer };
  /** Supervisor round trip, for overhead measurements. */
  roundTripMs: number;
}

export interface InvokeOptions {
  /** Discard warm sandboxes of this function first, so this call starts a fresh one. */
  cold?: boolean;
  clientContext?: unknown;
  /** Receives a streaming handler's chunks as they are written. */
  sink?: StreamSink;
  /** X-Amzn-Trace-Id of the incoming request; a fresh one otherwise (the function sees _X_AMZN_TRACE_ID). */
  traceId?: string;
}

interface FunctionPool {
  fn: FunctionDefinition;
  idle: Sandbox[];
  busy: Set<Sandbox>;
  /** Sandboxes being started (counted against maxConcurrency with the busy ones). */
  starting: number;
  idleTimers: Map<Sandbox, NodeJS.Timeout>;
  logCapture: Map<Sandbox, string[]>;
}

export class LambdaEmulator {
  readonly template: LoadedTemplate;
  private readonly pools = new Map<string, FunctionPool>();
  private readonly asyncWork = new Set<Promise<void>>();
  private readonly log: (line: string) => void;
  private readonly sandboxRoot: string;
  private stopped = false;
  readonly warnings: string[] = [];

  constructor(private options: EmulatorOptions) {
    this.template = options.template;
    this.log = options.log ?? ((line) => process.stderr.write(line + '\n'));
    this.sandboxRoot = options.sandboxRoot ?? join(tmpdir(), 'larder-sandboxes');
    mkdirSync(this.sandboxRoot, { recursive: true });
    if (options.envVars) {
      for (const w of undeclaredParameterWarnings(options.envVars, this.template.functions)) this.warn(w);
    }
  }

  /** Adds endpoint variables for sandboxes started from now on (e.g. the Lambda endpoint once it listens). */
  setServiceEnv(env: Record<string, string>): void {
    this.options.serviceEnv = { ...(this.options.serviceEnv ?? {}), ...env };
  }

  /** Synchronous (RequestResponse) invocation. Handler errors come back in the result, not as throws. */
  async invoke(name: string, event: unknown, options: InvokeOptions = {}): Promise<InvokeResult> {
    if (this.stopped) throw new LarderError('INTERNAL', 'the emulator has been stopped');
    const pool = this.pool(name);
    const requestId = randomUUID();
    const t0 = performance.now();
    const eventBytes = Buffer.byteLength(JSON.stringify(event ?? null));
    if (eventBytes > SYNC_PAYLOAD_LIMIT_BYTES) {
      this.warn(`${pool.fn.logicalId}: the event is ${(eventBytes / 1048576).toFixed(1)} MB; Lambda refuses synchronous payloads over 6 MB (RequestEntityTooLargeException)`);
    }
    if (options.cold) await this.discardIdle(pool);

    let sandbox = this.takeIdle(pool);
    const coldStart = !sandbox;
    const logLines: string[] = [];
    let init: InitTimings | undefined;
    if (!sandbox) {
      if (pool.busy.size + pool.starting >= (this.options.maxConcurrency ?? 20)) {
        throw new LarderError('THROTTLED', `${pool.fn.logicalId}: ${pool.busy.size + pool.starting} invocations already running (maxConcurrency); Rate Exceeded`, { statusCode: 429 });
      }
      pool.starting++;
      try {
        sandbox = await this.startSandbox(pool, logLines);
        init = sandbox.initTimings;
      } catch (err) {
        if (!(err instanceof SandboxInitError)) throw err;
        return this.initFailure(pool, requestId, err, logLines, t0);
      } finally {
        pool.starting--;
      }
    }
    pool.busy.add(sandbox);
    pool.logCapture.set(sandbox, logLines);
    this.emit(logLines, `START RequestId: ${requestId} Version: $LATEST`);
    const outcome = await sandbox.invoke(requestId, event, {
      timeoutMs: pool.fn.timeoutSec * 1000,
      invokedFunctionArn: `arn:aws:lambda:${this.template.region}:${LOCAL_ACCOUNT_ID}:function:${pool.fn.functionName}`,
      clientContext: options.clientContext,
      traceId: options.traceId ?? traceIdHeader(),
      sink: options.sink,
    });
    pool.busy.delete(sandbox);
    let { ok, payload, error } = outcome;
    if (outcome.stream && ok) payload = outcome.stream.body.toString('utf8');
    const tooLarge = ok && !outcome.stream && payload !== undefined ? responseTooLarge(payload) : undefined;
    if (tooLarge) {
      ok = false;
      error = tooLarge;
    }
    const status = ok ? undefined : error?.errorType === 'Sandbox.Timedout' ? 'timeout' : 'error';
    if (!ok && error?.errorType === 'Sandbox.Timedout') this.emit(logLines, `${new Date().toISOString()} ${requestId} Task timed out after ${pool.fn.timeoutSec.toFixed(2)} seconds`);
    this.emit(logLines, `END RequestId: ${requestId}`);
    const report = this.report(pool.fn, requestId, outcome.durationMs, outcome.maxMemoryUsedMb, init, status, error?.errorType);
    this.emit(logLines, report.line);
    pool.logCapture.delete(sandbox);
    if (outcome.sandboxAlive && !this.stopped) this.release(pool, sandbox);
    else void sandbox.dispose();
    return {
      requestId,
      functionName: pool.fn.logicalId,
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
   * Event invocation: returns the request id at once (Lambda answers 202), runs in the background,
   * retries a failure `asyncRetryAttempts` times, then logs it and appends it to failedEventsFile.
   */
  invokeEvent(name: string, event: unknown): string {
    const fn = this.pool(name).fn;
    const requestId = randomUUID();
    const attempts = 1 + (this.options.asyncRetryAttempts ?? 2);
    const work = (async () => {
      let last: InvokeResult | undefined;
      let thrown: unknown;
      for (let attempt = 1; attempt <= attempts && !this.stopped; attempt++) {
        if (attempt > 1) await new Promise((r) => setTimeout(r, (this.options.asyncRetryDelayMs ?? 1000) * (attempt - 1)));
        try {
          thrown = undefined;
          last = await this.invoke(fn.logicalId, event);
          if (!last.functionError) return;
        } catch (err) {
          thrown = err;
        }
      }
      const error = last?.error ?? { errorType: 'Emulator.InvokeFailed', errorMessage: thrown instanceof Error ? thrown.message : String(thrown) };
      this.log(JSON.stringify({ level: 'ERROR', message: 'asynchronous invocation failed after retries', function: fn.logicalId, eventRequestId: requestId, attempts, ...error }));
      if (this.options.failedEventsFile) {
        mkdirSync(dirname(this.options.failedEventsFile), { recursive: true });
        appendFileSync(this.options.failedEventsFile, JSON.stringify({ time: new Date().toISOString(), function: fn.logicalId, requestId, error, event }) + '\n');
      }
    })();
    this.asyncWork.add(work);
    void work.finally(() => this.asyncWork.delete(work));
    return requestId;
  }

  /** Resolves when every Event invocation started so far has finished (tests and shutdown use it). */
  async drainAsync(): Promise<void> {
    while (this.asyncWork.size) await Promise.allSettled([...this.asyncWork]);
  }

  /** Counts of warm and busy sandboxes per function. */
  stats(): Record<string, { idle: number; busy: number }> {
    const out: Record<string, { idle: number; busy: number }> = {};
    for (const [id, p] of this.pools) out[id] = { idle: p.idle.length, busy: p.busy.size };
    return out;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const all: Sandbox[] = [];
    for (const pool of this.pools.values()) {
      for (const t of pool.idleTimers.values()) clearTimeout(t);
      all.push(...pool.idle, ...pool.busy);
      pool.idle = [];
      pool.busy.clear();
    }
    await Promise.all(all.map((s) => s.dispose()));
    await Promise.race([this.drainAsync(), new Promise((r) => setTimeout(r, 2000))]);
  }

  private pool(name: string): FunctionPool {
    const fn = findFunction(this.template, name);
    let pool = this.pools.get(fn.logicalId);
    if (!pool) {
      pool = { fn, idle: [], busy: new Set(), starting: 0, idleTimers: new Map(), logCapture: new Map() };
      this.pools.set(fn.logicalId, pool);
    }
    return pool;
  }

  private async startSandbox(pool: FunctionPool, initLogs: string[]): Promise<Sandbox> {
    const location = locateHandler(pool.fn, this.options.bundleDir);
    const nodeBinary = chooseNodeBinary(pool.fn.runtime, this.options.node);
    const nodeVersion = await nodeVersionOf(nodeBinary);
    const mismatch = runtimeMismatchWarning(pool.fn.logicalId, pool.fn.runtime, nodeVersion);
    if (mismatch) this.warn(mismatch);
    const tmpDir = mkdtempSync(join(this.sandboxRoot, `${pool.fn.logicalId}-`));
    const runtime = prepareSandboxRuntime({
      template: this.template,
      fn: pool.fn,
      taskRoot: location.taskRoot,
      sandboxRoot: this.sandboxRoot,
      nodeMajor: Number(nodeVersion.split('.')[0]),
      layerMap: this.options.layerMap,
    });
    const { env, logStreamName, warnings } = buildSandboxEnv({
      nodeBinary,
      layerBinDirs: runtime.layerBinDirs,
      nodePath: runtime.nodePath,
      fn: pool.fn,
      region: this.template.region,
      tmpDir,
      taskRoot: location.taskRoot,
      envVars: this.options.envVars,
      serviceEnv: this.options.serviceEnv,
      inheritAwsCredentials: this.options.inheritAwsCredentials,
    });
    for (const w of warnings) this.warn(w);
    for (const w of runtime.warnings) this.warn(w);
    let self: Sandbox | undefined;
    return Sandbox.start({
      fn: pool.fn,
      handlerFile: location.file,
      exportName: location.exportName,
      typescript: location.typescript,
      env,
      logStreamName,
      tmpDir,
      taskRoot: location.taskRoot,
      initTimeoutMs: this.options.initTimeoutMs ?? 30_000,
      rssPollMs: this.options.rssPollMs,
      nodeBinary,
      layers: runtime.layers,
      runtimeModulesDirs: runtime.runtimeModulesDirs,
      displayNodePath: runtime.displayNodePath,
      debugPort: this.options.debugPort,
      onLog: (line) => {
        const capture = self ? pool.logCapture.get(self) : initLogs;
        capture?.push(line);
        this.log(line);
      },
    }).then((s) => (self = s));
  }

  private initFailure(pool: FunctionPool, requestId: string, err: SandboxInitError, logLines: string[], t0: number): InvokeResult {
    this.emit(logLines, `START RequestId: ${requestId} Version: $LATEST`);
    this.emit(logLines, `END RequestId: ${requestId}`);
    const report = this.report(pool.fn, requestId, 0, 0, undefined, 'error', err.payload.errorType, err.initDurationMs);
    this.emit(logLines, report.line);
    return {
      requestId,
      functionName: pool.fn.logicalId,
      payload: JSON.stringify(err.payload),
      functionError: 'Unhandled',
      error: err.payload,
      coldStart: true,
      sandboxId: 'none',
      report,
      logLines,
      roundTripMs: performance.now() - t0,
    };
  }

  private takeIdle(pool: FunctionPool): Sandbox | undefined {
    while (pool.idle.length) {
      const s = pool.idle.pop()!;
      clearTimeout(pool.idleTimers.get(s));
      pool.idleTimers.delete(s);
      if (s.alive) return s;
    }
    return undefined;
  }

  private release(pool: FunctionPool, sandbox: Sandbox): void {
    pool.idle.push(sandbox);
    const timer = setTimeout(() => {
      pool.idle = pool.idle.filter((s) => s !== sandbox);
      pool.idleTimers.delete(sandbox);
      void sandbox.dispose();
    }, this.options.idleTimeoutMs ?? 600_000);
    timer.unref();
    pool.idleTimers.set(sandbox, timer);
  }

  private async discardIdle(pool: FunctionPool): Promise<void> {
    const idle = pool.idle;
    pool.idle = [];
    for (const s of idle) {
      clearTimeout(pool.idleTimers.get(s));
      pool.idleTimers.delete(s);
    }
    await Promise.all(idle.map((s) => s.dispose()));
  }

  private report(fn: FunctionDefinition, requestId: string, durationMs: number, maxMemoryUsedMb: number, init?: InitTimings, status?: 'error' | 'timeout', errorType?: string, initDurationMs = init?.totalMs): InvocationReport {
    const billedDurationMs = Math.max(1, Math.ceil(durationMs));
    const parts = [
      `REPORT RequestId: ${requestId}`,
      `Duration: ${durationMs.toFixed(2)} ms`,
      `Billed Duration: ${billedDurationMs} ms`,
      `Memory Size: ${fn.memoryMb} MB`,
      `Max Memory Used: ${maxMemoryUsedMb} MB`,
    ];
    if (initDurationMs !== undefined) parts.push(`Init Duration: ${initDurationMs.toFixed(2)} ms`);
    if (status) parts.push(`Status: ${status}`);
    if (errorType && status === 'error') parts.push(`Error Type: ${errorType}`);
    return { requestId, durationMs, billedDurationMs, memorySizeMb: fn.memoryMb, maxMemoryUsedMb, initDurationMs, init, status, errorType, line: parts.join('\t') };
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
