/**
 * Top-k selection with a bounded binary heap. Order: higher score first; on equal scores the lower
 * id wins, so results are deterministic and match a sort-based reference exactly.
 */
export interface Scored {
  id: number;
  score: number;
}

/** Compares a and b: negative when a ranks before b. */
export function byScoreThenId(a: Scored, b: Scored): number {
  return b.score - a.score || a.id - b.id;
}

/**
 * The k best (score, id) pairs among `count` values, where value i has score `scores[i]` and id
 * `ids ? ids[i] : i`. Returned sorted best first.
 */
export function topK(scores: ArrayLike<number>, count: number, k: number, ids?: ArrayLike<number>): Scored[] {
  if (k <= 0 || count <= 0) return [];
  const size = Math.min(k, count);
  const hs = new Float64Array(size);
  const hi = new Int32Array(size);
  let filled = 0;
  // Heap root is the worst kept element: lowest score, highest id among equal scores.
  const worse = (sa: number, ia: number, sb: number, ib: number) => sa < sb || (sa === sb && ia > ib);
  for (let p = 0; p < count; p++) {
    const s = scores[p];
    if (s !== s) continue; // NaN never ranks
    const id = ids ? ids[p] : p;
    if (filled < size) {
      let c = filled++;
      while (c > 0) {
        const parent = (c - 1) >> 1;
        if (!worse(s, id, hs[parent], hi[parent])) break;
        hs[c] = hs[parent];
        hi[c] = hi[parent];
        c = parent;
      }
      hs[c] = s;
      hi[c] = id;
      continue;
    }
    if (!worse(hs[0], hi[0], s, id)) continue;
    let c = 0;
    for (;;) {
      const l = 2 * c + 1;
      if (l >= size) break;
      const r = l + 1;
      const m = r < size && worse(hs[r], hi[r], hs[l], hi[l]) ? r : l;
      if (!worse(hs[m], hi[m], s, id)) break;
      hs[c] = hs[m];
      hi[c] = hi[m];
      c = m;
    }
    hs[c] = s;
    hi[c] = id;
  }
  const out: Scored[] = [];
  for (let i = 0; i < filled; i++) out.push({ id: hi[i], score: hs[i] });
  return out.sort(byScoreThenId);
}
