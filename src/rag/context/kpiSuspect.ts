/**
 * Which KPI facts the data itself contradicts. The FinSights KPI table (XBRL facts per 10-K) holds,
 * for many company × flow-metric series, runs of years whose stored value is a single quarter's:
 * Walmart revenue is $408–447 billion for 2009–2011 and $559–681 billion from 2021, but $128–142
 * billion for 2012–2020 — a quarter of Walmart's sales. Stating "$136.27 billion" as fiscal 2018
 * revenue is wrong by 4×, so such values are flagged and never presented as fiscal-year figures.
 *
 * The rule (decided from the series in the snapshot; docs/rag.md lists what it flags):
 *  - only flow metrics (FLOW_METRICS: amounts over a period — revenue, net income, cash from
 *    operations, gross profit, capex); balances and ratios cannot be "a quarter's worth";
 *  - each (company, metric) series is walked from its latest year backwards, the latest value taken
 *    as full-year (the recent filings in the table are); non-positive values are skipped (a loss or
 *    a reversal says nothing about scale);
 *  - a value at most 1/ENTER_RATIO (≈ 0.36×) of the later value next to it starts a suspect run
 *    (a quarter is ≈ 0.25× of its year; no company in the table shrinks by 2.8× in one year);
 *  - the run lasts until, still walking back, a value at least EXIT_RATIO (2.2×) of the later one
 *    appears: back at full-year scale (Walmart 2011, Netflix 2010, Eli Lilly 2012);
 *  - every value inside the run is suspect; the reason names the full-year value it was compared with;
 *  - earnings, cash flow and capex swing more than revenue (NVIDIA's cash from operations grew 5× from
 *    fiscal 2023 to 2024 for real), so for them a flag stands only if that company-year has no revenue
 *    fact or its revenue fact is suspect too: a full-year revenue in the same year vetoes it.
 * Limits: a series whose latest value is itself a quarter, or whose quarter run has no full-year
 * value after it, is not flagged; a real collapse of ≥ 2.8× in one year would be (none in the snapshot).
 */
import type { KpiFactRow } from '../../loader/types';

export const FLOW_METRICS: ReadonlySet<string> = new Set([
  'revenue',
  'revenue_net',
  'revenue_gross',
  'net_income',
  'net_income_common_basic',
  'net_income_common_diluted',
  'cfo',
  'cfo_cont_ops',
  'gross_profit',
  'capex_productive',
  'capex_net_productive',
]);

/** Metrics whose scale is steady enough to judge alone; the other flow metrics defer to them (see above). */
export const REVENUE_METRICS: ReadonlySet<string> = new Set(['revenue', 'revenue_net', 'revenue_gross']);

export const ENTER_RATIO = 2.8;
export const EXIT_RATIO = 2.2;

export interface SuspectFact {
  reason: string;
  /** The full-year value the fact was compared with. */
  reference: { year: number; value: number };
}

const cache = new WeakMap<readonly KpiFactRow[], Map<string, SuspectFact>>();

export function suspectKey(f: Pick<KpiFactRow, 'cik_int' | 'metric_key' | 'year'>): string {
  return `${f.cik_int}|${f.metric_key}|${f.year}`;
}

/** Suspect facts of the table by suspectKey; computed once per table. */
export function suspectFacts(kpis: readonly KpiFactRow[]): Map<string, SuspectFact> {
  let out = cache.get(kpis);
  if (out) return out;
  out = new Map();
  const series = new Map<string, KpiFactRow[]>();
  for (const f of kpis) {
    if (!FLOW_METRICS.has(f.metric_key) || f.unit !== 'USD') continue;
    const key = `${f.cik_int}|${f.metric_key}`;
    (series.get(key) ?? series.set(key, []).get(key)!).push(f);
  }
  const walked = new Map<string, SuspectFact>();
  for (const facts of series.values()) {
    const positive = facts.filter((f) => f.value > 0).sort((a, b) => a.year - b.year);
    let reference: KpiFactRow | undefined; // the full-year value a suspect run is measured against
    for (let i = positive.length - 2; i >= 0; i--) {
      const later = positive[i + 1]!;
      const f = positive[i]!;
      const ratio = f.value / later.value;
      if (!reference && ratio <= 1 / ENTER_RATIO) reference = later;
      else if (reference && ratio >= EXIT_RATIO) reference = undefined;
      if (reference) {
        const share = f.value / reference.value;
        walked.set(suspectKey(f), {
          reference: { year: reference.year, value: reference.value },
          reason: `${share.toFixed(2)}× the ${reference.year} value (${formatAmount(reference.value)}), the nearest later year at full-year scale: looks like a single quarter, not the fiscal year`,
        });
      }
    }
  }
  // Revenue facts per company-year: full-year scale (false) or suspect (true).
  const revenueSuspect = new Map<string, boolean>();
  for (const f of kpis) {
    if (!REVENUE_METRICS.has(f.metric_key) || f.unit !== 'USD') continue;
    const cy = `${f.cik_int}|${f.year}`;
    revenueSuspect.set(cy, (revenueSuspect.get(cy) ?? false) || walked.has(suspectKey(f)));
  }
  for (const [key, verdict] of walked) {
    const [cik, metric, year] = key.split('|');
    if (!REVENUE_METRICS.has(metric!) && revenueSuspect.get(`${cik}|${year}`) === false) continue;
    out.set(key, verdict);
  }
  cache.set(kpis, out);
  return out;
}

/** "$559.15 billion" / "$912.4 million" / "12,345 USD". */
// Built once: toLocaleString(locale, options) builds a new Intl.NumberFormat on every call, which
// made formatting the KPI facts a visible part of the first answer after a cold start (~40 ms).
export const US_NUMBER = {
  scaled: new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 }),
  whole: new Intl.NumberFormat('en-US'),
  precise: new Intl.NumberFormat('en-US', { maximumFractionDigits: 4 }),
};

export function formatAmount(value: number): string {
  if (Math.abs(value) >= 1e6) {
    const [div, word] = Math.abs(value) >= 1e9 ? [1e9, 'billion'] : [1e6, 'million'];
    return `$${US_NUMBER.scaled.format(value / div)} ${word}`;
  }
  return `${US_NUMBER.whole.format(value)} USD`;
}
