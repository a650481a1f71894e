/**
 * A fast path for the one Parquet layout Larder writes for embeddings: a FixedSizeList/List<float32>
 * column, PLAIN-encoded, uncompressed. It reads the footer (Thrift compact protocol), walks the
 * column's pages and puts the float bytes into one Float32Array — read straight from a file into a
 * preallocated array, or, for a download held in memory, moved into place inside the downloaded
 * bytes — no polars frame, about the speed of reading the bytes. It checks the definition levels
 * (no nulls) and the repetition levels (every row has exactly `dims` values).
 *
 * It also reads the ids column beside the vectors (a BYTE_ARRAY string column, PLAIN, uncompressed,
 * no nulls), so a Lambda needs no polars for Larder's embeddings.
 *
 * Anything else (compression, dictionary or other encodings, nulls, ragged rows, a layout it does
 * not recognise) returns null and the caller decodes with nodejs-polars, which also produces the
 * precise error for bad data. So this never decides that a file is invalid; it only declines.
 *
 * This file is the reader's API and its reads; the parts live in parquetPages/: thrift.ts (the compact
 * protocol), levels.ts (definition/repetition levels), plan.ts (footer and float-page walk),
 * strings.ts (the ids column), sources.ts (file or buffer), types.ts.
 */
import { planStrings, decodeStrings } from './parquetPages/strings';
import { planVectors, readFooter } from './parquetPages/plan';
import { bufferSource, fileSource } from './parquetPages/sources';
import type { FastEmbeddings, FastVectors, StringsPlan, VectorPlan } from './parquetPages/types';

export type { FastEmbeddings, FastVectors } from './parquetPages/types';

/** Reads the float vectors of `column`, or null when the file is not in the fast layout. */
export function readParquetVectorsFast(input: string | Buffer, column = 'embedding', dims?: number): FastVectors | null {
  const src = typeof input === 'string' ? fileSource(input) : bufferSource(input);
  try {
    const plan = planVectors(src, column, dims);
    if (!plan) return null;
    const bytes = new Uint8Array(plan.vectors.buffer, plan.vectors.byteOffset, plan.vectors.byteLength);
    for (const r of plan.reads) src.readInto(bytes, r.offset, r.position, r.length);
    return { vectors: plan.vectors, rows: plan.rows, dims: plan.dims };
  } catch {
    return null;
  } finally {
    src.close();
  }
}

/** The ids and the vectors of an embeddings Parquet in the fast layout (a file or a buffer), or null (then polars decides). */
export function readParquetEmbeddingsFast(input: string | Buffer, idColumn = 'sentenceID', column = 'embedding', dims?: number): FastEmbeddings | null {
  const src = typeof input === 'string' ? fileSource(input) : bufferSource(input);
  try {
    const footer = readFooter(src);
    const plan = footer && planVectors(src, column, dims, footer);
    const strings = plan && planStrings(footer, idColumn);
    if (!plan || !strings || strings.rows !== plan.rows) return null;
    const bytes = new Uint8Array(plan.vectors.buffer, plan.vectors.byteOffset, plan.vectors.byteLength);
    for (const r of plan.reads) src.readInto(bytes, r.offset, r.position, r.length);
    const ids = decodeStrings(strings.chunks.map((c) => src.read(c.position, c.length)), strings);
    return ids && { ids, vectors: plan.vectors, rows: plan.rows, dims: plan.dims };
  } catch {
    return null;
  } finally {
    src.close();
  }
}

/**
 * The same for a download held in memory and handed over: the vectors become a view over `buf`
 * itself instead of a second array of 4 bytes per float. The footer and page walk, the level checks
 * and the ids decode read `buf` as it is; then every float run is moved down to its place in row
 * order. Runs ascend and each moves toward the start of `buf` (its place ends before the next run's
 * bytes begin), so no run is overwritten before it moves. Null, with `buf` untouched, when the file is not in the fast layout.
 */
export function readParquetEmbeddingsInPlace(buf: Buffer, idColumn = 'sentenceID', column = 'embedding', dims?: number): FastEmbeddings | null {
  const src = bufferSource(buf);
  let plan: VectorPlan | null;
  let ids: string[] | null;
  let strings: StringsPlan | null;
  try {
    const footer = readFooter(src);
    const view = (floats: number) => (buf.byteOffset % 4 === 0 && floats * 4 <= buf.length ? new Float32Array(buf.buffer, buf.byteOffset, floats) : null);
    plan = footer && planVectors(src, column, dims, footer, view);
    strings = plan && planStrings(footer!, idColumn);
    if (!plan || !strings || strings.rows !== plan.rows || plan.reads.some((r) => r.offset > r.position)) return null;
    ids = decodeStrings(strings.chunks.map((c) => src.read(c.position, c.length)), strings);
    if (!ids) return null;
  } catch {
    return null;
  }
  for (const r of plan.reads) if (r.offset !== r.position) buf.copyWithin(r.offset, r.position, r.position + r.length);
  return { ids, vectors: plan.vectors, rows: plan.rows, dims: plan.dims };
}
