/**
 * `larder events` — what happened to asynchronous (Event) invocations: the ones still queued (with
 * attempts, next attempt and last error), the records sent to each on-success / on-failure
 * destination and DLQ, and failures with no destination. Reads the files the emulator writes under
 * local.data_dir (`.larder/async-queue/`, `.larder/destinations/`, `.larder/failed-events.jsonl`), so
 * it works while `larder start` runs and after it stopped.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { defineCommand } from '../command';
import { loadConfig } from '../../config';
import { LarderError } from '../../errors';
import { asyncStatePaths, type AsyncStatePaths } from '../../local/trafficSettings';
import { readQueuedEvents } from '../../local/lambda/asyncEventStore';

const SECTIONS = ['queued', 'destinations', 'failed'] as const;
type Section = (typeof SECTIONS)[number];

export default defineCommand({
  meta: { name: 'events', description: 'Show queued, delivered-to-destination and failed asynchronous invocations', usage: 'events [queued|destinations|failed] [options]' },
  args: {
    function: { type: 'string', alias: 'f', description: 'Only this function (logical id)' },
    limit: { type: 'string', description: 'Records shown per destination / failed list (newest last)', default: '20' },
    json: { type: 'boolean', description: 'Print one JSON document instead of text', default: false },
    dir: { type: 'string', description: 'The local data folder (default: local.data_dir of ml_config.yaml, `.larder`)' },
  },
  async run({ args, positionals }) {
    const wanted = positionals.length ? positionals : [...SECTIONS];
    for (const p of wanted) {
      if (!SECTIONS.includes(p as Section)) throw new LarderError('VALIDATION', `unknown section "${p}": expected ${SECTIONS.join(', ')}`);
    }
    const limit = Number(args.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new LarderError('VALIDATION', `--limit: expected a whole number ≥ 1, found "${args.limit}"`);
    const paths = args.dir ? asyncStatePaths(process.cwd(), resolve(args.dir)) : configuredPaths();
    const report = collect(paths, args.function, limit, wanted as Section[]);
    if (args.json) {
      console.log(JSON.stringify(report, null, 2));
      return 0;
    }
    print(report, paths);
    return 0;
  },
});

function configuredPaths(): AsyncStatePaths {
  const config = loadConfig();
  return asyncStatePaths(config.rootDir, config.local.data_dir);
}

interface EventsReport {
  queued?: Array<{ requestId: string; function: string; attempts: number; throttles: number; ageSec: number; nextAttemptInSec: number; lastError?: string }>;
  destinations?: Array<{ file: string; type: string; name: string; count: number; records: unknown[] }>;
  failed?: { file: string; count: number; records: unknown[] };
}

function collect(paths: AsyncStatePaths, fn: string | undefined, limit: number, sections: Section[]): EventsReport {
  const now = Date.now();
  const report: EventsReport = {};
  if (sections.includes('queued')) {
    report.queued = readQueuedEvents(paths.queueDir)
      .filter((r) => !fn || r.functionId === fn)
      .sort((a, b) => a.enqueuedAt - b.enqueuedAt)
      .map((r) => ({
        requestId: r.id,
        function: r.functionId,
        attempts: r.attempts,
        throttles: r.throttles,
        ageSec: Math.round((now - r.enqueuedAt) / 1000),
        nextAttemptInSec: Math.max(0, Math.round((r.nextAttemptAt - now) / 1000)),
        lastError: r.lastError ? `${r.lastError.errorType}: ${r.lastError.errorMessage}` : undefined,
      }));
  }
  if (sections.includes('destinations')) {
    const files = existsSync(paths.destinationsDir) ? readdirSync(paths.destinationsDir).filter((f) => f.endsWith('.jsonl')).sort() : [];
    report.destinations = files.map((f) => {
      const records = readLines(join(paths.destinationsDir, f)).filter((r: any) => !fn || recordFunction(r) === fn);
      const [type, ...name] = basename(f, '.jsonl').split('-');
      return { file: join(paths.destinationsDir, f), type, name: name.join('-'), count: records.length, records: records.slice(-limit) };
    });
  }
  if (sections.includes('failed')) {
    const records = readLines(paths.failedEventsFile).filter((r: any) => !fn || r.function === fn);
    report.failed = { file: paths.failedEventsFile, count: records.length, records: records.slice(-limit) };
  }
  return report;
}

/** The function a destination record came from: its functionArn (destinations) or nothing (DLQ messages carry only the event). */
function recordFunction(r: any): string | undefined {
  const arn: string | undefined = r?.body?.requestContext?.functionArn;
  return arn?.split(':')[6];
}

function readLines(file: string): unknown[] {
  if (!existsSync(file)) return [];
  const out: unknown[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line));
    } catch {
      out.push({ unreadable: line.slice(0, 200) });
    }
  }
  return out;
}

function print(report: EventsReport, paths: AsyncStatePaths): void {
  if (report.queued) {
    console.log(`Queued (${report.queued.length}) — ${paths.queueDir}`);
    for (const q of report.queued) {
      console.log(`  ${q.requestId}  ${q.function}  attempts ${q.attempts}, throttles ${q.throttles}, age ${q.ageSec} s, next in ${q.nextAttemptInSec} s${q.lastError ? `  last: ${q.lastError}` : ''}`);
    }
  }
  if (report.destinations) {
    console.log(`Destinations (${report.destinations.length}) — ${paths.destinationsDir}`);
    for (const d of report.destinations) {
      console.log(`  ${d.type} ${d.name}: ${d.count} record(s)`);
      for (const r of d.records as any[]) console.log(`    ${summary(r)}`);
    }
  }
  if (report.failed) {
    console.log(`Failed with no destination (${report.failed.count}) — ${report.failed.file}`);
    for (const r of report.failed.records as any[]) console.log(`    ${r.time ?? ''}  ${r.function ?? '?'}  ${r.requestId ?? ''}  ${r.condition ?? ''}  ${r.error?.errorType ?? ''}: ${r.error?.errorMessage ?? ''}`);
  }
}

function summary(r: any): string {
  const body = r?.body ?? {};
  if (body.requestContext) {
    const ctx = body.requestContext;
    const err = body.responsePayload?.errorType ? `  ${body.responsePayload.errorType}: ${body.responsePayload.errorMessage ?? ''}` : '';
    return `${r.receivedAt ?? ''}  ${ctx.functionArn?.split(':')[6] ?? '?'}  ${ctx.requestId}  ${ctx.condition} after ${ctx.approximateInvokeCount} invocation(s)${err}`;
  }
  const attrs = body.messageAttributes ?? {};
  return `${r.receivedAt ?? ''}  ${attrs.RequestID?.stringValue ?? ''}  ${attrs.ErrorMessage?.stringValue ?? ''}  body ${String(body.body ?? '').slice(0, 120)}`;
}
