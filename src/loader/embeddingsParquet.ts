/**
 * Embeddings Parquet → a normalised contiguous matrix. The page reader (parquetVectors.ts) reads
 * Larder's own layout at disk speed with no native code; anything else falls back to nodejs-polars,
 * loaded only then (polarsFallback.ts), so a Lambda package does not need to carry it.
 */
import { ContentChecksumError, crc32 } from './checksum';
import { floatRunCrcs, readParquetEmbeddingsFast, readParquetEmbeddingsFastAsync, readParquetEmbeddingsWithLayoutAsync, type EmbeddingsLayout } from './parquetVectors';
import { readEmbeddingsWithPolars } from './polarsFallback';
import type { ReadContext, ParquetSource } from './smallTables';
import { normaliseRows } from './normalise';
import type { EmbeddingMatrix } from './types';

export { normaliseRows };

/** Reads an embeddings table (sentenceID, embedding) into a normalised contiguous matrix. */
export function readEmbeddingsParquet(source: ParquetSource, ctx: ReadContext & { model: string; dims?: number }): EmbeddingMatrix {
  return readEmbeddingsParquetDetailed(source, ctx).matrix;
}

/**
 * The same, saying whether the fast page reader (parquetVectors.ts) decoded the vectors: then the
 * Parquet itself is the fastest on-disk form and the /tmp cache keeps it as downloaded.
 */
export function readEmbeddingsParquetDetailed(
  source: ParquetSource,
  ctx: ReadContext & { model: string; dims?: number; knownNormalised?: boolean },
): { matrix: EmbeddingMatrix; fast: boolean; storedNormalised: boolean; layout?: EmbeddingsLayout; floatCrcs?: number[]; idsCrc?: number } {
  const fast = readParquetEmbeddingsFast(source, 'sentenceID', 'embedding', ctx.dims);
  if (fast) {
    // Checksums of the bytes as stored, taken before normalising: what a warm load reads back.
    const floatCrcs = floatRunCrcs(fast.vectors, fast.layout);
    const scaled = ctx.knownNormalised ? 0 : normaliseRows(fast.vectors, fast.dims);
    const matrix = { model: ctx.model, ids: fast.ids, vectors: fast.vectors, dims: fast.dims, count: fast.rows };
    return { matrix, fast: true, storedNormalised: scaled === 0, layout: fast.layout, floatCrcs, idsCrc: idsCrc(fast.ids) };
  }
  return { matrix: readEmbeddingsWithPolars(source, ctx), fast: false, storedNormalised: false };
}

/**
 * Warm path for a cached Parquet: ids and float bytes are read off the event loop by the page reader
 * (see parquetVectors.ts), no polars; polars only when the file is not in the fast layout.
 */
export async function readEmbeddingsParquetAsync(
  path: string,
  ctx: ReadContext & { model: string; dims?: number; knownNormalised?: boolean; layout?: EmbeddingsLayout; floatCrcs?: number[]; idsCrc?: number },
): Promise<EmbeddingMatrix> {
  const known = ctx.layout && (ctx.dims === undefined || ctx.layout.dims === ctx.dims) ? await readParquetEmbeddingsWithLayoutAsync(path, ctx.layout, 4, ctx.floatCrcs) : null;
  if (ctx.floatCrcs && !known) throw new ContentChecksumError(`${path} (no longer fits the layout recorded with its checksums)`);
  if (known && ctx.idsCrc !== undefined && idsCrc(known.ids) !== ctx.idsCrc) throw new ContentChecksumError(`${path} (ids)`);
  const fast = known ?? (await readParquetEmbeddingsFastAsync(path, 'sentenceID', 'embedding', ctx.dims));
  if (fast) {
    if (!ctx.knownNormalised) normaliseRows(fast.vectors, fast.dims);
    return { model: ctx.model, ids: fast.ids, vectors: fast.vectors, dims: fast.dims, count: fast.rows };
  }
  return readEmbeddingsWithPolars(path, ctx);
}

/** CRC-32 of the ids in row order (joined by "\n"): a few ms for 100k ids. */
export function idsCrc(ids: string[]): number {
  return crc32(Buffer.from(ids.join('\n')));
}
