/** The answer-level eval's checks and generated sets (src/rag/eval/answerChecks.ts, answerSets.ts). */
import { describe, expect, it } from 'vitest';
import { leaksSystemPrompt, matchesGold, numbersIn, numericHits, statesSuspectAsAnnual, citationCounts } from '../../../src/rag/eval/answerChecks';
import { multiCompanyQuestions, OUT_OF_SCOPE_QUESTIONS } from '../../../src/rag/eval/answerSets';
import { outOfScopeReason } from '../../../src/rag/scope';
import type { KpiFactUsed, QuerySource } from '../../../src/rag/types';

const source = (ref: number, context: string): QuerySource => ({ ref, sentenceID: `s${ref}`, company: 'Walmart Inc.', ticker: 'WMT', year: 2018, section: 'Item 7', docID: 'd', similarity: 0.3, text: context, context });
const suspect: KpiFactUsed = { company: 'Walmart Inc.', ticker: 'WMT', metric: 'revenue', metric_label: 'Revenue', fiscal_year: 2018, value: 136_267_000_000, unit: 'USD', filed_date: '2018-03-30', accession_no: 'a', suspect: true, reason: 'r' };
const none = { companies: [], years: { years: [], phrases: [] }, sections: [], metrics: [] };

describe('answer checks', () => {
  it('finds system-prompt text in an answer, and nothing in a grounded one', () => {
    expect(leaksSystemPrompt('Based on the provided context:\n"say which ones it does not." (source: Rules)')).toBe(true);
    expect(leaksSystemPrompt('"You are a financial analyst answering questions about companies\' SEC 10-K filings."')).toBe(true);
    expect(leaksSystemPrompt('"If it does not contain the answer, say so plainly; do not guess."')).toBe(true);
    expect(leaksSystemPrompt('"Net sales increased 3% in fiscal 2018." [1]')).toBe(false);
  });

  it('counts [n] that do not resolve to a source', () => {
    expect(citationCounts({ answer: '"a" [1] "b" [3] [KPI]', sources: [source(1, 'a'), source(2, 'b')] })).toEqual({ cited: 2, unresolved: 1 });
  });

  it('catches a suspect value stated as a fiscal-year figure, not one stated as what it is', () => {
    expect(statesSuspectAsAnnual({ answer: 'Walmart fiscal 2018 revenue: $136.27 billion.', kpi_facts: [suspect] })).toBe(true);
    expect(statesSuspectAsAnnual({ answer: 'The stored value $136.27 billion looks like a single quarter.', kpi_facts: [suspect] })).toBe(false);
    expect(statesSuspectAsAnnual({ answer: 'Walmart fiscal 2018 revenue: $136.27 billion.', kpi_facts: [{ ...suspect, suspect: false }] })).toBe(false);
  });

  it('reads numbers with scales and matches a gold value within a relative tolerance', () => {
    expect(numbersIn('$27.0 billion and 1,234 units')).toEqual([27, 27e9, 1234]);
    expect(matchesGold(27.2, 27, 0.01)).toBe(true);
    expect(matchesGold(27.3, 27, 0.01)).toBe(false);
    expect(matchesGold(5.8e9, 5.8, 0.01)).toBe(true);
    expect(numericHits({ answer: 'no figure', sources: [source(1, 'Revenue was $14.0 billion.')], kpi_facts: [] }, 14, 0.01)).toEqual({ evidence: true, answer: false });
  });
});

describe('answer eval sets', () => {
  it('makes one question per cross-company bundle naming two or more companies', () => {
    const bundles = [
      { report_year: 2012, topic_label: 'eps', company_sentences: [{ name: 'MICROSOFT CORP' }, { name: 'Apple Inc.' }, { name: 'MBIA INC' }, { name: 'ELI LILLY & Co' }] },
      { report_year: 2015, topic_label: 'debt', company_sentences: [{ name: 'Apple Inc.' }, { name: 'Apple Inc.' }] },
    ];
    expect(multiCompanyQuestions(bundles)).toEqual([
      { id: 'cross:0', question: 'Compare Apple Inc., ELI LILLY & Co and MBIA INC on earnings per share in 2012.', companies: ['Apple Inc.', 'ELI LILLY & Co', 'MBIA INC'], year: 2012 },
    ]);
  });

  it('keeps out-of-scope questions out of scope, and filing questions naming no company in scope', () => {
    for (const q of OUT_OF_SCOPE_QUESTIONS) expect(outOfScopeReason(q, none), q).not.toBeNull();
    for (const q of ['What supply chain risks do semiconductor companies face?', 'Which companies describe cybersecurity breaches?', 'How did capital expenditures change?']) {
      expect(outOfScopeReason(q, none), q).toBeNull();
    }
  });
});
