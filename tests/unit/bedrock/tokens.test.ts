/** Terms and the token estimate shared by the embedding function, the answerer and usage counts. */
import { describe, expect, it } from 'vitest';
import { contentTerms, estimateTokens, rawTerms } from '../../../src/local/services/bedrock/tokens';

describe('terms', () => {
  it('lowercases, splits on punctuation and keeps numbers with their decimals', () => {
    expect(rawTerms("Walmart's net sales rose 4.5% to $611.3 billion in FY2023")).toEqual([
      'walmart', 's', 'net', 'revenue', 'rose', '4.5', 'to', '611.3', 'billion', 'in', 'fy', '2023',
    ]);
  });

  it('folds a few financial synonyms onto one term', () => {
    expect(contentTerms('net sales, earnings, profits, borrowings, share buybacks')).toEqual([
      'net', 'revenue', 'income', 'income', 'debt', 'share', 'repurchase',
    ]);
  });

  it('drops thousands separators so 1,234 and 1234 are one term', () => {
    expect(rawTerms('1,234,567 and 1234567')).toEqual(['1234567', 'and', '1234567']);
  });

  it('drops stopwords and single letters but keeps single digits', () => {
    expect(contentTerms('What was the revenue of Item 7 in a year?')).toEqual(['revenue', 'item', '7', 'year']);
  });

  it('strips plurals lightly and leaves -ss, -us, -is words alone', () => {
    expect(contentTerms('liabilities revenues losses status analysis')).toEqual(['liability', 'revenue', 'losse', 'status', 'analysis']);
  });
});

describe('estimateTokens', () => {
  it('counts about four characters per token, at least one for any text', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('a')).toBe(1);
    expect(estimateTokens('abcd')).toBe(1);
    expect(estimateTokens('abcde')).toBe(2);
    expect(estimateTokens('x'.repeat(4000))).toBe(1000);
  });
});
