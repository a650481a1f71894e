/**
 * Small process and port helpers shared by the local services: free ports, "port in use" errors
 * that name the service, waiting for a child to exit, and checking that a pid is really gone.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { LarderError } from '../../errors';

export type ServiceName = 's3' | 'dynamodb' | 'bedrock';

export function portInUseError(service: ServiceName, host: string, port: number, cause?: unknown): LarderError {
  return new LarderError(
    'PORT_IN_USE',
    `${service}: port ${port} on ${host} is already in use; stop whatever listens there or choose another port ` +
      `(\`larder services --port-${service} N\`, or local.ports.${service} in ml_config.yaml; 0 = a free one)`,
    { cause, details: { service, host, port } },
  );
}

/** Asks the OS for a free port (listen on 0, read it, close). For servers that cannot report theirs. */
export function findFreePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves when a port accepts (true) or refuses (false) a listen; used to name a busy port up front. */
export function isPortFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

export interface ExitWaiter extends Promise<void> {
  /** Resolves true if the child exited within `ms`, false otherwise. */
  within(ms: number): Promise<boolean>;
}

export function waitForExit(child: ChildProcess): ExitWaiter {
  const done =
    child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const waiter = done as ExitWaiter;
  waiter.within = (ms) =>
    new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      void done.then(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  return waiter;
}

/**
 * True while a process with this pid exists and is not a zombie (signal 0 checks without sending
 * anything). A zombie has exited and only waits to be reaped: an orphan is reaped by init, which
 * in some containers takes seconds, so on Linux /proc tells us it is dead already.
 */
export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // pid (comm) state …; comm may contain spaces or parentheses, so read after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (macOS): kill(0) is all we know
  }
}

/** Polls until the pid is gone; false if it still exists after `timeoutMs`. */
export async function waitForPidGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isPidAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
  return true;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
