/**
 * What both loaders share: tables are loaded once per loader instance (single-flight: concurrent
 * first calls share one load), kept in memory for every later call, and reported by stats().
 * Subclasses answer only "where do the bytes come from" (fetchTable).
 */
import type { LarderConfig } from '../config';
import { embeddingsTableName } from '../config';
import { LarderError } from '../errors';
import { log } from '../log';
import { artifactDecoder, companiesDecoder, embeddingsDecoder, kpiFactsDecoder, sectionsDecoder, sentencesDecoder, type ArtifactSource, type TableDecoder } from './tableDecoders';
import { KPI_FACTS_ARTIFACT_TABLE } from './kpiFactsArtifact';
import { SENTENCES_ARTIFACT_TABLE } from './sentencesArtifact';
import type { CompanyRow, DataLoader, EmbeddingMatrix, KpiFactRow, SectionRow, SentenceRow, SentencesTable, TableSource, TableStats } from './types';

export interface FetchedTable<T> {
  value: T;
  source: TableSource;
  /** Bytes read from the source. */
  bytes: number;
  /** S3 loads: whether the table is now in the /tmp cache. */
  cached?: boolean;
  /** Served from /tmp because S3 could not be asked (stale-if-error). */
  stale?: boolean;
}

interface LoadedTable {
  value: unknown;
  stats: TableStats;
}

export abstract class BaseDataLoader implements DataLoader {
  abstract readonly kind: 'local' | 's3';
  private readonly loads = new Map<string, Promise<LoadedTable>>();
  private readonly statsByTable = new Map<string, TableStats>();

  constructor(protected readonly config: LarderConfig) {}

  protected abstract fetchTable<T>(decoder: TableDecoder<T>): Promise<FetchedTable<T>>;

  sentences(): Promise<SentencesTable> {
    return this.load(sentencesDecoder('sentences', this.prebuiltFor('sentences', SENTENCES_ARTIFACT_TABLE)));
  }

  async embeddings(modelKey?: string): Promise<EmbeddingMatrix> {
    const table = embeddingsTableName(this.config, modelKey);
    return this.load(embeddingsDecoder(this.config, table));
  }

  companies(): Promise<CompanyRow[]> {
    return this.load(companiesDecoder());
  }

  sections(): Promise<SectionRow[]> {
    return this.load(sectionsDecoder());
  }

  kpiFacts(): Promise<KpiFactRow[]> {
    return this.load(kpiFactsDecoder('kpi_facts', this.prebuiltFor('kpi_facts', KPI_FACTS_ARTIFACT_TABLE)));
  }

  /**
   * A table's prebuilt columnar form, when the config names one and the table is not loaded or
   * loading yet: fetched alongside the Parquet, through the same path (checksum, retries,
   * stale-if-error), and used only when derived from exactly the Parquet fetched.
   */
  private prebuiltFor(table: string, artifactTable: string): ArtifactSource | undefined {
    if (this.loads.has(table) || !this.config.tables[artifactTable]) return undefined;
    const prebuilt = this.artifact(artifactTable);
    prebuilt.catch(() => {}); // reported (and fallen back from) by the decoder
    return () => prebuilt;
  }

  /**
   * A prebuilt artifact (a `kind: index` table) as bytes, through the same sources and cache as the
   * tables; null when it was never built or uploaded (the caller builds from the tables then).
   */
  async artifact(table: string): Promise<Buffer | null> {
    if (!this.config.tables[table]) return null; // a config without it: nothing prebuilt
    if (this.config.tables[table].kind !== 'index') throw new LarderError('INTERNAL', `artifact("${table}"): not a kind: index table in ${this.config.configPath}`);
    try {
      return await this.load(artifactDecoder(table));
    } catch (err) {
      if (err instanceof LarderError && (err.code === 'TABLE_NOT_FOUND' || err.code === 'OBJECT_NOT_FOUND')) {
        log.warn('prebuilt artifact not found; building from the tables (run "npm run build:data" and "larder seed")', { table, error: err.message });
        return null;
      }
      throw err;
    }
  }

  async sentencesByIds(ids: string[]): Promise<SentenceRow[]> {
    const t = await this.sentences();
    const rows: SentenceRow[] = [];
    for (const id of ids) {
      const i = t.rowById.get(id);
      if (i !== undefined) rows.push(sentenceRow(t, i));
    }
    return rows;
  }

  stats(): TableStats[] {
    return [...this.statsByTable.values()].map((s) => ({ ...s }));
  }

  /** Loads a table once; later calls are memory hits (stats source 'memory'). */
  protected async load<T>(decoder: TableDecoder<T>): Promise<T> {
    const t0 = performance.now();
    const pending = this.loads.get(decoder.table);
    if (pending) {
      const loaded = await pending;
      const first = this.statsByTable.get(decoder.table) ?? loaded.stats;
      this.statsByTable.set(decoder.table, { ...first, source: 'memory', ms: performance.now() - t0 });
      return loaded.value as T;
    }
    const loading = this.fetchTable(decoder).then((fetched): LoadedTable => {
      const { rows, columns } = decoder.describe(fetched.value);
      const ms = performance.now() - t0;
      const stats: TableStats = { table: decoder.table, source: fetched.source, rows, bytes: fetched.bytes, ms, loadedFrom: fetched.source, loadMs: ms, columns };
      if (fetched.cached !== undefined) stats.cached = fetched.cached;
      if (fetched.stale) stats.stale = true;
      this.statsByTable.set(decoder.table, stats);
      return { value: fetched.value, stats };
    });
    this.loads.set(decoder.table, loading);
    loading.catch(() => this.loads.delete(decoder.table));
    return (await loading).value as T;
  }
}

export function sentenceRow(t: SentencesTable, i: number): SentenceRow {
  return {
    sentenceID: t.sentenceID[i],
    docID: t.docID[i],
    cik_int: t.cik_int[i],
    company_name: t.company_name[i],
    ticker: t.ticker[i],
    report_year: t.report_year[i],
    section_item: t.section_item[i],
    section_name: t.section_name[i],
    sentence: t.sentence[i],
    sentence_pos: t.sentence_pos[i],
    prev_sentence_id: t.prev_sentence_id?.[i] ?? null,
    next_sentence_id: t.next_sentence_id?.[i] ?? null,
  };
}
