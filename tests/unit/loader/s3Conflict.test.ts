/**
 * If-Match protects a download from an object replaced half way (local s3rver ignores If-Match, so
 * this path is exercised with a stub client): the loader starts over once with the new ETag.
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

it('starts the download over once when the object changed during it (If-Match failed)', async () => {
  const path = join(dir, 'companies.parquet');
  pl.DataFrame({ company_id: [1], cik_int: [7], cik: ['0000000007'], company_name: ['New Co'], ticker: ['NEW'] }).writeParquet(path);
  const body = readFileSync(path);
  let heads = 0;
  const calls: string[] = [];
  const s3 = {
    send: async (cmd: { constructor: { name: string }; input: { IfMatch?: string; Range?: string } }) => {
      const op = cmd.constructor.name.replace(/Command$/, '');
      calls.push(op);
      if (op === 'HeadObject') return { ETag: heads++ === 0 ? '"old"' : '"new"', ContentLength: body.length };
      if (cmd.input.IfMatch === '"old"') throw Object.assign(new Error('At least one of the pre-conditions you specified did not hold'), { name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
      const [a, b] = cmd.input.Range!.replace('bytes=', '').split('-').map(Number);
      return { Body: (async function* () { yield body.subarray(a, b + 1); })() };
    },
  } as unknown as S3Client;
  const config = loadConfig(undefined, { LARDER_LOG_LEVEL: 'silent' });
  const loader = new S3StreamingLoader(config, { s3, cache: new TmpCache({ dir: join(dir, 'cache'), maxBytes: 10_000_000 }) });
  const rows = await loader.companies();
  expect(rows[0].ticker).toBe('NEW');
  expect(calls).toEqual(['HeadObject', 'GetObject', 'HeadObject', 'GetObject']);
  await loader.settled();
  expect(loader.cacheState().entries![0]).toMatchObject({ etag: '"new"' });
});
