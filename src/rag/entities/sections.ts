/**
 * SEC 10-K sections named in a question: "Item 7", "Item 1A", "item 7a", the section names of the
 * sections dimension ("Risk Factors", "Legal Proceedings", …) and keyword rules for the ways people
 * refer to them ("MD&A", "management's discussion", "market risk", "internal control", …).
 */
import type { SectionRow } from '../../loader/types';
import { matchPhrases, normalisePhraseText } from './normalise';

/** Phrase → canonical item. Phrases are matched as whole words after normalisePhraseText. */
export const SECTION_KEYWORDS: Readonly<Record<string, string>> = {
  'risk factors': 'ITEM_1A',
  'risk factor': 'ITEM_1A',
  'md&a': 'ITEM_7',
  'md & a': 'ITEM_7',
  mda: 'ITEM_7',
  "management's discussion": 'ITEM_7',
  'management discussion': 'ITEM_7',
  'quantitative and qualitative disclosures': 'ITEM_7A',
  'market risk': 'ITEM_7A',
  'market risks': 'ITEM_7A',
  'financial statements': 'ITEM_8',
  'supplementary data': 'ITEM_8',
  'legal proceedings': 'ITEM_3',
  'unresolved staff comments': 'ITEM_1B',
  'mine safety': 'ITEM_4',
  'selected financial data': 'ITEM_6',
  'market for registrant': 'ITEM_5',
  'controls and procedures': 'ITEM_9A',
  'internal control': 'ITEM_9A',
  'internal controls': 'ITEM_9A',
  'executive compensation': 'ITEM_11',
  'corporate governance': 'ITEM_10',
  'security ownership': 'ITEM_12',
  'beneficial owners': 'ITEM_12',
  'related party transactions': 'ITEM_13',
  'related transactions': 'ITEM_13',
  'accountant fees': 'ITEM_14',
  'auditor fees': 'ITEM_14',
  'description of business': 'ITEM_1',
  'business overview': 'ITEM_1',
  'business section': 'ITEM_1',
};

export interface SectionMatch {
  section_item: string;
  section_name: string;
  matched: string;
}

export class SectionMatcher {
  private readonly phrases: Array<{ phrase: string; value: string }> = [];
  private readonly byItem = new Map<string, SectionRow>();

  constructor(sections: readonly SectionRow[]) {
    for (const s of sections) this.byItem.set(s.sec_item_canonical.toUpperCase(), s);
    for (const [phrase, item] of Object.entries(SECTION_KEYWORDS)) this.phrases.push({ phrase: normalisePhraseText(phrase).trim(), value: item });
    for (const s of sections) {
      // "Item 7: Management Discussion & Analysis (MD&A)" → "management discussion & analysis"; one-word
      // names ("Business", "Properties") are too common in questions to mean the section.
      const name = s.section_name.replace(/^item\s+\w+\s*:\s*/i, '').replace(/\(.*?\)/g, '');
      for (const part of name.split(/\s*\/\s*/)) {
        const phrase = normalisePhraseText(part).trim();
        if (phrase.split(' ').length >= 2) this.phrases.push({ phrase, value: s.sec_item_canonical });
      }
    }
  }

  match(question: string): SectionMatch[] {
    const found = new Map<string, SectionMatch>();
    const add = (item: string, matched: string) => {
      const row = this.byItem.get(item);
      if (row && !found.has(item)) found.set(item, { section_item: item, section_name: row.section_name, matched });
    };
    for (const m of question.matchAll(/\bitems?\s+(\d{1,2}[a-c]?)\b((?:\s*(?:,|and|or|&)\s*\d{1,2}[a-c]?\b)*)/gi)) {
      const all = [m[1], ...(m[2].match(/\d{1,2}[a-c]?/gi) ?? [])];
      for (const n of all) add(`ITEM_${n.toUpperCase()}`, `Item ${n.toUpperCase()}`);
    }
    for (const m of matchPhrases(normalisePhraseText(question), this.phrases)) add(m.value, m.phrase);
    return [...found.values()];
  }
}
