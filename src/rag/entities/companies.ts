/**
 * Company mentions → companies of the dimension table: tickers (upper case, as written), names
 * (legal suffixes dropped: "EXXON MOBIL CORP" → "exxon mobil"), common aliases ("Google" → Alphabet)
 * and CIKs (a 10-digit zero-padded CIK, or a known CIK number).
 */
import type { CompanyRow } from '../../loader/types';
import { matchPhrases, normalisePhraseText } from './normalise';

/** Names people use that the legal name does not contain, by ticker. */
export const COMPANY_ALIASES: Readonly<Record<string, readonly string[]>> = {
  GOOGL: ['google', 'alphabet'],
  META: ['facebook', 'meta'],
  AMZN: ['amazon', 'amazon.com'],
  MSFT: ['microsoft'],
  AAPL: ['apple'],
  NVDA: ['nvidia'],
  TSLA: ['tesla'],
  LLY: ['eli lilly', 'lilly'],
  V: ['visa'],
  NFLX: ['netflix'],
  ORCL: ['oracle'],
  WMT: ['walmart', 'wal-mart', 'wal mart'],
  XOM: ['exxon', 'exxonmobil', 'exxon mobil'],
  MA: ['mastercard'],
  JNJ: ['johnson & johnson', 'johnson and johnson', 'j&j'],
  COST: ['costco'],
  GNW: ['genworth'],
  IEP: ['icahn', 'icahn enterprises'],
  AGO: ['assured guaranty'],
  RDN: ['radian'],
  MBI: ['mbia'],
};

const LEGAL_SUFFIXES = new Set(['inc', 'corp', 'corporation', 'co', 'com', 'ltd', 'l', 'p', 'lp', 'plc', 'new', 'the', 'company', 'group', 'holdings']);

/** "ELI LILLY & Co" → "eli lilly"; "AMAZON COM INC" → "amazon"; "ICAHN ENTERPRISES L.P." → "icahn enterprises". */
export function shortCompanyName(name: string): string {
  const words = normalisePhraseText(name).trim().split(' ');
  while (words.length > 1 && (LEGAL_SUFFIXES.has(words[words.length - 1]) || words[words.length - 1] === '&')) words.pop();
  return words.join(' ');
}

export interface CompanyMatch {
  cik_int: number;
  ticker: string;
  company_name: string;
  /** What in the question matched: the ticker, a name or alias, or the CIK. */
  matched: string;
}

export class CompanyMatcher {
  private readonly phrases: Array<{ phrase: string; value: CompanyRow }> = [];
  private readonly byTicker = new Map<string, CompanyRow>();
  private readonly byCik = new Map<number, CompanyRow>();

  constructor(companies: readonly CompanyRow[]) {
    for (const c of companies) {
      this.byTicker.set(c.ticker.toUpperCase(), c);
      this.byCik.set(c.cik_int, c);
      const names = new Set([shortCompanyName(c.company_name), normalisePhraseText(c.company_name).trim()]);
      for (const alias of COMPANY_ALIASES[c.ticker.toUpperCase()] ?? []) names.add(normalisePhraseText(alias).trim());
      for (const phrase of names) if (phrase) this.phrases.push({ phrase, value: c });
    }
  }

  match(question: string): CompanyMatch[] {
    const found = new Map<number, CompanyMatch>();
    const add = (c: CompanyRow, matched: string) => {
      if (!found.has(c.cik_int)) found.set(c.cik_int, { cik_int: c.cik_int, ticker: c.ticker, company_name: c.company_name, matched });
    };
    for (const m of matchPhrases(normalisePhraseText(question), this.phrases)) add(m.value, m.phrase);
    // Tickers as written in capitals. One-letter tickers (V) only in an unambiguous form: "(V)", "$V", "ticker V", "NYSE: V".
    for (const m of question.matchAll(/(?<![A-Za-z0-9])(\$)?([A-Z]{1,5})(?![A-Za-z0-9])/g)) {
      const c = this.byTicker.get(m[2]);
      if (!c) continue;
      if (m[2].length === 1) {
        const before = question.slice(Math.max(0, m.index! - 12), m.index!);
        const after = question.slice(m.index! + m[0].length, m.index! + m[0].length + 1);
        const marked = m[1] === '$' || (before.endsWith('(') && after === ')') || /(ticker|symbol|nyse|nasdaq):?\s*$/i.test(before);
        if (!marked) continue;
      }
      add(c, m[2]);
    }
    for (const m of question.matchAll(/(?<![0-9])(\d{4,10})(?![0-9])/g)) {
      const digits = m[1];
      const n = Number(digits);
      const c = this.byCik.get(n);
      if (!c) continue;
      const cikMentioned = /cik/i.test(question.slice(Math.max(0, m.index! - 8), m.index!));
      if (digits.length === 10 || cikMentioned || digits.length >= 5) add(c, digits);
    }
    return [...found.values()];
  }
}
