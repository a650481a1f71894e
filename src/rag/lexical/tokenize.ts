/**
 * Text → terms for the lexical index. Financial questions hinge on exact terms and numbers, so:
 * numbers are terms ("2019", "2.66"; thousands separators dropped so "1,234" meets "1234"), tickers
 * and item numbers survive ("googl", "1a", "7a"), "&" stays inside words ("md&a", "j&j"), possessives
 * go ("walmart's" → "walmart"), and a light plural strip lets "risks" meet "risk". Nothing heavier:
 * terms stay predictable and a hand-computed BM25 case stays hand-computable.
 */

export const STOPWORDS: ReadonlySet<string> = new Set(
  (
    'a about above after again against all am an and any are as at be because been before being below between both but by ' +
    'can could did do does doing down during each few for from further had has have having he her here hers him his how i ' +
    'if in into is it its itself just me more most my no nor not now of off on once only or other our ours out over own same ' +
    'she should so some such than that the their theirs them then there these they this those through to too under until up ' +
    'very was we were what when where which while who whom why will with would you your also may might must shall us per via ' +
    'within without upon whether tell give show describe explain list'
  ).split(' '),
);

const TOKEN = /[a-z0-9]+(?:[.,&'’][a-z0-9]+)*/g;

/** Lowercase terms in order, stopwords removed. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  const matches = text.toLowerCase().match(TOKEN);
  if (!matches) return out;
  for (const raw of matches) {
    const term = normaliseTerm(raw);
    if (!term || STOPWORDS.has(term)) continue;
    out.push(term);
  }
  return out;
}

export function normaliseTerm(raw: string): string {
  let t = raw.replace(/’/g, "'");
  if (/^[0-9][0-9.,]*$/.test(t)) {
    // 1,234,567.5 → 1234567.5; a trailing ",5" style decimal comma is rare in 10-Ks, treat commas as separators.
    return t.replace(/,/g, '');
  }
  t = t.replace(/'s$/, '').replace(/'/g, '');
  if (t.includes(',')) t = t.replace(/,/g, '');
  if (/^[a-z]+$/.test(t)) t = stripPlural(t);
  return t;
}

function stripPlural(t: string): string {
  if (t.length <= 3) return t;
  if (t.endsWith('ies') && t.length > 4) return t.slice(0, -3) + 'y';
  if (t.endsWith('ss') || t.endsWith('us') || t.endsWith('is')) return t;
  if (t.endsWith('s')) return t.slice(0, -1);
  return t;
}
