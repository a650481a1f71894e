/**
 * The prebuilt index artifacts of data_cache/, built by `npm run build:data` beside the tables and
 * seeded to S3 with them: the BM25 postings of the sentences (table `index_bm25`), and the
 * sentences and the KPI facts in a fast columnar form (`index_sentences`, `index_kpi_facts`). The
 * manifest records, per artifact, the inputs hash and the builder's fingerprint (artifact version +
 * tokenizer behaviour) it was built with, so `ensureDataCache` rebuilds only the artifact when the
 * tokenizer changes and finds it current in a few ms otherwise. The query engine validates the
 * artifact again at load (its key covers the Parquet it came from): a build here is an optimisation,
 * never a source of truth.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableConfig, type LarderConfig } from '../config';
import { Bm25Index } from '../rag/lexical/bm25';
import { bm25ArtifactKey, encodeBm25Artifact } from '../rag/lexical/bm25Artifact';
import { BM25_ARTIFACT_TABLE } from '../rag/retrieval/indexes';
import { encodeSentencesArtifact, SENTENCES_ARTIFACT_TABLE, SENTENCES_ARTIFACT_VERSION } from '../loader/sentencesArtifact';
import { encodeKpiFactsArtifact, KPI_FACTS_ARTIFACT_TABLE, KPI_FACTS_ARTIFACT_VERSION } from '../loader/kpiFactsArtifact';
import { readKpiFactsParquet, readSentencesParquet } from '../loader/smallTables';
import { log } from '../log';
import type { BuiltTable, DataCacheManifest } from './manifest';

export interface BuiltArtifact {
  inputsHash: string;
  fingerprint: string;
  /** Why this build made no file for it (the table is then decoded from its Parquet); absent when built. */
  notBuilt?: string;
}

/** Artifacts this build makes, when the config names their table. */
export function artifactTables(config: LarderConfig): string[] {
  return [BM25_ARTIFACT_TABLE, SENTENCES_ARTIFACT_TABLE, KPI_FACTS_ARTIFACT_TABLE].filter((t) => config.tables[t]?.kind === 'index');
}

/**
 * The builder's fingerprint: for BM25 the key of an empty corpus (artifact version + tokenizer
 * behaviour); for the columnar forms their layout version.
 */
function fingerprint(table: string): string {
  if (table === SENTENCES_ARTIFACT_TABLE) return `sentences-v${SENTENCES_ARTIFACT_VERSION}`;
  if (table === KPI_FACTS_ARTIFACT_TABLE) return `kpi-facts-v${KPI_FACTS_ARTIFACT_VERSION}`;
  return bm25ArtifactKey([]);
}

/** Artifacts missing, of another inputs hash or builder, or of the wrong size on disk. */
export function staleArtifacts(config: LarderConfig, outDir: string, manifest: DataCacheManifest | null, inputsHash: string): string[] {
  return artifactTables(config).filter((table) => {
    const built = manifest?.artifacts?.[table];
    const t = manifest?.tables[table];
    const path = join(outDir, tableConfig(config, table).local_path);
    if (!built || built.inputsHash !== inputsHash || built.fingerprint !== fingerprint(table)) return true;
    if (built.notBuilt) return false; // the same inputs and builder would decline again
    return !t || !existsSync(path) || statSync(path).size !== t.bytes;
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
    let built: { bytes: Buffer; rows: number };
    if (table === SENTENCES_ARTIFACT_TABLE) built = { bytes: encodeSentencesArtifact(sentences, parquet), rows: sentences.count };
    else if (table === BM25_ARTIFACT_TABLE) {
      const parts = Bm25Index.build(sentences.sentence, config.retrieval.lexical).toParts();
      built = { bytes: encodeBm25Artifact(parts, bm25ArtifactKey(sentences.sentence, sentences.parquetSha256)), rows: sentences.count };
    } else {
      const factsPath = join(outDir, tableConfig(config, 'kpi_facts').local_path);
      const factsParquet = readFileSync(factsPath);
      const rows = await readKpiFactsParquet(factsParquet, { label: factsPath });
      try {
        built = { bytes: encodeKpiFactsArtifact(rows, factsParquet), rows: rows.length };
      } catch (err) {
        // A facts table whose values the columnar form cannot hold as read: served from its Parquet.
        log.warn('KPI facts artifact not built; the facts are decoded from their Parquet', { table, error: (err as Error).message });
        artifacts[table] = { inputsHash, fingerprint: fingerprint(table), notBuilt: (err as Error).message };
        continue;
      }
    }
    const rel = tableConfig(config, table).local_path;
    atomicWrite(join(outDir, rel), (tmp) => writeFileSync(tmp, built.bytes));
    tables[table] = { path: rel, rows: built.rows, bytes: built.bytes.length };
    artifacts[table] = { inputsHash, fingerprint: fingerprint(table) };
  }
  return { tables, artifacts };
}
