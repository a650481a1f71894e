import { describe, expect, it } from 'vitest';
import { EntityExtractor, shortCompanyName } from '../../../src/rag/entities';
import { extractYears } from '../../../src/rag/entities/years';
import { COMPANIES, KPI_LABELS, SECTIONS } from './fixtures';

const extractor = new EntityExtractor({ companies: COMPANIES, sections: SECTIONS, kpis: KPI_LABELS, latestYear: 2020 });
const tickers = (q: string) => extractor.extract(q).companies.map((c) => c.ticker).sort();
const items = (q: string) => extractor.extract(q).sections.map((s) => s.section_item).sort();
const metrics = (q: string) => extractor.extract(q).metrics.map((m) => m.metric_key).sort();

describe('companies', () => {
  it('finds legal names as written in the gold questions', () => {
    expect(tickers("What was EXXON MOBIL CORP's total revenue in 2008?")).toEqual(['XOM']);
    expect(tickers("What was ELI LILLY & Co's net income in 2007?")).toEqual(['LLY']);
    expect(tickers('What key regulatory risks does Meta Platforms, Inc. highlight in its Risk Factors?')).toEqual(['META']);
    expect(tickers('What major risks does AMAZON COM INC highlight?')).toEqual(['AMZN']);
  });

  it('finds common names and aliases', () => {
    expect(tickers('How did Google describe competition?')).toEqual(['GOOGL']);
    expect(tickers("Walmart's and Microsoft's revenue")).toEqual(['MSFT', 'WMT']);
    expect(tickers('Compare Johnson and Johnson with Costco')).toEqual(['COST', 'JNJ']);
    expect(tickers('what did facebook say about privacy')).toEqual(['META']);
  });

  it('finds tickers in capitals, and one-letter tickers only in an unambiguous form', () => {
    expect(tickers('NVDA vs AAPL margins')).toEqual(['AAPL', 'NVDA']);
    expect(tickers('Risks for GOOGL')).toEqual(['GOOGL']);
    expect(tickers('Item V of the report')).toEqual([]);
    expect(tickers('What did Visa Inc. (V) report?')).toEqual(['V']);
    expect(tickers('cost of revenue rose')).toEqual([]);
  });

  it('finds CIKs, zero-padded or not', () => {
    expect(tickers('Filings of CIK 0000320193')).toEqual(['AAPL']);
    expect(tickers('company with cik 104169')).toEqual(['WMT']);
  });

  it('shortens legal names', () => {
    expect(shortCompanyName('COSTCO WHOLESALE CORP /NEW')).toBe('costco wholesale');
    expect(shortCompanyName('ICAHN ENTERPRISES L.P.')).toBe('icahn enterprises');
    expect(shortCompanyName('ELI LILLY & Co')).toBe('eli lilly');
  });
});

describe('years', () => {
  const years = (q: string) => extractYears(q, 2020);
  it('finds single years and fiscal-year forms', () => {
    expect(years('revenue in 2008?').years).toEqual([2008]);
    expect(years('FY2019 and fiscal 2017').years).toEqual([2017, 2019]);
  });
  it('expands closed ranges', () => {
    expect(years('revenue 2015-2018').years).toEqual([2015, 2016, 2017, 2018]);
    expect(years('between 2018 and 2020').years).toEqual([2018, 2019, 2020]);
    expect(years('from 2016 through 2019')).toMatchObject({ years: [2016, 2017, 2018, 2019], gte: 2016, lte: 2019 });
    expect(years('2015 to 2017').years).toEqual([2015, 2016, 2017]);
    expect(years('2018–20').years).toEqual([2018, 2019, 2020]);
  });
  it('counts relative ranges back from the latest year in the data', () => {
    expect(years('over the last three years').years).toEqual([2018, 2019, 2020]);
    expect(years('in the past 5 years').years).toEqual([2016, 2017, 2018, 2019, 2020]);
    expect(years('in the most recent year').years).toEqual([2020]);
  });
  it('keeps open bounds', () => {
    expect(years('since 2018')).toMatchObject({ gte: 2018 });
    expect(years('before 2010')).toMatchObject({ lte: 2009, years: [] });
  });
  it('ignores numbers that are not years', () => {
    expect(years('revenue of 1,234 million and 3500 units').years).toEqual([]);
  });
});

describe('sections', () => {
  it('finds item numbers', () => {
    expect(items('What does Item 7 say?')).toEqual(['ITEM_7']);
    expect(items('item 1a and item 7A')).toEqual(['ITEM_1A', 'ITEM_7A']);
    expect(items('Items 7 and 8')).toEqual(['ITEM_7', 'ITEM_8']);
  });
  it('finds names and keywords', () => {
    expect(items('highlight in its Risk Factors?')).toEqual(['ITEM_1A']);
    expect(items("in the MD&A")).toEqual(['ITEM_7']);
    expect(items("management's discussion of liquidity")).toEqual(['ITEM_7']);
    expect(items('legal proceedings against Tesla')).toEqual(['ITEM_3']);
    expect(items('exposure to market risk')).toEqual(['ITEM_7A']);
  });
  it('does not treat a generic word as a section', () => {
    expect(items('How does the business make money?')).toEqual([]);
    expect(items('What risks does Apple face?')).toEqual([]);
  });
});

describe('metrics', () => {
  it('maps metric words to KPI keys, longest phrase first', () => {
    expect(metrics('total revenue in 2008')).toEqual(['revenue', 'revenue_net']);
    expect(metrics('net income in 2007')).toEqual(['net_income']);
    expect(metrics('net profit margin')).toEqual(['net_profit_margin']);
    expect(metrics('free cash flow and operating cash flow')).toEqual(['cfo', 'free_cash_flow']);
    expect(metrics('what risks')).toEqual([]);
  });
});
