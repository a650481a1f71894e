/**
 * The loader contract the query pipeline depends on. Two implementations answer only "where do the
 * bytes come from": LocalCacheLoader (data_cache/) and S3StreamingLoader (S3 → bounded /tmp cache).
 * Tables are columnar: typed arrays for numbers, string[] for text — never arrays of row objects for
 * the heavy tables, and never arrays of JS numbers for vectors.
 */

/** Where a table's bytes came from on its last load. `memory`: already loaded in this process. */
export type TableSource = 'memory' | 'tmp' | 's3' | 'local' | 'package';

export interface TableStats {
  table: string;
  source: TableSource;
  rows: number;
  /** Bytes read from the source (file or object size). */
  bytes: number;
  /** Wall time of the load that produced this source (0 for memory). */
  ms: number;
  /** Where the bytes came from on the first load in this process (source is 'memory' after it). */
  loadedFrom?: TableSource;
  /** Wall time of that first load. */
  loadMs?: number;
  /** Column names of the table as stored. */
  columns?: string[];
  /** For S3 loads: whether the table is (now) in the /tmp cache; false when it was too big or the cache failed. */
  cached?: boolean;
  /** True when S3 could not be asked and the verified /tmp copy was served (stale-if-error). */
  stale?: boolean;
}

/** The part of Lambda's context the loader uses: how long the invocation has left. */
export interface InvocationClock {
  getRemainingTimeInMillis(): number;
}

/** The sentences table, FinSights sentence schema, one entry per sentence, columnar. */
export interface SentencesTable {
  count: number;
  sentenceID: string[];
  docID: string[];
  cik_int: Int32Array;
  company_name: string[];
  ticker: string[];
  report_year: Int32Array;
  /** Canonical SEC item, e.g. "ITEM_7", "ITEM_1A" (as in the sections dimension's sec_item_canonical). */
  section_item: string[];
  /** Display name, e.g. "Item 7: Management's Discussion and Analysis…" (from the sections dimension). */
  section_name: string[];
  sentence: string[];
  /** Position within (doc, section), from the sentenceID's trailing sequence number. */
  sentence_pos: Int32Array;
  /** sentenceID → row index. */
  rowById: Map<string, number>;
  /**
   * The neighbouring sentence present in this table within the same (docID, section_item), by
   * sentence_pos; null at either end. Always filled by the loaders (optional only so hand-built
   * fixtures need not carry it).
   */
  prev_sentence_id?: (string | null)[];
  next_sentence_id?: (string | null)[];
  /**
   * SHA-256 (hex) of the Parquet bytes the table was decoded from, when it came from one: a cheap
   * identity of its content (the prebuilt BM25 postings are keyed by it).
   */
  parquetSha256?: string;
}

/** One row of the sentences table as a plain object (for sources and sentencesByIds). */
export interface SentenceRow {
  sentenceID: string;
  docID: string;
  cik_int: number;
  company_name: string;
  ticker: string;
  report_year: number;
  section_item: string;
  section_name: string;
  sentence: string;
  sentence_pos: number;
  prev_sentence_id: string | null;
  next_sentence_id: string | null;
}

/** Embeddings for one model: N×dims float32, contiguous, row-major, each row L2-normalised. */
export interface EmbeddingMatrix {
  model: string;
  ids: string[];
  vectors: Float32Array;
  dims: number;
  count: number;
}

export interface CompanyRow {
  company_id: number;
  cik_int: number;
  cik: string;
  company_name: string;
  ticker: string;
}

export interface SectionRow {
  sec_item_canonical: string;
  section_code: string;
  section_name: string;
  section_description: string;
  section_category: string;
  part_number: number;
  priority: string;
}

export interface KpiFactRow {
  cik: string;
  cik_int: number;
  ticker: string;
  year: number;
  metric_key: string;
  metric_label: string;
  metric_type: string;
  value: number;
  unit: string;
  filed_date: string;
  accession_no: string;
}

export interface DataLoader {
  /** 'local' reads data_cache/; 's3' streams from S3 through the /tmp cache. */
  readonly kind: 'local' | 's3';
  sentences(): Promise<SentencesTable>;
  /** Embeddings of an embedding model key (ml_config.yaml embedding.models), default when omitted. */
  embeddings(modelKey?: string): Promise<EmbeddingMatrix>;
  companies(): Promise<CompanyRow[]>;
  sections(): Promise<SectionRow[]>;
  kpiFacts(): Promise<KpiFactRow[]>;
  /**
   * A prebuilt artifact of `npm run build:data` (a `kind: index` table, e.g. index_bm25) as bytes, or
   * null when it does not exist. The caller must validate it (it may be stale); fakes may omit this.
   */
  artifact?(table: string): Promise<Buffer | null>;
  /** Rows for the given ids, in the given order; unknown ids are skipped. */
  sentencesByIds(ids: string[]): Promise<SentenceRow[]>;
  /** One entry per table loaded so far in this process. */
  stats(): TableStats[];
  /** Where the loader reads from and, for the S3 loader, what the /tmp cache holds now. */
  cacheState?(): LoaderCacheState;
  /**
   * Resolves when the /tmp cache writes still running after a load (the S3 loader caches in the
   * background, so an answer never waits on /tmp) have finished. Call it before reading the cache.
   */
  settled?(): Promise<void>;
  /**
   * Binds the current invocation (Lambda's context) so S3 retries stop in time; handlers call it
   * first thing. Loaders that never call a remote store omit it.
   */
  bindInvocation?(context: InvocationClock | undefined): void;
}

export interface LoaderCacheState {
  loader: 'LocalCacheLoader' | 'S3StreamingLoader';
  /** data_cache/ for the local loader; the /tmp cache directory for the S3 loader. */
  dir: string;
  bucket?: string;
  budgetBytes?: number;
  usedBytes?: number;
  entries?: { table: string; bytes: number; form: string; etag: string; lastUsedAt: string }[];
}
