/**
 * Evidence for every company (or year) a question names. One filtered search over "Amazon or
 * Walmart" ranks both together, and the company whose filings repeat the question's words fills the
 * top k: "Compare Amazon and Walmart revenue growth 2021" came back with Walmart only. So a question
 * naming several companies runs one search per company (each with its own relaxation ladder, which
 * keeps the company and drops the year first), and one naming several specific years — and one
 * company or none — one per year; the lists are interleaved by rank so each group's best hits come
 * first, and `coverageOf` reports what the sources cover per group. The query embedding is computed
 * once and shared by every search.
 */
import type { QuestionEntities } from '../entities';
import { filterFromEntities } from '../filters/fromEntities';
import type { CoverageEntry, QuerySource } from '../types';
import type { RetrievalIndexes } from './indexes';
import { searchWithRelaxation, type RankedHit, type SearchOutcome, type SearchSettings } from './search';

/** More years than this are a trend question ("2015–2024"): one search over the range serves it. */
const MAX_YEAR_GROUPS = 4;

export interface EntityGroup {
  kind: 'company' | 'year';
  label: string;
  entities: QuestionEntities;
}

/** The groups a question names: ≥ 2 companies, else 2–MAX_YEAR_GROUPS years; [] when neither. */
export function entityGroups(e: QuestionEntities): EntityGroup[] {
  if (e.companies.length > 1) return e.companies.map((c) => ({ kind: 'company', label: c.company_name, entities: { ...e, companies: [c] } }));
  const years = e.years.years;
  if (years.length > 1 && years.length <= MAX_YEAR_GROUPS) {
    return years.map((y) => ({ kind: 'year', label: `FY${y}`, entities: { ...e, years: { years: [y], phrases: e.years.phrases } } }));
  }
  return [];
}

/** One search per group, interleaved by rank (group 1's best, group 2's best, …), row-deduplicated, up to topK. */
export function searchEachGroup(ix: RetrievalIndexes, question: string, query: Float32Array, groups: readonly EntityGroup[], s: SearchSettings): SearchOutcome {
  const per = Math.max(1, Math.ceil(s.topK / groups.length));
  const outcomes = groups.map((g) => searchWithRelaxation(ix, question, query, filterFromEntities(g.entities), { ...s, topK: per }));
  const fused: RankedHit[] = [];
  const seen = new Set<number>();
  for (let rank = 0; fused.length < s.topK && outcomes.some((o) => rank < o.fused.length); rank++) {
    for (const o of outcomes) {
      const h = o.fused[rank];
      if (!h || seen.has(h.row) || fused.length >= s.topK) continue;
      seen.add(h.row);
      fused.push(h);
    }
  }
  const deepest = outcomes.map((o) => o.relaxation).sort((a, b) => RUNG_ORDER.indexOf(b) - RUNG_ORDER.indexOf(a))[0] ?? 'none';
  return {
    vector: outcomes.flatMap((o) => o.vector),
    lexical: outcomes.flatMap((o) => o.lexical),
    fused,
    rowsScanned: outcomes.reduce((n, o) => n + o.rowsScanned, 0),
    relaxation: deepest,
    filterUsed: { $or: outcomes.map((o) => o.filterUsed).filter((f) => f !== null) } as SearchOutcome['filterUsed'],
  };
}

const RUNG_ORDER = ['none', 'drop_year', 'drop_section', 'global'];

/** What the sources cover for each group. */
export function coverageOf(groups: readonly EntityGroup[], sources: readonly QuerySource[], asked: QuestionEntities): CoverageEntry[] {
  const years = new Set(asked.years.years);
  return groups.map((g) => {
    const about = sources.filter((s) => (g.kind === 'company' ? s.company === g.label : `FY${s.year}` === g.label));
    const yearsMatched = g.kind === 'year' || years.size === 0 || about.some((s) => years.has(s.year));
    return { entity: g.label, kind: g.kind, refs: about.map((s) => s.ref), years_matched: about.length > 0 && yearsMatched };
  });
}

/** One sentence per group the evidence misses, for the end of the answer; '' when it covers all. */
export function coverageNote(coverage: readonly CoverageEntry[], asked: QuestionEntities): string {
  const notes: string[] = [];
  const years = asked.years.years.map((y) => `FY${y}`).join(', ');
  for (const c of coverage) {
    if (c.refs.length === 0) notes.push(`No passages for ${c.entity} were found in the filings.`);
    else if (!c.years_matched) notes.push(`No passages for ${c.entity} from ${years} were found; its sources [${c.refs.join('], [')}] are from other years.`);
  }
  return notes.length ? `Coverage: ${notes.join(' ')}` : '';
}
