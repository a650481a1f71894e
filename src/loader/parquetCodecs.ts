/**
 * The decompressors hyparquet gets for the small tables: ZSTD (polars' default, the dimensions in
 * data_cache/) from fzstd; GZIP and BROTLI from Node's own zlib (native); LZ4 and LZ4_RAW from
 * hyparquet-compressors' one small module; SNAPPY (pyarrow's default, the KPI facts) is hyparquet's
 * own. Not hyparquet-compressors' `compressors`: importing it evaluates its pure-JS brotli (with a
 * 79 KB dictionary), its gzip tables and a wasm snappy at module load — ~100 KB of bundle and a few
 * ms of every cold start, for codecs Node already has natively.
 */
import { decompress as zstdDecompress } from 'fzstd';
import type { Compressors } from 'hyparquet';
import { decompressLz4, decompressLz4Raw } from 'hyparquet-compressors/src/lz4.js';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';

export const parquetCodecs: Compressors = {
  ZSTD: (input) => zstdDecompress(input),
  GZIP: (input) => gunzipSync(input),
  BROTLI: (input) => brotliDecompressSync(input),
  LZ4: decompressLz4,
  LZ4_RAW: decompressLz4Raw,
};
