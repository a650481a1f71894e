/**
 * A DataLoader over tables already in memory: the one fake every test that needs a loader uses
 * (tests/unit/rag/fixtures.ts, tests/integration/rag/memoryLoader.ts, the index artifact tests), and
 * usable by callers that build their tables some other way. It keeps the contract of the real
 * loaders — per-table stats (source 'memory'), sentencesByIds in the order asked with unknown ids
 * skipped, embeddings by model key, prebuilt artifacts by table name (null when absent) — so code
 * tested against it behaves the same over LocalCacheLoader and S3StreamingLoader.
 */
import { LarderError } from '../errors';
import { sentenceRow } from './baseLoader';
import type { CompanyRow, DataLoader, EmbeddingMatrix, KpiFactRow, SectionRow, SentenceRow, SentencesTable, TableStats } from './types';

export interface InMemoryTables {
  sentences: SentencesTable;
  /** One matrix (served for every model key) or matrices by model key; `default` names the default. */
  embeddings: EmbeddingMatrix | { default: string; byModel: Record<string, EmbeddingMatrix> };
  companies?: CompanyRow[];
  sections?: SectionRow[];
  kpiFacts?: KpiFactRow[];
  /** Prebuilt artifacts by table name (e.g. index_bm25). */
  artifacts?: Record<string, Buffer>;
}

export class InMemoryDataLoader implements DataLoader {
  readonly kind = 'local' as const;
  private readonly loaded = new Map<string, TableStats>();

  constructor(private readonly tables: InMemoryTables) {}

  async sentences(): Promise<SentencesTable> {
    return this.served('sentences', this.tables.sentences.count, this.tables.sentences);
  }

  async embeddings(modelKey?: string): Promise<EmbeddingMatrix> {
    const e = this.tables.embeddings;
    if (!('byModel' in e)) return this.served(`embeddings_${e.model}`, e.count, e);
    const key = modelKey ?? e.default;
    const m = e.byModel[key];
    if (!m) throw new LarderError('TABLE_NOT_FOUND', `no embeddings for model "${key}" in memory (have: ${Object.keys(e.byModel).join(', ')})`);
    return this.served(`embeddings_${key}`, m.count, m);
  }

  async companies(): Promise<CompanyRow[]> {
    const rows = this.tables.companies ?? [];
    return this.served('companies', rows.length, rows);
  }

  async sections(): Promise<SectionRow[]> {
    const rows = this.tables.sections ?? [];
    return this.served('sections', rows.length, rows);
  }

  async kpiFacts(): Promise<KpiFactRow[]> {
    const rows = this.tables.kpiFacts ?? [];
    return this.served('kpi_facts', rows.length, rows);
  }

  async artifact(table: string): Promise<Buffer | null> {
    const buf = this.tables.artifacts?.[table];
    return buf ? this.served(table, 1, buf) : null;
  }

  async sentencesByIds(ids: string[]): Promise<SentenceRow[]> {
    const t = await this.sentences();
    return ids.flatMap((id) => {
      const i = t.rowById.get(id);
      return i === undefined ? [] : [sentenceRow(t, i)];
    });
  }

  stats(): TableStats[] {
    return [...this.loaded.values()].map((s) => ({ ...s }));
  }

  private served<T>(table: string, rows: number, value: T): T {
    if (!this.loaded.has(table)) this.loaded.set(table, { table, source: 'memory', rows, bytes: 0, ms: 0, loadedFrom: 'memory', loadMs: 0 });
    return value;
  }
}
