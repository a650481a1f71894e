/**
 * What the runtime half of issue 9 costs on the warm path, as ratios against same-run baselines:
 * the hot-reload check (a warm call with it on, and with a re-walk on every call, against it off),
 * one code-stamp walk of larder's own project root (its CodeUri is `.`), and a start-api call behind
 * a TOKEN Lambda authorizer against an open route (the authorizer is a second invocation).
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadTemplate } from '../../src/local/template';
import { LambdaEmulator, type EmulatorOptions } from '../../src/local/emulator';
import { startApiServer } from '../../src/local/apiServer';
import { codeStamp } from '../../src/local/codeStamp';
import type { BenchRow, BenchSuite } from './types';

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

const suite: BenchSuite = {
  name: 'runtime',
  description: 'Hot-reload check on warm calls, code-stamp walk, start-api with a Lambda authorizer',
  async run(ctx) {
    const work = mkdtempSync(join(tmpdir(), 'larder-bench-runtime-'));
    const rows: BenchRow[] = [];
    const calls = ctx.quick ? 200 : 1000;
    for (const app of ['node-runtime', 'apis']) cpSync(join(ctx.root, 'tests/fixtures/runtime', app), join(work, app), { recursive: true });
    const emulatorFor = (app: string, options: Partial<EmulatorOptions> = {}) =>
      new LambdaEmulator({ template: loadTemplate(join(work, app, 'template.yaml')), log: () => {}, sandboxRoot: join(work, 'sandboxes'), ...options });
    /** Interleaved, so load changes on this shared machine hit every variant alike. */
    const warmRoundTrips = async (ems: LambdaEmulator[]) => {
      for (const em of ems) await em.invoke('ErrorsFunction', {});
      const times: number[][] = ems.map(() => []);
      for (let i = 0; i < calls; i++) for (const [k, em] of ems.entries()) times[k].push((await em.invoke('ErrorsFunction', {})).roundTripMs);
      return times.map(median);
    };
    const emulators: LambdaEmulator[] = [];
    try {
      const off = emulatorFor('node-runtime', { hotReload: false });
      const on = emulatorFor('node-runtime');
      const every = emulatorFor('node-runtime', { hotReload: { checkEveryMs: 0 } });
      emulators.push(off, on, every);
      const [tOff, tOn, tEvery] = await warmRoundTrips([off, on, every]);
      const base = { name: 'warm round trip p50, hot reload off', value: tOff, unit: 'ms' };
      rows.push({ metric: 'warm round trip p50, hot reload on (re-walk ≤ every 250 ms / 20 walks)', value: tOn, unit: 'ms', baseline: base, ratio: tOn / tOff, goal: '≤ 1.2×', note: `${calls} calls each` });
      rows.push({ metric: 'warm round trip p50, code re-walked on every call (small app)', value: tEvery, unit: 'ms', baseline: base, ratio: tEvery / tOff });

      const walks: number[] = [];
      for (let i = 0; i < (ctx.quick ? 5 : 20); i++) {
        const t = performance.now();
        codeStamp([ctx.root]);
        walks.push(performance.now() - t);
      }
      rows.push({ metric: "code-stamp walk of larder's project root (CodeUri: .)", value: median(walks), unit: 'ms', baseline: base, ratio: median(walks) / tOff, note: 'paid at most once per max(250 ms, 20 walks) per function' });

      const apis = emulatorFor('apis');
      emulators.push(apis);
      const api = await startApiServer({ emulator: apis, port: 0, log: () => {} });
      try {
        const once = async (path: string, headers: Record<string, string> = {}) => {
          const t = performance.now();
          const res = await fetch(`${api.url}${path}`, { headers });
          await res.arrayBuffer();
          if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
          return performance.now() - t;
        };
        const openTimes: number[] = [];
        const authTimes: number[] = [];
        await once('/open');
        await once('/protected', { Authorization: 'Bearer allow' });
        for (let i = 0; i < calls / 2; i++) {
          openTimes.push(await once('/open'));
          authTimes.push(await once('/protected', { Authorization: 'Bearer allow' }));
        }
        const open = median(openTimes);
        const authorized = median(authTimes);
        rows.push({ metric: 'start-api GET behind a TOKEN Lambda authorizer p50', value: authorized, unit: 'ms', baseline: { name: 'start-api GET, open route p50', value: open, unit: 'ms' }, ratio: authorized / open, note: 'the authorizer is a second warm invocation; no caching (ReauthorizeEvery)' });
      } finally {
        await api.close();
      }
    } finally {
      await Promise.all(emulators.map((e) => e.stop()));
      rmSync(work, { recursive: true, force: true });
    }
    return rows;
  },
};

export default suite;
