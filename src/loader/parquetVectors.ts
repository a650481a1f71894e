/**
 * A fast path for the one Parquet layout Larder writes for embeddings: a FixedSizeList/List<float32>
 * column, PLAIN-encoded, uncompressed. It reads the footer (Thrift compact protocol), walks the
 * column's pages and reads the float bytes straight from the file into one preallocated
 * Float32Array — no polars frame, no second copy, about the speed of reading the bytes. It checks
 * the definition levels (no nulls) and the repetition levels (every row has exactly `dims` values).
 *
 * It also reads the ids column beside the vectors (a BYTE_ARRAY string column, PLAIN, uncompressed,
 * no nulls), so a warm load of a cached embeddings Parquet needs no polars at all.
 *
 * Anything else (compression, dictionary or other encodings, nulls, ragged rows, a layout it does
 * not recognise) returns null and the caller decodes with nodejs-polars, which also produces the
 * precise error for bad data. So this never decides that a file is invalid; it only declines.
 *
 * This file is the reader's API and its reads; the parts live in parquetPages/: thrift.ts (the compact
 * protocol), levels.ts (definition/repetition levels), plan.ts (footer and float-page walk),
 * strings.ts (the ids column), sources.ts (file or buffer), types.ts.
 */
import { closeSync, openSync, read } from 'node:fs';
import { ContentChecksumError, crc32 } from './checksum';
import { planStrings, decodeStrings } from './parquetPages/strings';
import { planVectors, readFooter } from './parquetPages/plan';
import { bufferSource, fileSource, type Source } from './parquetPages/sources';
import type { EmbeddingsLayout, FastEmbeddings, FastVectors, Footer, StringsPlan, VectorPlan } from './parquetPages/types';

export type { EmbeddingsLayout, FastEmbeddings, FastVectors } from './parquetPages/types';

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

/**
 * The ids and the vectors of an embeddings Parquet in the fast layout, or null (then polars decides).
 * The sync form serves cold loads (a fresh download, a file or a buffer).
 */
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
    return ids && { ids, vectors: plan.vectors, rows: plan.rows, dims: plan.dims, layout: layoutOf(plan, strings) };
  } catch {
    return null;
  } finally {
    src.close();
  }
}

/**
 * The same for a cached file, with the float runs and the ids column chunk read on the libuv thread
 * pool (several reads at once) after a synchronous footer and page-header walk, so the event loop
 * stays free — the loader's HeadObject revalidation proceeds meanwhile. No polars.
 */
export async function readParquetEmbeddingsFastAsync(path: string, idColumn = 'sentenceID', column = 'embedding', dims?: number, concurrency = 4): Promise<FastEmbeddings | null> {
  const plan = planFile(path, (src, footer) => {
    const vectors = planVectors(src, column, dims, footer);
    const strings = vectors && planStrings(footer, idColumn);
    return vectors && strings && strings.rows === vectors.rows ? { vectors, strings } : null;
  });
  if (!plan) return null;
  return readWithPlan(path, plan.vectors, plan.strings, concurrency);
}

/**
 * A warm load with a layout recorded when these exact bytes were validated (the cache entry's ETag
 * and size still match S3): no footer or page-header walk, the reads are queued at once. The ids
 * pages are still parsed (and their levels checked) as they are decoded; a file that no longer fits
 * the layout reads as null (then the caller walks it, or drops the entry).
 */
export async function readParquetEmbeddingsWithLayoutAsync(path: string, layout: EmbeddingsLayout, concurrency = 4, floatCrcs?: number[]): Promise<FastEmbeddings | null> {
  if (layout.v !== 1 || !(layout.rows >= 0) || !(layout.dims > 0)) return null;
  const vectors: VectorPlan = {
    vectors: new Float32Array(layout.rows * layout.dims),
    rows: layout.rows,
    dims: layout.dims,
    reads: layout.floats.map(([position, length, offset]) => ({ position, length, offset })),
  };
  if (vectors.reads.some((r) => r.offset + r.length > vectors.vectors.byteLength)) return null;
  const strings: StringsPlan = { chunks: layout.ids.map(([position, length]) => ({ position, length })), def: layout.def, rows: layout.rows };
  if (floatCrcs && floatCrcs.length !== vectors.reads.length) throw new ContentChecksumError(`${path} (${floatCrcs.length} checksums for ${vectors.reads.length} float runs)`);
  return readWithPlan(path, vectors, strings, concurrency, floatCrcs);
}

/** CRC-32 of each float run as stored in the file (before any normalisation): the cache records them. */
export function floatRunCrcs(vectors: Float32Array, layout: EmbeddingsLayout): number[] {
  const bytes = new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength);
  return layout.floats.map(([, length, offset]) => crc32(bytes.subarray(offset, offset + length)));
}

async function readWithPlan(path: string, vectors: VectorPlan, strings: StringsPlan, concurrency: number, floatCrcs?: number[]): Promise<FastEmbeddings | null> {
  // The ids chunk is queued first and decoded as soon as it arrives, while the float runs still stream in.
  const idChunks = strings.chunks.map((c) => ({ ...c, buf: Buffer.allocUnsafe(c.length) }));
  const reading = readRuns(path, idChunks.map((c) => ({ target: c.buf, offset: 0, position: c.position, length: c.length })), 1).then((ok) => {
    try {
      return ok ? decodeStrings(idChunks.map((c) => c.buf), strings) : null;
    } catch {
      return null;
    }
  });
  // Each float run is checked against its recorded CRC as soon as it lands, while other reads are
  // still in flight on the thread pool, so the check mostly hides behind the I/O.
  const runs = vectorRuns(vectors);
  let corruptRun = -1;
  const check = floatCrcs
    ? (i: number) => {
        const r = runs[i];
        if (corruptRun < 0 && crc32(r.target.subarray(r.offset, r.offset + r.length)) !== floatCrcs[i]) corruptRun = i;
      }
    : undefined;
  const [ids, floatsOk] = await Promise.all([reading, readRuns(path, runs, concurrency, check)]);
  if (corruptRun >= 0) throw new ContentChecksumError(`${path} (float run ${corruptRun} at byte ${runs[corruptRun].position})`);
  return ids && floatsOk ? { ids, vectors: vectors.vectors, rows: vectors.rows, dims: vectors.dims, layout: layoutOf(vectors, strings) } : null;
}

function layoutOf(vectors: VectorPlan, strings: StringsPlan): EmbeddingsLayout {
  return {
    v: 1,
    rows: vectors.rows,
    dims: vectors.dims,
    floats: vectors.reads.map((r) => [r.position, r.length, r.offset]),
    ids: strings.chunks.map((c) => [c.position, c.length]),
    def: strings.def,
  };
}

/**
 * The float vectors of a file, read on the libuv thread pool (several reads at once), so the event
 * loop stays free.
 */
export async function readParquetVectorsFastAsync(path: string, column = 'embedding', dims?: number, concurrency = 4): Promise<FastVectors | null> {
  const plan = planFile(path, (src, footer) => planVectors(src, column, dims, footer));
  if (!plan || !(await readRuns(path, vectorRuns(plan), concurrency))) return null;
  return { vectors: plan.vectors, rows: plan.rows, dims: plan.dims };
}

/** Opens `path`, reads its footer and plans the reads synchronously; null when it is not in the fast layout. */
function planFile<P>(path: string, plan: (src: Source, footer: Footer) => P | null): P | null {
  let src: Source | null = null;
  try {
    src = fileSource(path);
    const footer = readFooter(src);
    return footer && plan(src, footer);
  } catch {
    return null;
  } finally {
    src?.close();
  }
}

interface Run {
  target: Uint8Array;
  offset: number;
  position: number;
  length: number;
}

function vectorRuns(plan: VectorPlan): Run[] {
  const bytes = new Uint8Array(plan.vectors.buffer, plan.vectors.byteOffset, plan.vectors.byteLength);
  return plan.reads.map((r) => ({ target: bytes, offset: r.offset, position: r.position, length: r.length }));
}

/** Reads every run at its position, `concurrency` reads in flight on the thread pool; false on any failure. */
async function readRuns(path: string, runs: Run[], concurrency: number, onRunRead?: (index: number) => void): Promise<boolean> {
  // A sync open and callback reads: the first reads are queued before this function first yields.
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return false;
  }
  const readAt = (target: Uint8Array, offset: number, length: number, position: number) =>
    new Promise<number>((resolve, reject) => read(fd, target, offset, length, position, (err, n) => (err ? reject(err) : resolve(n))));
  try {
    let next = 0;
    const worker = async () => {
      while (next < runs.length) {
        const index = next++;
        const r = runs[index];
        let done = 0;
        while (done < r.length) {
          const bytesRead = await readAt(r.target, r.offset + done, r.length - done, r.position + done);
          if (bytesRead === 0) throw new Error('unexpected end of file');
          done += bytesRead;
        }
        onRunRead?.(index);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, runs.length) }, worker));
    return true;
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}
