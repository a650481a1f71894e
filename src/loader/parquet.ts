/**
 * Parquet ⇄ Larder tables through nodejs-polars (pinned 0.24.1).
 *
 * Vectors never pass through JS numbers: the embedding column is FixedSizeList(Float32, dims); it is
 * read with `explode().toTypedArray()` (one contiguous Float32Array) and written from a flat
 * Float32Array by wrapping it zero-copy in an Arrow FixedSizeList vector, writing Arrow IPC and
 * letting polars turn that into Parquet (0.24.1 has no Expr.reshape). Other tables are small or
 * mostly text and go through polars' column accessors.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pl from 'nodejs-polars';
import * as arrow from 'apache-arrow';
import { LarderError } from '../errors';
import { readParquetEmbeddingsFast, readParquetEmbeddingsFastAsync, readParquetEmbeddingsWithLayoutAsync, type EmbeddingsLayout } from './parquetVectors';
import type { CompanyRow, EmbeddingMatrix, KpiFactRow, SectionRow, SentencesTable } from './types';

export type ParquetSource = string | Buffer;

/** Where a table came from, for error messages (a path, an s3:// URI). */
export interface ReadContext {
  label: string;
}

export const SENTENCE_COLUMNS = [
  'sentenceID', 'docID', 'cik_int', 'company_name', 'ticker', 'report_year', 'section_item', 'section_name',
  'sentence', 'sentence_pos', 'prev_sentence_id', 'next_sentence_id',
] as const;

export function readFrame(source: ParquetSource, ctx: ReadContext, columns?: string[]): pl.DataFrame {
  // nodejs-polars treats a string not ending in .parquet as inline file *contents*, not a path.
  if (typeof source === 'string' && !source.endsWith('.parquet')) throw new LarderError('INTERNAL', `readFrame: ${source}: Parquet paths must end in .parquet`);
  try {
    return pl.readParquet(source, columns ? { columns } : {});
  } catch (err) {
    throw new LarderError('TABLE_INVALID', `${ctx.label}: not a readable Parquet file (${firstLine(err)})`, { cause: err, details: { table: ctx.label } });
  }
}

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
): { matrix: EmbeddingMatrix; fast: boolean; storedNormalised: boolean; layout?: EmbeddingsLayout } {
  const fast = readParquetEmbeddingsFast(source, 'sentenceID', 'embedding', ctx.dims);
  if (fast) {
    const scaled = ctx.knownNormalised ? 0 : normaliseRows(fast.vectors, fast.dims);
    const matrix = { model: ctx.model, ids: fast.ids, vectors: fast.vectors, dims: fast.dims, count: fast.rows };
    return { matrix, fast: true, storedNormalised: scaled === 0, layout: fast.layout };
  }
  return { matrix: readEmbeddingsWithPolars(source, ctx), fast: false, storedNormalised: false };
}

/**
 * Warm path for a cached Parquet: ids and float bytes are read off the event loop by the page reader
 * (see parquetVectors.ts), no polars; polars only when the file is not in the fast layout.
 */
export async function readEmbeddingsParquetAsync(
  path: string,
  ctx: ReadContext & { model: string; dims?: number; knownNormalised?: boolean; layout?: EmbeddingsLayout },
): Promise<EmbeddingMatrix> {
  const known = ctx.layout && (ctx.dims === undefined || ctx.layout.dims === ctx.dims) ? await readParquetEmbeddingsWithLayoutAsync(path, ctx.layout) : null;
  const fast = known ?? (await readParquetEmbeddingsFastAsync(path, 'sentenceID', 'embedding', ctx.dims));
  if (fast) {
    if (!ctx.knownNormalised) normaliseRows(fast.vectors, fast.dims);
    return { model: ctx.model, ids: fast.ids, vectors: fast.vectors, dims: fast.dims, count: fast.rows };
  }
  return readEmbeddingsWithPolars(path, ctx);
}

function readEmbeddingsWithPolars(source: ParquetSource, ctx: ReadContext & { model: string; dims?: number }): EmbeddingMatrix {
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
  if ((values.dtype as unknown as { variant: string }).variant !== 'Float32') values = values.cast(pl.Float32);
  const flat = values.toTypedArray() as Float32Array;
  if (flat.length !== count * dims) throw invalid(ctx, `expected ${count}×${dims} = ${count * dims} values, found ${flat.length}`);
  const vectors = flat.byteOffset % 4 === 0 ? flat : new Float32Array(flat);
  normaliseRows(vectors, dims);
  return { model: ctx.model, ids: idCol.toArray() as string[], vectors, dims, count };
}

/**
 * L2-normalises each row in place (a zero row stays zero). Returns how many rows needed scaling:
 * 0 means the stored vectors were already normalised, which the /tmp cache records so a warm load
 * of the same bytes can skip this pass.
 */
export function normaliseRows(vectors: Float32Array, dims: number): number {
  let scaled = 0;
  const tail = dims & 3;
  for (let off = 0; off < vectors.length; off += dims) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    const end4 = off + dims - tail;
    for (let j = off; j < end4; j += 4) {
      const a = vectors[j];
      const b = vectors[j + 1];
      const c = vectors[j + 2];
      const d = vectors[j + 3];
      s0 += a * a;
      s1 += b * b;
      s2 += c * c;
      s3 += d * d;
    }
    for (let j = end4; j < off + dims; j++) s0 += vectors[j] * vectors[j];
    const s = s0 + s1 + s2 + s3;
    if (s === 0 || Math.abs(s - 1) < 1e-5) continue;
    scaled++;
    const inv = 1 / Math.sqrt(s);
    for (let j = off, end = off + dims; j < end; j++) vectors[j] *= inv;
  }
  return scaled;
}

export function readSentencesParquet(source: ParquetSource, ctx: ReadContext): SentencesTable {
  const df = readFrame(source, ctx);
  requireColumns(df, SENTENCE_COLUMNS.filter((c) => !c.endsWith('_sentence_id')), ctx);
  const ids = strings(df, 'sentenceID');
  const rowById = new Map<string, number>();
  for (let i = 0; i < ids.length; i++) rowById.set(ids[i], i);
  if (rowById.size !== ids.length) throw invalid(ctx, `${ids.length - rowById.size} duplicate sentenceID values`);
  const has = (c: string) => df.columns.includes(c);
  return {
    count: df.height,
    sentenceID: ids,
    docID: strings(df, 'docID'),
    cik_int: int32(df, 'cik_int'),
    company_name: strings(df, 'company_name'),
    ticker: strings(df, 'ticker'),
    report_year: int32(df, 'report_year'),
    section_item: strings(df, 'section_item'),
    section_name: strings(df, 'section_name'),
    sentence: strings(df, 'sentence'),
    sentence_pos: int32(df, 'sentence_pos'),
    rowById,
    prev_sentence_id: has('prev_sentence_id') ? nullableStrings(df, 'prev_sentence_id') : undefined,
    next_sentence_id: has('next_sentence_id') ? nullableStrings(df, 'next_sentence_id') : undefined,
  };
}

export function readCompaniesParquet(source: ParquetSource, ctx: ReadContext): CompanyRow[] {
  const df = readFrame(source, ctx);
  requireColumns(df, ['company_id', 'cik_int', 'cik', 'company_name', 'ticker'], ctx);
  return records(df.select('company_id', 'cik_int', 'cik', 'company_name', 'ticker')) as unknown as CompanyRow[];
}

export function readSectionsParquet(source: ParquetSource, ctx: ReadContext): SectionRow[] {
  const df = readFrame(source, ctx);
  const cols = ['sec_item_canonical', 'section_code', 'section_name', 'section_description', 'section_category', 'part_number', 'priority'];
  requireColumns(df, cols, ctx);
  return records(df.select(...cols)) as unknown as SectionRow[];
}

export function readKpiFactsParquet(source: ParquetSource, ctx: ReadContext): KpiFactRow[] {
  const df = readFrame(source, ctx);
  const cols = ['cik', 'ticker', 'year', 'metric_key', 'metric_label', 'metric_type', 'value', 'unit', 'filed_date', 'accession_no'];
  requireColumns(df, cols, ctx);
  const rows = records(df.select(...cols, ...(df.columns.includes('cik_int') ? ['cik_int'] : [])));
  return rows.map((r) => ({ ...r, cik_int: r.cik_int ?? Number.parseInt(String(r.cik), 10) })) as unknown as KpiFactRow[];
}


/**
 * Writes (sentenceID, embedding: FixedSizeList(Float32, dims)) to `path` from a flat Float32Array,
 * without ever building JS number arrays: Arrow wraps the buffer, IPC carries it to polars.
 */
export function writeEmbeddingsParquet(path: string, ids: string[], vectors: Float32Array, dims: number): void {
  const count = ids.length;
  if (vectors.length !== count * dims) throw new LarderError('TABLE_INVALID', `writeEmbeddingsParquet: ${vectors.length} values for ${count}×${dims}`);
  const child = arrow.makeData({ type: new arrow.Float32(), length: count * dims, data: vectors });
  const listType = new arrow.FixedSizeList(dims, new arrow.Field('item', new arrow.Float32(), false));
  const embedding = arrow.makeVector(arrow.makeData({ type: listType, length: count, nullCount: 0, child }));
  const table = new arrow.Table({ sentenceID: arrow.vectorFromArray(ids, new arrow.Utf8()), embedding });
  const dir = mkdtempSync(join(tmpdir(), 'larder-ipc-'));
  try {
    const ipcPath = join(dir, 'embeddings.ipc'); // pl.readIPC wants a path ending in .ipc
    writeFileSync(ipcPath, arrow.tableToIPC(table, 'file'));
    pl.readIPC(ipcPath).writeParquet(path, { compression: 'uncompressed' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function requireColumns(df: pl.DataFrame, cols: readonly string[], ctx: ReadContext): void {
  const missing = cols.filter((c) => !df.columns.includes(c));
  if (missing.length) throw invalid(ctx, `missing column(s) ${missing.join(', ')} (has: ${df.columns.join(', ')})`);
}

function strings(df: pl.DataFrame, name: string): string[] {
  const s = df.getColumn(name);
  const values = (s.dtype.equals(pl.String) ? s : s.cast(pl.String)).toArray() as (string | null)[];
  for (let i = 0; i < values.length; i++) if (values[i] === null) values[i] = '';
  return values as string[];
}

function nullableStrings(df: pl.DataFrame, name: string): (string | null)[] {
  return df.getColumn(name).toArray() as (string | null)[];
}

function int32(df: pl.DataFrame, name: string): Int32Array {
  const s = df.getColumn(name).cast(pl.Int32).fillNull("zero");
  const arr = s.toTypedArray();
  return arr instanceof Int32Array ? arr : Int32Array.from(arr as ArrayLike<number>);
}

/** Row objects for small tables; 64-bit integers come back as numbers. */
function records(df: pl.DataFrame): Record<string, unknown>[] {
  return df.toRecords().map((r) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r)) out[k] = typeof v === 'bigint' ? Number(v) : v;
    return out;
  });
}

function invalid(ctx: ReadContext, why: string): LarderError {
  return new LarderError('TABLE_INVALID', `${ctx.label}: ${why}`, { details: { table: ctx.label } });
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0];
}
