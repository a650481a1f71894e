/**
 * Local services: how long each takes to start (and all three in parallel), and S3 PUT/GET
 * throughput of one large object over loopback, next to fs.copyFile of the same bytes in the same
 * run. Throughput is measured through the fault proxy (what clients use) and directly against
 * s3rver, so the proxy's own cost shows as a ratio. The services run in a process of their own
 * for that, as under `larder services` (in-process, the proxy would share the client's thread).
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { randomFillSync } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { createS3Client } from '../../src/aws';
import { loadConfig } from '../../src/config';
import { startLocalServices, type ServiceName } from '../../src/local/services';
import { servicesNeeded } from '../../src/local/provision';
import { loadTemplate } from '../../src/local/template';
import { existsSync } from 'node:fs';
import type { BenchRow, BenchSuite } from './types';

const MB = 1024 * 1024;

const suite: BenchSuite = {
  name: 'services',
  description: 'local service start time; S3 PUT/GET of a large object vs fs.copyFile',
  async run(ctx) {
    const config = loadConfig(join(ctx.root, 'ml_config.yaml'), {});
    const dataDir = await mkdtemp(join(tmpdir(), 'larder-bench-services-'));
    const rows: BenchRow[] = [];
    try {
      rows.push(...(await startTimes(config, dataDir, ctx.quick ? 1 : 3, ctx.log)));
      rows.push(...(await s3Throughput(config, dataDir, ctx.quick ? 16 : 100, ctx.quick ? 1 : 3, ctx.log)));
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
    return rows;
  },
};
export default suite;

type Config = ReturnType<typeof loadConfig>;

async function startTimes(config: Config, dataDir: string, runs: number, log: (m: string) => void): Promise<BenchRow[]> {
  const measure = async (only: ServiceName[]) => {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const startedMs = performance.now();
      const services = await startLocalServices({ config, only, dataDir, quiet: true, ports: { s3: 0, dynamodb: 0, bedrock: 0 } });
      times.push(performance.now() - startedMs);
      await services.stop();
    }
    return median(times);
  };
  const each: Record<ServiceName, number> = { s3: await measure(['s3']), dynamodb: await measure(['dynamodb']), bedrock: await measure(['bedrock']) };
  const all = await measure(['s3', 'dynamodb', 'bedrock']);
  log(`start: s3 ${each.s3.toFixed(0)} ms, dynamodb ${each.dynamodb.toFixed(0)} ms, bedrock ${each.bedrock.toFixed(0)} ms, all ${all.toFixed(0)} ms`);
  const slowest = Math.max(each.s3, each.dynamodb, each.bedrock);
  // Services on demand: what a command starts for a user's template (decision + start), against
  // what every command started before (all three), same run.
  const onDemand: BenchRow[] = [];
  for (const app of ['nodejs22.x-hello', 'nodejs22.x-web']) {
    const path = join(config.rootDir, '../shared/sam-apps', app, 'template.yaml');
    if (!existsSync(path)) continue;
    const times: number[] = [];
    let need: ServiceName[] = [];
    for (let i = 0; i < runs; i++) {
      const startedMs = performance.now();
      need = servicesNeeded(loadTemplate(path)).services;
      const services = need.length ? await startLocalServices({ config, only: need, dataDir, quiet: true, ports: { s3: 0, dynamodb: 0, bedrock: 0 } }) : undefined;
      times.push(performance.now() - startedMs);
      await services?.stop();
    }
    const value = median(times);
    log(`on demand: ${app} → [${need.join(', ')}] ${value.toFixed(0)} ms vs all three ${all.toFixed(0)} ms`);
    onDemand.push({
      metric: `services for sam init ${app.replace('nodejs22.x-', '')} (on demand: ${need.join(', ') || 'none'})`,
      value,
      unit: 'ms',
      baseline: { name: 'all three (what every command started before)', value: all },
      ratio: value / all,
      goal: '< 1',
      note: `median of ${runs}`,
    });
  }
  return [
    ...onDemand,
    { metric: 'start s3 (s3rver child + proxy)', value: each.s3, unit: 'ms', note: `median of ${runs}` },
    { metric: 'start dynamodb (JVM + proxy)', value: each.dynamodb, unit: 'ms', note: `median of ${runs}` },
    { metric: 'start bedrock (emulator + proxy)', value: each.bedrock, unit: 'ms', note: `median of ${runs}` },
    {
      metric: 'start all three (parallel)',
      value: all,
      unit: 'ms',
      baseline: { name: 'slowest single service', value: slowest },
      ratio: all / slowest,
      goal: '< 10000 ms',
      note: 'ratio ≈ 1 means the parallel start costs no more than its slowest part',
    },
  ];
}

async function s3Throughput(config: Config, dataDir: string, sizeMb: number, runs: number, log: (m: string) => void): Promise<BenchRow[]> {
  const bytes = Buffer.alloc(sizeMb * MB);
  randomFillSync(bytes);
  const source = join(dataDir, 'source.bin');
  await writeFile(source, bytes);
  const copyMs = median(
    await repeat(runs, async () => {
      const target = join(dataDir, 'copy.bin');
      const startedMs = performance.now();
      await copyFile(source, target);
      const ms = performance.now() - startedMs;
      await rm(target);
      return ms;
    }),
  );

  const services = await startS3InOwnProcess(config.configPath, join(dataDir, 'services'));
  try {
    const viaProxy = createS3Client(config, { endpoint: services.proxy });
    const direct = createS3Client(config, { endpoint: services.direct });
    await viaProxy.send(new CreateBucketCommand({ Bucket: 'bench' }));
    const put = (client: S3Client, key: string) => timed(() => client.send(new PutObjectCommand({ Bucket: 'bench', Key: key, Body: bytes })));
    const get = (client: S3Client, key: string) =>
      timed(async () => {
        const res = await client.send(new GetObjectCommand({ Bucket: 'bench', Key: key }));
        let n = 0;
        await pipeline(res.Body as Readable, new Writable({ write: (chunk: Buffer, _e, cb) => ((n += chunk.length), cb()) }));
        if (n !== bytes.length) throw new Error(`GET returned ${n} bytes, expected ${bytes.length}`);
      });
    // One unmeasured round on each path (connections, s3rver's first write), then proxy and direct
    // interleaved so that drift in the machine's load hits both alike.
    await put(viaProxy, 'warm-proxy').then(() => get(viaProxy, 'warm-proxy'));
    await put(direct, 'warm-direct').then(() => get(direct, 'warm-direct'));
    const times = { putProxy: [] as number[], putDirect: [] as number[], getProxy: [] as number[], getDirect: [] as number[] };
    for (let i = 0; i < runs; i++) {
      times.putProxy.push(await put(viaProxy, `proxy-${i}`));
      times.putDirect.push(await put(direct, `direct-${i}`));
      times.getProxy.push(await get(viaProxy, `proxy-${i}`));
      times.getDirect.push(await get(direct, `direct-${i}`));
    }
    const [putProxy, putDirect, getProxy, getDirect] = [times.putProxy, times.putDirect, times.getProxy, times.getDirect].map(median);
    const mbps = (ms: number) => sizeMb / (ms / 1000);
    log(`S3 ${sizeMb} MB: PUT ${putProxy.toFixed(0)} ms (direct ${putDirect.toFixed(0)}), GET ${getProxy.toFixed(0)} ms (direct ${getDirect.toFixed(0)}), copyFile ${copyMs.toFixed(0)} ms`);
    const copyBaseline = { name: `fs.copyFile ${sizeMb} MB`, value: copyMs, unit: 'ms' };
    return [
      { metric: `fs.copyFile ${sizeMb} MB (baseline)`, value: copyMs, unit: 'ms', note: `${mbps(copyMs).toFixed(0)} MB/s` },
      { metric: `S3 PUT ${sizeMb} MB via proxy`, value: putProxy, unit: 'ms', baseline: copyBaseline, ratio: putProxy / copyMs, note: `${mbps(putProxy).toFixed(0)} MB/s; ratio = times slower than copyFile` },
      { metric: `S3 GET ${sizeMb} MB via proxy`, value: getProxy, unit: 'ms', baseline: copyBaseline, ratio: getProxy / copyMs, note: `${mbps(getProxy).toFixed(0)} MB/s; streamed, not buffered` },
      { metric: `S3 PUT ${sizeMb} MB via proxy vs direct`, value: putProxy, unit: 'ms', baseline: { name: 'direct to s3rver', value: putDirect, unit: 'ms' }, ratio: putProxy / putDirect, goal: '≤ 1.2×', note: 'the fault proxy\'s cost' },
      { metric: `S3 GET ${sizeMb} MB via proxy vs direct`, value: getProxy, unit: 'ms', baseline: { name: 'direct to s3rver', value: getDirect, unit: 'ms' }, ratio: getProxy / getDirect, goal: '≤ 1.2×', note: 'the fault proxy\'s cost' },
    ];
  } finally {
    await services.stop();
  }
}

/** S3 behind its proxy in a child process (scripts/bench/servicesProcess.ts), like `larder services`. */
async function startS3InOwnProcess(configPath: string, dataDir: string): Promise<{ proxy: string; direct: string; stop(): Promise<void> }> {
  const script = join(import.meta.dirname, 'servicesProcess.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', script, configPath, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]);
    });
    void exited.then(() => reject(new Error('the S3 services process exited before printing its endpoints')));
  });
  const endpoints = JSON.parse(line) as { proxy: string; direct: string };
  return {
    ...endpoints,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const startedMs = performance.now();
  await fn();
  return performance.now() - startedMs;
}

async function repeat(n: number, fn: (i: number) => Promise<number>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await fn(i));
  return out;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
