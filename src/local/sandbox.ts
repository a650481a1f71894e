/**
 * One sandbox = one Lambda execution environment: a child Node process with its own environment,
 * its own /tmp directory, a heap limit derived from MemorySize, and the handler loaded once. The
 * supervisor side here sends invocations over IPC, enforces the timeout (kills the process), watches
 * resident memory (kills past MemorySize, as Lambda does), and turns a dead process into Lambda's
 * error payloads (Sandbox.Timedout, Runtime.OutOfMemory, Runtime.ExitError).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import type { FunctionDefinition } from './template';
import { watchInitTimeout } from './lambda/initClock';

const BOOTSTRAP = fileURLToPath(new URL('./sandbox/bootstrap.mjs', import.meta.url));

export interface LambdaErrorPayload {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

export interface SandboxSpec {
  fn: FunctionDefinition;
  handlerFile: string;
  exportName: string;
  /** Register tsx's loader in the sandbox (running TypeScript sources rather than a bundle). */
  typescript: boolean;
  env: Record<string, string>;
  logStreamName: string;
  tmpDir: string;
  taskRoot: string;
  onLog: (line: string) => void;
  initTimeoutMs: number;
  /** The Node binary the sandbox runs on (default: the host's, process.execPath). */
  nodeBinary?: string;
  /** How often resident memory is sampled during an invocation (Linux /proc); 0 turns the watchdog off. */
  rssPollMs?: number;
  /** Layer folders in the template's order, mounted at /opt (see sandbox/optMount.mjs). */
  layers?: Array<{ mount: string; dir: string }>;
  /** node_modules folders bare imports fall back to after the layers (the runtime's AWS SDK). */
  runtimeModulesDirs?: string[];
  /** NODE_PATH as the function sees it (Lambda's /opt/... value); the real search path is env.NODE_PATH. */
  displayNodePath?: string;
  /** Opens the Node inspector on this port (`--debug-port`, like `sam local invoke -d`). */
  debugPort?: number;
}

/** Receives a streaming handler's output as it is written (InvokeWithResponseStream, streamed Function URLs). */
export interface StreamSink {
  start(contentType: string): void;
  chunk(data: Buffer): void;
}

export interface InitTimings {
  /** Spawn until the ready message, as the supervisor saw it. */
  totalMs: number;
  /** Node's own start-up, until the bootstrap's first line. */
  processBootMs: number;
  /** Registering tsx (0 with --bundle). */
  loaderMs: number;
  /** Installing the /tmp quota patch. */
  storageMs: number;
  /** Importing the handler module: the function's own init code. */
  handlerInitMs: number;
}

export interface InvocationOutcome {
  ok: boolean;
  payload?: string;
  error?: LambdaErrorPayload;
  /** The handler's own time, measured in the sandbox (round trip when the sandbox died). */
  durationMs: number;
  maxMemoryUsedMb: number;
  /** False when the sandbox died or was killed: the next invocation gets a cold one. */
  sandboxAlive: boolean;
  /** A streaming handler's output: its content type and every chunk, in order (also sent to the sink as written). */
  stream?: { contentType: string; body: Buffer };
}

export class SandboxInitError extends Error {
  constructor(readonly payload: LambdaErrorPayload, readonly initDurationMs: number) {
    super(`${payload.errorType}: ${payload.errorMessage}`);
    this.name = 'SandboxInitError';
  }
}

let sandboxCounter = 0;

/** Live sandbox processes: killed if this process exits without stopping them (a crash, process.exit). */
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of liveChildren) c.kill('SIGKILL');
    });
  }
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
}

export class Sandbox {
  readonly id = `sbx-${process.pid}-${++sandboxCounter}`;
  invocations = 0;
  /** The handler was wrapped by awslambda.streamifyResponse. */
  streaming = false;
  /** The code stamp (hotReload.ts) of the files this sandbox loaded. */
  codeStamp?: string;
  private exited = false;
  private pending?: { requestId: string; resolve: (o: InvocationOutcome) => void; started: number; sink?: StreamSink; stream?: { contentType: string; chunks: Buffer[] } };
  private killedFor?: 'timeout' | 'memory';
  private watchdog?: NodeJS.Timeout;
  private maxRssSeenBytes = 0;

  private constructor(
    readonly spec: SandboxSpec,
    private readonly child: ChildProcess,
    readonly initTimings: InitTimings,
    private readonly stderr: { text: string },
  ) {
    child.on('message', (msg: any) => this.onMessage(msg));
    // 'close' rather than 'exit': it comes after the process's stderr is drained, so V8's out-of-memory
    // message (and a crash report sent just before exiting) has arrived when we classify the death.
    child.on('close', (code, signal) => this.onExit(code, signal));
  }

  get alive(): boolean {
    return !this.exited && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Spawns the process and waits for the handler to load. Throws SandboxInitError when init fails. */
  static start(spec: SandboxSpec): Promise<Sandbox> {
    const started = performance.now();
    const heapMb = Math.max(64, Math.floor(spec.fn.memoryMb * 0.9));
    const child = fork(BOOTSTRAP, [], {
      cwd: spec.taskRoot,
      execPath: spec.nodeBinary ?? process.execPath,
      env: {
        ...spec.env,
        LARDER_SANDBOX_BOOTSTRAP: JSON.stringify({
          handlerFile: spec.handlerFile,
          exportName: spec.exportName,
          handlerString: spec.fn.handler,
          typescript: spec.typescript,
          runtime: spec.fn.runtime,
          refuseCallbacks: spec.fn.runtime === 'nodejs24.x',
          functionName: spec.fn.functionName,
          functionVersion: '$LATEST',
          memoryMb: spec.fn.memoryMb,
          logGroupName: `/aws/lambda/${spec.fn.functionName}`,
          logStreamName: spec.logStreamName,
          tmpDir: spec.tmpDir,
          ephemeralStorageBytes: spec.fn.ephemeralStorageMb * 1024 * 1024,
          layers: spec.layers ?? [],
          runtimeModulesDirs: spec.runtimeModulesDirs ?? [],
          displayNodePath: spec.displayNodePath,
        }),
      },
      execArgv: [`--max-old-space-size=${heapMb}`, ...(spec.debugPort ? [`--inspect=127.0.0.1:${spec.debugPort}`] : [])],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    track(child);
    const stderrTail = { text: '' };
    const lines = (stream: NodeJS.ReadableStream | null, onChunk?: (c: string) => void) => {
      let buf = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        onChunk?.(chunk);
        buf += chunk;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          spec.onLog(buf.slice(0, nl));
          buf = buf.slice(nl + 1);
        }
      });
      stream?.on('end', () => buf && spec.onLog(buf));
    };
    lines(child.stdout);
    lines(child.stderr, (c) => (stderrTail.text = (stderrTail.text + c).slice(-8000)));

    return new Promise<Sandbox>((resolve, reject) => {
      const fail = (payload: LambdaErrorPayload) => {
        clearTimeout(timer);
        child.removeAllListeners('message');
        child.removeAllListeners('close');
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        rmSync(spec.tmpDir, { recursive: true, force: true });
        reject(new SandboxInitError(payload, performance.now() - started));
      };
      // Lambda's init limit, measured without the time this sandbox waited for a CPU (lambda/initClock.ts).
      const timer = watchInitTimeout(child.pid, started, spec.initTimeoutMs, () => {
        fail({ errorType: 'Runtime.InitTimeout', errorMessage: `Init did not finish within ${(spec.initTimeoutMs / 1000).toFixed(2)} seconds` });
      });
      child.on('message', function onFirst(msg: any) {
        if (msg?.type === 'log') return spec.onLog(msg.line);
        if (msg?.type === 'init-error') return fail(msg.error);
        if (msg?.type === 'ready') {
          clearTimeout(timer);
          child.off('message', onFirst);
          child.removeAllListeners('close');
          const t = msg.timings;
          const sandbox = new Sandbox(spec, child, { totalMs: performance.now() - started, ...t }, stderrTail);
          sandbox.streaming = msg.streaming === true;
          resolve(sandbox);
        }
      });
      child.on('close', (code, signal) => {
        fail({
          errorType: 'Runtime.ExitError',
          errorMessage: `Runtime exited during init with ${signal ? `signal: ${signal}` : `exit status ${code}`}${stderrTail.text ? `: ${stderrTail.text.trim().split('\n').slice(-3).join(' | ')}` : ''}`,
        });
      });
    });
  }

  /** Runs one invocation. Never rejects: failures come back as Lambda error payloads. */
  invoke(requestId: string, event: unknown, options: { timeoutMs: number; invokedFunctionArn: string; clientContext?: unknown; traceId?: string; sink?: StreamSink }): Promise<InvocationOutcome> {
    if (this.exited) throw new Error(`sandbox ${this.id} is not running`);
    if (this.pending) throw new Error(`sandbox ${this.id} is busy`);
    this.invocations++;
    const started = performance.now();
    return new Promise<InvocationOutcome>((resolve) => {
      const timer = setTimeout(() => {
        this.killedFor = 'timeout';
        this.child.kill('SIGKILL');
      }, options.timeoutMs);
      this.pending = {
        requestId,
        started,
        sink: options.sink,
        resolve: (o) => {
          clearTimeout(timer);
          this.stopWatchdog();
          this.pending = undefined;
          resolve(o);
        },
      };
      this.startWatchdog();
      try {
        this.child.send({ type: 'invoke', requestId, event, deadlineMs: Date.now() + options.timeoutMs, invokedFunctionArn: options.invokedFunctionArn, clientContext: options.clientContext, traceId: options.traceId });
      } catch (err) {
        // The process went away between checks (or the event cannot be serialised): kill and report.
        this.crashError = { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${requestId} Error: could not deliver the event to the runtime: ${(err as Error).message}` };
        this.child.kill('SIGKILL');
      }
    });
  }

  /** Kills the process and removes its /tmp. */
  async dispose(): Promise<void> {
    if (!this.exited) {
      const gone = new Promise((r) => this.child.once('close', r));
      this.child.kill('SIGKILL');
      await gone;
    }
    await rm(this.spec.tmpDir, { recursive: true, force: true }); // on the thread pool: a big /tmp does not stall the emulator
  }

  private onMessage(msg: any): void {
    if (msg?.type === 'log') return this.spec.onLog(msg.line);
    const pending = this.pending;
    if (msg?.type === 'stream-start' && pending && pending.requestId === msg.requestId) {
      pending.stream = { contentType: String(msg.contentType), chunks: [] };
      pending.sink?.start(pending.stream.contentType);
      return;
    }
    if (msg?.type === 'stream-chunk' && pending?.stream && pending.requestId === msg.requestId) {
      const data = Buffer.from(String(msg.data), 'base64');
      pending.stream.chunks.push(data);
      pending.sink?.chunk(data);
      return;
    }
    if (msg?.type === 'result' && pending && pending.requestId === msg.requestId) {
      this.maxRssSeenBytes = Math.max(this.maxRssSeenBytes, msg.maxRssBytes ?? 0);
      pending.resolve({
        ok: msg.ok,
        payload: msg.payload,
        error: msg.error,
        durationMs: msg.durationMs,
        maxMemoryUsedMb: Math.ceil(this.maxRssSeenBytes / (1024 * 1024)),
        sandboxAlive: true,
        stream: streamOf(pending.stream),
      });
      return;
    }
    if (msg?.type === 'crash' && this.pending) {
      // The process exits right after; remember the error so onExit reports it rather than a bare exit.
      this.crashError = msg.error;
    }
  }

  private crashError?: LambdaErrorPayload;

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.exited = true;
    this.stopWatchdog();
    if (!this.pending) return;
    const { requestId, started } = this.pending;
    const durationMs = performance.now() - started;
    const outOfMemory = this.killedFor === 'memory' || /heap out of memory|Reached heap limit|Allocation failed/i.test(this.stderr.text);
    let error: LambdaErrorPayload;
    if (this.killedFor === 'timeout') {
      error = { errorType: 'Sandbox.Timedout', errorMessage: `${new Date().toISOString()} ${requestId} Task timed out after ${this.spec.fn.timeoutSec.toFixed(2)} seconds` };
    } else if (outOfMemory) {
      error = { errorType: 'Runtime.OutOfMemory', errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: signal: killed` };
    } else if (this.crashError) {
      error = this.crashError;
    } else {
      error = { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: ${signal ? `signal: ${signal}` : `exit status ${code}`}` };
    }
    const maxMemoryUsedMb = outOfMemory ? this.spec.fn.memoryMb : Math.ceil(this.maxRssSeenBytes / (1024 * 1024));
    this.pending.resolve({ ok: false, error, durationMs, maxMemoryUsedMb, sandboxAlive: false, stream: streamOf(this.pending.stream) });
  }

  /** Samples VmRSS while an invocation runs: Lambda kills an environment whose memory passes MemorySize. */
  private startWatchdog(): void {
    const every = this.spec.rssPollMs ?? 100;
    if (!every || process.platform !== 'linux' || !this.child.pid) return;
    const limit = this.spec.fn.memoryMb * 1024 * 1024;
    const file = `/proc/${this.child.pid}/status`;
    this.watchdog = setInterval(() => {
      let rss = 0;
      try {
        const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(file, 'utf8'));
        rss = m ? Number(m[1]) * 1024 : 0;
      } catch {
        return;
      }
      this.maxRssSeenBytes = Math.max(this.maxRssSeenBytes, rss);
      if (rss > limit && !this.exited) {
        this.killedFor = 'memory';
        this.child.kill('SIGKILL');
      }
    }, every);
    this.watchdog.unref();
  }

  private stopWatchdog(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = undefined;
  }
}

function streamOf(stream?: { contentType: string; chunks: Buffer[] }): InvocationOutcome['stream'] {
  return stream ? { contentType: stream.contentType, body: Buffer.concat(stream.chunks) } : undefined;
}
