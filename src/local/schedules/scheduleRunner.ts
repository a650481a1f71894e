/**
 * Runs the template's schedules while `larder start` / `start-api` runs: each enabled Schedule /
 * ScheduleV2 event becomes an Event invocation (through the emulator's async queue, so retries and
 * destinations apply) at its next fire time. Rates count from the runner's start; `timeScale`
 * shortens them (and the wait until the next cron time) for tests. Timezones other than UTC are
 * not applied: cron runs in UTC, with a warning.
 */
import type { ScheduledEvent } from './scheduledEvents';
import { scheduledPayload } from './scheduledEvents';
import { nextFireTime } from './scheduleExpression';

export interface ScheduleRunnerOptions {
  schedules: ScheduledEvent[];
  region: string;
  /** Queues an Event invocation; returns its request id. */
  invokeEvent: (functionId: string, payload: unknown) => string;
  timeScale?: number;
  log: (line: string) => void;
}

export interface RunningSchedules {
  /** Fires so far, per `<Function>.<Event>`. */
  fired: Map<string, number>;
  stop(): void;
}

export function startSchedules(options: ScheduleRunnerOptions): RunningSchedules {
  const scale = options.timeScale ?? 1;
  const timers = new Set<NodeJS.Timeout>();
  const fired = new Map<string, number>();
  let stopped = false;
  const startedAt = Date.now();

  for (const s of options.schedules) {
    const key = `${s.functionId}.${s.eventName}`;
    if (!s.enabled) {
      options.log(`[larder] schedule ${key} (${s.expression.text}) is disabled in the template; not run`);
      continue;
    }
    if (s.timezone && !/^(UTC|Etc\/UTC|GMT)$/i.test(s.timezone) && s.expression.kind === 'cron') {
      options.log(`[larder] warning: schedule ${key}: ScheduleExpressionTimezone ${s.timezone} is not applied locally; the cron runs in UTC`);
    }
    // Virtual clock of this schedule: real elapsed time divided by the scale.
    const virtualNow = () => startedAt + (Date.now() - startedAt) / scale;
    const arm = (afterVirtualMs: number) => {
      if (stopped) return;
      let next = nextFireTime(s.expression, afterVirtualMs, startedAt);
      if (next !== undefined && s.startMs !== undefined && next < s.startMs) next = nextFireTime(s.expression, s.startMs - 1, startedAt);
      if (next === undefined || (s.endMs !== undefined && next > s.endMs)) return;
      const delay = Math.max(0, (next - virtualNow()) * scale);
      // setTimeout's limit is ~24.8 days: wake up and re-arm for longer waits.
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (virtualNow() + 1 < next!) return arm(afterVirtualMs);
        fire(next!);
        arm(next!);
      }, Math.min(delay, 2 ** 31 - 1));
      timer.unref?.();
      timers.add(timer);
    };
    const fire = (atVirtualMs: number) => {
      const at = new Date(atVirtualMs);
      try {
        const requestId = options.invokeEvent(s.functionId, scheduledPayload(s, options.region, at));
        fired.set(key, (fired.get(key) ?? 0) + 1);
        options.log(JSON.stringify({ level: 'INFO', message: 'schedule fired', schedule: key, expression: s.expression.text, time: at.toISOString(), requestId }));
      } catch (err) {
        options.log(JSON.stringify({ level: 'ERROR', message: 'schedule could not queue its invocation', schedule: key, error: err instanceof Error ? err.message : String(err) }));
      }
    };
    options.log(`[larder] schedule ${key}: ${s.expression.text}${scale !== 1 ? ` (time scale ${scale})` : ''}`);
    arm(startedAt);
  }

  return {
    fired,
    stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
