/**
 * How each kind of table turns from Parquet bytes into what the DataLoader returns, and, for
 * embeddings, the faster derived form kept in the /tmp cache instead of the Parquet.
 */
import type { LarderConfig } from '../config';
import { embeddingModel, tableConfig } from '../config';
import { readEmbeddingsParquet, readEmbeddingsParquetAsync, readEmbeddingsParquetDetailed } from './embeddingsParquet';
import { readCompaniesParquet, readKpiFactsParquet, readSectionsParquet, readSentencesParquet, SENTENCE_COLUMNS, type ParquetSource } from './smallTables';
import type { CompanyRow, EmbeddingMatrix, KpiFactRow, SectionRow, SentencesTable } from './types';
import type { EmbeddingsLayout } from './parquetVectors';
import { ContentChecksumError, crc32 } from './checksum';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parseVectorFile, writeVectorFile } from './vectorFile';
import { decodeSentencesArtifact } from './sentencesArtifact';
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
    /** Decodes a fresh download; `keepDownloaded` when the Parquet itself loads fast (cache it as is). */
    decodeForCache(source: ParquetSource, label: string): { value: T; keepDownloaded: boolean; facts?: CacheFacts };
    /** Decodes a cached Parquet kept as downloaded, trusting the facts recorded when it was cached. */
    readDownloaded(path: string, facts: CacheFacts): Promise<T>;
    /** Upper bound of the derived file's size (the budget reservation). */
    maxBytes(value: T): number;
    /** Writes the derived file; returns facts to record with it (its checksum). */
    write(path: string, value: T): CacheFacts;
    /** Reads it back, verifying the facts recorded at write time (throws ContentChecksumError). */
    read(path: string, facts: CacheFacts): Promise<T>;
  };
}

/**
 * The sentences; with `artifact`, the prebuilt columnar form (sentencesArtifact.ts) is used when it
 * was derived from exactly these Parquet bytes, and the Parquet is decoded otherwise.
 */
export function sentencesDecoder(table = 'sentences', artifact?: () => Promise<Buffer | null>): TableDecoder<SentencesTable> {
  return {
    table,
    decodeParquet: async (source, label) => {
      if (!artifact) return readSentencesParquet(source, { label });
      const parquet = typeof source === 'string' ? await readFile(source) : source;
      const prebuilt = await artifact().catch((err: Error) => {
        log.warn('prebuilt sentences artifact unreadable; decoding the Parquet', { table, error: err.message });
        return null;
      });
      if (prebuilt) {
        const decoded = decodeSentencesArtifact(prebuilt, parquet);
        if ('table' in decoded) return decoded.table;
        log.warn('prebuilt sentences artifact not used; decoding the Parquet', { table, reason: decoded.rejected });
      }
      return readSentencesParquet(parquet, { label });
    },
    describe: (t) => ({ rows: t.count, columns: [...SENTENCE_COLUMNS] }),
  };
}

export function embeddingsDecoder(config: LarderConfig, table: string): TableDecoder<EmbeddingMatrix> {
  const model = embeddingModel(config, tableConfig(config, table).embedding_model);
  return {
    table,
    decodeParquet: (source, label) => readEmbeddingsParquet(source, { label, model: model.key, dims: model.dimensions }),
    describe: (m) => ({ rows: m.count, columns: ['sentenceID', 'embedding'] }),
    derived: {
      form: 'vectors-f32-v1',
      decodeForCache: (source, label) => {
        const r = readEmbeddingsParquetDetailed(source, { label, model: model.key, dims: model.dimensions });
        // The validated read plan travels with the entry (warm loads of these bytes skip the page
        // walk), and so do the checksums a warm load verifies before serving them.
        const checks: CacheFacts = r.layout && r.floatCrcs ? { layout: JSON.stringify(r.layout), floatCrcs: JSON.stringify(r.floatCrcs), idsCrc: r.idsCrc ?? 0 } : {};
        return { value: r.matrix, keepDownloaded: r.fast, facts: { normalised: r.storedNormalised, ...checks } };
      },
      readDownloaded: (path, facts) => {
        const layout = parseLayout(facts.layout);
        const floatCrcs = parseNumbers(facts.floatCrcs);
        // An entry without checksums (written by an older version) cannot be verified: refetch it once.
        if (!layout || !floatCrcs || typeof facts.idsCrc !== 'number') return Promise.reject(new ContentChecksumError(`${path} (no checksum recorded)`));
        return readEmbeddingsParquetAsync(path, { label: path, model: model.key, dims: model.dimensions, knownNormalised: facts.normalised === true, layout, floatCrcs, idsCrc: facts.idsCrc });
      },
      maxBytes: (m) => m.count * m.dims * 4 + m.ids.reduce((n, id) => n + Buffer.byteLength(id) + 1, 0) + 4096,
      write: (path, m) => {
        writeVectorFile(path, m);
        return { checksum: crc32(readFileSync(path)) };
      },
      read: async (path, facts) => {
        const buf = await readFile(path);
        if (typeof facts.checksum !== 'number' || crc32(buf) !== facts.checksum) throw new ContentChecksumError(`${path} (vector file)`);
        const m = parseVectorFile(buf, path);
        if (m.model !== model.key || m.dims !== model.dimensions) throw new Error(`cached vectors are ${m.model}/${m.dims}d, expected ${model.key}/${model.dimensions}d`);
        return m;
      },
    },
  };
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

function parseLayout(recorded: string | number | boolean | undefined): EmbeddingsLayout | undefined {
  if (typeof recorded !== 'string') return undefined;
  try {
    return JSON.parse(recorded) as EmbeddingsLayout;
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
export const kpiFactsDecoder = (table = 'kpi_facts') => rowsDecoder<KpiFactRow>(table, readKpiFactsParquet);

/** A prebuilt artifact (kind: index): its bytes as stored; the consumer validates them (e.g. bm25Artifact.ts). */
export function artifactDecoder(table: string): TableDecoder<Buffer> {
  return {
    table,
    decodeParquet: async (source) => (typeof source === 'string' ? readFile(source) : source),
    describe: (buf) => ({ rows: 1, columns: [`${buf.length} bytes`] }),
  };
}
