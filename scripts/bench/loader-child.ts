/**
 * One measurement of the loader bench in a fresh process (so RSS and module state start clean).
 * Prints one JSON line on stdout. Modes:
 *   load        createDataLoader(...).embeddings() — cold or warm depending on the cache dir's state
 *   read-raw    readFileSync(<raw float32 file>) — the warm baseline
 *   get-single  one GetObject streamed to a file — the cold baseline's download half
 * Peak RSS comes from /proc/self/status VmHWM (Linux), which sees peaks between JS ticks too.
 */
import { createWriteStream, readFileSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '../../src/aws';
import { embeddingsTableName, loadConfig, tableS3Key } from '../../src/config';
import { createDataLoader } from '../../src/loader';

function vmKb(field: 'VmHWM' | 'VmRSS'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) : NaN;
}

async function main() {
  const [mode, arg] = process.argv.slice(2);
  const rssBeforeKb = vmKb('VmRSS');
  const t0 = performance.now();
  let extra: Record<string, unknown> = {};
  if (mode === 'read-raw') {
    const buf = readFileSync(arg);
    extra = { bytes: buf.length };
  } else if (mode === 'get-single') {
    const config = loadConfig();
    const s3 = createS3Client(config);
    const out = await s3.send(new GetObjectCommand({ Bucket: config.s3.bucket, Key: tableS3Key(config, embeddingsTableName(config)) }));
    await pipeline(out.Body as Readable, createWriteStream(arg));
    extra = { bytes: out.ContentLength };
  } else if (mode === 'load') {
    const config = loadConfig(); // the handler's init work, not the loader's: outside the timing
    const tLoad = performance.now();
    const loader = createDataLoader(config);
    const m = await loader.embeddings();
    const loadMs = performance.now() - tLoad;
    // A warm invocation: the same calls again, averaged.
    const n = 2000;
    const t1 = performance.now();
    for (let i = 0; i < n; i++) await loader.embeddings();
    const warmCallMs = (performance.now() - t1) / n;
    const s = loader.stats()[0];
    extra = { count: m.count, dims: m.dims, vectorBytes: m.vectors.byteLength, source: s.loadedFrom, cached: s.cached, warmCallMs, ms: loadMs };
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
  const ms = (extra.ms as number | undefined) ?? performance.now() - t0;
  process.stdout.write(JSON.stringify({ mode, ms, rssBeforeMb: rssBeforeKb / 1024, peakMb: vmKb('VmHWM') / 1024, ...extra }) + '\n');
}

main().catch((err) => {
  process.stderr.write(String(err?.stack ?? err) + '\n');
  process.exit(1);
});
