/** The one text normalisation every phrase matcher uses: lowercase, possessives dropped, punctuation
 * (except "&") to spaces, single spaces, padded with a space each side so `includes(' x ')` is a
 * whole-word test. */
export function normalisePhraseText(text: string): string {
  const t = text
    .toLowerCase()
    .replace(/[’‘`]/g, "'")
    .replace(/'s\b/g, '')
    .replace(/\s*&\s*/g, ' & ')
    .replace(/[^a-z0-9&]+/g, ' ')
    .trim();
  return ` ${t.replace(/\s+/g, ' ')} `;
}

/** Finds each phrase (already normalised, no padding) as whole words, longest first, each span used once. */
export function matchPhrases<T>(text: string, phrases: Array<{ phrase: string; value: T }>): Array<{ phrase: string; value: T }> {
  let rest = text;
  const found: Array<{ phrase: string; value: T }> = [];
  const sorted = [...phrases].sort((a, b) => b.phrase.length - a.phrase.length);
  for (const p of sorted) {
    const needle = ` ${p.phrase} `;
    if (!p.phrase || !rest.includes(needle)) continue;
    found.push(p);
    rest = rest.split(needle).join(' '.repeat(needle.length - 1) + ' ');
  }
  return found;
}
