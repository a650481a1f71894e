/** The suspect-value rule on real series from the FinSights KPI table (values copied from KPI_FACT_DATA_EDGAR.parquet, MIT). */
import { describe, expect, it } from 'vitest';
import type { KpiFactRow } from '../../../src/loader/types';
import { suspectFacts, suspectKey } from '../../../src/rag/context/kpiSuspect';
import { kpiBlock } from '../../../src/rag/context/kpiBlock';

/** billions by year → rows */
function series(ticker: string, cik: number, metric: string, byYear: Record<number, number>): KpiFactRow[] {
  return Object.entries(byYear).map(([year, b]) => ({
    cik: String(cik).padStart(10, '0'), cik_int: cik, ticker, year: Number(year), metric_key: metric, metric_label: metric === 'revenue' ? 'Revenue' : metric,
    metric_type: 'gaap', value: Math.round(b * 1e9), unit: 'USD', filed_date: `${Number(year) + 1}-03-30`, accession_no: `acc-${ticker}-${year}`,
  }));
}
const flagged = (rows: KpiFactRow[], cik: number, metric: string) =>
  rows.filter((f) => f.cik_int === cik && f.metric_key === metric && suspectFacts(rows).has(suspectKey(f))).map((f) => f.year);

// Real series (revenue, $ billions, as stored).
const WMT = series('WMT', 104169, 'revenue', { 2009: 408.2, 2010: 421.8, 2011: 446.9, 2012: 127.9, 2013: 129.7, 2015: 131.6, 2016: 129.7, 2017: 130.9, 2018: 136.267, 2019: 138.8, 2020: 141.7, 2021: 559.151, 2022: 572.8, 2023: 611.3, 2024: 648.1, 2025: 681.0 });
const NFLX = series('NFLX', 1065280, 'revenue', { 2009: 1.7, 2010: 2.2, 2011: 0.9, 2012: 0.9, 2013: 1.2, 2014: 1.5, 2015: 1.8, 2016: 2.5, 2017: 3.3, 2018: 4.2, 2019: 5.5, 2020: 6.6, 2021: 29.7, 2022: 31.6, 2023: 33.7, 2024: 39.0 });
const NVDA = series('NVDA', 1045810, 'revenue', { 2010: 0.9, 2011: 1.0, 2012: 1.1, 2013: 1.1, 2015: 1.3, 2016: 1.4, 2017: 2.2, 2018: 2.9, 2022: 26.9, 2023: 27.0, 2024: 60.9, 2025: 130.5 });
const XOM = series('XOM', 34088, 'revenue', { 2011: 467.0, 2012: 453.1, 2013: 420.8, 2014: 394.1, 2015: 259.5, 2016: 218.6, 2017: 237.2, 2018: 279.3, 2019: 264.9, 2020: 181.5, 2021: 285.6, 2022: 413.7, 2023: 344.6, 2024: 349.6 });
// NVIDIA's net income really grew 6.8× from fiscal 2023 to 2024; its fiscal 2023 revenue is full-year scale.
const NVDA_NI = series('NVDA', 1045810, 'net_income', { 2021: 4.3, 2022: 9.8, 2023: 4.4, 2024: 29.8, 2025: 72.9 });

describe('suspect KPI values (a quarter stored as a fiscal year)', () => {
  it('flags Walmart revenue 2012–2020, between full-year values on both sides', () => {
    expect(flagged(WMT, 104169, 'revenue')).toEqual([2012, 2013, 2015, 2016, 2017, 2018, 2019, 2020]);
    const r = suspectFacts(WMT).get(suspectKey({ cik_int: 104169, metric_key: 'revenue', year: 2018 }))!;
    expect(r.reference).toEqual({ year: 2021, value: 559_151_000_000 });
    expect(r.reason).toMatch(/^0\.24× the 2021 value \(\$559\.15 billion\).*single quarter/);
  });

  it('flags Netflix 2011–2020 and NVIDIA 2010–2018, and back at full-year scale stops (Netflix 2010)', () => {
    expect(flagged(NFLX, 1065280, 'revenue')).toEqual([2011, 2012, 2013, 2014, 2015, 2016, 2017, 2018, 2019, 2020]);
    expect(flagged(NVDA, 1045810, 'revenue')).toEqual([2010, 2011, 2012, 2013, 2015, 2016, 2017, 2018]);
  });

  it('flags nothing in a series that only moves with the business (Exxon 2011–2024: −61% in 2020, +58% in 2022)', () => {
    expect(flagged(XOM, 34088, 'revenue')).toEqual([]);
  });

  it('lets a full-year revenue in the same year veto a flag on a more volatile metric', () => {
    expect(flagged([...NVDA, ...NVDA_NI], 1045810, 'net_income')).toEqual([]);
    expect(flagged(NVDA_NI, 1045810, 'net_income')).toEqual([2023]); // alone, the real jump reads as a quarter
  });

  it('never states a suspect value as a fiscal-year figure in the KPI block, and lists it with its reason', () => {
    const company = { cik_int: 104169, ticker: 'WMT', company_name: 'Walmart Inc.', matched: 'walmart' };
    const block = kpiBlock(WMT, { companies: [company], years: { years: [2018, 2021], phrases: [] }, sections: [], metrics: [{ metric_key: 'revenue', metric_label: 'Revenue', matched: 'revenue' }] })!;
    expect(block.text).not.toMatch(/fiscal 2018 Revenue: \$136/);
    expect(block.text).toMatch(/WMT Revenue, 10-K for 2018: no reliable full-year figure in the KPI table — the stored value \$136\.27 billion is 0\.24× the 2021 value/);
    expect(block.text).toContain('WMT fiscal 2021 Revenue: $559.15 billion');
    expect(block.used).toEqual([
      expect.objectContaining({ company: 'Walmart Inc.', metric: 'revenue', fiscal_year: 2018, value: 136_267_000_000, unit: 'USD', accession_no: 'acc-WMT-2018', suspect: true, reason: expect.stringMatching(/single quarter/) }),
      expect.objectContaining({ fiscal_year: 2021, suspect: false }),
    ]);
    expect(block.used[1]).not.toHaveProperty('reason');
  });
});
