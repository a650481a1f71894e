/**
 * How each kind of table turns from Parquet bytes into what the DataLoader returns, and, for
 * embeddings, the faster derived form kept in the /tmp cache instead of the Parquet.
 */
import type { LarderConfig } from '../config';
import { embeddingModel, tableConfig } from '../config';
import { readEmbeddingsDownloaded, readEmbeddingsParquet } from './embeddingsParquet';
import { readCompaniesParquet, readKpiFactsParquet, readSectionsParquet, readSentencesParquet, SENTENCE_COLUMNS, type ParquetSource } from './smallTables';
import type { CompanyRow, EmbeddingMatrix, KpiFactRow, SectionRow, SentencesTable } from './types';
import { ContentChecksumError } from './checksum';
import { readFile } from 'node:fs/promises';
import { readVectorFileChecked, writeVectorFileAsync, type VectorFileChecks } from './vectorFile';
import { decodeSentencesArtifact } from './sentencesArtifact';
import { decodeKpiFactsArtifact } from './kpiFactsArtifact';
import { sha256Hex } from './columnarArtifact';
import { log } from '../log';

export type CacheFacts = Record<string, string | number | boolean>;

export interface TableDecoder<T> {
  table: string;
  /** Sync for embeddings (the page reader), async for the small tables (hyparquet). */
  decodeParquet(source: ParquetSource, label: string): T | Promise<T>;
  describe(value: T): { rows: number; columns: string[] };
  /** A form that loads faster than the Parquet; when set, the /tmp cache holds this form instead. */
  derived?: {
    form: string;
    /** Decodes a fresh download held in memory; the value may reuse `bytes` (nothing else reads them after). */
    decodeDownload(bytes: Buffer, label: string): T;
    /** Upper bound of the derived file's size (the budget reservation). */
    maxBytes(value: T): number;
    /** Writes the derived file off the event loop (the value is served meanwhile); returns facts to record (its checksums). */
    writeInBackground(path: string, value: T): Promise<CacheFacts>;
    /** Reads it back, verifying the facts recorded at write time (throws ContentChecksumError). */
    read(path: string, facts: CacheFacts): Promise<T>;
  };
}

/** Fetches a prebuilt artifact's bytes (null when there is none). */
export type ArtifactSource = () => Promise<Buffer | null>;

/**
 * The sentences; with `artifact`, the prebuilt columnar form (sentencesArtifact.ts) is used when it
 * was derived from exactly these Parquet bytes, and the Parquet is decoded otherwise.
 */
export function sentencesDecoder(table = 'sentences', artifact?: ArtifactSource): TableDecoder<SentencesTable> {
  return {
    table,
    decodeParquet: (source, label) =>
      artifact
        ? viaArtifact(table, source, artifact, (bytes, sha) => {
            const d = decodeSentencesArtifact(bytes, sha);
            return 'table' in d ? { value: d.table } : d;
          }, (parquet) => readSentencesParquet(parquet, { label }))
        : readSentencesParquet(source, { label }),
    describe: (t) => ({ rows: t.count, columns: [...SENTENCE_COLUMNS] }),
  };
}

/**
 * Decodes a table through its prebuilt artifact when that was derived from exactly these Parquet
 * bytes (their SHA-256); otherwise — no artifact, unreadable, stale or damaged — decodes the
 * Parquet, with a log line for anything but "none".
 */
async function viaArtifact<T>(
  table: string,
  source: ParquetSource,
  artifact: ArtifactSource,
  fromArtifact: (bytes: Buffer, parquetSha256: string) => { value: T } | { rejected: string },
  fromParquet: (parquet: Buffer) => Promise<T>,
): Promise<T> {
  const parquet = typeof source === 'string' ? await readFile(source) : source;
  const prebuilt = await artifact().catch((err: Error) => {
    log.warn('prebuilt artifact unreadable; decoding the Parquet', { table, error: err.message });
    return null;
  });
  if (prebuilt) {
    const decoded = fromArtifact(prebuilt, sha256Hex(parquet));
    if ('value' in decoded) return decoded.value;
    log.warn('prebuilt artifact not used; decoding the Parquet', { table, reason: decoded.rejected });
  }
  return fromParquet(parquet);
}

export function embeddingsDecoder(config: LarderConfig, table: string): TableDecoder<EmbeddingMatrix> {
  const model = embeddingModel(config, tableConfig(config, table).embedding_model);
  return {
    table,
    decodeParquet: (source, label) => readEmbeddingsParquet(source, { label, model: model.key, dims: model.dimensions }),
    describe: (m) => ({ rows: m.count, columns: ['sentenceID', 'embedding'] }),
    derived: {
      form: 'vectors-f32-v1',
      decodeDownload: (bytes, label) => readEmbeddingsDownloaded(bytes, { label, model: model.key, dims: model.dimensions }),
      maxBytes: (m) => m.count * m.dims * 4 + m.ids.reduce((n, id) => n + Buffer.byteLength(id) + 1, 0) + 4096,
      writeInBackground: async (path, m) => {
        const checks = await writeVectorFileAsync(path, m);
        return { ...checks, blockCrcs: JSON.stringify(checks.blockCrcs) };
      },
      read: async (path, facts) => {
        const checks = vectorFileChecks(facts);
        if (!checks) throw new ContentChecksumError(`${path} (no checksum recorded)`);
        const m = await readVectorFileChecked(path, checks);
        if (m.model !== model.key || m.dims !== model.dimensions) throw new Error(`cached vectors are ${m.model}/${m.dims}d, expected ${model.key}/${model.dimensions}d`);
        return m;
      },
    },
  };
}

/** The checksums recorded with a vector file (writeVectorFileAsync), or undefined when they are missing or malformed. */
function vectorFileChecks(facts: CacheFacts): VectorFileChecks | undefined {
  const blockCrcs = parseNumbers(facts.blockCrcs);
  const { vectorsOffset, headCrc, blockBytes } = facts;
  if (!blockCrcs || typeof vectorsOffset !== 'number' || typeof headCrc !== 'number' || typeof blockBytes !== 'number' || !(blockBytes > 0)) return undefined;
  return { vectorsOffset, headCrc, blockBytes, blockCrcs };
}

function parseNumbers(recorded: string | number | boolean | undefined): number[] | undefined {
  if (typeof recorded !== 'string') return undefined;
  try {
    const list = JSON.parse(recorded) as unknown;
    return Array.isArray(list) && list.every((n) => typeof n === 'number') ? (list as number[]) : undefined;
  } catch {
    return undefined;
  }
}

function rowsDecoder<R extends object>(table: string, read: (source: ParquetSource, ctx: { label: string }) => Promise<R[]>): TableDecoder<R[]> {
  return {
    table,
    decodeParquet: (source, label) => read(source, { label }),
    describe: (rows) => ({ rows: rows.length, columns: rows.length ? Object.keys(rows[0]) : [] }),
  };
}

export const companiesDecoder = (table = 'companies') => rowsDecoder<CompanyRow>(table, readCompaniesParquet);
export const sectionsDecoder = (table = 'sections') => rowsDecoder<SectionRow>(table, readSectionsParquet);
/** The KPI facts; with `artifact`, the prebuilt columnar form (kpiFactsArtifact.ts) when derived from exactly these Parquet bytes. */
export function kpiFactsDecoder(table = 'kpi_facts', artifact?: ArtifactSource): TableDecoder<KpiFactRow[]> {
  const plain = rowsDecoder<KpiFactRow>(table, readKpiFactsParquet);
  if (!artifact) return plain;
  return {
    ...plain,
    decodeParquet: (source, label) =>
      viaArtifact(table, source, artifact, (bytes, sha) => {
        const d = decodeKpiFactsArtifact(bytes, sha);
        return 'rows' in d ? { value: d.rows } : d;
      }, (parquet) => readKpiFactsParquet(parquet, { label })),
  };
}

/** A prebuilt artifact (kind: index): its bytes as stored; the consumer validates them (e.g. bm25Artifact.ts). */
export function artifactDecoder(table: string): TableDecoder<Buffer> {
  return {
    table,
    decodeParquet: async (source) => (typeof source === 'string' ? readFile(source) : source),
    describe: (buf) => ({ rows: 1, columns: [`${buf.length} bytes`] }),
  };
}
