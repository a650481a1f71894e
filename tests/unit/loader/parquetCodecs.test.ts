import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pl from 'nodejs-polars';
import { parquetMetadata } from 'hyparquet';
import { afterAll, describe, expect, it } from 'vitest';
import { readColumns } from '../../../src/loader/smallTables';

const dir = mkdtempSync(join(tmpdir(), 'larder-codecs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rows = 5000; // several pages' worth, so each codec decompresses real pages
const frame = pl.DataFrame({
  ticker: Array.from({ length: rows }, (_, i) => ['WMT', 'AAPL', 'XOM', 'Ünïcödé 🚀'][i % 4]),
  year: Array.from({ length: rows }, (_, i) => 2010 + (i % 12)),
  value: Array.from({ length: rows }, (_, i) => (i % 7 === 0 ? null : i * 1.5)),
});

describe('the small tables\' Parquet codecs (files written by polars)', () => {
  for (const [compression, codec] of [['zstd', 'ZSTD'], ['snappy', 'SNAPPY'], ['gzip', 'GZIP'], ['brotli', 'BROTLI'], ['lz4', 'LZ4_RAW'], ['uncompressed', 'UNCOMPRESSED']] as const) {
    it(`reads ${codec}`, async () => {
      const path = join(dir, `${compression}.parquet`);
      frame.writeParquet(path, { compression });
      const bytes = readFileSync(path);
      const meta = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
      expect(meta.row_groups[0].columns[0].meta_data?.codec).toBe(codec);
      const t = await readColumns(bytes, { label: path });
      expect(t.rows).toBe(rows);
      expect(t.columns.get('ticker')).toEqual(frame.getColumn('ticker').toArray());
      expect(t.columns.get('year')).toEqual(frame.getColumn('year').toArray().map(Number));
      expect(t.columns.get('value')).toEqual(frame.getColumn('value').toArray());
    });
  }
});
