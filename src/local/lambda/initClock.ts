/**
 * Lambda's init phase limit (10 s) counts time the function's own code spends starting, on an
 * environment with its own CPU share. Locally, sandboxes share the machine's cores with each other
 * and with everything else, so a wall clock would fail inits that Lambda lets finish. We measure
 * wall time minus the time the sandbox's main thread sat runnable but waiting for a CPU (Linux's
 * `/proc/<pid>/schedstat` run delay): sleeping or awaiting I/O still counts, as on Lambda; queueing
 * for a core does not. Elsewhere (no /proc) it is the wall clock.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** Milliseconds the process's main thread spent runnable but not running; undefined without /proc. */
export function runQueueDelayMs(pid: number | undefined): number | undefined {
  if (!pid || process.platform !== 'linux') return undefined;
  try {
    const [, waitNs] = readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(/\s+/).map(Number);
    return Number.isFinite(waitNs) ? waitNs / 1e6 : undefined;
  } catch {
    return undefined;
  }
}

/** Init time so far: wall time since `startedAt` (performance.now()) minus the CPU wait. */
export function initElapsedMs(pid: number | undefined, startedAt: number): number {
  return performance.now() - startedAt - (runQueueDelayMs(pid) ?? 0);
}

/**
 * Calls `onTimeout` once the init time (CPU wait excluded) reaches `timeoutMs`. Returns the timer;
 * clear it with clearInterval/clearTimeout when init ends.
 */
export function watchInitTimeout(pid: number | undefined, startedAt: number, timeoutMs: number, onTimeout: () => void): NodeJS.Timeout {
  const every = Math.max(10, Math.min(250, timeoutMs / 4));
  const timer = setInterval(() => {
    if (initElapsedMs(pid, startedAt) >= timeoutMs) {
      clearInterval(timer);
      onTimeout();
    }
  }, every);
  return timer;
}
