/**
 * Text → terms, shared by the embedding function and the extractive answerer, plus the token
 * estimate the emulator reports as usage.
 *
 * Terms are lowercased words and numbers. Numbers stay terms (financial questions hinge on "2023",
 * "$3.1 billion", "12%"); thousands separators are dropped so "1,234" and "1234" match. A light
 * plural strip ("revenues" → "revenue", "liabilities" → "liability") lets singular and plural
 * forms meet, and a handful of financial synonyms fold together ("net sales" meets "revenue");
 * nothing heavier, so terms stay predictable.
 */

/** English function words that carry no retrieval signal. */
export const STOPWORDS: ReadonlySet<string> = new Set(
  (
    'a about above after again against all am an and any are as at be because been before being below ' +
    'between both but by can could did do does doing down during each few for from further had has have ' +
    'having he her here hers herself him himself his how i if in into is it its itself just me more most ' +
    'my myself no nor not now of off on once only or other our ours ourselves out over own same she should ' +
    'so some such than that the their theirs them themselves then there these they this those through to ' +
    'too under until up very was we were what when where which while who whom why will with would you your ' +
    'yours yourself yourselves also may might must shall us per via within without upon whether'
  ).split(' '),
);

/**
 * A few financial synonyms folded onto one term (after the plural strip), so a question's wording
 * meets a filing's: "revenue" ~ "net sales", "net income" ~ "earnings" / "profit", "borrowings" ~ "debt".
 * Deliberately short: every entry is a word that filings and questions use interchangeably.
 */
const FINANCIAL_SYNONYMS: ReadonlyMap<string, string> = new Map([
  ['sale', 'revenue'],
  ['turnover', 'revenue'],
  ['earning', 'income'],
  ['profit', 'income'],
  ['borrowing', 'debt'],
  ['indebtedness', 'debt'],
  ['buyback', 'repurchase'],
  ['workforce', 'employee'],
  ['headcount', 'employee'],
  ['regulatory', 'regulation'],
  ['regulator', 'regulation'],
]);

// Words (letters, digits, inner apostrophes/hyphens are split) or numbers with separators/decimals.
const TERM_PATTERN = /[a-z]+|[0-9]+(?:[.,][0-9]+)*/g;

/** Lowercase terms of `text` in order, stopwords included (callers decide). */
export function rawTerms(text: string): string[] {
  const matches = text.toLowerCase().match(TERM_PATTERN);
  if (!matches) return [];
  for (let i = 0; i < matches.length; i++) matches[i] = normalizeTerm(matches[i]!);
  return matches;
}

/** Content terms: raw terms without stopwords and single letters. Numbers are kept. */
export function contentTerms(text: string): string[] {
  const out: string[] = [];
  for (const term of rawTerms(text)) {
    if (term.length < 2 && !isDigit(term.charCodeAt(0))) continue;
    if (STOPWORDS.has(term)) continue;
    out.push(term);
  }
  return out;
}

function normalizeTerm(term: string): string {
  const first = term.charCodeAt(0);
  if (isDigit(first)) return term.includes(',') ? term.replace(/,/g, '') : term;
  const singular = stripPlural(term);
  return FINANCIAL_SYNONYMS.get(singular) ?? singular;
}

function stripPlural(term: string): string {
  const n = term.length;
  if (n > 4 && term.endsWith('ies')) return term.slice(0, -3) + 'y';
  if (n > 3 && term.charCodeAt(n - 1) === 115 /* s */) {
    const prev = term.charCodeAt(n - 2);
    // keep "ss" (loss), "us" (status), "is" (analysis)
    if (prev !== 115 && prev !== 117 && prev !== 105) return term.slice(0, -1);
  }
  return term;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/**
 * The token count the emulator reports: about four characters per token, the rule of thumb the
 * Bedrock docs give for English. Deterministic, and additive enough that the sum over parts is
 * within a few tokens of the whole. Empty text is 0 tokens; any other text is at least 1.
 */
export function estimateTokens(text: string): number {
  return text.length === 0 ? 0 : Math.ceil(text.length / 4);
}
