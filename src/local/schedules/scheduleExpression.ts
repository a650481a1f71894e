/**
 * EventBridge schedule expressions: `rate(N unit)`, `cron(min hour day-of-month month day-of-week year)`
 * and Scheduler's one-time `at(yyyy-mm-ddThh:mm:ss)`. Cron follows EventBridge's rules, not Unix's:
 * six fields, day-of-week 1–7 = SUN–SAT (or names), one of day-of-month / day-of-week must be `?`,
 * `L` (last day of month / last weekday N in month `NL`), `W` (nearest weekday) and `#` (Nth weekday)
 * are supported. Times are UTC (the expression's timezone, if any, is applied by the caller).
 */
import { LarderError } from '../../errors';

export type ScheduleExpression =
  | { kind: 'rate'; everyMs: number; text: string }
  | { kind: 'cron'; text: string; matches: (d: Date) => boolean; fields: CronFields }
  | { kind: 'at'; atMs: number; text: string };

interface CronFields {
  minutes: Set<number>;
  hours: Set<number>;
  months: Set<number>;
  years?: Set<number>;
  dayOfMonth: (d: Date) => boolean;
  dayOfWeek: (d: Date) => boolean;
}

const UNIT_MS: Record<string, number> = { minute: 60_000, minutes: 60_000, hour: 3_600_000, hours: 3_600_000, day: 86_400_000, days: 86_400_000 };
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

export function parseScheduleExpression(text: string, where: string): ScheduleExpression {
  const bad = (why: string): never => {
    throw new LarderError('TEMPLATE_INVALID', `${where}: ${why} (found ${JSON.stringify(text)})`);
  };
  const trimmed = String(text ?? '').trim();
  let m = /^rate\(\s*(\d+)\s+([a-z]+)\s*\)$/i.exec(trimmed);
  if (m) {
    const n = Number(m[1]);
    const unit = UNIT_MS[m[2].toLowerCase()];
    if (!unit) bad('rate unit must be minute(s), hour(s) or day(s)');
    if (n < 1) bad('rate value must be a positive whole number');
    return { kind: 'rate', everyMs: n * unit, text: trimmed };
  }
  m = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/.exec(trimmed);
  if (m) {
    const atMs = Date.parse(`${m[1]}Z`);
    if (!Number.isFinite(atMs)) bad('at() needs a valid yyyy-mm-ddThh:mm:ss');
    return { kind: 'at', atMs, text: trimmed };
  }
  m = /^cron\((.*)\)$/.exec(trimmed);
  if (!m) return bad('expected rate(N unit), cron(6 fields) or at(yyyy-mm-ddThh:mm:ss)');
  const parts = m[1].trim().split(/\s+/);
  if (parts.length !== 6) bad('cron needs 6 fields: minutes hours day-of-month month day-of-week year');
  const [min, hour, dom, mon, dow, year] = parts;
  if ((dom === '?') === (dow === '?')) bad('cron: exactly one of day-of-month and day-of-week must be ?');
  const fields: CronFields = {
    minutes: parseField(min, 0, 59, [], bad),
    hours: parseField(hour, 0, 23, [], bad),
    months: parseField(mon, 1, 12, MONTHS, bad),
    years: year === '*' ? undefined : parseField(year, 1970, 2199, [], bad),
    dayOfMonth: dom === '?' ? () => true : dayOfMonthMatcher(dom, bad),
    dayOfWeek: dow === '?' ? () => true : dayOfWeekMatcher(dow, bad),
  };
  const matches = (d: Date) =>
    fields.minutes.has(d.getUTCMinutes()) &&
    fields.hours.has(d.getUTCHours()) &&
    fields.months.has(d.getUTCMonth() + 1) &&
    (!fields.years || fields.years.has(d.getUTCFullYear())) &&
    fields.dayOfMonth(d) &&
    fields.dayOfWeek(d);
  return { kind: 'cron', text: trimmed, matches, fields };
}

/** The first fire time strictly after `afterMs` (epoch ms), or undefined when there is none (a past at(), a finished cron year). */
export function nextFireTime(expr: ScheduleExpression, afterMs: number, startedAtMs = afterMs): number | undefined {
  if (expr.kind === 'at') return expr.atMs > afterMs ? expr.atMs : undefined;
  if (expr.kind === 'rate') return startedAtMs + Math.floor((afterMs - startedAtMs) / expr.everyMs + 1) * expr.everyMs;
  // Walk forward minute by minute, skipping whole days/hours that cannot match; bounded to ~5 years.
  const d = new Date(Math.floor(afterMs / 60_000) * 60_000 + 60_000);
  const limit = afterMs + 5 * 366 * 86_400_000;
  const f = expr.fields;
  while (d.getTime() < limit) {
    if (!f.months.has(d.getUTCMonth() + 1) || (f.years && !f.years.has(d.getUTCFullYear())) || !f.dayOfMonth(d) || !f.dayOfWeek(d)) {
      d.setUTCHours(24, 0, 0, 0);
      continue;
    }
    if (!f.hours.has(d.getUTCHours())) {
      d.setUTCMinutes(60, 0, 0);
      continue;
    }
    if (f.minutes.has(d.getUTCMinutes())) return d.getTime();
    d.setUTCMinutes(d.getUTCMinutes() + 1, 0, 0);
  }
  return undefined;
}

function parseField(text: string, min: number, max: number, names: string[], bad: (why: string) => never): Set<number> {
  const out = new Set<number>();
  const value = (s: string) => {
    const i = names.indexOf(s.toUpperCase());
    const n = i >= 0 ? i + min : Number(s);
    if (!Number.isInteger(n) || n < min || n > max) bad(`cron value "${s}" is outside ${min}–${max}`);
    return n;
  };
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) bad(`cron step "${stepText}" must be a positive whole number`);
    let lo: number;
    let hi: number;
    if (range === '*') [lo, hi] = [min, max];
    else if (range.includes('-')) [lo, hi] = range.split('-').map(value) as [number, number];
    else [lo, hi] = [value(range), stepText === undefined ? value(range) : max];
    if (lo > hi) bad(`cron range "${range}" runs backwards`);
    for (let n = lo; n <= hi; n += step) out.add(n);
  }
  return out;
}

function daysInMonth(d: Date): number {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
}

function dayOfMonthMatcher(text: string, bad: (why: string) => never): (d: Date) => boolean {
  if (text === 'L') return (d) => d.getUTCDate() === daysInMonth(d);
  const w = /^(\d{1,2})W$/.exec(text);
  if (w) {
    const target = Number(w[1]);
    return (d) => d.getUTCDate() === nearestWeekday(d, Math.min(target, daysInMonth(d)));
  }
  const days = parseField(text, 1, 31, [], bad);
  return (d) => days.has(d.getUTCDate());
}

function nearestWeekday(d: Date, day: number): number {
  const dow = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), day)).getUTCDay();
  if (dow === 6) return day === 1 ? 3 : day - 1;
  if (dow === 0) return day === daysInMonth(d) ? day - 2 : day + 1;
  return day;
}

function dayOfWeekMatcher(text: string, bad: (why: string) => never): (d: Date) => boolean {
  const dayNumber = (s: string) => [...parseField(s, 1, 7, DAYS, bad)][0] - 1; // 0 = Sunday, as getUTCDay
  const nth = /^([A-Za-z]{3}|\d)#([1-5])$/.exec(text);
  if (nth) {
    const dow = dayNumber(nth[1]);
    const n = Number(nth[2]);
    return (d) => d.getUTCDay() === dow && Math.ceil(d.getUTCDate() / 7) === n;
  }
  const last = /^([A-Za-z]{3}|\d)L$/.exec(text);
  if (last) {
    const dow = dayNumber(last[1]);
    return (d) => d.getUTCDay() === dow && d.getUTCDate() + 7 > daysInMonth(d);
  }
  const days = new Set([...parseField(text, 1, 7, DAYS, bad)].map((n) => n - 1));
  return (d) => days.has(d.getUTCDay());
}
