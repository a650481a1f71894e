/** Questions generated from FinSights evidence bundles (src/rag/eval/bundles.ts). */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/errors';
import { bundleGoldItems, bundleQuestion, splitOf, TOPIC_PHRASES } from '../../../src/rag/eval/bundles';

const trend = [
  {
    cik_int: 104169, name: 'Walmart Inc.', years: [2018, 2019], topic_label: 'debt', bundle_type: 'kpi_trend', v_group: 'v3_trend',
    sentences: [
      { report_year: 2018, section_name_generic: 'ITEM_7', docID: 'd18', sentenceID: 'W18_b', sentence_text: '…' },
      { report_year: 2018, section_name_generic: 'ITEM_7', docID: 'd18', sentenceID: 'W18_a', sentence_text: '…' },
      { report_year: 2019, section_name_generic: 'ITEM_7', docID: 'd19', sentenceID: 'W19_a', sentence_text: '…' },
    ],
  },
];
const cross = [
  {
    report_year: 2018, topic_label: 'debt', bundle_type: 'kpi_cross_company', v_group: 'v4_cross_company',
    company_sentences: [
      { cik_int: 104169, name: 'Walmart Inc.', docID: 'd18', sentenceID: 'W18_c', section_name_generic: 'ITEM_7', sentence_text: '…' },
      { cik_int: 320193, name: 'Apple Inc.', docID: 'a18', sentenceID: 'A18_a', section_name_generic: 'ITEM_1A', sentence_text: '…' },
    ],
  },
];

describe('bundleGoldItems', () => {
  it('makes one question per company, year and topic, uniting the evidence of both files', () => {
    const items = bundleGoldItems(trend, cross);
    expect(items.map((i) => [i.question_id, i.question_text, i.evidence_sentence_ids, i.retrieval_scope, i.difficulty])).toEqual([
      ['bundle:104169|2018|debt', 'What did Walmart Inc. report about debt in 2018?', ['W18_a', 'W18_b', 'W18_c'], 'cross_company+trend', 'metric'],
      ['bundle:104169|2019|debt', 'What did Walmart Inc. report about debt in 2019?', ['W19_a'], 'trend', 'metric'],
      ['bundle:320193|2018|debt', 'What did Apple Inc. report about debt in 2018?', ['A18_a'], 'cross_company', 'metric'],
    ]);
    for (const i of items) expect(i.split).toBe(splitOf(i.question_id.slice('bundle:'.length)));
  });

  it('phrases risk topics as risks, and names every topic label of the FinSights bundles', () => {
    expect(bundleQuestion('NETFLIX INC', 2016, 'regulatory')).toBe('What regulatory risks did NETFLIX INC describe in 2016?');
    expect(Object.keys(TOPIC_PHRASES)).toHaveLength(16);
  });

  it('splits by a fixed hash of the key, about half and half', () => {
    const keys = Array.from({ length: 2000 }, (_, i) => `${i}|2018|debt`);
    const dev = keys.filter((k) => splitOf(k) === 'dev').length;
    expect(dev).toBeGreaterThan(900);
    expect(dev).toBeLessThan(1100);
    expect(keys.map(splitOf)).toEqual(keys.map(splitOf));
  });

  it('says where a malformed bundle is', () => {
    expect(() => bundleGoldItems([{ ...trend[0], sentences: [{ report_year: '2018', sentenceID: 'x' }] }], undefined)).toThrow(ValidationError);
    expect(() => bundleGoldItems([{ ...trend[0], sentences: [{ report_year: '2018', sentenceID: 'x' }] }], undefined)).toThrow(/trend bundles\[0\]\.sentences\[0\]/);
    expect(() => bundleGoldItems(undefined, { nope: 1 })).toThrow(/cross-company bundles: expected an array/);
  });
});
