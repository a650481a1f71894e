/**
 * A KPI block from the KPI fact table, when the question names a metric, a company and a year:
 * exact reported values beat anything a model reads off a sentence — unless the series contradicts
 * the value (kpiSuspect.ts). A suspect value is never written as a fiscal-year figure: its line says
 * what the data shows ("the stored value … looks like a single quarter") so neither a model nor a
 * reader takes $136.27 billion for Walmart's fiscal 2018 revenue.
 */
import type { KpiFactRow } from '../../loader/types';
import type { QuestionEntities } from '../entities';
import type { KpiFactUsed } from '../types';
import { formatAmount, suspectFacts, suspectKey, US_NUMBER } from './kpiSuspect';

export interface KpiBlock {
  text: string;
  facts: KpiFactRow[];
  /** The same facts for the response, with their suspect flags. */
  used: KpiFactUsed[];
}

const MAX_FACTS = 40;

export function kpiBlock(kpis: readonly KpiFactRow[], e: QuestionEntities): KpiBlock | null {
  if (!e.metrics.length || !e.companies.length) return null;
  const years = new Set(e.years.years);
  if (years.size === 0) return null;
  const ciks = new Set(e.companies.map((c) => c.cik_int));
  const keys = new Set(e.metrics.map((m) => m.metric_key));
  const facts = kpis
    .filter((k) => ciks.has(k.cik_int) && years.has(k.year) && keys.has(k.metric_key))
    .sort((a, b) => a.ticker.localeCompare(b.ticker) || a.year - b.year || a.metric_key.localeCompare(b.metric_key))
    .slice(0, MAX_FACTS);
  if (!facts.length) return null;
  const suspects = suspectFacts(kpis);
  const names = new Map(e.companies.map((c) => [c.cik_int, c.company_name]));
  const used = facts.map((f): KpiFactUsed => {
    const s = suspects.get(suspectKey(f));
    return {
      company: names.get(f.cik_int) ?? f.ticker,
      ticker: f.ticker,
      metric: f.metric_key,
      metric_label: f.metric_label,
      fiscal_year: f.year,
      value: f.value,
      unit: f.unit,
      filed_date: f.filed_date,
      accession_no: f.accession_no,
      suspect: s !== undefined,
      ...(s ? { reason: s.reason } : {}),
    };
  });
  const lines = facts.map((f, i) => {
    const cite = `(10-K filed ${f.filed_date}, accession ${f.accession_no})`;
    const s = suspects.get(suspectKey(f));
    if (!s) return `${f.ticker} fiscal ${f.year} ${f.metric_label}: ${formatValue(f.value, f.unit)} ${cite}.`;
    return `${f.ticker} ${f.metric_label}, 10-K for ${f.year}: no reliable full-year figure in the KPI table — the stored value ${formatAmount(f.value)} is ${used[i]!.reason} ${cite}.`;
  });
  return { text: `[KPI] Reported XBRL facts (SEC EDGAR)\n${lines.join('\n')}`, facts, used };
}

export function formatValue(value: number, unit: string): string {
  if (unit === 'USD' && Math.abs(value) >= 1e6) {
    const [div, word] = Math.abs(value) >= 1e9 ? [1e9, 'billion'] : [1e6, 'million'];
    return `$${US_NUMBER.scaled.format(value / div)} ${word} (${US_NUMBER.whole.format(value)} USD)`;
  }
  return `${US_NUMBER.precise.format(value)}${unit ? ' ' + unit : ''}`;
}
