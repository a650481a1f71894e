/**
 * Everything retrieval needs, built once from the loader's tables and kept (module scope in the
 * handler): the vector index, BM25, column postings for filters, the window index, the entity
 * extractor and the KPI facts. Building is the only O(table) work; questions after it touch only
 * what they select.
 */
import type { DataLoader, KpiFactRow, SentencesTable } from '../../loader/types';
import { LarderError } from '../../errors';
import { EntityExtractor } from '../entities';
import { ColumnIndex } from '../filters/compile';
import { log } from '../../log';
import { Bm25Index, type Bm25Params } from '../lexical/bm25';
import { bm25ArtifactKey, decodeBm25Artifact } from '../lexical/bm25Artifact';
import { VectorIndex, type ScanKernelName } from '../vector/vectorIndex';
import { WindowIndex } from './windows';

export interface RetrievalIndexes {
  sentences: SentencesTable;
  embeddingModel: string;
  vector: VectorIndex;
  /** sentence row → matrix row (−1 when the sentence has no vector); null when they coincide. */
  vectorRowOfSentence: Int32Array | null;
  /** matrix row → sentence row (−1 when the id is not a sentence); null when they coincide. */
  sentenceRowOfVector: Int32Array | null;
  lexical: Bm25Index;
  /** Where the BM25 postings came from: the prebuilt artifact (validated) or built from the sentences now. */
  lexicalSource: 'artifact' | 'built';
  columns: ColumnIndex;
  windows: WindowIndex;
  entities: EntityExtractor;
  kpis: KpiFactRow[];
  /** Per step; `load` (until every table is in) includes lexical/windows/columns, built meanwhile. */
  buildMs: Record<string, number>;
}

export interface BuildIndexesOptions {
  embeddingModel?: string;
  kernel?: ScanKernelName;
  /** When the vector index's wasm copy is built (VectorIndexOptions.build); default 'background'. */
  vectorBuild?: 'now' | 'background';
  lexical: Bm25Params;
}

export async function buildIndexes(loader: DataLoader, options: BuildIndexesOptions): Promise<RetrievalIndexes> {
  const buildMs: Record<string, number> = {};
  const timed = async <T>(name: string, fn: () => T | Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const v = await fn();
    buildMs[name] = Math.round((performance.now() - t0) * 10) / 10;
    return v;
  };
  // What needs only the sentences (BM25, windows, column postings) is built as soon as they are in,
  // while the embeddings — the largest table, last to arrive on a cold start — are still loading.
  const sentenceSide = Promise.all([loader.sentences(), prebuilt(loader, BM25_ARTIFACT_TABLE)]).then(async ([sentences, bm25Artifact]) => {
    const { index: lexical, source: lexicalSource } = await timed('lexical', () => lexicalIndex(sentences, bm25Artifact, options.lexical));
    const windows = await timed('windows', () => new WindowIndex(sentences));
    const columns = await timed('columns', () => new ColumnIndex(sentences));
    return { sentences, lexical, lexicalSource, windows, columns };
  });
  const [{ sentences, lexical, lexicalSource, windows, columns }, matrix, companies, sections, kpis] = await timed('load', () =>
    Promise.all([sentenceSide, loader.embeddings(options.embeddingModel), loader.companies(), loader.sections(), loader.kpiFacts()]),
  );
  const { vectorRowOfSentence, sentenceRowOfVector } = await timed('align', () => alignRows(sentences, matrix.ids));
  // The int8 copy is built in the background: the first question is searched with the exact js scan
  // meanwhile (the same answers), instead of waiting for the quantisation.
  const vector = await timed('vector', () => new VectorIndex(matrix, { kernel: options.kernel, build: options.vectorBuild ?? 'background' }));
  let latestYear = 0;
  for (let i = 0; i < sentences.count; i++) if (sentences.report_year[i] > latestYear) latestYear = sentences.report_year[i];
  const entities = new EntityExtractor({ companies, sections, kpis, latestYear: latestYear || new Date().getUTCFullYear() });
  return {
    sentences,
    embeddingModel: matrix.model,
    vector,
    vectorRowOfSentence,
    sentenceRowOfVector,
    lexical,
    lexicalSource,
    columns,
    windows,
    entities,
    kpis,
    buildMs,
  };
}

/** The table of ml_config.yaml holding the prebuilt BM25 postings (npm run build:data). */
export const BM25_ARTIFACT_TABLE = 'index_bm25';

/** A prebuilt artifact, or null when the loader has none or it cannot be read (then the index is built). */
async function prebuilt(loader: DataLoader, table: string): Promise<Buffer | null> {
  if (!loader.artifact) return null;
  try {
    return await loader.artifact(table);
  } catch (err) {
    log.warn('prebuilt artifact unreadable; building from the tables', { table, error: (err as Error).message });
    return null;
  }
}

/** BM25 from the artifact when it was built for exactly these sentences; otherwise built now. */
function lexicalIndex(sentences: SentencesTable, artifact: Buffer | null, params: Bm25Params): { index: Bm25Index; source: 'artifact' | 'built' } {
  if (artifact) {
    const decoded = decodeBm25Artifact(artifact, bm25ArtifactKey(sentences.sentence, sentences.parquetSha256));
    if ('parts' in decoded && decoded.parts.count === sentences.count) return { index: Bm25Index.fromParts(params, decoded.parts), source: 'artifact' };
    log.warn('prebuilt BM25 postings not used; building them from the sentences', { reason: 'rejected' in decoded ? decoded.rejected : 'row count differs' });
  }
  return { index: Bm25Index.build(sentences.sentence, params), source: 'built' };
}

/** Maps sentence rows to embedding rows by id; null maps when the orders already agree. */
export function alignRows(sentences: SentencesTable, ids: readonly string[]): { vectorRowOfSentence: Int32Array | null; sentenceRowOfVector: Int32Array | null } {
  if (ids.length === sentences.count && ids.every((id, i) => id === sentences.sentenceID[i])) {
    return { vectorRowOfSentence: null, sentenceRowOfVector: null };
  }
  const vectorRowOfSentence = new Int32Array(sentences.count).fill(-1);
  const sentenceRowOfVector = new Int32Array(ids.length).fill(-1);
  let matched = 0;
  ids.forEach((id, v) => {
    const s = sentences.rowById.get(id);
    if (s === undefined) return;
    vectorRowOfSentence[s] = v;
    sentenceRowOfVector[v] = s;
    matched++;
  });
  if (matched === 0 && sentences.count > 0) {
    throw new LarderError('TABLE_INVALID', `none of the ${ids.length} embedding ids match a sentenceID; was the embeddings table built from this sentences table?`);
  }
  return { vectorRowOfSentence, sentenceRowOfVector };
}
