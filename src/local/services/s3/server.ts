/**
 * Local S3: s3rver 3.7.1 in a child process of its own, storing objects on disk.
 *
 * Why a child process: s3rver signs ListObjectsV2 continuation tokens with DES, which OpenSSL 3
 * (Node 17+) refuses unless the process runs with `--openssl-legacy-provider`; without it every
 * paginated list (page 2 onwards) answers 500. The flag stays in that one process.
 *
 * Credentials: any access key is accepted (the child patches s3rver's one-key registry); with
 * `strictCredentials`, only S3RVER/S3RVER. What s3rver does not do is listed in docs/services.md,
 * what the proxy fixes for it in requestFixes.ts.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LarderError } from '../../../errors';
import { portInUseError, waitForExit } from '../process';

export interface S3ServerOptions {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Where objects are stored (created if missing). */
  directory: string;
  /** Buckets that exist from the start. */
  buckets?: string[];
  startTimeoutMs?: number;
  /** Accept only s3rver's own key pair S3RVER/S3RVER (default: any credentials, like AWS's local tools). */
  strictCredentials?: boolean;
}

export interface S3Server {
  endpoint: string;
  port: number;
  pid: number;
  directory: string;
  stop(): Promise<void>;
}

const CHILD_SCRIPT = fileURLToPath(new URL('./s3rverProcess.mjs', import.meta.url));

export async function startS3Server(options: S3ServerOptions): Promise<S3Server> {
  const host = options.host ?? '127.0.0.1';
  const requestedPort = options.port ?? 0;
  mkdirSync(options.directory, { recursive: true });
  const child = fork(CHILD_SCRIPT, [JSON.stringify({ host, port: requestedPort, directory: options.directory, buckets: options.buckets ?? [], strictCredentials: options.strictCredentials ?? false })], {
    // Explicit execArgv: the parent's (e.g. tsx's loader flags) must not leak into the child.
    execArgv: ['--openssl-legacy-provider'],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });

  const port = await waitForListening(child, requestedPort, host, options.startTimeoutMs ?? 15_000, () => stderr);
  const pid = child.pid!;
  let stopping: Promise<void> | undefined;
  return {
    endpoint: `http://${host}:${port}`,
    port,
    pid,
    directory: options.directory,
    stop() {
      stopping ??= stopChild(child);
      return stopping;
    },
  };
}

function waitForListening(child: ChildProcess, requestedPort: number, host: string, timeoutMs: number, stderr: () => string): Promise<number> {
  return new Promise((resolve, reject) => {
    const fail = (err: Error) => {
      cleanup();
      child.kill('SIGKILL');
      reject(err);
    };
    const onMessage = (message: { type?: string; port?: number; code?: string; message?: string }) => {
      if (message?.type === 'listening' && typeof message.port === 'number') {
        cleanup();
        resolve(message.port);
      } else if (message?.type === 'error') {
        if (message.code === 'EADDRINUSE') fail(portInUseError('s3', host, requestedPort));
        else fail(new LarderError('SERVICE_START', `s3: s3rver failed to start: ${message.message}`));
      }
    };
    const onExit = (code: number | null, signal: string | null) =>
      fail(new LarderError('SERVICE_START', `s3: s3rver exited before listening (code ${code}, signal ${signal}): ${stderr().trim()}`));
    const onError = (err: Error) => fail(new LarderError('SERVICE_START', `s3: could not start s3rver: ${err.message}`, { cause: err }));
    const timer = setTimeout(
      () => fail(new LarderError('SERVICE_START', `s3: s3rver did not listen within ${timeoutMs} ms: ${stderr().trim()}`)),
      timeoutMs,
    );
    function cleanup() {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      child.off('error', onError);
    }
    child.on('message', onMessage);
    child.on('exit', onExit);
    child.on('error', onError);
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = waitForExit(child);
  if (child.connected) child.send({ type: 'stop' });
  else child.kill('SIGTERM');
  if (!(await exited.within(3000))) {
    child.kill('SIGKILL');
    await exited;
  }
}
