/**
 * Question sets for the answer-level eval that the gold file lacks: multi-company questions made from
 * the cross-company evidence bundles, and out-of-scope questions that must answer "not found".
 */
import { ValidationError } from '../../errors';
import { TOPIC_PHRASES } from './bundles';

export interface MultiCompanyQuestion {
  id: string;
  question: string;
  companies: string[];
  year: number;
}

/**
 * One question per cross-company bundle naming ≥ 2 companies: "Compare A and B on <topic> in <year>"
 * with the bundle's first three companies (by name order), so every question names companies the data
 * holds in a year their filings cover. Nothing is chosen by hand.
 */
export function multiCompanyQuestions(crossCompany: unknown): MultiCompanyQuestion[] {
  if (!Array.isArray(crossCompany)) throw new ValidationError('cross-company bundles: expected an array');
  const out: MultiCompanyQuestion[] = [];
  crossCompany.forEach((b: any, i) => {
    const names = [...new Set<string>((b?.company_sentences ?? []).map((s: any) => String(s?.name)))].sort().slice(0, 3);
    if (names.length < 2 || typeof b.report_year !== 'number' || typeof b.topic_label !== 'string') return;
    const phrase = TOPIC_PHRASES[b.topic_label]?.phrase ?? b.topic_label.replace(/_/g, ' ');
    const list = names.length === 2 ? `${names[0]} and ${names[1]}` : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
    out.push({ id: `cross:${i}`, question: `Compare ${list} on ${phrase} in ${b.report_year}.`, companies: names, year: b.report_year });
  });
  return out;
}

/** Questions 10-K filings cannot answer; each must come back "not found" with no sources. */
export const OUT_OF_SCOPE_QUESTIONS: readonly string[] = [
  'What is the meaning of life?',
  'What is the capital of France?',
  'Who won the FIFA World Cup in 2018?',
  'How do I bake sourdough bread?',
  'What is the boiling point of water at sea level?',
  'Translate "good morning" into Spanish.',
  'Who wrote Pride and Prejudice?',
  'What will the weather be like tomorrow?',
  'How many moons does Jupiter have?',
  'Recommend a good science fiction novel.',
  'What is the square root of 144?',
  'Tell me a joke about cats.',
];
