/**
 * What a user sees under load: `larder start-api` (the real CLI, in its own process) driven over HTTP
 * by a client process with N concurrent clients and no retries — uploads, GETs and questions:
 * throughput, p50/p95/p99, errors by status, lost and duplicated records — against the same requests
 * sent to the handlers in-process in the same run (the baseline: what the emulator and HTTP add).
 * Then a burst of 100 URL ingests (s3:// sources under the data bucket's incoming/ prefix, which registry.ingest.s3_buckets allows): time until all are terminal.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { createS3Client } from '../../src/aws';
import { loadConfig } from '../../src/config';
import { startLocalServices } from '../../src/local/services';
import { prepareLocalData } from '../../src/local/localData';
import { getRequests, ingestRequests, queryRequests, runLoad, summarize, uploadRequests, type LoadKind, type LoadRequest, type LoadResult } from './trafficLoad';
import type { BenchRow, BenchSuite } from './types';

const suite: BenchSuite = {
  name: 'traffic',
  description: 'start-api over HTTP from a client process (N clients, no retries) vs the in-process handlers; 100 s3:// URL ingests until terminal',
  async run(ctx) {
    const dataDir = await mkdtemp(join(tmpdir(), 'larder-bench-traffic-'));
    const services = await startLocalServices({ config: loadConfig(join(ctx.root, 'ml_config.yaml'), {}), dataDir, quiet: true, ports: { s3: 0, dynamodb: 0, bedrock: 0 } });
    const savedEnv = { ...process.env };
    let server: ChildProcess | undefined;
    try {
      await prepareLocalData(services.env, (line) => ctx.log(line.trim()));
      const config = loadConfig(join(ctx.root, 'ml_config.yaml'), services.env);
      const sizes = ctx.quick ? { uploads: 50, gets: 50, queries: 8, ingests: 25 } : { uploads: 200, gets: 200, queries: 40, ingests: 100 };
      const clients = { upload: 50, get: 50, query: 10, ingest: 50 };
      const run = Date.now().toString(36);

      // start-api exactly as a user runs it, in its own process, against these services.
      const port = await freePort();
      server = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'start-api', '--port', String(port), '--lambda-port', '0', '--no-schedules', '--time-scale', '0.01'], {
        cwd: ctx.root,
        env: { ...process.env, ...services.env, LARDER_LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const serverLog: string[] = [];
      server.stderr!.on('data', (c) => serverLog.push(...String(c).split('\n').filter(Boolean)));
      await waitForLine(server, /API on http/, 120_000);
      const baseUrl = `http://127.0.0.1:${port}`;

      const http = async (requests: LoadRequest[], n: number) => drive(ctx.root, baseUrl, n, requests);
      Object.assign(process.env, services.env, { LARDER_LOG_LEVEL: 'warn' });
      const { handler: artifact } = await import('../../src/handlers/artifact');
      const { handler: query } = await import('../../src/handlers/query');
      const inProcess = async (requests: LoadRequest[], n: number) =>
        runLoad(requests, n, async (r) => {
          const res = (await (r.kind === 'query' ? query : artifact)(restEvent(r) as never)) as { statusCode: number; body: string };
          return { status: res.statusCode, body: res.body };
        });

      const rows: BenchRow[] = [];
      const compare = (kind: LoadKind, viaHttp: LoadResult, local: LoadResult, n: number) => {
        const h = summarize(viaHttp, kind);
        const l = summarize(local, kind);
        const note = `${n} clients; HTTP statuses ${JSON.stringify(h.byStatus)}, in-process ${JSON.stringify(l.byStatus)}`;
        const label = { upload: 'uploads', get: 'GETs', query: 'questions', ingest: 'ingests' }[kind];
        rows.push({ metric: `${label}/s over start-api`, value: h.perSecond, unit: 'req/s', baseline: { name: 'in-process handler', value: l.perSecond }, ratio: h.perSecond / l.perSecond, note });
        for (const p of ['p50', 'p95', 'p99'] as const) rows.push({ metric: `${label} ${p} over start-api`, value: h[p], unit: 'ms', baseline: { name: 'in-process handler', value: l[p] }, ratio: h[p] / l[p] });
        const errors = h.n - (h.byStatus['200'] ?? 0) - (h.byStatus['201'] ?? 0);
        rows.push({ metric: `${label} errors over start-api (no retries)`, value: errors, unit: 'requests', goal: '0', note: `of ${h.n}` });
      };

      // Uploads, GETs, questions: the same requests both ways.
      ctx.log(`${sizes.uploads} uploads, ${clients.upload} clients, over HTTP then in-process`);
      const upHttp = await http(uploadRequests(`bench-http-${run}`, sizes.uploads), clients.upload);
      const upLocal = await inProcess(uploadRequests(`bench-local-${run}`, sizes.uploads), clients.upload);
      compare('upload', upHttp, upLocal, clients.upload);
      const integrity = await recordIntegrity(baseUrl, upHttp);
      rows.push({ metric: 'uploads lost (201 but no record)', value: integrity.lost, unit: 'records', goal: '0' });
      rows.push({ metric: 'uploads duplicated (>1 record per request)', value: integrity.duplicated, unit: 'records', goal: '0' });

      const ids = upHttp.samples.map((s) => s.id).filter((id): id is string => Boolean(id));
      const localIds = upLocal.samples.map((s) => s.id).filter((id): id is string => Boolean(id));
      ctx.log(`${sizes.gets} GETs, ${clients.get} clients`);
      compare('get', await http(getRequests(ids, sizes.gets), clients.get), await inProcess(getRequests(localIds, sizes.gets), clients.get), clients.get);
      ctx.log(`${sizes.queries} questions, ${clients.query} clients`);
      await inProcess(queryRequests(1), 1); // the in-process index is built once, as the sandbox's is on its first call
      await http(queryRequests(1), 1);
      compare('query', await http(queryRequests(sizes.queries), clients.query), await inProcess(queryRequests(sizes.queries), clients.query), clients.query);

      // A burst of URL ingests from the local S3: time until every record is terminal.
      const s3 = createS3Client(config);
      const prefix = `bench-ingest-${run}`;
      await Promise.all(Array.from({ length: sizes.ingests }, (_, i) => s3.send(new PutObjectCommand({ Bucket: config.s3.bucket, Key: `incoming/bench-sources/${prefix}-${i}.csv`, Body: Buffer.from(`id,value\n${i},${i * 7}\n`) }))));
      s3.destroy();
      ctx.log(`${sizes.ingests} s3:// URL ingests, ${clients.ingest} clients; waiting for terminal states`);
      const t0 = performance.now();
      const burst = await http(ingestRequests(prefix, config.s3.bucket, sizes.ingests), clients.ingest);
      const accepted = burst.samples.filter((s) => s.status === 202 && s.id);
      const states = await waitTerminal(baseUrl, accepted.map((s) => s.id!), 600_000);
      const allTerminalS = (performance.now() - t0) / 1000;
      const count = (state: string) => [...states.values()].filter((s) => s === state).length;
      rows.push({ metric: `${sizes.ingests} URL ingests: time until all terminal`, value: allTerminalS, unit: 's', baseline: { name: 'the POST burst itself', value: burst.wallMs / 1000 }, ratio: allTerminalS / (burst.wallMs / 1000), note: `202 × ${accepted.length}; completed ${count('completed')}, failed ${count('failed')}, rejected ${count('rejected')}` });
      const stuck = [...states.values()].filter((s) => !['completed', 'failed', 'rejected'].includes(s)).length;
      rows.push({ metric: 'URL ingests left non-terminal', value: stuck + (sizes.ingests - accepted.length), unit: 'records', goal: '0', note: 'pending/downloading/rating after 600 s, plus POSTs not answered 202' });
      rows.push({ metric: 'Runtime.InitTimeout in the server log', value: serverLog.filter((l) => l.includes('Runtime.InitTimeout')).length, unit: 'lines', goal: '0' });
      return rows;
    } finally {
      process.env = savedEnv;
      if (server && server.exitCode === null) {
        const gone = new Promise((r) => server!.once('exit', r));
        server.kill('SIGTERM');
        await Promise.race([gone, new Promise((r) => setTimeout(r, 15_000))]);
        if (server.exitCode === null) server.kill('SIGKILL');
      }
      await services.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  },
};
export default suite;

async function drive(root: string, baseUrl: string, clients: number, requests: LoadRequest[]): Promise<LoadResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts/bench/trafficDriver.ts')], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdin!.end(JSON.stringify({ baseUrl, clients, requests }));
  let out = '';
  child.stdout!.on('data', (c) => (out += c));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  if (code !== 0) throw new Error(`traffic driver exited with ${code}`);
  return JSON.parse(out);
}

/** After the uploads: every 201 has exactly one record under its name, and no name has more. */
async function recordIntegrity(baseUrl: string, result: LoadResult): Promise<{ lost: number; duplicated: number }> {
  let lost = 0;
  let duplicated = 0;
  for (const s of result.samples.filter((x) => x.kind === 'upload' && x.name)) {
    const res = await fetch(`${baseUrl}/artifact/byName/${encodeURIComponent(s.name!)}`);
    const found = res.status === 200 ? ((await res.json()) as Array<{ id: string }>) : [];
    if (s.status === 201 && !found.some((f) => f.id === s.id)) lost++;
    duplicated += Math.max(0, found.length - 1);
  }
  return { lost, duplicated };
}

async function waitTerminal(baseUrl: string, ids: string[], timeoutMs: number): Promise<Map<string, string>> {
  const states = new Map<string, string>();
  const deadline = Date.now() + timeoutMs;
  let open = [...ids];
  while (open.length && Date.now() < deadline) {
    for (const id of open) {
      const res = await fetch(`${baseUrl}/artifacts/dataset/${id}`);
      states.set(id, res.status === 200 ? ((await res.json()) as any).status.state : `http-${res.status}`);
    }
    open = open.filter((id) => !['completed', 'failed', 'rejected'].includes(states.get(id)!));
    if (open.length) await new Promise((r) => setTimeout(r, 500));
  }
  return states;
}

function restEvent(r: LoadRequest): APIGatewayProxyEvent {
  return {
    resource: r.kind === 'query' ? '/query' : '/{proxy+}',
    path: r.path,
    httpMethod: r.method,
    headers: r.headers,
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: { httpMethod: r.method, path: r.path, stage: 'Prod' } as APIGatewayProxyEvent['requestContext'],
    body: r.body ?? null,
    isBase64Encoded: false,
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`start-api did not print ${pattern} within ${timeoutMs} ms: ${seen.slice(-500)}`)), timeoutMs);
    child.stdout!.on('data', (c) => {
      seen += String(c);
      if (pattern.test(seen)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`start-api exited (${code}) before listening: ${seen.slice(-500)}`));
    });
  });
}
