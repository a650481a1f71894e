/**
 * The emulator's costs, in one run: warm invoke overhead (supervisor round trip minus the handler's
 * own time, goal p50 ≤ 2 ms), a cold sandbox start broken into its parts (from sources with tsx, and
 * from the bundle), the HTTP overhead of start-api, and lambda-local invoking the same handler in the
 * same process: its time per call, and whether module state survived (lambda-local re-requires a
 * CommonJS handler on every call; the emulator keeps a warm sandbox).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { build } from 'esbuild';
import { loadTemplate } from '../../src/local/template';
import { LambdaEmulator } from '../../src/local/emulator';
import { bundleFunctions } from '../../src/local/bundle';
import { startApiServer } from '../../src/local/apiServer';
import type { BenchRow, BenchSuite } from './types';

const require = createRequire(import.meta.url);

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
const median = (values: number[]) => percentile(values, 50);

const suite: BenchSuite = {
  name: 'emulator',
  description: 'Warm invoke overhead, cold start parts, start-api overhead, lambda-local side by side',
  async run(ctx) {
    const root = ctx.root;
    const template = loadTemplate(join(root, 'tests/fixtures/emulator/template.yaml'));
    const work = mkdtempSync(join(tmpdir(), 'larder-bench-emulator-'));
    const rows: BenchRow[] = [];
    const warmCalls = ctx.quick ? 200 : 2000;
    const coldStarts = ctx.quick ? 3 : 8;
    const emulator = new LambdaEmulator({ template, log: () => {}, sandboxRoot: join(work, 'sandboxes') });
    try {
      // Warm: one sandbox, many invocations.
      await emulator.invoke('CounterFunction', { n: 0 });
      const overhead: number[] = [];
      const roundTrip: number[] = [];
      let lastCalls = 0;
      for (let i = 0; i < warmCalls; i++) {
        const r = await emulator.invoke('CounterFunction', { n: i });
        overhead.push(r.roundTripMs - r.report.durationMs);
        roundTrip.push(r.roundTripMs);
        lastCalls = JSON.parse(r.payload).calls;
      }
      ctx.log(`emulator: ${warmCalls} warm calls, module counter reached ${lastCalls}`);

      // lambda-local, same handler (bundled to CommonJS, its documented lambdaPath use), same process.
      const cjs = join(work, 'counter.cjs');
      await build({ entryPoints: [join(root, 'tests/fixtures/handlers/counter.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: cjs, logLevel: 'silent' });
      const lambdaLocal = require('lambda-local');
      lambdaLocal.setLogger({ log() {}, info() {}, warn() {}, error() {}, debug() {}, transports: [], level: 'error' });
      const llTimes: number[] = [];
      let llCalls = 0;
      const llN = ctx.quick ? 100 : 500;
      for (let i = 0; i < llN; i++) {
        const t0 = performance.now();
        const out: any = await lambdaLocal.execute({ event: { n: i }, lambdaPath: cjs, lambdaHandler: 'handler', verboseLevel: 0, timeoutMs: 3000 });
        llTimes.push(performance.now() - t0);
        llCalls = out.calls;
      }
      ctx.log(`lambda-local: ${llN} calls, module counter reached ${llCalls}`);

      const p50 = median(overhead);
      rows.push({ metric: 'warm invoke overhead p50 (round trip − handler time)', value: p50, unit: 'ms', goal: '≤ 2 ms', baseline: { name: 'lambda-local time per call p50', value: median(llTimes), unit: 'ms' }, ratio: p50 / median(llTimes), note: `${warmCalls} calls, one warm sandbox` });
      rows.push({ metric: 'warm invoke overhead p95', value: percentile(overhead, 95), unit: 'ms' });
      rows.push({ metric: 'warm invoke round trip p50', value: median(roundTrip), unit: 'ms', baseline: { name: 'lambda-local time per call p50', value: median(llTimes), unit: 'ms' }, ratio: median(roundTrip) / median(llTimes) });
      rows.push({ metric: 'module state survived warm calls: emulator', value: lastCalls === warmCalls + 1 ? 1 : 0, unit: 'bool', note: `counter ${lastCalls} after ${warmCalls + 1} calls` });
      rows.push({ metric: 'module state survived warm calls: lambda-local', value: llCalls === llN ? 1 : 0, unit: 'bool', note: `counter ${llCalls} after ${llN} calls (re-required every call)` });

      // Cold starts from sources (tsx) and from the bundle.
      const cold = async (em: LambdaEmulator) => {
        const parts = { total: [] as number[], boot: [] as number[], loader: [] as number[], quota: [] as number[], init: [] as number[], first: [] as number[] };
        for (let i = 0; i < coldStarts; i++) {
          const r = await em.invoke('CounterFunction', {}, { cold: true });
          const t = r.report.init!;
          parts.total.push(t.totalMs);
          parts.boot.push(t.processBootMs);
          parts.loader.push(t.loaderMs);
          parts.quota.push(t.storageMs);
          parts.init.push(t.handlerInitMs);
          parts.first.push(r.roundTripMs);
        }
        return parts;
      };
      const src = await cold(emulator);
      rows.push({ metric: 'cold start (sources, tsx): init total', value: median(src.total), unit: 'ms', note: `median of ${coldStarts}; first-call round trip ${median(src.first).toFixed(0)} ms` });
      rows.push({ metric: '  node process start', value: median(src.boot), unit: 'ms' });
      rows.push({ metric: '  tsx loader registration', value: median(src.loader), unit: 'ms' });
      rows.push({ metric: '  /tmp quota install', value: median(src.quota), unit: 'ms' });
      rows.push({ metric: '  handler module import', value: median(src.init), unit: 'ms' });
      rows.push({ metric: '  IPC + spawn remainder', value: median(src.total) - median(src.boot) - median(src.loader) - median(src.quota) - median(src.init), unit: 'ms' });

      const bundleDir = join(work, 'bundles');
      await bundleFunctions({ template, outDir: bundleDir, only: ['CounterFunction'], rootDir: resolve(root) });
      const bundled = new LambdaEmulator({ template, bundleDir, log: () => {}, sandboxRoot: join(work, 'sandboxes') });
      try {
        const b = await cold(bundled);
        rows.push({ metric: 'cold start (bundle, no tsx): init total', value: median(b.total), unit: 'ms', baseline: { name: 'cold start from sources', value: median(src.total), unit: 'ms' }, ratio: median(b.total) / median(src.total) });
      } finally {
        await bundled.stop();
      }

      // A burst on a cold function: cold starts paced one per core (the default) vs all at once.
      const burstSize = ctx.quick ? 10 : 20;
      const burst = async (coldStartConcurrency?: number) => {
        const em = new LambdaEmulator({ template, log: () => {}, sandboxRoot: join(work, 'sandboxes'), coldStartConcurrency });
        try {
          const t0 = performance.now();
          const results = await Promise.allSettled(Array.from({ length: burstSize }, (_, i) => em.invoke('CounterFunction', { n: i })));
          const ms = performance.now() - t0;
          const ok = results.filter((r) => r.status === 'fulfilled' && !r.value.functionError) as PromiseFulfilledResult<Awaited<ReturnType<LambdaEmulator['invoke']>>>[];
          const firstError = results.map((r) => (r.status === 'rejected' ? String(r.reason) : r.value.error?.errorType)).find(Boolean);
          if (firstError) ctx.log(`burst (cold-start gate ${coldStartConcurrency ?? 'default'}): first error ${firstError}`);
          return { ms, errors: burstSize - ok.length, sandboxes: new Set(ok.map((r) => r.value.sandboxId)).size };
        } finally {
          await em.stop();
        }
      };
      const allAtOnce = await burst(burstSize);
      const paced = await burst();
      rows.push({ metric: `burst of ${burstSize} calls on a cold function: all answered`, value: paced.ms, unit: 'ms', baseline: { name: 'every call its own cold start at once', value: allAtOnce.ms, unit: 'ms' }, ratio: paced.ms / allAtOnce.ms, note: `paced: ${paced.sandboxes} sandboxes, ${paced.errors} errors; all at once: ${allAtOnce.sandboxes} sandboxes, ${allAtOnce.errors} errors` });

      // start-api: HTTP → v1 event → warm sandbox → HTTP, minus the handler's own time.
      const api = await startApiServer({ emulator, port: 0, log: () => {} });
      try {
        await fetch(`${api.url}/items/1`).then((r) => r.arrayBuffer());
        const times: number[] = [];
        for (let i = 0; i < (ctx.quick ? 100 : 500); i++) {
          const t0 = performance.now();
          await fetch(`${api.url}/items/${i}?q=x`).then((r) => r.arrayBuffer());
          times.push(performance.now() - t0);
        }
        rows.push({ metric: 'start-api GET round trip p50 (warm)', value: median(times), unit: 'ms', baseline: { name: 'warm invoke round trip p50', value: median(roundTrip), unit: 'ms' }, ratio: median(times) / median(roundTrip) });
      } finally {
        await api.close();
      }
    } finally {
      await emulator.stop();
      rmSync(work, { recursive: true, force: true });
    }
    return rows;
  },
};
export default suite;
