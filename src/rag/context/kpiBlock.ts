/**
 * A KPI block from the KPI fact table, when the question names a metric, a company and a year:
 * exact reported values beat anything a model reads off a sentence.
 */
import type { KpiFactRow } from '../../loader/types';
import type { QuestionEntities } from '../entities';

export interface KpiBlock {
  text: string;
  facts: KpiFactRow[];
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
  const lines = facts.map((f) => `${f.ticker} fiscal ${f.year} ${f.metric_label}: ${formatValue(f.value, f.unit)} (10-K filed ${f.filed_date}, accession ${f.accession_no}).`);
  return { text: `[KPI] Reported XBRL facts (SEC EDGAR)\n${lines.join('\n')}`, facts };
}

export function formatValue(value: number, unit: string): string {
  if (unit === 'USD' && Math.abs(value) >= 1e6) {
    const [div, word] = Math.abs(value) >= 1e9 ? [1e9, 'billion'] : [1e6, 'million'];
    return `$${(value / div).toLocaleString('en-US', { maximumFractionDigits: 2 })} ${word} (${value.toLocaleString('en-US')} USD)`;
  }
  return `${value.toLocaleString('en-US', { maximumFractionDigits: 4 })}${unit ? ' ' + unit : ''}`;
}
