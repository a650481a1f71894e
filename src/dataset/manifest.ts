/**
 * data_cache/manifest.json: what a build was made from (input file hashes, script version, the
 * config that shapes the output) and what it produced (row counts, sizes). A build whose inputs
 * hash matches and whose outputs are all present with their recorded sizes is skipped.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const MANIFEST_FILE = 'manifest.json';

export interface BuiltTable {
  path: string;
  rows: number;
  bytes: number;
}

export interface DataCacheManifest {
  kind: 'finsights' | 'synthetic';
  scriptVersion: number;
  inputsHash: string;
  inputs: Record<string, string>;
  tables: Record<string, BuiltTable>;
  builtAt: string;
  seconds: number;
  /**
   * Embedding models built, each with its shape (model id, dims, path, and what embedded it: the
   * emulator's embedding function version or real Bedrock) so a change rebuilds that table only.
   */
  embedding: { models: string[]; shapes?: Record<string, string>; sources?: Record<string, EmbeddingSource>; via?: string };
  /** Prebuilt index artifacts (indexArtifacts.ts): what each was built from and by. */
  artifacts?: Record<string, { inputsHash: string; fingerprint: string; notBuilt?: string }>;
}

/** What made an embeddings table's vectors. */
export type EmbeddingSource =
  | { via: 'emulator'; emulatorVersion: number; modelId: string; dims: number }
  | { via: 'bedrock'; modelId: string; dims: number };

export function hashFile(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

export function hashInputs(parts: Record<string, string>): string {
  const h = createHash('sha256');
  for (const k of Object.keys(parts).sort()) h.update(`${k}=${parts[k]}\n`);
  return h.digest('hex');
}

export function readManifest(dir: string): DataCacheManifest | null {
  try {
    return JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')) as DataCacheManifest;
  } catch {
    return null;
  }
}

export function writeManifest(dir: string, manifest: DataCacheManifest): void {
  const tmp = join(dir, `.${MANIFEST_FILE}.tmp`);
  writeFileSync(tmp, JSON.stringify(manifest, null, 2) + '\n');
  renameSync(tmp, join(dir, MANIFEST_FILE));
}

/** Why the built cache (or the named tables of it) is not current, or null when it is. */
export function staleReason(dir: string, inputsHash: string, tables?: string[]): string | null {
  const m = readManifest(dir);
  if (!m) return 'no manifest (never built)';
  if (m.inputsHash !== inputsHash) return 'inputs, config or build script changed';
  for (const [name, t] of Object.entries(m.tables)) {
    if (tables && !tables.includes(name)) continue;
    const p = join(dir, t.path);
    if (!existsSync(p)) return `table ${name} missing (${t.path})`;
    if (statSync(p).size !== t.bytes) return `table ${name} has a different size than built`;
  }
  for (const name of tables ?? []) if (!m.tables[name]) return `table ${name} not built`;
  return null;
}
