/**
 * A SHA-256 per table of what the loader actually holds in memory after loading it, so a caller can
 * prove that two paths (the Lambda's S3 → /tmp path and the local data_cache/) loaded exactly the
 * same content: for embeddings the float32 vector bytes as served (row-major, little-endian) and,
 * separately, the ids; for the sentences table every column in a fixed order; for the small tables
 * their rows as JSON. Hashing decoded content rather than file bytes is the point: a file that
 * decodes differently (a flipped float, a wrong page) changes the digest even when its size does not.
 */
import { createHash } from 'node:crypto';
import type { DataLoader, EmbeddingMatrix, SentencesTable } from './types';

export interface TableDigest {
  rows: number;
  sha256: string;
  /** Embeddings: the digest of the ids, in row order (joined by "\n"). */
  ids_sha256?: string;
  /** Embeddings: the model key and vector length. */
  model?: string;
  dims?: number;
}

const SENTENCE_DIGEST_COLUMNS = ['sentenceID', 'docID', 'cik_int', 'company_name', 'ticker', 'report_year', 'section_item', 'section_name', 'sentence', 'sentence_pos', 'prev_sentence_id', 'next_sentence_id'] as const;

/** Loads every table (embeddings of `model`, default when omitted) and digests each; keys are table names. */
export async function digestTables(loader: DataLoader, model?: string): Promise<Record<string, TableDigest>> {
  const [sentences, embeddings, companies, sections, kpiFacts] = await Promise.all([
    loader.sentences(),
    loader.embeddings(model),
    loader.companies(),
    loader.sections(),
    loader.kpiFacts(),
  ]);
  const embeddingsTable = loader.stats().find((s) => s.rows === embeddings.count && s.columns?.includes('embedding'))?.table ?? `embeddings_${embeddings.model}`;
  return {
    sentences: digestSentences(sentences),
    [embeddingsTable]: digestEmbeddings(embeddings),
    companies: digestRows(companies),
    sections: digestRows(sections),
    kpi_facts: digestRows(kpiFacts),
  };
}

export function digestEmbeddings(m: EmbeddingMatrix): TableDigest {
  const vectors = createHash('sha256').update(new Uint8Array(m.vectors.buffer, m.vectors.byteOffset, m.vectors.byteLength)).digest('hex');
  const ids = createHash('sha256').update(m.ids.join('\n')).digest('hex');
  return { rows: m.count, sha256: vectors, ids_sha256: ids, model: m.model, dims: m.dims };
}

export function digestSentences(t: SentencesTable): TableDigest {
  const hash = createHash('sha256');
  for (const name of SENTENCE_DIGEST_COLUMNS) {
    const column = t[name];
    hash.update(`${name}\n`);
    if (column instanceof Int32Array) hash.update(new Uint8Array(column.buffer, column.byteOffset, column.byteLength));
    else hash.update(JSON.stringify(column ?? null));
  }
  return { rows: t.count, sha256: hash.digest('hex') };
}

export function digestRows(rows: readonly object[]): TableDigest {
  return { rows: rows.length, sha256: createHash('sha256').update(JSON.stringify(rows)).digest('hex') };
}
