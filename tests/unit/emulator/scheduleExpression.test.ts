import { describe, expect, it } from 'vitest';
import { nextFireTime, parseScheduleExpression } from '../../../src/local/schedules/scheduleExpression';

const at = (iso: string) => Date.parse(iso);
const next = (expr: string, fromIso: string) => new Date(nextFireTime(parseScheduleExpression(expr, 'test'), at(fromIso))!).toISOString();

describe('EventBridge schedule expressions', () => {
  it('counts rates from the start time', () => {
    const e = parseScheduleExpression('rate(5 minutes)', 'test');
    expect(e).toMatchObject({ kind: 'rate', everyMs: 300_000 });
    expect(nextFireTime(e, 1000, 1000)).toBe(301_000);
    expect(nextFireTime(e, 301_000, 1000)).toBe(601_000);
    expect(parseScheduleExpression('rate(1 day)', 'test')).toMatchObject({ everyMs: 86_400_000 });
  });

  it('finds the next cron time in UTC with EventBridge\'s fields (day-of-week 1 = SUN)', () => {
    expect(next('cron(0 10 * * ? *)', '2026-12-01T03:00:00Z')).toBe('2026-12-01T10:00:00.000Z');
    expect(next('cron(0 10 * * ? *)', '2026-12-01T10:00:00Z')).toBe('2026-12-02T10:00:00.000Z');
    expect(next('cron(0/15 * * * ? *)', '2026-12-01T03:07:00Z')).toBe('2026-12-01T03:15:00.000Z');
    expect(next('cron(0 18 ? * MON-FRI *)', '2026-12-05T00:00:00Z')).toBe('2026-12-07T18:00:00.000Z'); // Sat → Mon
    expect(next('cron(0 9 ? * 1 *)', '2026-12-01T00:00:00Z')).toBe('2026-12-06T09:00:00.000Z'); // 1 = Sunday
    expect(next('cron(0 0 L * ? *)', '2026-02-03T00:00:00Z')).toBe('2026-02-28T00:00:00.000Z');
    expect(next('cron(0 12 ? * 6#3 *)', '2026-12-01T00:00:00Z')).toBe('2026-12-18T12:00:00.000Z'); // third Friday
    expect(next('cron(30 8 1 JAN ? 2027)', '2026-12-01T00:00:00Z')).toBe('2027-01-01T08:30:00.000Z');
  });

  it('has no next time for a past at() or a finished year', () => {
    expect(nextFireTime(parseScheduleExpression('at(2020-01-01T00:00:00)', 'test'), Date.now())).toBeUndefined();
    expect(nextFireTime(parseScheduleExpression('cron(0 0 1 1 ? 2020)', 'test'), Date.now())).toBeUndefined();
  });

  it.each([
    ['rate(5 weeks)', /rate unit/],
    ['cron(0 10 * * *)', /6 fields/],
    ['cron(0 10 * * MON *)', /exactly one of day-of-month and day-of-week must be \?/],
    ['cron(99 10 * * ? *)', /outside 0–59/],
    ['every 5 minutes', /expected rate/],
  ])('refuses %s with a message naming where and what', (expr, message) => {
    expect(() => parseScheduleExpression(expr, 'Resources.Fn.Properties.Events.Tick.Properties.Schedule')).toThrow(message);
    expect(() => parseScheduleExpression(expr, 'Resources.Fn.Properties.Events.Tick.Properties.Schedule')).toThrow(/Events\.Tick/);
  });
});
