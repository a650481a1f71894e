/**
 * Lambda's init phase limit (10 s) counts time the function's own code spends starting, on an
 * environment with its own CPU share. Locally, sandboxes share the machine's cores with each other
 * and with everything else, so a wall clock would fail inits that Lambda lets finish. We measure
 * wall time minus the time the sandbox waited for a CPU: Linux's `/proc/<pid>/task/<tid>/schedstat`
 * run delay (runnable but not running), summed over the sandbox's threads and its child processes
 * (tsx's esbuild service). Sleeping or awaiting I/O still counts, as on Lambda; queueing for a core
 * does not. The sandbox's own CPU time (utime + stime) is a floor, so real work is never excused.
 * Without /proc (macOS) it is the wall clock.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const CLOCK_TICKS_PER_MS = 100 / 1000; // USER_HZ is 100 on Linux

interface ProcessTimes {
  /** Summed run-queue wait of every thread of the process and its descendants. */
  runDelayMs: number;
  /** CPU time (user + system) of the same. */
  cpuMs: number;
}

/** The process tree's CPU wait and CPU time; undefined without /proc. */
export function processTimes(pid: number | undefined): ProcessTimes | undefined {
  if (!pid || process.platform !== 'linux') return undefined;
  const totals = { runDelayMs: 0, cpuMs: 0 };
  const seen = new Set<number>();
  const visit = (p: number, depth: number) => {
    if (seen.has(p) || depth > 4) return;
    seen.add(p);
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${p}/task`);
    } catch {
      return;
    }
    for (const tid of tids) {
      try {
        const waitNs = Number(readFileSync(`/proc/${p}/task/${tid}/schedstat`, 'utf8').split(' ')[1]);
        if (Number.isFinite(waitNs)) totals.runDelayMs += waitNs / 1e6;
        for (const child of readFileSync(`/proc/${p}/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) visit(Number(child), depth + 1);
      } catch {
        // The thread ended between listing and reading.
      }
    }
    try {
      // Fields after the command name: state is 3rd, utime 14th, stime 15th (1-based, whole line).
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      totals.cpuMs += (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_MS;
    } catch {
      // Gone.
    }
  };
  visit(pid, 0);
  return totals;
}

/** Init time so far: wall time since `startedAt` (performance.now()) minus the CPU wait, never less than the CPU time used. */
export function initElapsedMs(pid: number | undefined, startedAt: number): number {
  const wall = performance.now() - startedAt;
  const times = processTimes(pid);
  if (!times) return wall;
  return Math.max(times.cpuMs, wall - times.runDelayMs);
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
