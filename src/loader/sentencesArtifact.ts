/**
 * The sentences table as a prebuilt columnar artifact (table `index_sentences`, built by
 * `npm run build:data` beside the Parquet, seeded to S3 with it; the layout and its checks are
 * columnarArtifact.ts). On a cold start, decoding the sentences Parquet with hyparquet (pure JS,
 * cold JIT) was the largest single cost of the first answer (1–3 s under load); this form decodes in
 * tens of milliseconds. Used only when derived from exactly the Parquet fetched (its SHA-256).
 *
 * v3: the body is stored uncompressed, with the columns that repeat dictionary-encoded — document,
 * company, section, and the text itself (boilerplate repeats: 13,084 distinct of the 20,844 real
 * sentences). v2 raw-deflated it all: fewer bytes, but ~25 ms of inflate on the one JS thread of a
 * cold start, more than fetching the difference costs.
 */
import { decodeColumnar, encodeColumnar, type ColumnarSpec, type ColumnValues } from './columnarArtifact';
import type { SentencesTable } from './types';

/** The table of ml_config.yaml holding this artifact. */
export const SENTENCES_ARTIFACT_TABLE = 'index_sentences';
/** Bump when the layout or the columns change (the build then rebuilds the artifact). */
export const SENTENCES_ARTIFACT_VERSION = 3;

const SPEC: ColumnarSpec = {
  magic: 'LSENTv3\n',
  version: SENTENCES_ARTIFACT_VERSION,
  columns: [
    ['sentenceID', 'str'], ['docID', 'dict'], ['cik_int', 'i32'], ['company_name', 'dict'], ['ticker', 'dict'],
    ['report_year', 'i32'], ['section_item', 'dict'], ['section_name', 'dict'], ['sentence', 'dict'],
    ['sentence_pos', 'i32'], ['prev_sentence_id', 'nstr'], ['next_sentence_id', 'nstr'],
  ],
  // Files written before the links existed lack them.
  optional: ['prev_sentence_id', 'next_sentence_id'],
};

export function encodeSentencesArtifact(table: SentencesTable, parquet: Uint8Array): Buffer {
  const columns: Record<string, ColumnValues | undefined> = {};
  for (const [name] of SPEC.columns) columns[name] = table[name as keyof SentencesTable] as ColumnValues | undefined;
  return encodeColumnar(SPEC, table.count, columns, parquet);
}

/**
 * The sentences of an artifact derived from the Parquet whose SHA-256 is `parquetSha256`, or why it
 * cannot be used (stale, damaged). Never throws: a bad artifact means decoding the Parquet.
 */
export function decodeSentencesArtifact(artifact: Buffer, parquetSha256: string): { table: SentencesTable } | { rejected: string } {
  const decoded = decodeColumnar(SPEC, artifact, parquetSha256);
  if ('rejected' in decoded) return decoded;
  const { count, columns } = decoded;
  const ids = columns.sentenceID as string[];
  const rowById = new Map<string, number>();
  for (let i = 0; i < count; i++) rowById.set(ids[i], i);
  if (rowById.size !== count) return { rejected: 'damaged: duplicate sentenceID values' };
  return { table: { count, ...(columns as unknown as Omit<SentencesTable, 'count' | 'rowById'>), rowById, parquetSha256 } };
}
