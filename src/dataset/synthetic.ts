/**
 * A clustered synthetic corpus of N sentences for benchmarks (100k, 400k rows): the same table
 * layout as data_cache/ (so a config whose cache.local_dir points at it loads it unchanged), real
 * dimensions and KPI facts copied from the snapshot, FinSights-shaped sentence ids, and vectors drawn
 * around 64 random centroids (so nearest-neighbour search has structure). Deterministic per seed.
 * Vectors are generated straight into one Float32Array; nothing passes through JS number arrays.
 */
import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { embeddingModel, embeddingsTableName, tableConfig, type LarderConfig } from '../config';
import { log } from '../log';
import { normaliseRows } from '../loader/normalise';
import { readCompaniesParquet, readSectionsParquet } from '../loader/smallTables';
import { writeEmbeddingsParquet } from './embeddingsParquet';
import { atomicWrite, defaultSourceDir, writeNotice } from './dataCache';
import { FINSIGHTS_FILES, sentencesFrame, type SentenceColumns } from './finsightsSentences';
import { writeManifest, type BuiltTable } from './manifest';

export interface SyntheticOptions {
  rows: number;
  outDir?: string;
  sourceDir?: string;
  model?: string;
  clusters?: number;
  seed?: number;
}

const WORDS = ['revenue', 'margin', 'growth', 'debt', 'cash', 'risk', 'supply', 'cloud', 'advertising', 'inventory', 'tax', 'pension', 'lease', 'capital', 'dividend', 'litigation', 'currency', 'interest', 'segment', 'customer', 'competition', 'regulation', 'cybersecurity', 'acquisition'];

export function defaultSyntheticDir(rows: number): string {
  return join(tmpdir(), `larder-synthetic-${rows}`);
}

export async function buildSyntheticCache(config: LarderConfig, options: SyntheticOptions): Promise<{ outDir: string; tables: Record<string, BuiltTable> }> {
  const t0 = performance.now();
  const rows = options.rows;
  const outDir = resolve(options.outDir ?? defaultSyntheticDir(rows));
  const sourceDir = resolve(options.sourceDir ?? defaultSourceDir(config));
  const modelKey = options.model ?? config.embedding.default;
  const model = embeddingModel(config, modelKey);
  const dims = model.dimensions;
  const k = options.clusters ?? 64;
  const rand = mulberry32(options.seed ?? 42);
  const out = (table: string) => join(outDir, tableConfig(config, table).local_path);
  const tables: Record<string, BuiltTable> = {};
  const record = (table: string, n: number) => (tables[table] = { path: tableConfig(config, table).local_path, rows: n, bytes: statSync(out(table)).size });
  mkdirSync(outDir, { recursive: true });

  for (const [table, file] of [['companies', FINSIGHTS_FILES.companies], ['sections', FINSIGHTS_FILES.sections], ['kpi_facts', FINSIGHTS_FILES.kpiFacts]] as const) {
    atomicWrite(out(table), (tmp) => copyFileSync(join(sourceDir, file), tmp));
    record(table, -1);
  }
  const companies = await readCompaniesParquet(out('companies'), { label: 'companies' });
  const sections = await readSectionsParquet(out('sections'), { label: 'sections' });

  const c: SentenceColumns = { sentenceID: [], docID: [], cik: [], cik_int: [], company_name: [], ticker: [], report_year: [], section_item: [], section_name: [], sentence: [], sentence_pos: [], prev_sentence_id: [], next_sentence_id: [], source: [] };
  const perSection = 50;
  const clusterOf = new Int32Array(rows);
  const idSpace = perSection * companies.length * sections.length * 26;
  for (let i = 0; i < rows; i++) {
    const block = Math.floor(i / perSection);
    const company = companies[block % companies.length];
    const section = sections[Math.floor(block / companies.length) % sections.length];
    const year = 2000 + (Math.floor(block / (companies.length * sections.length)) % 26);
    const seq = i % perSection;
    const cik10 = String(company.cik_int).padStart(10, '0');
    const item = section.sec_item_canonical.replace(/^ITEM_/, '');
    const cluster = Math.floor(rand() * k);
    clusterOf[i] = cluster;
    const w = (j: number) => WORDS[(cluster * 7 + j * 3) % WORDS.length];
    const round = Math.floor(i / idSpace); // past ~573k rows the (company, section, year, seq) space repeats
    c.sentenceID.push(`${cik10}_10-K_${year}_section_${item}_${seq}${round ? `_r${round}` : ''}`);
    c.docID.push(`${cik10}_10-K_${year}`);
    c.cik.push(cik10);
    c.cik_int.push(company.cik_int);
    c.company_name.push(company.company_name);
    c.ticker.push(company.ticker);
    c.report_year.push(year);
    c.section_item.push(section.sec_item_canonical);
    c.section_name.push(section.section_name);
    c.sentence.push(`Synthetic sentence ${i}: ${company.company_name} discusses ${w(0)}, ${w(1)} and ${w(2)} in fiscal ${year}.`);
    c.sentence_pos.push(seq);
    c.source.push('synthetic');
  }
  for (let i = 0; i < rows; i++) {
    c.prev_sentence_id.push(i % perSection > 0 ? c.sentenceID[i - 1] : null);
    c.next_sentence_id.push(i % perSection < perSection - 1 && i + 1 < rows ? c.sentenceID[i + 1] : null);
  }
  atomicWrite(out('sentences'), (tmp) => sentencesFrame(c).writeParquet(tmp, { compression: 'zstd' }));
  record('sentences', rows);

  const centroids = new Float32Array(k * dims);
  for (let i = 0; i < centroids.length; i++) centroids[i] = gauss(rand);
  const vectors = new Float32Array(rows * dims);
  for (let i = 0; i < rows; i++) {
    const base = clusterOf[i] * dims;
    const off = i * dims;
    for (let j = 0; j < dims; j++) vectors[off + j] = centroids[base + j] + 0.6 * gauss(rand);
  }
  normaliseRows(vectors, dims);
  const table = embeddingsTableName(config, modelKey);
  atomicWrite(out(table), (tmp) => writeEmbeddingsParquet(tmp, c.sentenceID, vectors, dims));
  record(table, rows);
  writeNotice(sourceDir, outDir);
  const seconds = Number(((performance.now() - t0) / 1000).toFixed(1));
  writeManifest(outDir, { kind: 'synthetic', scriptVersion: 1, inputsHash: `synthetic:v2:${rows}:${dims}:${options.seed ?? 42}`, inputs: {}, tables, builtAt: new Date().toISOString(), seconds, embedding: { models: [modelKey], via: 'synthetic clusters' } });
  log.info('synthetic data cache built', { outDir, rows, dims, seconds });
  return { outDir, tables };
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Approximately normal (sum of 4 uniforms, centred, unit variance): cheap and good enough for clusters. */
function gauss(rand: () => number): number {
  return (rand() + rand() + rand() + rand() - 2) * 1.7320508;
}
