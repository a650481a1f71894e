/**
 * Cold starts from the Lambda packages (`npm run build` bundles, run by the emulator with an empty
 * /tmp per sandbox, tables in the local S3):
 *   - Init Duration of QueryFunction and DataLoaderTestFunction against a hello-world function's
 *     (the real `sam init` nodejs20.x-hello app, bundled the same way) in the same run — goal ≤ 5×;
 *   - QueryFunction's first answer after a cold start (Init + first invocation, measured as the
 *     invoke round trip) against the floor of fetching the same bytes (every object the query path
 *     reads from S3) from the local S3 into files and reading them — goal ≤ 1.5×.
 *   - the same first answer without the columnar artifacts (index_sentences and index_kpi_facts
 *     removed from the bucket, so those Parquet files are decoded by hyparquet as before they
 *     existed), alternating run by run: the before/after of one run.
 * Medians of 5 cold starts (2 with --quick): the floor swings ±25% run to run on a shared machine, so
 * fewer runs make a noisy ratio. Speed is reported as ratios, nothing fails on a time.
 * LARDER_BENCH_DEBUG=1 logs each QueryFunction run's breakdown, its floor and the functions' info logs.
 */
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '../../src/aws';
import { loadConfig, tableConfig, tableS3Key } from '../../src/config';
import { ensureDataCache } from '../../src/cli/localDataset';
import { seedBucket } from '../../src/loader/seed';
import { SENTENCES_ARTIFACT_TABLE } from '../../src/loader/sentencesArtifact';
import { KPI_FACTS_ARTIFACT_TABLE } from '../../src/loader/kpiFactsArtifact';
import { bundleFunctions } from '../../src/local/bundle';
import { LambdaEmulator } from '../../src/local/emulator';
import { startLocalServices } from '../../src/local/services';
import { loadTemplate } from '../../src/local/template';
import type { BenchRow, BenchSuite } from './types';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const QUESTION = { question: 'What did Walmart report about net sales in fiscal 2018?' };

const suite: BenchSuite = {
  name: 'coldstart',
  description: 'Init Duration from the bundles vs hello-world; QueryFunction first answer after a cold start vs fetching its bytes from S3',
  async run(ctx) {
    const runs = ctx.quick ? 2 : 5;
    const work = mkdtempSync(join(tmpdir(), 'larder-bench-coldstart-'));
    const base = loadConfig(undefined, { ...process.env, LARDER_LOG_LEVEL: 'warn' });
    const services = await startLocalServices({ config: base, only: ['s3', 'bedrock'], quiet: true, dataDir: join(work, 's3'), ports: { s3: 0, bedrock: 0 } });
    const bucket = `larder-bench-coldstart-${process.pid}`;
    // Straight to the servers, not through the fault proxies (as 20-loader measures).
    const directEnv = { ...services.env, AWS_ENDPOINT_URL_S3: services.directEndpoints.s3, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: services.directEndpoints.bedrock };
    const env = { ...process.env, ...directEnv, LARDER_LOG_LEVEL: 'warn', LARDER_BUCKET: bucket };
    const config = loadConfig(undefined, env);
    const emulators: LambdaEmulator[] = [];
    try {
      ctx.log('data cache, seed, bundles');
      await ensureDataCache(config);
      const s3 = createS3Client(config);
      await seedBucket(config, s3);
      const bundles = join(work, 'bundles');
      const template = loadTemplate(join(ctx.root, 'lambda_assets/template.yaml'));
      const reports = await bundleFunctions({ template, outDir: bundles, rootDir: ctx.root, only: ['QueryFunction', 'DataLoaderTestFunction'], linkExternals: true }); // a no-op without externals; lets an older packaging run too
      const hello = loadTemplate(helloTemplate(ctx.root, work));
      await bundleFunctions({ template: hello, outDir: bundles, rootDir: ctx.root });
      const debug = Boolean(process.env.LARDER_BENCH_DEBUG); // per-run breakdown and the functions' info logs
      const fnEnv = { LARDER_BUCKET: bucket, DATA_LOADING_MODE: 'S3_STREAMING', LARDER_LOG_LEVEL: debug ? 'info' : 'warn' };
      const emulator = (t: typeof template) => {
        const e = new LambdaEmulator({ template: t, bundleDir: bundles, log: debug ? (m: string) => ctx.log(m) : () => {}, sandboxRoot: join(work, 'sandboxes'), serviceEnv: directEnv, envVars: { QueryFunction: fnEnv, DataLoaderTestFunction: fnEnv } });
        emulators.push(e);
        return e;
      };
      const app = emulator(template);
      const helloEm = emulator(hello);

      const init = { hello: [] as number[], query: [] as number[], loader: [] as number[] };
      const first: number[] = [];
      const floor: number[] = [];
      const withoutArtifact = { first: [] as number[], floor: [] as number[] };
      const columnar = [SENTENCES_ARTIFACT_TABLE, KPI_FACTS_ARTIFACT_TABLE].filter((t) => config.tables[t] && isBuilt(config, t));
      const artifacts = columnar.map((t) => ({ key: tableS3Key(config, t), bytes: readFileSync(resolve(config.rootDir, config.cache.local_dir, tableConfig(config, t).local_path)) }));
      for (let i = 0; i < runs; i++) {
        ctx.log(`cold start ${i + 1}/${runs}`);
        init.hello.push((await helloEm.invoke('HelloWorldFunction', {}, { cold: true })).report.initDurationMs ?? NaN);
        init.loader.push((await app.invoke('DataLoaderTestFunction', { operations: ['cache_state'] }, { cold: true })).report.initDurationMs ?? NaN);
        // With the prebuilt sentences, and (when built) without them — the Parquet decoded by hyparquet as
        // before index_sentences existed — in alternating order, so neither always follows the other's
        // floor (whose GETs warm the local S3's reads) and both see the same machine load.
        const order = artifacts.length ? (i % 2 === 0 ? [true, false] : [false, true]) : [true];
        for (const withArtifact of order) {
          if (!withArtifact) for (const a of artifacts) await s3.send(new DeleteObjectCommand({ Bucket: config.s3.bucket, Key: a.key }));
          const q = await app.invoke('QueryFunction', QUESTION, { cold: true });
          if (q.error || !JSON.parse(q.payload).answer) throw new Error(`QueryFunction did not answer${withArtifact ? '' : ' without the columnar artifacts'}: ${q.payload.slice(0, 300)}`);
          if (debug) { const m = JSON.parse(q.payload).metadata; ctx.log(JSON.stringify({ withArtifact, init: q.report.initDurationMs, rt: q.roundTripMs, t: m.timings_ms, build: m.loader.index_build_ms, tables: m.loader.tables.map((t: { table: string; ms: number; source: string }) => [t.table, t.source, Math.round(t.ms)]) })); }
          const fl = await fetchAndRead(config, join(work, `floor-${i}-${withArtifact}`), withArtifact ? [] : columnar);
          if (debug) ctx.log(JSON.stringify({ withArtifact, firstAnswer: Math.round(q.roundTripMs), floor: Math.round(fl), ratio: Math.round((q.roundTripMs / fl) * 100) / 100 }));
          if (withArtifact) {
            init.query.push(q.report.initDurationMs ?? NaN);
            first.push(q.roundTripMs);
            floor.push(fl);
          } else {
            withoutArtifact.first.push(q.roundTripMs);
            withoutArtifact.floor.push(fl);
            for (const a of artifacts) await s3.send(new PutObjectCommand({ Bucket: config.s3.bucket, Key: a.key, Body: a.bytes }));
          }
        }
      }
      const helloInit = median(init.hello);
      const size = (id: string) => reports.find((r) => r.logicalId === id)?.totalBytes ?? NaN;
      const rows: BenchRow[] = [
        { metric: 'QueryFunction Init Duration (bundle)', value: median(init.query), unit: 'ms', baseline: { name: 'hello-world Init', value: helloInit, unit: 'ms' }, ratio: median(init.query) / helloInit, goal: '≤ 5×', note: `package ${(size('QueryFunction') / 2 ** 20).toFixed(1)} MiB` },
        { metric: 'DataLoaderTestFunction Init Duration (bundle)', value: median(init.loader), unit: 'ms', baseline: { name: 'hello-world Init', value: helloInit, unit: 'ms' }, ratio: median(init.loader) / helloInit, goal: '≤ 5×', note: `package ${(size('DataLoaderTestFunction') / 2 ** 20).toFixed(1)} MiB` },
        { metric: 'QueryFunction first answer after a cold start (Init + first call)', value: median(first), unit: 'ms', baseline: { name: 'GET its S3 objects to files + read them', value: median(floor), unit: 'ms' }, ratio: median(first) / median(floor), goal: '≤ 1.5×', note: `empty /tmp, medians of ${runs}` },
      ];
      if (withoutArtifact.first.length) {
        const [f, b] = [median(withoutArtifact.first), median(withoutArtifact.floor)];
        rows.push({ metric: 'QueryFunction first answer after a cold start, without the columnar artifacts (before)', value: f, unit: 'ms', baseline: { name: 'GET its S3 objects to files + read them', value: b, unit: 'ms' }, ratio: f / b, goal: '≤ 1.5×', note: `${columnar.join(' + ')} removed: their Parquet decoded by hyparquet; alternating with the runs above` });
      }
      s3.destroy();
      return rows;
    } finally {
      for (const e of emulators) await e.stop();
      await services.stop();
      rmSync(work, { recursive: true, force: true });
    }
  },
};
export default suite;

/** The floor: every object the query path reads from S3, fetched to files at once, then read. */
async function fetchAndRead(config: ReturnType<typeof loadConfig>, dir: string, exclude: string[] = []): Promise<number> {
  mkdirSync(dir, { recursive: true });
  const s3 = createS3Client(config); // a new client: a new process pays its first-request cost too
  const tables = Object.keys(config.tables).filter((t) => tableConfig(config, t).lambda_source === 's3' && isBuilt(config, t) && !exclude.includes(t));
  const t0 = performance.now();
  await Promise.all(
    tables.map(async (t) => {
      const out = await s3.send(new GetObjectCommand({ Bucket: config.s3.bucket, Key: tableS3Key(config, t) }));
      await pipeline(out.Body as Readable, createWriteStream(join(dir, t)));
    }),
  );
  let bytes = 0;
  for (const t of tables) bytes += readFileSync(join(dir, t)).length;
  const ms = performance.now() - t0;
  s3.destroy();
  rmSync(dir, { recursive: true, force: true });
  return bytes > 0 ? ms : NaN;
}

function isBuilt(config: ReturnType<typeof loadConfig>, table: string): boolean {
  try {
    readFileSync(resolve(config.rootDir, config.cache.local_dir, tableConfig(config, table).local_path), { flag: 'r' }).length;
    return true;
  } catch {
    return false;
  }
}

/** The `sam init` nodejs20.x-hello app (read from ../shared), with esbuild settings like ours. */
function helloTemplate(root: string, work: string): string {
  const codeUri = resolve(root, '../shared/sam-apps/nodejs20.x-hello/hello-world');
  const path = join(work, 'hello-template.yaml');
  writeFileSync(
    path,
    [
      "AWSTemplateFormatVersion: '2010-09-09'",
      'Transform: AWS::Serverless-2016-10-31',
      'Resources:',
      '  HelloWorldFunction:',
      '    Type: AWS::Serverless::Function',
      '    Properties:',
      `      CodeUri: ${codeUri}`,
      '      Handler: app.lambdaHandler',
      '      Runtime: nodejs22.x',
      '    Metadata:',
      '      BuildMethod: esbuild',
      '      BuildProperties:',
      '        Format: esm',
      '        Target: node22',
      '        OutExtension:',
      '          - .js=.mjs',
      '        EntryPoints:',
      '          - app.mjs',
      '',
    ].join('\n'),
  );
  return path;
}
