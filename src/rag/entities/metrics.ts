/**
 * Metric words → KPI table metric_key values. A phrase table for the words people use, plus every
 * multi-word metric_label of the KPI table itself. Longest phrase wins its span, so "net profit
 * margin" is a margin and not net income, and "free cash flow" is not operating cash flow.
 */
import type { KpiFactRow } from '../../loader/types';
import { matchPhrases, normalisePhraseText } from './normalise';

export const METRIC_PHRASES: Readonly<Record<string, readonly string[]>> = {
  'free cash flow': ['free_cash_flow'],
  'operating cash flow': ['cfo'],
  'operating cash flows': ['cfo'],
  'cash flow from operations': ['cfo'],
  'cash flows from operations': ['cfo'],
  'cash from operations': ['cfo'],
  'cash provided by operating activities': ['cfo'],
  'net profit margin': ['net_profit_margin'],
  'net margin': ['net_profit_margin'],
  'profit margin': ['net_profit_margin'],
  'operating margin': ['operating_margin'],
  'gross profit': ['gross_profit'],
  'net income': ['net_income'],
  'net earnings': ['net_income'],
  'net profit': ['net_income'],
  profit: ['net_income'],
  earnings: ['net_income'],
  'total revenue': ['revenue', 'revenue_net'],
  'total revenues': ['revenue', 'revenue_net'],
  'net revenue': ['revenue_net', 'revenue'],
  revenue: ['revenue', 'revenue_net'],
  revenues: ['revenue', 'revenue_net'],
  'net sales': ['revenue', 'revenue_net'],
  sales: ['revenue', 'revenue_net'],
  'return on assets': ['roa'],
  roa: ['roa'],
  'return on equity': ['roe'],
  roe: ['roe'],
  'debt to equity': ['debt_to_equity'],
  'debt to assets': ['debt_to_assets'],
  'current ratio': ['current_ratio'],
  'quick ratio': ['quick_ratio'],
  "stockholders' equity": ['equity'],
  "shareholders' equity": ['equity'],
  'stockholders equity': ['equity'],
  'shareholders equity': ['equity'],
  'total liabilities and equity': ['liabilities_and_equity'],
};

export interface MetricMatch {
  metric_key: string;
  metric_label: string;
  matched: string;
}

export class MetricMatcher {
  private readonly phrases: Array<{ phrase: string; value: readonly string[] }> = [];
  private readonly labels = new Map<string, string>();

  constructor(kpis: readonly Pick<KpiFactRow, 'metric_key' | 'metric_label'>[]) {
    for (const k of kpis) if (k.metric_key && !this.labels.has(k.metric_key)) this.labels.set(k.metric_key, k.metric_label);
    for (const [phrase, keys] of Object.entries(METRIC_PHRASES)) this.phrases.push({ phrase: normalisePhraseText(phrase).trim(), value: keys });
    for (const [key, label] of this.labels) {
      const phrase = normalisePhraseText(label.replace(/%/g, ' ')).trim();
      if (phrase.split(' ').length >= 2 && !this.phrases.some((p) => p.phrase === phrase)) this.phrases.push({ phrase, value: [key] });
    }
  }

  match(question: string): MetricMatch[] {
    const out = new Map<string, MetricMatch>();
    for (const m of matchPhrases(normalisePhraseText(question), this.phrases)) {
      for (const key of m.value) {
        if (!this.labels.has(key) || out.has(key)) continue;
        out.set(key, { metric_key: key, metric_label: this.labels.get(key)!, matched: m.phrase });
      }
    }
    return [...out.values()];
  }
}
