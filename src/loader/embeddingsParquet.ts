/**
 * Embeddings Parquet → a normalised contiguous matrix. The page reader (parquetVectors.ts) reads
 * Larder's own layout at disk speed with no native code; anything else falls back to nodejs-polars,
 * loaded only then (polarsFallback.ts), so a Lambda package does not need to carry it.
 */
import { readParquetEmbeddingsFast, readParquetEmbeddingsInPlace } from './parquetVectors';
import { readEmbeddingsWithPolars } from './polarsFallback';
import type { ReadContext, ParquetSource } from './smallTables';
import { normaliseRows } from './normalise';
import type { EmbeddingMatrix } from './types';

export { normaliseRows };

/** Reads an embeddings table (sentenceID, embedding) into a normalised contiguous matrix. */
export function readEmbeddingsParquet(source: ParquetSource, ctx: ReadContext & { model: string; dims?: number }): EmbeddingMatrix {
  const fast = readParquetEmbeddingsFast(source, 'sentenceID', 'embedding', ctx.dims);
  if (!fast) return readEmbeddingsWithPolars(source, ctx);
  normaliseRows(fast.vectors, fast.dims);
  return { model: ctx.model, ids: fast.ids, vectors: fast.vectors, dims: fast.dims, count: fast.rows };
}

/**
 * The same for a fresh download held in memory and handed over: the page reader moves the float runs
 * into place inside `bytes` (see readParquetEmbeddingsInPlace), so the vectors are a view over them
 * and no second array is allocated. Falls back to readEmbeddingsParquet (a copy, or polars) when
 * the page reader declines; `bytes` is untouched then.
 */
export function readEmbeddingsDownloaded(bytes: Buffer, ctx: ReadContext & { model: string; dims?: number }): EmbeddingMatrix {
  const fast = readParquetEmbeddingsInPlace(bytes, 'sentenceID', 'embedding', ctx.dims);
  if (!fast) return readEmbeddingsParquet(bytes, ctx);
  normaliseRows(fast.vectors, fast.dims);
  return { model: ctx.model, ids: fast.ids, vectors: fast.vectors, dims: fast.dims, count: fast.rows };
}
