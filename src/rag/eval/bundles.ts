/**
 * A second, larger retrieval eval made automatically from the FinSights evidence bundles
 * (goldp3_v3_trend_bundles.json: one company, a topic, sentences over several years;
 * goldp3_v4_cross_company_bundles.json: one year, a topic, sentences from several companies).
 *
 * Every (company, year, topic) found in either file becomes one question from a fixed template per
 * topic — "What did Walmart Inc. report about debt in 2018?" — whose evidence is every bundle
 * sentence of that company, year and topic (both files united). Nothing is chosen by hand, so the
 * set cannot be fitted item by item. Items are split in two by a hash of their key: `dev` (tune on
 * it) and `heldout` (report it; never tune on it).
 */
import { readFileSync } from 'node:fs';
import { ValidationError } from '../../errors';
import type { GoldItem } from './gold';

export const BUNDLE_SPLITS = ['dev', 'heldout'] as const;
export type BundleSplit = (typeof BUNDLE_SPLITS)[number];

export interface BundleGoldItem extends GoldItem {
  split: BundleSplit;
  topic: string;
}

/** topic_label → how a question names it, and whether it is a reported figure or a risk. */
export const TOPIC_PHRASES: Readonly<Record<string, { phrase: string; kind: 'metric' | 'risk' }>> = {
  revenue: { phrase: 'revenue', kind: 'metric' },
  net_income: { phrase: 'net income', kind: 'metric' },
  operating_income: { phrase: 'operating income', kind: 'metric' },
  gross_margin: { phrase: 'gross margin', kind: 'metric' },
  eps: { phrase: 'earnings per share', kind: 'metric' },
  cash_from_ops: { phrase: 'cash flow from operating activities', kind: 'metric' },
  capex: { phrase: 'capital expenditures', kind: 'metric' },
  debt: { phrase: 'debt', kind: 'metric' },
  interest_expense: { phrase: 'interest expense', kind: 'metric' },
  liquidity_credit: { phrase: 'liquidity and credit risk', kind: 'risk' },
  regulatory: { phrase: 'regulatory risks', kind: 'risk' },
  general_risk: { phrase: 'major risks', kind: 'risk' },
  operational_supply_chain: { phrase: 'operational and supply chain risks', kind: 'risk' },
  legal_ip_litigation: { phrase: 'legal, intellectual property and litigation matters', kind: 'risk' },
  market_competitive: { phrase: 'market and competitive risks', kind: 'risk' },
  cybersecurity_tech: { phrase: 'cybersecurity and technology risks', kind: 'risk' },
};

export function bundleQuestion(company: string, year: number, topic: string): string {
  const t = TOPIC_PHRASES[topic] ?? { phrase: topic.replace(/_/g, ' '), kind: 'metric' };
  return t.kind === 'metric' ? `What did ${company} report about ${t.phrase} in ${year}?` : `What ${t.phrase} did ${company} describe in ${year}?`;
}

interface Unit {
  cik: number;
  company: string;
  year: number;
  topic: string;
  evidence: Set<string>;
  sources: Set<string>;
}

/** Questions from the two bundle files' parsed JSON (either may be omitted). */
export function bundleGoldItems(trend: unknown, crossCompany: unknown): BundleGoldItem[] {
  const units = new Map<string, Unit>();
  const add = (cik: unknown, company: unknown, year: unknown, topic: unknown, sentenceID: unknown, source: string, where: string) => {
    if (typeof cik !== 'number' || typeof company !== 'string' || typeof year !== 'number' || typeof topic !== 'string' || typeof sentenceID !== 'string') {
      throw new ValidationError(`${where}: expected cik_int (number), name (string), report_year (number), topic_label (string) and sentenceID (string)`);
    }
    const key = `${cik}|${year}|${topic}`;
    let u = units.get(key);
    if (!u) units.set(key, (u = { cik, company, year, topic, evidence: new Set(), sources: new Set() }));
    u.evidence.add(sentenceID);
    u.sources.add(source);
  };
  if (trend !== undefined) {
    asArray(trend, 'trend bundles').forEach((b: any, i) =>
      asArray(b?.sentences, `trend bundles[${i}].sentences`).forEach((s: any, j) => add(b.cik_int, b.name, s?.report_year, b.topic_label, s?.sentenceID, 'trend', `trend bundles[${i}].sentences[${j}]`)),
    );
  }
  if (crossCompany !== undefined) {
    asArray(crossCompany, 'cross-company bundles').forEach((b: any, i) =>
      asArray(b?.company_sentences, `cross-company bundles[${i}].company_sentences`).forEach((s: any, j) =>
        add(s?.cik_int, s?.name, b.report_year, b.topic_label, s?.sentenceID, 'cross_company', `cross-company bundles[${i}].company_sentences[${j}]`),
      ),
    );
  }
  return [...units.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, u]) => ({
      question_id: `bundle:${key}`,
      question_text: bundleQuestion(u.company, u.year, u.topic),
      evidence_sentence_ids: [...u.evidence].sort(),
      difficulty: TOPIC_PHRASES[u.topic]?.kind ?? 'metric',
      retrieval_scope: [...u.sources].sort().join('+'),
      split: splitOf(key),
      topic: u.topic,
    }));
}

export function readBundleGold(trendPath: string | null, crossCompanyPath: string | null): BundleGoldItem[] {
  const read = (p: string | null) => {
    if (p === null) return undefined;
    try {
      return JSON.parse(readFileSync(p, 'utf8')) as unknown;
    } catch (err) {
      throw new ValidationError(`${p}: cannot read the bundle file: ${(err as Error).message}`, { cause: err });
    }
  };
  return bundleGoldItems(read(trendPath), read(crossCompanyPath));
}

/** FNV-1a of the item key, even → dev, odd → heldout: fixed, balanced, and blind to content. */
export function splitOf(key: string): BundleSplit {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % 2 === 0 ? 'dev' : 'heldout';
}

function asArray(v: unknown, where: string): unknown[] {
  if (!Array.isArray(v)) throw new ValidationError(`${where}: expected an array`);
  return v;
}
