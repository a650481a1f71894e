/**
 * The prebuilt index artifacts of data_cache/ (the BM25 postings of the sentences, table
 * `index_bm25`; the sentences in a fast columnar form, table `index_sentences`), built by `npm run build:data` beside the tables and seeded to S3 with them. The
 * manifest records, per artifact, the inputs hash and the builder's fingerprint (artifact version +
 * tokenizer behaviour) it was built with, so `ensureDataCache` rebuilds only the artifact when the
 * tokenizer changes and finds it current in a few ms otherwise. The query engine validates the
 * artifact again at load (its key covers the sentence texts): a build here is an optimisation,
 * never a source of truth.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableConfig, type LarderConfig } from '../config';
import { Bm25Index } from '../rag/lexical/bm25';
import { bm25ArtifactKey, encodeBm25Artifact } from '../rag/lexical/bm25Artifact';
import { BM25_ARTIFACT_TABLE } from '../rag/retrieval/indexes';
import { encodeSentencesArtifact, SENTENCES_ARTIFACT_TABLE, SENTENCES_ARTIFACT_VERSION } from '../loader/sentencesArtifact';
import { readSentencesParquet } from '../loader/smallTables';
import type { BuiltTable, DataCacheManifest } from './manifest';

export interface BuiltArtifact {
  inputsHash: string;
  fingerprint: string;
}

/** Artifacts this build makes, when the config names their table. */
export function artifactTables(config: LarderConfig): string[] {
  return [BM25_ARTIFACT_TABLE, SENTENCES_ARTIFACT_TABLE].filter((t) => config.tables[t]?.kind === 'index');
}

/**
 * The builder's fingerprint: for BM25 the key of an empty corpus (artifact version + tokenizer
 * behaviour); for the sentences the layout version.
 */
function fingerprint(table: string): string {
  return table === SENTENCES_ARTIFACT_TABLE ? `sentences-v${SENTENCES_ARTIFACT_VERSION}` : bm25ArtifactKey([]);
}

/** Artifacts missing, of another inputs hash or builder, or of the wrong size on disk. */
export function staleArtifacts(config: LarderConfig, outDir: string, manifest: DataCacheManifest | null, inputsHash: string): string[] {
  return artifactTables(config).filter((table) => {
    const built = manifest?.artifacts?.[table];
    const t = manifest?.tables[table];
    const path = join(outDir, tableConfig(config, table).local_path);
    return !built || !t || built.inputsHash !== inputsHash || built.fingerprint !== fingerprint(table) || !existsSync(path) || statSync(path).size !== t.bytes;
  });
}

/** Builds the artifacts from the sentences table written in outDir; returns their table entries and build records. */
export async function buildArtifacts(
  config: LarderConfig,
  outDir: string,
  inputsHash: string,
  atomicWrite: (path: string, write: (tmp: string) => void) => void,
): Promise<{ tables: Record<string, BuiltTable>; artifacts: Record<string, BuiltArtifact> }> {
  const tables: Record<string, BuiltTable> = {};
  const artifacts: Record<string, BuiltArtifact> = {};
  const sentencesPath = join(outDir, tableConfig(config, 'sentences').local_path);
  const parquet = readFileSync(sentencesPath);
  const sentences = await readSentencesParquet(parquet, { label: sentencesPath });
  for (const table of artifactTables(config)) {
    const bytes =
      table === SENTENCES_ARTIFACT_TABLE
        ? encodeSentencesArtifact(sentences, parquet)
        : encodeBm25Artifact(Bm25Index.build(sentences.sentence, config.retrieval.lexical).toParts(), bm25ArtifactKey(sentences.sentence));
    const rel = tableConfig(config, table).local_path;
    atomicWrite(join(outDir, rel), (tmp) => writeFileSync(tmp, bytes));
    tables[table] = { path: rel, rows: sentences.count, bytes: bytes.length };
    artifacts[table] = { inputsHash, fingerprint: fingerprint(table) };
  }
  return { tables, artifacts };
}
