/**
 * If-Match protects a download from an object replaced half way (local s3rver ignores If-Match, so
 * this path is exercised with a stub client that answers like S3): the loader starts over once with
 * the new ETag — on a cold start (the first ranged GET told the ETag) and when revalidating a cached
 * copy (HeadObject told it).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import pl from 'nodejs-polars';
import { afterAll, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config';
import { S3StreamingLoader, TmpCache } from '../../../src/loader';

const dir = mkdtempSync(join(tmpdir(), 'larder-conflict-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config = loadConfig(undefined, { LARDER_LOG_LEVEL: 'silent' });
const PART = config.cache.download_part_bytes;

function companiesParquet(ticker: string): Buffer {
  const path = join(dir, `companies-${ticker}.parquet`);
  pl.DataFrame({ company_id: [1], cik_int: [7], cik: ['0000000007'], company_name: [`${ticker} Co`], ticker: [ticker] }).writeParquet(path);
  return readFileSync(path);
}

/**
 * A stub S3 whose object is "old" (bigger than one part, so a second ranged GET with If-Match
 * follows) until `replaceAfter` GETs have been answered, then "new" (the real Parquet).
 */
function changingObject(replaceAfter: number) {
  const old = Buffer.alloc(PART + 1000, 1);
  const fresh = companiesParquet('NEW');
  let gets = 0;
  const calls: string[] = [];
  const current = () => (gets > replaceAfter ? { etag: '"new"', body: fresh } : { etag: '"old"', body: old });
  const s3 = {
    send: async (cmd: { constructor: { name: string }; input: { IfMatch?: string; Range?: string } }) => {
      const op = cmd.constructor.name.replace(/Command$/, '');
      calls.push(op + (cmd.input.IfMatch ? ` If-Match ${cmd.input.IfMatch}` : ''));
      if (op === 'HeadObject') return { ETag: current().etag, ContentLength: current().body.length };
      gets++;
      const { etag, body } = current();
      if (cmd.input.IfMatch && cmd.input.IfMatch !== etag) throw Object.assign(new Error('At least one of the pre-conditions you specified did not hold'), { name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
      const [a, b] = cmd.input.Range!.replace('bytes=', '').split('-').map(Number);
      const end = Math.min(b, body.length - 1);
      return { ETag: etag, ContentRange: `bytes ${a}-${end}/${body.length}`, ContentLength: end - a + 1, Body: (async function* () { yield body.subarray(a, end + 1); })() };
    },
  } as unknown as S3Client;
  return { s3, calls };
}

it('starts a cold download over once when the object changed during it (If-Match failed)', async () => {
  // The first GET reads "old" and tells its ETag; the object is replaced before the second part.
  const { s3, calls } = changingObject(1);
  const loader = new S3StreamingLoader(config, { s3, cache: new TmpCache({ dir: join(dir, 'cold'), maxBytes: 10_000_000 }) });
  const rows = await loader.companies();
  expect(rows[0].ticker).toBe('NEW');
  expect(calls).toEqual(['GetObject', 'GetObject If-Match "old"', 'GetObject']);
  await loader.settled();
  expect(loader.cacheState().entries![0]).toMatchObject({ etag: '"new"' });
});

it('starts a revalidated download over once when the object changed during it', async () => {
  const cacheDir = join(dir, 'warm');
  // An earlier process cached the companies under another ETag.
  const earlier = changingObject(0);
  const first = new S3StreamingLoader(config, { s3: earlier.s3, cache: new TmpCache({ dir: cacheDir, maxBytes: 10_000_000 }) });
  await first.companies();
  await first.settled();
  // Now S3 has "old" (changed since), replaced again before the download's second part.
  const { s3, calls } = changingObject(1);
  const loader = new S3StreamingLoader(config, { s3, cache: new TmpCache({ dir: cacheDir, maxBytes: 10_000_000 }) });
  expect((await loader.companies())[0].ticker).toBe('NEW');
  expect(calls).toEqual(['HeadObject', 'GetObject If-Match "old"', 'GetObject If-Match "old"', 'GetObject']);
  await loader.settled();
  expect(loader.cacheState().entries![0]).toMatchObject({ etag: '"new"' });
});
