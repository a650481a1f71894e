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
  let t = raw;
  // Character tests instead of regexes: this runs once per token of the whole corpus at load.
  if (isNumber(t)) return t.indexOf(',') >= 0 ? t.replace(/,/g, '') : t;
  if (t.indexOf("'") >= 0 || t.indexOf('’') >= 0) {
    t = t.replace(/’/g, "'");
    if (t.endsWith("'s")) t = t.slice(0, -2);
    t = t.replace(/'/g, '');
  }
  if (t.indexOf(',') >= 0) t = t.replace(/,/g, '');
  return isLetters(t) ? stripPlural(t) : t;
}

/** Digits with "." or "," inside (1,234.5), starting with a digit. */
function isNumber(t: string): boolean {
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (i > 0 && (c === 44 || c === 46)))) return false;
  }
  return t.length > 0;
}

function isLetters(t: string): boolean {
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c < 97 || c > 122) return false;
  }
  return t.length > 0;
}

function stripPlural(t: string): string {
  if (t.length <= 3) return t;
  if (t.endsWith('ies') && t.length > 4) return t.slice(0, -3) + 'y';
  if (t.endsWith('ss') || t.endsWith('us') || t.endsWith('is')) return t;
  if (t.endsWith('s')) return t.slice(0, -1);
  return t;
}
