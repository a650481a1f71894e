/**
 * nodejs-polars as the fallback decoder for embeddings Parquet the page reader declines (compressed,
 * dictionary-encoded, nulls, ragged rows): it decodes them or produces the precise error.
 *
 * It is loaded on first use through `createRequire`, never imported: esbuild cannot follow a
 * computed require, so the Lambda bundles (which do not list it as External) do not carry its
 * 98.6 MB native binary, and a process that never meets such a file never loads it. Where it is
 * absent (a deployed Lambda package), the error says what to do instead.
 */
import { createRequire } from 'node:module';
import type * as Polars from 'nodejs-polars';
import { LarderError } from '../errors';
import { normaliseRows } from './normalise';
import type { ParquetSource, ReadContext } from './smallTables';
import type { EmbeddingMatrix } from './types';

type PolarsModule = typeof Polars.default;
const POLARS = 'nodejs-polars';
let loaded: PolarsModule | undefined;

/** nodejs-polars, loaded on first call; a LarderError naming the fix when it is not installed. */
export function polars(label = 'this table'): PolarsModule {
  if (loaded) return loaded;
  try {
    const mod = createRequire(import.meta.url)(POLARS) as PolarsModule & { default?: PolarsModule };
    loaded = mod.default ?? mod;
    return loaded;
  } catch (err) {
    throw new LarderError(
      'TABLE_INVALID',
      `${label}: this Parquet is not in Larder's vector layout (FixedSizeList<float32>, PLAIN, uncompressed), and reading other layouts needs nodejs-polars, which this package does not carry (${firstLine(err)}). Rebuild the table with "npm run build:data", or add nodejs-polars to the function's External packages.`,
      { cause: err, details: { table: label } },
    );
  }
}

export function readFrame(source: ParquetSource, ctx: ReadContext): Polars.DataFrame {
  // nodejs-polars treats a string not ending in .parquet as inline file *contents*, not a path.
  if (typeof source === 'string' && !source.endsWith('.parquet')) throw new LarderError('INTERNAL', `readFrame: ${source}: Parquet paths must end in .parquet`);
  const pl = polars(ctx.label);
  try {
    return pl.readParquet(source);
  } catch (err) {
    throw new LarderError('TABLE_INVALID', `${ctx.label}: not a readable Parquet file (${firstLine(err)})`, { cause: err, details: { table: ctx.label } });
  }
}

export function readEmbeddingsWithPolars(source: ParquetSource, ctx: ReadContext & { model: string; dims?: number }): EmbeddingMatrix {
  const df = readFrame(source, ctx);
  requireColumns(df, ['sentenceID', 'embedding'], ctx);
  const col = df.getColumn('embedding');
  const count = df.height;
  const variant = (col.dtype as unknown as { variant: string }).variant;
  let dims: number;
  if (variant === 'FixedSizeList') {
    dims = (col.dtype as unknown as { inner: [unknown, number] }).inner[1];
  } else if (variant === 'List' || variant === 'Array') {
    // A List column works but costs a copy in explode; its lengths must all agree.
    const lengths = col.lst.lengths();
    const min = Number(lengths.min() ?? 0);
    const max = Number(lengths.max() ?? 0);
    if (min !== max) throw invalid(ctx, `embedding vectors have different lengths (${min}..${max}); every row must have the same length`);
    dims = max;
  } else {
    throw invalid(ctx, `column "embedding" is ${String(col.dtype)}; expected FixedSizeList(Float32, dims)`);
  }
  if (ctx.dims !== undefined && dims !== ctx.dims) throw invalid(ctx, `embedding vectors have length ${dims}; the model "${ctx.model}" is configured for ${ctx.dims}`);
  const nullRows = col.nullCount();
  if (nullRows > 0) throw invalid(ctx, `${nullRows} of ${count} rows have a null embedding`);
  const idCol = df.getColumn('sentenceID');
  if (idCol.nullCount() > 0) throw invalid(ctx, `${idCol.nullCount()} rows have a null sentenceID`);
  let values = col.explode();
  if (values.nullCount() > 0) throw invalid(ctx, `${values.nullCount()} null values inside embedding vectors`);
  if ((values.dtype as unknown as { variant: string }).variant !== 'Float32') values = values.cast(polars().Float32);
  const flat = values.toTypedArray() as Float32Array;
  if (flat.length !== count * dims) throw invalid(ctx, `expected ${count}×${dims} = ${count * dims} values, found ${flat.length}`);
  const vectors = flat.byteOffset % 4 === 0 ? flat : new Float32Array(flat);
  normaliseRows(vectors, dims);
  return { model: ctx.model, ids: idCol.toArray() as string[], vectors, dims, count };
}

function requireColumns(df: Polars.DataFrame, cols: readonly string[], ctx: ReadContext): void {
  const missing = cols.filter((c) => !df.columns.includes(c));
  if (missing.length) throw invalid(ctx, `missing column(s) ${missing.join(', ')} (has: ${df.columns.join(', ')})`);
}

function invalid(ctx: ReadContext, why: string): LarderError {
  return new LarderError('TABLE_INVALID', `${ctx.label}: ${why}`, { details: { table: ctx.label } });
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0];
}
