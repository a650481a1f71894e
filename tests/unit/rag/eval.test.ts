import { describe, expect, it } from 'vitest';
import { aggregate, scoreRanking } from '../../../src/rag/eval/metrics';
import { parseGold } from '../../../src/rag/eval/gold';

describe('retrieval metrics', () => {
  it('computes recall@k over the evidence ids and the reciprocal rank of the first hit', () => {
    const ranked = Array.from({ length: 40 }, (_, i) => `s${i}`);
    const s = scoreRanking(ranked, ['s3', 's12', 'missing']);
    expect(s.recall).toEqual({ '@5': 1 / 3, '@10': 1 / 3, '@30': 2 / 3 });
    expect(s.rr).toBe(1 / 4);
    expect(s.firstRank).toBe(4);
    expect(scoreRanking(ranked, ['s35'])).toMatchObject({ rr: 0, firstRank: null, recall: { '@30': 0 } });
  });

  it('averages per item', () => {
    const a = aggregate([scoreRanking(['a'], ['a']), scoreRanking(['b', 'a'], ['a'])]);
    expect(a).toEqual({ items: 2, recall: { '@5': 1, '@10': 1, '@30': 1 }, mrr: 0.75 });
  });
});

describe('gold files', () => {
  it('reads the FinSights P3 schema and defaults what is optional', () => {
    expect(parseGold([{ question_text: 'Q?', evidence_sentence_ids: ['x'] }])).toEqual([
      { question_id: 'item-0', question_text: 'Q?', evidence_sentence_ids: ['x'], difficulty: 'unknown', retrieval_scope: 'unknown' },
    ]);
  });
  it('says which item and field is wrong', () => {
    expect(() => parseGold([{ question_text: 'ok', evidence_sentence_ids: ['x'] }, { question_text: 'Q?' }], 'g.json')).toThrow('g.json[1].evidence_sentence_ids: expected an array of sentence ids');
    expect(() => parseGold({ nope: 1 }, 'g.json')).toThrow('expected a JSON array');
  });
});
