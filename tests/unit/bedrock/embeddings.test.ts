/** The pure embedding function: deterministic, normalised, of the asked size, closer when words are shared. */
import { describe, expect, it } from 'vitest';
import { cosineSimilarity, embedText, embeddingSeed } from '../../../src/local/services/bedrock/embeddings';

const norm = (v: Float64Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

describe('embedText', () => {
  it('returns a vector of the requested dimension with unit length', () => {
    for (const dims of [8, 256, 512, 1024, 1536]) {
      const v = embedText('Net sales increased 4.5% in fiscal 2023', dims);
      expect(v).toHaveLength(dims);
      expect(norm(v)).toBeCloseTo(1, 10);
    }
  });

  it('is deterministic', () => {
    expect(embedText('Total revenue was $27.0 billion', 1024)).toEqual(embedText('Total revenue was $27.0 billion', 1024));
  });

  it('ignores case, punctuation and stopwords', () => {
    const a = embedText('The REVENUE of the company grew.', 256);
    const b = embedText('revenue company grew', 256);
    expect(cosineSimilarity(a, b)).toBeCloseTo(1, 10);
  });

  it('keeps numbers as terms, so years tell otherwise identical texts apart', () => {
    const y2018 = embedText('revenue in 2018', 1024);
    const y2019 = embedText('revenue in 2019', 1024);
    expect(cosineSimilarity(y2018, y2019)).toBeLessThan(0.75);
    expect(cosineSimilarity(embedText('revenue of 1,234 million', 1024), embedText('revenue of 1234 million', 1024))).toBeCloseTo(1, 10);
  });

  it('matches singular and plural forms', () => {
    expect(cosineSimilarity(embedText('liabilities', 512), embedText('liability', 512))).toBeCloseTo(1, 10);
    expect(cosineSimilarity(embedText('revenues', 512), embedText('revenue', 512))).toBeCloseTo(1, 10);
  });

  it('puts texts sharing content words closer than texts sharing none', () => {
    const doc = embedText('For fiscal 2018, loss on extinguishment of debt was $3.1 billion.', 1024);
    const related = embedText('loss on extinguishment of debt', 1024);
    const unrelated = embedText('Our stores sell groceries and general merchandise.', 1024);
    expect(cosineSimilarity(doc, related)).toBeGreaterThan(0.5);
    expect(Math.abs(cosineSimilarity(doc, unrelated))).toBeLessThan(0.1);
  });

  it('rewards word order through bigrams', () => {
    const doc = embedText('operating income increased while net income decreased', 1024);
    const sameOrder = embedText('operating income increased', 1024);
    const shuffled = embedText('income operating increased', 1024);
    expect(cosineSimilarity(doc, sameOrder)).toBeGreaterThan(cosineSimilarity(doc, shuffled));
  });

  it('uses sublinear term frequency: repeating a word does not drown the others', () => {
    const v = embedText('debt debt debt debt debt debt debt debt equity', 4096);
    const equity = embedText('equity', 4096);
    // With raw counts equity would weigh 1/8 of debt; with 1 + ln(8) ≈ 3.1 it keeps a real share.
    expect(cosineSimilarity(v, equity)).toBeGreaterThan(0.2);
  });

  it('never returns a zero vector: stopword-only, symbol-only and whitespace texts still embed', () => {
    for (const text of ['the of and', '!!!', '   ', '€']) {
      const v = embedText(text, 64);
      expect(norm(v)).toBeCloseTo(1, 10);
    }
  });

  it('returns raw weights when normalize is false', () => {
    const v = embedText('cash cash cash', 1024, { normalize: false });
    // unigram "cash" ×3 at weight 1, bigram "cash cash" ×2 at weight 0.5, each sublinear
    expect(norm(v)).toBeCloseTo(Math.hypot(1 + Math.log(3), 0.5 * (1 + Math.log(2))), 10);
  });

  it('gives each seed its own space: same seed equal, different seeds unrelated', () => {
    const text = 'For fiscal 2018, loss on extinguishment of debt was $3.1 billion.';
    const titan = embeddingSeed('amazon.titan-embed-text-v2:0');
    const cohere = embeddingSeed('cohere.embed-v4:0');
    expect(titan).not.toBe(cohere);
    expect(embedText(text, 1024, { seed: titan })).toEqual(embedText(text, 1024, { seed: titan }));
    expect(Math.abs(cosineSimilarity(embedText(text, 1024, { seed: titan }), embedText(text, 1024, { seed: cohere })))).toBeLessThan(0.3);
    const related = embedText('loss on extinguishment of debt', 1024, { seed: cohere });
    expect(cosineSimilarity(embedText(text, 1024, { seed: cohere }), related)).toBeGreaterThan(0.5);
  });

  it('rejects a non-positive or fractional dimension', () => {
    expect(() => embedText('x', 0)).toThrow(RangeError);
    expect(() => embedText('x', 10.5)).toThrow(RangeError);
  });
});
