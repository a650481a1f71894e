import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pl from 'nodejs-polars';
import { afterAll, describe, expect, it } from 'vitest';
import { normaliseRows, readEmbeddingsParquet } from '../../../src/loader/embeddingsParquet';
import { writeEmbeddingsParquet } from '../../../src/dataset/embeddingsParquet';
import { readVectorFile, writeVectorFile } from '../../../src/loader/vectorFile';

const dir = mkdtempSync(join(tmpdir(), 'larder-vectors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sample = (n: number, d: number) => Float32Array.from({ length: n * d }, (_, i) => ((i * 37) % 101) - 50);

describe('embeddings Parquet', () => {
  it('writes FixedSizeList(Float32, d) from a flat array and reads it back normalised, same order', () => {
    const path = join(dir, 'e.parquet');
    const v = sample(5, 8);
    writeEmbeddingsParquet(path, ['a', 'b', 'c', 'd', 'e'], v, 8);
    expect(String(pl.readParquet(path).getColumn('embedding').dtype)).toContain('FixedSizeList');
    const m = readEmbeddingsParquet(path, { label: path, model: 'm', dims: 8 });
    const expected = Float32Array.from(v);
    normaliseRows(expected, 8);
    expect(m.ids).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(Array.from(m.vectors)).toEqual(Array.from(expected));
  });

  it('accepts a List column whose rows all have the configured length', () => {
    const path = join(dir, 'list.parquet');
    pl.DataFrame({ sentenceID: ['a', 'b'], embedding: pl.Series('embedding', [[3, 4], [0, 2]], pl.List(pl.Float64)) }).writeParquet(path);
    const m = readEmbeddingsParquet(path, { label: path, model: 'm', dims: 2 });
    expect(Array.from(m.vectors)).toEqual([0.6000000238418579, 0.800000011920929, 0, 1]);
  });

  it('rejects ragged List vectors, nulls inside vectors and missing columns, naming the file', () => {
    const ragged = join(dir, 'ragged.parquet');
    pl.DataFrame({ sentenceID: ['a', 'b'], embedding: pl.Series('embedding', [[1, 2], [1]], pl.List(pl.Float32)) }).writeParquet(ragged);
    expect(() => readEmbeddingsParquet(ragged, { label: ragged, model: 'm' })).toThrow(/ragged.parquet: embedding vectors have different lengths \(1..2\)/);
    const inner = join(dir, 'inner.parquet');
    pl.DataFrame({ sentenceID: ['a'], embedding: pl.Series('embedding', [[1, null]], pl.List(pl.Float32)) }).writeParquet(inner);
    expect(() => readEmbeddingsParquet(inner, { label: inner, model: 'm', dims: 2 })).toThrow(/1 null values inside embedding vectors/);
    const nocol = join(dir, 'nocol.parquet');
    pl.DataFrame({ sentenceID: ['a'] }).writeParquet(nocol);
    expect(() => readEmbeddingsParquet(nocol, { label: nocol, model: 'm' })).toThrow(/missing column\(s\) embedding/);
  });
});

describe('vector file (the /tmp form of embeddings)', () => {
  it('round-trips ids and vectors; the vectors are a view over the file bytes', () => {
    const path = join(dir, 'v.f32');
    const vectors = sample(3, 4);
    normaliseRows(vectors, 4);
    writeVectorFile(path, { model: 'cohere_v4', ids: ['x', 'y', 'z'], vectors, dims: 4, count: 3 });
    const m = readVectorFile(path);
    expect(m).toMatchObject({ model: 'cohere_v4', ids: ['x', 'y', 'z'], dims: 4, count: 3 });
    expect(Array.from(m.vectors)).toEqual(Array.from(vectors));
    expect(m.vectors.byteOffset % 4).toBe(0);
  });

  it('written in the background with block checksums, read back checked: a flipped byte anywhere is caught', async () => {
    const { writeVectorFileAsync, readVectorFileChecked } = await import('../../../src/loader/vectorFile');
    const { ContentChecksumError } = await import('../../../src/loader/checksum');
    const path = join(dir, 'checked.f32');
    const vectors = sample(3000, 512); // 6 MB: two checksum blocks
    normaliseRows(vectors, 512);
    const ids = Array.from({ length: 3000 }, (_, i) => `id${i}`);
    const checks = await writeVectorFileAsync(path, { model: 'cohere_v4', ids, vectors, dims: 512, count: 3000 });
    expect(checks.blockCrcs.length).toBe(2);
    const m = await readVectorFileChecked(path, checks);
    expect(m.ids).toEqual(ids);
    expect(Buffer.from(m.vectors.buffer, m.vectors.byteOffset, m.vectors.byteLength).equals(Buffer.from(vectors.buffer))).toBe(true);
    for (const at of [20, checks.vectorsOffset + 5, checks.vectorsOffset + checks.blockBytes + 7]) {
      const bytes = readFileSync(path);
      bytes[at] ^= 0x01;
      writeFileSync(path, bytes);
      await expect(readVectorFileChecked(path, checks)).rejects.toBeInstanceOf(ContentChecksumError);
      bytes[at] ^= 0x01;
      writeFileSync(path, bytes);
    }
    truncateSync(path, checks.vectorsOffset + 10);
    await expect(readVectorFileChecked(path, checks)).rejects.toBeInstanceOf(ContentChecksumError);
  });

  it('detects a truncated file by its size', () => {
    const path = join(dir, 't.f32');
    writeVectorFile(path, { model: 'm', ids: ['a', 'b'], vectors: sample(2, 4), dims: 4, count: 2 });
    truncateSync(path, 100);
    expect(() => readVectorFile(path)).toThrow(/corrupt: size 100 bytes, header says/);
  });
});

describe('fast Parquet page reader', () => {
  it('reads the vectors Larder writes, bit for bit the same as polars', async () => {
    const { readParquetVectorsFast } = await import('../../../src/loader/parquetVectors');
    const path = join(dir, 'fast.parquet');
    const v = sample(300, 16);
    writeEmbeddingsParquet(path, Array.from({ length: 300 }, (_, i) => `id${i}`), v, 16);
    const fast = readParquetVectorsFast(path, 'embedding', 16);
    expect(fast).toMatchObject({ rows: 300, dims: 16 });
    expect(Array.from(fast!.vectors)).toEqual(Array.from(v));
    expect(readParquetVectorsFast(path, 'embedding')?.dims).toBe(16); // dims found from the rows
  });

  it('declines (null) compressed files, nulls, ragged rows and other columns, so polars decides', async () => {
    const { readParquetVectorsFast } = await import('../../../src/loader/parquetVectors');
    const zstd = join(dir, 'fast-zstd.parquet');
    pl.DataFrame({ sentenceID: ['a', 'b'], embedding: pl.Series('embedding', [[1, 2], [3, 4]], pl.List(pl.Float32)) }).writeParquet(zstd, { compression: 'zstd' });
    expect(readParquetVectorsFast(zstd, 'embedding', 2)).toBeNull();
    const nulls = join(dir, 'fast-nulls.parquet');
    pl.DataFrame({ sentenceID: ['a', 'b'], embedding: pl.Series('embedding', [[1, 2], null], pl.List(pl.Float32)) }).writeParquet(nulls, { compression: 'uncompressed' });
    expect(readParquetVectorsFast(nulls, 'embedding', 2)).toBeNull();
    const ragged = join(dir, 'fast-ragged.parquet');
    pl.DataFrame({ sentenceID: ['a', 'b'], embedding: pl.Series('embedding', [[1, 2, 3], [4]], pl.List(pl.Float32)) }).writeParquet(ragged, { compression: 'uncompressed' });
    expect(readParquetVectorsFast(ragged, 'embedding', 2)).toBeNull();
    expect(readParquetVectorsFast(ragged, 'embedding')).toBeNull();
    expect(readParquetVectorsFast(ragged, 'no_such_column')).toBeNull();
    expect(readParquetVectorsFast(Buffer.from('not parquet at all'), 'embedding')).toBeNull();
  });

  it('reads the ids column too, the same as polars, from a file, a buffer and in place, across many pages (no polars)', async () => {
    const { readParquetEmbeddingsFast, readParquetEmbeddingsInPlace } = await import('../../../src/loader/parquetVectors');
    const n = 60_000; // ids of ~30 bytes: more than one 1 MiB page
    const v = sample(n, 4);
    // ASCII ids (decoded a page at a time) and some that are not (decoded one by one).
    for (const accent of ['', '_ünï']) {
      const path = join(dir, `ids${accent ? '-utf8' : ''}.parquet`);
      const ids = Array.from({ length: n }, (_, i) => `0000${i}_10-K_2020_section_7_${i % 997}${i % 7 === 0 ? accent : ''}`);
      writeEmbeddingsParquet(path, ids, v, 4);
      const polarsIds = pl.readParquet(path, { columns: ['sentenceID'] }).getColumn('sentenceID').toArray();
      const sync = readParquetEmbeddingsFast(path, 'sentenceID', 'embedding', 4);
      const fromBuffer = readParquetEmbeddingsFast(readFileSync(path), 'sentenceID', 'embedding', 4);
      const download = readFileSync(path);
      const inPlace = readParquetEmbeddingsInPlace(download, 'sentenceID', 'embedding', 4);
      expect(inPlace!.vectors.buffer).toBe(download.buffer); // a view over the downloaded bytes, no second array
      for (const r of [sync, fromBuffer, inPlace]) {
        expect(r).not.toBeNull();
        expect(r!.ids).toEqual(polarsIds);
        expect(r!.ids).toEqual(ids);
        expect(Array.from(r!.vectors)).toEqual(Array.from(v));
      }
    }
  });

  it('moves the float runs of a download into place without losing a byte, over many pages and row groups', async () => {
    const { readParquetEmbeddingsInPlace } = await import('../../../src/loader/parquetVectors');
    const path = join(dir, 'inplace.parquet');
    const n = 5_000;
    const ids = Array.from({ length: n }, (_, i) => `s${i}`);
    const v = sample(n, 64); // 1.25 MB of floats: several pages, each moved toward the start
    writeEmbeddingsParquet(path, ids, v, 64);
    const r = readParquetEmbeddingsInPlace(readFileSync(path), 'sentenceID', 'embedding', 64)!;
    expect(r.ids).toEqual(ids);
    expect(Array.from(r.vectors)).toEqual(Array.from(v));
    // A layout it does not read leaves the bytes as they were (polars reads them then).
    const zstd = join(dir, 'inplace-zstd.parquet');
    pl.DataFrame({ sentenceID: ['a', 'b'], embedding: pl.Series('embedding', [[1, 2], [3, 4]], pl.List(pl.Float32)) }).writeParquet(zstd, { compression: 'zstd' });
    const bytes = readFileSync(zstd);
    const before = Buffer.from(bytes);
    expect(readParquetEmbeddingsInPlace(bytes, 'sentenceID', 'embedding', 2)).toBeNull();
    expect(bytes.equals(before)).toBe(true);
  });

  it('declines ids it cannot read plainly (nulls, compressed, not strings, missing), so polars decides', async () => {
    const { readParquetEmbeddingsFast, readParquetEmbeddingsInPlace } = await import('../../../src/loader/parquetVectors');
    const embedding = pl.Series('embedding', [[1, 2], [3, 4]], pl.List(pl.Float32));
    const cases: [string, pl.DataFrame, 'uncompressed' | 'zstd'][] = [
      ['null-id', pl.DataFrame({ sentenceID: ['a', null], embedding }), 'uncompressed'],
      ['int-id', pl.DataFrame({ sentenceID: [1, 2], embedding }), 'uncompressed'],
      ['no-id', pl.DataFrame({ other: ['a', 'b'], embedding }), 'uncompressed'],
    ];
    for (const [name, df, compression] of cases) {
      const path = join(dir, `${name}.parquet`);
      df.writeParquet(path, { compression });
      expect(readParquetEmbeddingsFast(path, 'sentenceID', 'embedding', 2)).toBeNull();
      expect(readParquetEmbeddingsInPlace(readFileSync(path), 'sentenceID', 'embedding', 2)).toBeNull();
    }
    const zstdIds = join(dir, 'zstd-ids.parquet');
    pl.DataFrame({ sentenceID: ['a', 'b'], embedding }).writeParquet(zstdIds, { compression: 'zstd' });
    expect(readParquetEmbeddingsFast(zstdIds, 'sentenceID', 'embedding', 2)).toBeNull();
    // The loader then reads it with polars: a null id is reported, not skipped.
    const nullId = join(dir, 'null-id.parquet');
    expect(() => readEmbeddingsParquet(nullId, { label: nullId, model: 'm', dims: 2 })).toThrow(/null sentenceID/);
  });
});
