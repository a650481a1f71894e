/**
 * Checks on one answer, shared by `larder eval --answers` and the tests: do its citations resolve,
 * does it leak the system prompt, does it state a suspect KPI value as a fiscal-year figure, does its
 * evidence (KPI facts or sources' context) or its text hold a gold number.
 */
import { citedNumbers, unresolvedCitations } from '../context/citations';
import { formatAmount } from '../context/kpiSuspect';
import { SYSTEM_PROMPT } from '../prompts/system';
import type { QueryResponse } from '../types';

/** Fragments of the system prompt long enough that finding one in an answer can only mean a quote of it. */
const SYSTEM_FRAGMENTS = SYSTEM_PROMPT.split(/\n|(?<=[.;:])\s+/)
  .map((s) => s.replace(/^[-\s]+/, '').trim())
  .filter((s) => s.length >= 20)
  .map((s) => s.slice(0, 40).toLowerCase());

export function leaksSystemPrompt(answer: string): boolean {
  const a = answer.toLowerCase();
  return SYSTEM_FRAGMENTS.some((f) => a.includes(f));
}

export function citationCounts(r: Pick<QueryResponse, 'answer' | 'sources'>): { cited: number; unresolved: number } {
  return { cited: citedNumbers(r.answer).length, unresolved: unresolvedCitations(r.answer, r.sources).length };
}

/** A suspect KPI value written as a fiscal-year figure in the answer ("fiscal 2018 … $136.27 billion"). */
export function statesSuspectAsAnnual(r: Pick<QueryResponse, 'answer' | 'kpi_facts'>): boolean {
  return r.kpi_facts.some((f) => {
    if (!f.suspect) return false;
    const amount = formatAmount(f.value).replace(/[$.]/g, (c) => `\\${c}`);
    return new RegExp(`(fiscal|FY)\\s*${f.fiscal_year}[^\\n]{0,60}?${amount}`, 'i').test(r.answer);
  });
}

/** Numbers written in a text: "$27.0 billion" → 27 and 27e9; "1,234" → 1234. */
export function numbersIn(text: string): number[] {
  const out: number[] = [];
  for (const m of text.matchAll(/(-?\d[\d,]*(?:\.\d+)?)\s*(billion|million|thousand)?/gi)) {
    const n = Number(m[1]!.replace(/,/g, ''));
    if (!Number.isFinite(n)) continue;
    out.push(n);
    const scale = m[2]?.toLowerCase();
    if (scale) out.push(n * (scale === 'billion' ? 1e9 : scale === 'million' ? 1e6 : 1e3));
  }
  return out;
}

/** Within tolerance, read as relative (the gold file's 0.01 = 1%), of the value or its billions / millions. */
export function matchesGold(n: number, gold: number, tolerance: number): boolean {
  const near = (x: number) => Math.abs(x - gold) <= Math.max(Math.abs(gold) * tolerance, 1e-9);
  return near(n) || near(n / 1e9) || near(n / 1e6);
}

export function numericHits(r: Pick<QueryResponse, 'answer' | 'sources' | 'kpi_facts'>, gold: number, tolerance: number): { evidence: boolean; answer: boolean } {
  const evidenceNumbers = [...r.kpi_facts.map((f) => f.value), ...r.sources.flatMap((s) => numbersIn(s.context))];
  return {
    evidence: evidenceNumbers.some((n) => matchesGold(n, gold, tolerance)),
    answer: numbersIn(r.answer).some((n) => matchesGold(n, gold, tolerance)),
  };
}
