/**
 * The small tables (sentences, companies, sections, KPI facts) read with hyparquet (and the codecs
 * of parquetCodecs.ts): plain JavaScript, no native code, so a Lambda package that reads them carries ~0.7 MB of reader instead of nodejs-polars' 98.6 MB binary (and its load time on every
 * cold start). They use ZSTD (data_cache/ as written by polars, the dimensions) and Snappy (the KPI
 * facts); parquetCodecs.ts lists what is read. The embeddings never come here: the page reader
 * (parquetVectors.ts) reads them at disk speed, and hyparquet would take seconds and ~9× the memory.
 */
import { readFile } from 'node:fs/promises';
import { parquetMetadata, parquetRead } from 'hyparquet';
import { LarderError } from '../errors';
import { sha256Hex } from './columnarArtifact';
import { parquetCodecs } from './parquetCodecs';
import type { CompanyRow, KpiFactRow, SectionRow, SentencesTable } from './types';

export type ParquetSource = string | Buffer;

/** Where a table came from, for error messages (a path, an s3:// URI). */
export interface ReadContext {
  label: string;
}

export const SENTENCE_COLUMNS = [
  'sentenceID', 'docID', 'cik_int', 'company_name', 'ticker', 'report_year', 'section_item', 'section_name',
  'sentence', 'sentence_pos', 'prev_sentence_id', 'next_sentence_id',
] as const;

/** A table as columns of decoded values (INT64 already turned into numbers), every column `rows` long. */
export interface ColumnTable {
  rows: number;
  names: string[];
  columns: Map<string, unknown[]>;
}

/**
 * Reads the `required` columns (all when omitted) of a Parquet file or buffer, plus those of
 * `optional` the file has. A missing required column is a TABLE_INVALID error naming what the file has.
 */
export async function readColumns(source: ParquetSource, ctx: ReadContext, required?: readonly string[], optional: readonly string[] = []): Promise<ColumnTable> {
  const buf = await readSource(source, ctx);
  const file = buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength ? (buf.buffer as ArrayBuffer) : buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  try {
    const metadata = parquetMetadata(file);
    const names = metadata.schema.slice(1).filter((s) => !s.num_children).map((s) => s.name);
    const missing = (required ?? []).filter((c) => !names.includes(c));
    if (missing.length) throw invalid(ctx, `missing column(s) ${missing.join(', ')} (has: ${names.join(', ')})`);
    const wanted = required ? [...required, ...optional.filter((c) => names.includes(c))] : names;
    const rows = Number(metadata.num_rows);
    const chunks = new Map<string, { rowStart: number; data: ArrayLike<unknown> }[]>();
    await parquetRead({
      file,
      metadata,
      compressors: parquetCodecs,
      columns: wanted,
      onChunk: (c) => {
        const list = chunks.get(c.columnName) ?? [];
        list.push({ rowStart: c.rowStart, data: c.columnData as ArrayLike<unknown> });
        chunks.set(c.columnName, list);
      },
    });
    const columns = new Map<string, unknown[]>();
    for (const [name, list] of chunks) columns.set(name, concatChunks(list, rows, ctx, name));
    for (const name of wanted) if (!columns.has(name)) columns.set(name, rows === 0 ? [] : concatChunks([], rows, ctx, name));
    return { rows, names: wanted, columns };
  } catch (err) {
    if (err instanceof LarderError) throw err;
    throw new LarderError('TABLE_INVALID', `${ctx.label}: not a readable Parquet file (${firstLine(err)})`, { cause: err, details: { table: ctx.label } });
  }
}

/** The bytes of a Parquet file or buffer. */
export async function readSource(source: ParquetSource, ctx: ReadContext): Promise<Buffer> {
  try {
    return typeof source === 'string' ? await readFile(source) : source;
  } catch (err) {
    throw new LarderError('TABLE_INVALID', `${ctx.label}: cannot read the file (${(err as Error).message})`, { cause: err, details: { table: ctx.label } });
  }
}

export async function readSentencesParquet(source: ParquetSource, ctx: ReadContext): Promise<SentencesTable> {
  const required = SENTENCE_COLUMNS.filter((c) => !c.endsWith('_sentence_id'));
  const bytes = await readSource(source, ctx);
  const t = await readColumns(bytes, ctx, required, ['prev_sentence_id', 'next_sentence_id']);
  const ids = strings(t, 'sentenceID');
  const rowById = new Map<string, number>();
  for (let i = 0; i < ids.length; i++) rowById.set(ids[i], i);
  if (rowById.size !== ids.length) throw invalid(ctx, `${ids.length - rowById.size} duplicate sentenceID values`);
  return {
    count: t.rows,
    sentenceID: ids,
    docID: strings(t, 'docID'),
    cik_int: int32(t, 'cik_int'),
    company_name: strings(t, 'company_name'),
    ticker: strings(t, 'ticker'),
    report_year: int32(t, 'report_year'),
    section_item: strings(t, 'section_item'),
    section_name: strings(t, 'section_name'),
    sentence: strings(t, 'sentence'),
    sentence_pos: int32(t, 'sentence_pos'),
    rowById,
    // Files written before the links existed lack them.
    prev_sentence_id: t.columns.has('prev_sentence_id') ? nullableStrings(t, 'prev_sentence_id') : undefined,
    next_sentence_id: t.columns.has('next_sentence_id') ? nullableStrings(t, 'next_sentence_id') : undefined,
    parquetSha256: sha256Hex(bytes),
  };
}

export async function readCompaniesParquet(source: ParquetSource, ctx: ReadContext): Promise<CompanyRow[]> {
  return records(await readColumns(source, ctx, ['company_id', 'cik_int', 'cik', 'company_name', 'ticker'])) as unknown as CompanyRow[];
}

export async function readSectionsParquet(source: ParquetSource, ctx: ReadContext): Promise<SectionRow[]> {
  const cols = ['sec_item_canonical', 'section_code', 'section_name', 'section_description', 'section_category', 'part_number', 'priority'];
  return records(await readColumns(source, ctx, cols)) as unknown as SectionRow[];
}

export async function readKpiFactsParquet(source: ParquetSource, ctx: ReadContext): Promise<KpiFactRow[]> {
  const cols = ['cik', 'ticker', 'year', 'metric_key', 'metric_label', 'metric_type', 'value', 'unit', 'filed_date', 'accession_no'];
  const t = await readColumns(source, ctx, cols, ['cik_int']);
  // One object literal per row (a fixed shape; ~7k rows on a cold start), not generic records + a spread.
  const [cik, ticker, year, metricKey, metricLabel, metricType, value, unit, filedDate, accessionNo] = cols.map((c) => t.columns.get(c)!);
  const cikInt = t.columns.get('cik_int');
  const rows = new Array<KpiFactRow>(t.rows);
  for (let i = 0; i < t.rows; i++) {
    rows[i] = {
      cik: (cik[i] ?? null) as string,
      ticker: (ticker[i] ?? null) as string,
      year: (year[i] ?? null) as number,
      metric_key: (metricKey[i] ?? null) as string,
      metric_label: (metricLabel[i] ?? null) as string,
      metric_type: (metricType[i] ?? null) as string,
      value: (value[i] ?? null) as number,
      unit: (unit[i] ?? null) as string,
      filed_date: (filedDate[i] ?? null) as string,
      accession_no: (accessionNo[i] ?? null) as string,
      cik_int: (cikInt?.[i] as number | null | undefined) ?? Number.parseInt(String(cik[i]), 10),
    };
  }
  return rows;
}

function concatChunks(list: { rowStart: number; data: ArrayLike<unknown> }[], rows: number, ctx: ReadContext, name: string): unknown[] {
  list.sort((a, b) => a.rowStart - b.rowStart);
  const out: unknown[] = new Array(rows);
  let filled = 0;
  for (const { rowStart, data } of list) {
    for (let i = 0; i < data.length && rowStart + i < rows; i++) out[rowStart + i] = toPlain(data[i]);
    filled = Math.max(filled, Math.min(rows, rowStart + data.length));
  }
  if (filled !== rows) throw invalid(ctx, `column "${name}" has ${filled} of ${rows} values`);
  return out;
}

/** INT64 arrives as BigInt: the tables' 64-bit columns (ids, years) fit a double. */
function toPlain(v: unknown): unknown {
  return typeof v === 'bigint' ? Number(v) : v;
}

function strings(t: ColumnTable, name: string): string[] {
  return t.columns.get(name)!.map((v) => (v == null ? '' : String(v)));
}

function nullableStrings(t: ColumnTable, name: string): (string | null)[] {
  return t.columns.get(name)!.map((v) => (v == null ? null : String(v)));
}

function int32(t: ColumnTable, name: string): Int32Array {
  const values = t.columns.get(name)!;
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Number(values[i] ?? 0);
  return out;
}

/** Row objects for the small tables, columns in the order asked. */
function records(t: ColumnTable): Record<string, unknown>[] {
  const columns = t.names.map((name) => t.columns.get(name)!);
  const rows: Record<string, unknown>[] = new Array(t.rows);
  for (let i = 0; i < t.rows; i++) {
    const r: Record<string, unknown> = {};
    for (let c = 0; c < columns.length; c++) r[t.names[c]] = columns[c][i] ?? null;
    rows[i] = r;
  }
  return rows;
}

export function invalid(ctx: ReadContext, why: string): LarderError {
  return new LarderError('TABLE_INVALID', `${ctx.label}: ${why}`, { details: { table: ctx.label } });
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0];
}
