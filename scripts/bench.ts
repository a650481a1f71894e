/**
 * `npm run bench`: runs every suite in scripts/bench/*.bench.ts, prints one table, writes JSON to
 * bench-results/. Speed is compared as ratios against a baseline measured in the same run (these
 * machines are shared and noisy); nothing here fails on a time.
 *
 *   npm run bench                    all suites
 *   npm run bench -- --only loader   suites whose name contains "loader"
 *   npm run bench -- --quick         smaller sizes (a smoke run)
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import os from 'node:os';
import type { BenchContext, BenchRow, BenchSuite } from './bench/types';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');

async function main() {
  // Suites measure, they don't narrate: info logs and the SDK's Node 20 banner would bury the table.
  process.env.LARDER_LOG_LEVEL ??= 'warn';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const argv = process.argv.slice(2);
  const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
  const quick = argv.includes('--quick');
  const files = readdirSync(join(here, 'bench'))
    .filter((f) => f.endsWith('.bench.ts'))
    .sort();
  const ctx: BenchContext = { root, quick, log: (m) => console.error(`  ${m}`) };
  const results: { suite: string; rows: BenchRow[]; error?: string; seconds: number }[] = [];
  for (const file of files) {
    const suite: BenchSuite = (await import(pathToFileURL(join(here, 'bench', file)).href)).default;
    if (only && !suite.name.includes(only)) continue;
    console.error(`▶ ${suite.name}: ${suite.description}`);
    const t0 = performance.now();
    try {
      const rows = await suite.run(ctx);
      results.push({ suite: suite.name, rows, seconds: (performance.now() - t0) / 1000 });
    } catch (err) {
      console.error(`  ✗ ${suite.name} failed: ${(err as Error).stack ?? err}`);
      results.push({ suite: suite.name, rows: [], error: String((err as Error).message ?? err), seconds: (performance.now() - t0) / 1000 });
    }
  }
  printTable(results.flatMap((r) => r.rows.map((row) => ({ suite: r.suite, ...row }))));
  const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.platform()} ${os.arch()}` };
  mkdirSync(join(root, 'bench-results'), { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const out = join(root, 'bench-results', `bench-${stamp}.json`);
  const body = JSON.stringify({ date: new Date().toISOString(), machine, quick, results }, null, 2);
  writeFileSync(out, body);
  writeFileSync(join(root, 'bench-results', 'latest.json'), body);
  console.log(`\nwrote ${out}`);
  if (results.some((r) => r.error)) process.exitCode = 1;
}

function printTable(rows: (BenchRow & { suite: string })[]) {
  const header = ['suite', 'metric', 'value', 'baseline', 'ratio', 'goal', 'note'];
  const fmt = (n: number | undefined, unit = '') => (n === undefined ? '' : `${Number.isInteger(n) ? n : n.toFixed(n < 10 ? 3 : 1)}${unit ? ' ' + unit : ''}`);
  const table = rows.map((r) => [
    r.suite,
    r.metric,
    fmt(r.value, r.unit),
    r.baseline ? `${fmt(r.baseline.value, r.baseline.unit ?? r.unit)} (${r.baseline.name})` : '',
    r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}×`,
    r.goal ?? '',
    r.note ?? '',
  ]);
  const widths = header.map((h, i) => Math.min(60, Math.max(h.length, ...table.map((row) => row[i].length))));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join(' │ ');
  console.log('\n' + line(header));
  console.log(widths.map((w) => '─'.repeat(w)).join('─┼─'));
  for (const row of table) console.log(line(row));
}

void main();
