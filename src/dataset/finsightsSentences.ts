/**
 * The sentences table from the FinSights snapshot: the two gold bundle files and the Alphabet 10-K
 * sentence parquet, deduplicated by sentenceID (first source wins), ids parsed as FinSights does
 * (`{cik10}_10-K_{year}_section_{item}_{seq}`), company name and ticker from the companies
 * dimension, section display names from the sections dimension. prev/next ids link each sentence
 * to its neighbour in this table within the same document and section (the snapshot holds sampled
 * sentences, so neighbours are the nearest present positions, not always seq ± 1).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pl from 'nodejs-polars';
import { LarderError } from '../errors';
import type { CompanyRow, SectionRow } from '../loader/types';

export const FINSIGHTS_FILES = {
  trendBundles: 'goldp3_v3_trend_bundles.json',
  crossCompanyBundles: 'goldp3_v4_cross_company_bundles.json',
  alphabet: 'sec_10k_static_alphabet_2017_20_api_data.parquet',
  companies: 'finrag_dim_companies_21.parquet',
  sections: 'finrag_dim_sec_sections.parquet',
  kpiFacts: 'KPI_FACT_DATA_EDGAR.parquet',
  license: 'LICENSE.FinSights.txt',
  sourceNote: 'SOURCE.md',
} as const;

const SENTENCE_ID = /^(\d{10})_10-K_(\d{4})_section_([0-9]+[A-Za-z]?)_(\d+)$/;

export interface ParsedSentenceId {
  cik10: string;
  cikInt: number;
  year: number;
  /** Canonical item, e.g. ITEM_7, ITEM_1A. */
  item: string;
  seq: number;
  docID: string;
}

export function parseSentenceId(id: string): ParsedSentenceId | null {
  const m = SENTENCE_ID.exec(id);
  if (!m) return null;
  return { cik10: m[1], cikInt: Number(m[1]), year: Number(m[2]), item: `ITEM_${m[3].toUpperCase()}`, seq: Number(m[4]), docID: `${m[1]}_10-K_${m[2]}` };
}

interface RawSentence {
  sentenceID: string;
  text: string;
  name: string;
  source: string;
}

export interface SentenceColumns {
  sentenceID: string[];
  docID: string[];
  cik: string[];
  cik_int: number[];
  company_name: string[];
  ticker: string[];
  report_year: number[];
  section_item: string[];
  section_name: string[];
  sentence: string[];
  sentence_pos: number[];
  prev_sentence_id: (string | null)[];
  next_sentence_id: (string | null)[];
  source: string[];
}

export function buildFinsightsSentences(sourceDir: string, companies: CompanyRow[], sections: SectionRow[]): { columns: SentenceColumns; skipped: number } {
  const raw: RawSentence[] = [];
  const trend = readJson(join(sourceDir, FINSIGHTS_FILES.trendBundles)) as { name: string; sentences: { sentenceID: string; sentence_text: string }[] }[];
  for (const b of trend) for (const s of b.sentences ?? []) raw.push({ sentenceID: s.sentenceID, text: s.sentence_text, name: b.name, source: 'goldp3_v3_trend_bundles' });
  const cross = readJson(join(sourceDir, FINSIGHTS_FILES.crossCompanyBundles)) as { company_sentences: { sentenceID: string; sentence_text: string; name: string }[] }[];
  for (const b of cross) for (const s of b.company_sentences ?? []) raw.push({ sentenceID: s.sentenceID, text: s.sentence_text, name: s.name, source: 'goldp3_v4_cross_company_bundles' });
  const alpha = pl.readParquet(join(sourceDir, FINSIGHTS_FILES.alphabet), { columns: ['sentenceID', 'sentence', 'name'] });
  const aIds = alpha.getColumn('sentenceID').toArray() as string[];
  const aText = alpha.getColumn('sentence').toArray() as string[];
  const aName = alpha.getColumn('name').toArray() as string[];
  for (let i = 0; i < aIds.length; i++) raw.push({ sentenceID: aIds[i], text: aText[i] ?? '', name: aName[i] ?? '', source: 'alphabet_10k_api' });

  const companyByCik = new Map(companies.map((c) => [Number(c.cik_int), c]));
  const sectionOrder = new Map(sections.map((s, i) => [s.sec_item_canonical, i]));
  const sectionName = new Map(sections.map((s) => [s.sec_item_canonical, s.section_name]));
  const seen = new Set<string>();
  let skipped = 0;
  const rows: { id: ParsedSentenceId; raw: RawSentence }[] = [];
  for (const r of raw) {
    if (!r.sentenceID || seen.has(r.sentenceID)) continue;
    const id = parseSentenceId(r.sentenceID);
    if (!id || typeof r.text !== 'string') {
      skipped++;
      continue;
    }
    seen.add(r.sentenceID);
    rows.push({ id, raw: r });
  }
  rows.sort(
    (a, b) =>
      a.id.cikInt - b.id.cikInt ||
      a.id.year - b.id.year ||
      (sectionOrder.get(a.id.item) ?? 99) - (sectionOrder.get(b.id.item) ?? 99) ||
      a.id.item.localeCompare(b.id.item) ||
      a.id.seq - b.id.seq,
  );
  const c: SentenceColumns = {
    sentenceID: [], docID: [], cik: [], cik_int: [], company_name: [], ticker: [], report_year: [], section_item: [],
    section_name: [], sentence: [], sentence_pos: [], prev_sentence_id: [], next_sentence_id: [], source: [],
  };
  rows.forEach(({ id, raw: r }, i) => {
    const company = companyByCik.get(id.cikInt);
    c.sentenceID.push(r.sentenceID);
    c.docID.push(id.docID);
    c.cik.push(id.cik10);
    c.cik_int.push(id.cikInt);
    c.company_name.push(company?.company_name ?? r.name);
    c.ticker.push(company?.ticker ?? '');
    c.report_year.push(id.year);
    c.section_item.push(id.item);
    c.section_name.push(sectionName.get(id.item) ?? id.item);
    c.sentence.push(r.text);
    c.sentence_pos.push(id.seq);
    const prev = rows[i - 1];
    const next = rows[i + 1];
    c.prev_sentence_id.push(prev && sameSection(prev.id, id) ? prev.raw.sentenceID : null);
    c.next_sentence_id.push(next && sameSection(next.id, id) ? next.raw.sentenceID : null);
    c.source.push(r.source);
  });
  return { columns: c, skipped };
}

export function sentencesFrame(c: SentenceColumns): pl.DataFrame {
  return pl.DataFrame({
    sentenceID: pl.Series('sentenceID', c.sentenceID, pl.String),
    docID: pl.Series('docID', c.docID, pl.String),
    cik: pl.Series('cik', c.cik, pl.String),
    cik_int: pl.Series('cik_int', Int32Array.from(c.cik_int)),
    company_name: pl.Series('company_name', c.company_name, pl.String),
    ticker: pl.Series('ticker', c.ticker, pl.String),
    report_year: pl.Series('report_year', Int32Array.from(c.report_year)),
    section_item: pl.Series('section_item', c.section_item, pl.String),
    section_name: pl.Series('section_name', c.section_name, pl.String),
    sentence: pl.Series('sentence', c.sentence, pl.String),
    sentence_pos: pl.Series('sentence_pos', Int32Array.from(c.sentence_pos)),
    prev_sentence_id: pl.Series('prev_sentence_id', c.prev_sentence_id, pl.String),
    next_sentence_id: pl.Series('next_sentence_id', c.next_sentence_id, pl.String),
    source: pl.Series('source', c.source, pl.String),
  });
}

function sameSection(a: ParsedSentenceId, b: ParsedSentenceId): boolean {
  return a.docID === b.docID && a.item === b.item;
}

function readJson(path: string): unknown[] {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new LarderError('TABLE_INVALID', `${path}: cannot read the bundle file (${(err as Error).message})`, { cause: err });
  }
  return Array.isArray(data) ? data : Object.values(data as object);
}
