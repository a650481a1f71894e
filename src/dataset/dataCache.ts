/**
 * Builds data_cache/ from the FinSights snapshot (../shared/data/finsights by default): the sentences
 * table, the companies / sections dimensions and the KPI facts as shipped, and an embeddings table
 * per requested model computed through BedrockRuntimeClient — AWS_ENDPOINT_URL_BEDROCK_RUNTIME when
 * set, else a local embedder the caller passes in (the CLI and scripts pass the Bedrock emulator:
 * src/cli/localDataset.ts), so this library never imports the emulator. Derived tables are never
 * committed; `ensureDataCache()` rebuilds only when the manifest says the inputs changed.
 */
import { copyFileSync, existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { createBedrockRuntimeClient, isLocalEndpoint } from '../aws';
import { embeddingModel, embeddingsTableName, localCacheDir, tableConfig, type LarderConfig } from '../config';
import { LarderError } from '../errors';
import { log } from '../log';
import { normaliseRows } from '../loader/normalise';
import { readCompaniesParquet, readKpiFactsParquet, readSectionsParquet, readSentencesParquet } from '../loader/smallTables';
import { writeEmbeddingsParquet } from './embeddingsParquet';
import { embedTexts } from './embedTexts';
import { buildArtifacts, staleArtifacts } from './indexArtifacts';
import type { LocalEmbedder } from './embedder';
import { buildFinsightsSentences, FINSIGHTS_FILES, sentencesFrame } from './finsightsSentences';
import { hashFile, hashInputs, readManifest, staleReason, writeManifest, type BuiltTable, type DataCacheManifest, type EmbeddingSource } from './manifest';

/** Bump when the build's output changes for the same inputs. */
export const BUILD_SCRIPT_VERSION = 3;

export interface BuildDataOptions {
  /** The FinSights snapshot directory (default: <repo>/../shared/data/finsights). */
  sourceDir?: string;
  /** Output directory (default: cache.local_dir, i.e. data_cache/). */
  outDir?: string;
  /** Embedding model keys to build tables for (default: the configured default model). */
  models?: string[];
  /** Rebuild even when the manifest says the cache is current. */
  force?: boolean;
  /** Bedrock client to embed with (default: real/emulated per config, see above). */
  bedrock?: BedrockRuntimeClient;
  /**
   * The local embedder (the Bedrock emulator, passed in by the CLI edge): started for the build when
   * no endpoint is configured, and its version recorded for loopback endpoints.
   */
  localEmbedder?: LocalEmbedder;
}

export interface BuildResult {
  outDir: string;
  skipped: boolean;
  reason: string;
  manifest: DataCacheManifest;
}

export function defaultSourceDir(config: LarderConfig): string {
  return resolve(config.rootDir, '../shared/data/finsights');
}

/** Builds data_cache/ unless it is current; a fast no-op (hashes ~4.5 MB of inputs) when it is. */
export async function ensureDataCache(config: LarderConfig, options: BuildDataOptions = {}): Promise<BuildResult> {
  return buildDataCache(config, options);
}

export async function buildDataCache(config: LarderConfig, options: BuildDataOptions = {}): Promise<BuildResult> {
  const t0 = performance.now();
  const sourceDir = resolve(options.sourceDir ?? defaultSourceDir(config));
  const outDir = resolve(options.outDir ?? localCacheDir(config));
  const models = options.models ?? [config.embedding.default];
  const inputs: Record<string, string> = {};
  for (const file of Object.values(FINSIGHTS_FILES)) {
    const p = join(sourceDir, file);
    if (!existsSync(p)) throw new LarderError('TABLE_NOT_FOUND', `FinSights snapshot incomplete: ${p} not found (pass --source <dir>)`, { details: { sourceDir } });
    inputs[file] = hashFile(p);
  }
  // What makes the vectors is part of each embeddings table's key: the emulator's embedding function
  // version (a changed function rebuilds the embeddings, and only them) or, for real Bedrock, the model.
  const embedder = await embedderOf(config, options.bedrock);
  const sourceOf = (m: string): EmbeddingSource => {
    const model = embeddingModel(config, m);
    return embedder === 'emulator'
      ? { via: 'emulator', emulatorVersion: emulatorVersion(options.localEmbedder), modelId: model.model_id, dims: model.dimensions }
      : { via: 'bedrock', modelId: model.model_id, dims: model.dimensions };
  };
  const shapeOf = (m: string) => {
    const src = sourceOf(m);
    const by = src.via === 'emulator' ? `emulator-v${src.emulatorVersion}` : 'bedrock';
    return `${src.modelId}:${src.dims}:${tableConfig(config, embeddingsTableName(config, m)).local_path}:${by}`;
  };
  const baseTables = ['sentences', 'companies', 'sections', 'kpi_facts'];
  // The base hash covers the inputs and the base tables; each embeddings table is tracked on its own
  // (manifest.embedding.shapes), so asking for another model builds only that model.
  const inputsHash = hashInputs({ ...inputs, scriptVersion: String(BUILD_SCRIPT_VERSION), paths: baseTables.map((t) => tableConfig(config, t).local_path).join(',') });
  const previous = readManifest(outDir);
  const baseStale = options.force ? 'forced' : staleReason(outDir, inputsHash, baseTables);
  const kept = baseStale ? {} : keptEmbeddings(config, outDir, previous, shapeOf);
  const missing = models.filter((m) => !(m in kept));
  if (!baseStale && missing.length === 0) {
    if (staleArtifacts(config, outDir, previous, inputsHash).length === 0) return { outDir, skipped: true, reason: 'up to date', manifest: previous! };
    return rebuildArtifacts(config, outDir, previous!, inputsHash);
  }
  const reason = baseStale ?? `embeddings missing or changed: ${missing.join(', ')}`;
  log.info('building the data cache', { outDir, sourceDir, reason });

  const tables: Record<string, BuiltTable> = {};
  const out = (table: string) => join(outDir, tableConfig(config, table).local_path);
  const record = (table: string, rows: number) => {
    tables[table] = { path: tableConfig(config, table).local_path, rows, bytes: statSync(out(table)).size };
  };
  mkdirSync(outDir, { recursive: true });

  let ids: string[];
  let texts: string[];
  if (baseStale) {
    // Dimensions and KPI facts: the snapshot's bytes, unchanged.
    const copies: [string, string][] = [['companies', FINSIGHTS_FILES.companies], ['sections', FINSIGHTS_FILES.sections], ['kpi_facts', FINSIGHTS_FILES.kpiFacts]];
    for (const [table, file] of copies) atomicWrite(out(table), (tmp) => copyFileSync(join(sourceDir, file), tmp));
    const companies = await readCompaniesParquet(out('companies'), { label: out('companies') });
    const sections = await readSectionsParquet(out('sections'), { label: out('sections') });
    record('companies', companies.length);
    record('sections', sections.length);
    record('kpi_facts', (await readKpiFactsParquet(out('kpi_facts'), { label: out('kpi_facts') })).length);
    const { columns, skipped } = buildFinsightsSentences(sourceDir, companies, sections);
    if (skipped) log.warn('sentences with unparsable ids skipped', { skipped });
    atomicWrite(out('sentences'), (tmp) => sentencesFrame(columns).writeParquet(tmp, { compression: 'zstd' }));
    record('sentences', columns.sentenceID.length);
    ids = columns.sentenceID;
    texts = columns.sentence;
  } else {
    for (const t of baseTables) tables[t] = previous!.tables[t];
    const built = await readSentencesParquet(out('sentences'), { label: out('sentences') });
    ids = built.sentenceID;
    texts = built.sentence;
  }

  const shapes: Record<string, string> = {};
  const sources: Record<string, EmbeddingSource> = {};
  for (const [m, shape] of Object.entries(kept)) {
    shapes[m] = shape;
    sources[m] = previous!.embedding.sources?.[m] ?? sourceOf(m);
    tables[embeddingsTableName(config, m)] = previous!.tables[embeddingsTableName(config, m)];
  }
  const via = await withBedrock(config, options.bedrock, options.localEmbedder, async (client, via) => {
    for (const key of missing) {
      const model = embeddingModel(config, key);
      const table = embeddingsTableName(config, key);
      const t1 = performance.now();
      let lastPct = -1;
      const vectors = await embedTexts(client, texts, {
        model,
        onProgress: (done, total) => {
          const pct = Math.floor((done / total) * 10) * 10;
          if (pct !== lastPct) {
            lastPct = pct;
            log.info('embedding sentences', { model: key, done, total, pct });
          }
        },
      });
      normaliseRows(vectors, model.dimensions); // stored normalised: the loader's check then finds nothing to scale
      atomicWrite(out(table), (tmp) => writeEmbeddingsParquet(tmp, ids, vectors, model.dimensions));
      record(table, ids.length);
      shapes[key] = shapeOf(key);
      sources[key] = sourceOf(key);
      log.info('embeddings table written', { model: key, rows: ids.length, seconds: Number(((performance.now() - t1) / 1000).toFixed(1)), via });
    }
    return via;
  });
  writeNotice(sourceDir, outDir);
  const built = await buildArtifacts(config, outDir, inputsHash, atomicWrite);
  Object.assign(tables, built.tables);
  const manifest: DataCacheManifest = {
    kind: 'finsights',
    scriptVersion: BUILD_SCRIPT_VERSION,
    inputsHash,
    inputs,
    tables,
    builtAt: new Date().toISOString(),
    seconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
    embedding: { models: Object.keys(shapes), shapes, sources, via },
    artifacts: built.artifacts,
  };
  writeManifest(outDir, manifest);
  log.info('data cache built', { outDir, seconds: manifest.seconds, sentences: ids.length, embeddings: Object.keys(shapes) });
  return { outDir, skipped: false, reason, manifest };
}

/** Only the index artifacts are missing or stale (e.g. the tokenizer changed): build them alone. */
async function rebuildArtifacts(config: LarderConfig, outDir: string, previous: DataCacheManifest, inputsHash: string): Promise<BuildResult> {
  const built = await buildArtifacts(config, outDir, inputsHash, atomicWrite);
  const manifest: DataCacheManifest = { ...previous, tables: { ...previous.tables, ...built.tables }, artifacts: { ...previous.artifacts, ...built.artifacts } };
  writeManifest(outDir, manifest);
  log.info('index artifacts built', { outDir, artifacts: Object.keys(built.artifacts) });
  return { outDir, skipped: false, reason: `index artifacts missing or stale: ${Object.keys(built.artifacts).join(', ')}`, manifest };
}

/** Embeddings tables of the previous build still valid: same model id, dims, path and embedder, file intact. */
function keptEmbeddings(config: LarderConfig, outDir: string, previous: DataCacheManifest | null, shapeOf: (m: string) => string): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [m, shape] of Object.entries(previous?.embedding.shapes ?? {})) {
    if (!(m in config.embedding.models) || shape !== shapeOf(m)) continue;
    const t = previous!.tables[embeddingsTableName(config, m)];
    const p = t && join(outDir, t.path);
    if (p && existsSync(p) && statSync(p).size === t.bytes) kept[m] = shape;
  }
  return kept;
}

/**
 * Who will embed: the local Bedrock emulator (a loopback endpoint, or none: withBedrock then starts
 * one in-process) or real Bedrock (any other endpoint). A given client is judged by its endpoint;
 * one without an explicit endpoint talks to AWS.
 */
export async function embedderOf(config: LarderConfig, given?: BedrockRuntimeClient): Promise<'emulator' | 'bedrock'> {
  if (given) {
    const resolve = given.config.endpoint;
    if (!resolve) return 'bedrock';
    const ep = await resolve();
    return isLocalEndpoint(`${ep.protocol}//${ep.hostname.includes(':') ? `[${ep.hostname}]` : ep.hostname}`) ? 'emulator' : 'bedrock';
  }
  const endpoint = config.overrides.endpoints.bedrockRuntime;
  return !endpoint || isLocalEndpoint(endpoint) ? 'emulator' : 'bedrock';
}

/** The emulator version a loopback build records; a build without the embedder cannot tell it. */
function emulatorVersion(embedder: LocalEmbedder | undefined): number {
  if (!embedder) throw new LarderError('VALIDATION', 'building embeddings through a local Bedrock endpoint needs the local embedder (its version keys the table): pass options.localEmbedder, or use ensureLocalDataCache (src/cli/localDataset.ts)');
  return embedder.version;
}

/** Runs `fn` with a Bedrock client: the given one, the configured endpoint, or the local embedder started for it. */
export async function withBedrock<T>(config: LarderConfig, given: BedrockRuntimeClient | undefined, local: LocalEmbedder | undefined, fn: (client: BedrockRuntimeClient, via: string) => Promise<T>): Promise<T> {
  if (given) return fn(given, 'given client');
  const endpoint = config.overrides.endpoints.bedrockRuntime;
  if (endpoint) return fn(createBedrockRuntimeClient(config), endpoint);
  if (!local) throw new LarderError('VALIDATION', 'no Bedrock endpoint to embed with: set AWS_ENDPOINT_URL_BEDROCK_RUNTIME, or pass options.localEmbedder (npm run build:data does)');
  const emulator = await local.start();
  try {
    return await fn(createBedrockRuntimeClient(config, { endpoint: emulator.endpoint }), `in-process Bedrock emulator (${emulator.endpoint})`);
  } finally {
    await emulator.close();
  }
}

/** Writes via a temp file beside `path`, then renames (a half-written table never looks complete). */
export function atomicWrite(path: string, write: (tmp: string) => void): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  write(tmp);
  renameSync(tmp, path);
}

export function writeNotice(sourceDir: string, outDir: string): void {
  copyFileSync(join(sourceDir, FINSIGHTS_FILES.license), join(outDir, FINSIGHTS_FILES.license));
  writeFileSync(
    join(outDir, 'NOTICE.md'),
    [
      '# Where these tables come from',
      '',
      'Built by `npm run build:data` (scripts/build-data.ts → src/dataset/) from the FinSights data',
      'snapshot in ../shared/data/finsights (see its SOURCE.md): https://github.com/mjsushanth/FinSights',
      'at commit cb0af0dc62db3f103bc00056fce09015fcf6d368.',
      '',
      'FinSights is MIT-licensed, Copyright (c) 2025 Northeastern University IE7374 MLOps Team; the full',
      'license is in LICENSE.FinSights.txt beside this file and must travel with any copy of these tables.',
      'The underlying text is from public SEC 10-K filings (EDGAR).',
      '',
      '- dimensions/*.parquet and metrics/KPI_FACT_DATA_EDGAR.parquet: the snapshot files, byte for byte.',
      '- sentences/finrag_sentences.parquet: derived from the two gold bundle files and the Alphabet parquet.',
      '- embeddings/*.parquet: computed by the build through Bedrock (the local emulator unless pointed at',
      '  real Bedrock; manifest.json says which). Emulator vectors are hashed features, not model output.',
      '',
    ].join('\n'),
  );
}
