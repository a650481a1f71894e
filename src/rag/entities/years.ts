/**
 * Years and ranges in a question: "2019", "FY2019", "2015-2020", "2015 to 2020", "between 2018 and
 * 2020", "from 2016 through 2019", "since 2018", "before 2015", "last three years" / "past 5 years" /
 * "most recent year" (relative to the latest year in the data).
 */
export interface YearSelection {
  /** Years named one by one or a closed range expanded (ascending). */
  years: number[];
  /** Open or closed bounds when the question gave a range ("since 2018" → gte 2018). */
  gte?: number;
  lte?: number;
  /** The text that matched, for the response's entities. */
  phrases: string[];
}

const YEAR = '(?:fy\\s*|fiscal\\s+(?:year\\s+)?)?((?:19|20)\\d{2})';
const WORD_NUMBERS: Record<string, number> = { one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, twelve: 12, fifteen: 15, twenty: 20 };

export function extractYears(question: string, latestYear: number): YearSelection {
  let text = question.toLowerCase();
  const sel: YearSelection = { years: [], phrases: [] };
  const consume = (m: RegExpExecArray) => {
    sel.phrases.push(m[0].trim());
    text = text.slice(0, m.index) + ' '.repeat(m[0].length) + text.slice(m.index + m[0].length);
  };
  const closed = (from: number, to: number) => {
    const [a, b] = from <= to ? [from, to] : [to, from];
    sel.gte = sel.gte === undefined ? a : Math.min(sel.gte, a);
    sel.lte = sel.lte === undefined ? b : Math.max(sel.lte, b);
    for (let y = a; y <= b; y++) sel.years.push(y);
  };

  const patterns: Array<[RegExp, (m: RegExpExecArray) => void]> = [
    [new RegExp(`\\b(?:between|from)\\s+${YEAR}\\s+(?:and|to|through|thru|until|till|-|–)\\s+${YEAR}\\b`), (m) => closed(+m[1], +m[2])],
    [new RegExp(`\\b${YEAR}\\s*(?:-|–|—|to|through|thru|until)\\s*((?:19|20)?\\d{2})\\b`), (m) => closed(+m[1], m[2].length === 2 ? Math.floor(+m[1] / 100) * 100 + +m[2] : +m[2])],
    [/\b(?:last|past|previous|prior|recent|latest)\s+(\d{1,2}|[a-z]+)\s+(?:fiscal\s+)?years?\b/, (m) => {
      const n = /^\d+$/.test(m[1]) ? +m[1] : WORD_NUMBERS[m[1]];
      if (n) closed(latestYear - n + 1, latestYear);
    }],
    [/\b(?:last|latest|most recent|previous|prior)\s+(?:fiscal\s+)?year\b/, () => closed(latestYear, latestYear)],
    [new RegExp(`\\b(?:since|after|starting(?:\\s+in)?|from)\\s+${YEAR}\\b`), (m) => {
      const y = /after/.test(m[0]) ? +m[1] + 1 : +m[1];
      sel.gte = sel.gte === undefined ? y : Math.min(sel.gte, y);
      for (let x = y; x <= latestYear; x++) sel.years.push(x);
    }],
    [new RegExp(`\\b(?:before|prior\\s+to|until|through|up\\s+to)\\s+${YEAR}\\b`), (m) => {
      const y = /before|prior/.test(m[0]) ? +m[1] - 1 : +m[1];
      sel.lte = sel.lte === undefined ? y : Math.max(sel.lte, y);
    }],
  ];
  for (const [re, apply] of patterns) {
    for (;;) {
      const m = re.exec(text);
      if (!m) break;
      apply(m);
      consume(m);
    }
  }
  const single = new RegExp(`\\b${YEAR}\\b`, 'g');
  for (const m of text.matchAll(single)) {
    sel.years.push(+m[1]);
    sel.phrases.push(m[0].trim());
  }
  sel.years = [...new Set(sel.years)].sort((a, b) => a - b);
  return sel;
}
