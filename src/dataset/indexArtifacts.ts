/**
 * The prebuilt index artifacts of data_cache/ (today: the BM25 postings of the sentences, table
 * `index_bm25`), built by `npm run build:data` beside the tables and seeded to S3 with them. The
 * manifest records, per artifact, the inputs hash and the builder's fingerprint (artifact version +
 * tokenizer behaviour) it was built with, so `ensureDataCache` rebuilds only the artifact when the
 * tokenizer changes and finds it current in a few ms otherwise. The query engine validates the
 * artifact again at load (its key covers the sentence texts): a build here is an optimisation,
 * never a source of truth.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableConfig, type LarderConfig } from '../config';
import { Bm25Index } from '../rag/lexical/bm25';
import { bm25ArtifactKey, encodeBm25Artifact } from '../rag/lexical/bm25Artifact';
import { BM25_ARTIFACT_TABLE } from '../rag/retrieval/indexes';
import type { BuiltTable, DataCacheManifest } from './manifest';

export interface BuiltArtifact {
  inputsHash: string;
  fingerprint: string;
}

/** Artifacts this build makes, when the config names their table. */
export function artifactTables(config: LarderConfig): string[] {
  return config.tables[BM25_ARTIFACT_TABLE]?.kind === 'index' ? [BM25_ARTIFACT_TABLE] : [];
}

/** The builder's fingerprint: the key of an empty corpus (artifact version + tokenizer behaviour). */
function fingerprint(): string {
  return bm25ArtifactKey([]);
}

/** Artifacts missing, of another inputs hash or builder, or of the wrong size on disk. */
export function staleArtifacts(config: LarderConfig, outDir: string, manifest: DataCacheManifest | null, inputsHash: string): string[] {
  return artifactTables(config).filter((table) => {
    const built = manifest?.artifacts?.[table];
    const t = manifest?.tables[table];
    const path = join(outDir, tableConfig(config, table).local_path);
    return !built || !t || built.inputsHash !== inputsHash || built.fingerprint !== fingerprint() || !existsSync(path) || statSync(path).size !== t.bytes;
  });
}

/** Builds the artifacts from the sentence texts; returns their table entries and build records. */
export function buildArtifacts(
  config: LarderConfig,
  outDir: string,
  texts: readonly string[],
  inputsHash: string,
  atomicWrite: (path: string, write: (tmp: string) => void) => void,
): { tables: Record<string, BuiltTable>; artifacts: Record<string, BuiltArtifact> } {
  const tables: Record<string, BuiltTable> = {};
  const artifacts: Record<string, BuiltArtifact> = {};
  for (const table of artifactTables(config)) {
    const index = Bm25Index.build(texts, config.retrieval.lexical);
    const bytes = encodeBm25Artifact(index.toParts(), bm25ArtifactKey(texts));
    const rel = tableConfig(config, table).local_path;
    atomicWrite(join(outDir, rel), (tmp) => writeFileSync(tmp, bytes));
    tables[table] = { path: rel, rows: texts.length, bytes: bytes.length };
    artifacts[table] = { inputsHash, fingerprint: fingerprint() };
  }
  return { tables, artifacts };
}
