/**
 * The template's `Schedule` (EventBridge rule) and `ScheduleV2` (EventBridge Scheduler) events, read
 * from each function's Events: expression, enabled state, Input, and the payload EventBridge would
 * send. `sam local` runs none of them; `larder start` / `start-api` do (scheduleRunner.ts).
 */
import { randomUUID } from 'node:crypto';
import { LarderError } from '../../errors';
import type { LoadedTemplate } from '../template';
import { LOCAL_ACCOUNT_ID } from '../intrinsics';
import { parseScheduleExpression, type ScheduleExpression } from './scheduleExpression';

export interface ScheduledEvent {
  functionId: string;
  eventName: string;
  type: 'Schedule' | 'ScheduleV2';
  expression: ScheduleExpression;
  enabled: boolean;
  /** The rule's or schedule's name (Name, else `<Function>-<Event>`), used in the payload's ARN. */
  name: string;
  /** The Input JSON, parsed; undefined → EventBridge's default payload. */
  input?: unknown;
  timezone?: string;
  startMs?: number;
  endMs?: number;
}

export function scheduledEventsOf(template: LoadedTemplate): ScheduledEvent[] {
  const out: ScheduledEvent[] = [];
  for (const fn of template.functions) {
    const events = template.resources[fn.logicalId]?.Properties?.Events ?? {};
    for (const [eventName, ev] of Object.entries<any>(events)) {
      if (ev?.Type !== 'Schedule' && ev?.Type !== 'ScheduleV2') continue;
      const where = `${template.path}: Resources.${fn.logicalId}.Properties.Events.${eventName}.Properties`;
      const p = ev.Properties ?? {};
      const exprText = ev.Type === 'Schedule' ? p.Schedule : p.ScheduleExpression;
      const expression = parseScheduleExpression(exprText, `${where}.${ev.Type === 'Schedule' ? 'Schedule' : 'ScheduleExpression'}`);
      const state = typeof p.State === 'string' ? p.State.toUpperCase() : undefined;
      const enabled = p.Enabled === false || p.Enabled === 'false' ? false : state ? state === 'ENABLED' : true;
      let input: unknown;
      if (p.Input !== undefined) {
        try {
          input = typeof p.Input === 'string' ? JSON.parse(p.Input) : p.Input;
        } catch {
          throw new LarderError('TEMPLATE_INVALID', `${where}.Input: expected a JSON string, found ${JSON.stringify(p.Input).slice(0, 80)}`);
        }
      }
      const date = (v: unknown, key: string) => {
        if (v === undefined) return undefined;
        const ms = Date.parse(String(v));
        if (!Number.isFinite(ms)) throw new LarderError('TEMPLATE_INVALID', `${where}.${key}: expected an ISO date, found ${JSON.stringify(v)}`);
        return ms;
      };
      out.push({
        functionId: fn.logicalId,
        eventName,
        type: ev.Type,
        expression,
        enabled,
        name: typeof p.Name === 'string' && p.Name ? p.Name : `${fn.logicalId}-${eventName}`,
        input,
        timezone: typeof p.ScheduleExpressionTimezone === 'string' ? p.ScheduleExpressionTimezone : undefined,
        startMs: date(p.StartDate, 'StartDate'),
        endMs: date(p.EndDate, 'EndDate'),
      });
    }
  }
  return out;
}

/** What the function receives: the Input, else EventBridge's "Scheduled Event" notification. */
export function scheduledPayload(s: ScheduledEvent, region: string, at: Date): unknown {
  if (s.input !== undefined) return s.input;
  const rule = s.type === 'Schedule' ? `arn:aws:events:${region}:${LOCAL_ACCOUNT_ID}:rule/${s.name}` : `arn:aws:scheduler:${region}:${LOCAL_ACCOUNT_ID}:schedule/default/${s.name}`;
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: s.type === 'Schedule' ? 'aws.events' : 'aws.scheduler',
    account: LOCAL_ACCOUNT_ID,
    time: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region,
    resources: [rule],
    detail: s.type === 'Schedule' ? {} : '{}',
  };
}
