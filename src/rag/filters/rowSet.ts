/**
 * Row sets: ascending, duplicate-free Int32Arrays of sentence-table rows; `null` means every row.
 * Set algebra in time proportional to the sets, never to the table (except complement).
 */
export type RowSet = Int32Array | null;

export function intersect(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(Math.min(a.length, b.length));
  let i = 0, j = 0, n = 0;
  while (i < a.length && j < b.length) {
    if (a[i] < b[j]) i++;
    else if (a[i] > b[j]) j++;
    else {
      out[n++] = a[i];
      i++;
      j++;
    }
  }
  return out.slice(0, n);
}

export function union(sets: Int32Array[]): Int32Array {
  if (sets.length === 0) return new Int32Array(0);
  if (sets.length === 1) return sets[0];
  let total = 0;
  for (const s of sets) total += s.length;
  const all = new Int32Array(total);
  let at = 0;
  for (const s of sets) {
    all.set(s, at);
    at += s.length;
  }
  all.sort();
  let n = 0;
  for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[i - 1]) all[n++] = all[i];
  return all.slice(0, n);
}

/** Rows of [0, count) not in `set`. */
export function complement(set: Int32Array, count: number): Int32Array {
  const out = new Int32Array(count - set.length);
  let n = 0, j = 0;
  for (let row = 0; row < count; row++) {
    if (j < set.length && set[j] === row) j++;
    else out[n++] = row;
  }
  return out.slice(0, n);
}

export function allRows(count: number): Int32Array {
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = i;
  return out;
}
