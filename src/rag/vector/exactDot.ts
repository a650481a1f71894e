/**
 * The reference dot product: float32 inputs, float64 accumulation, strictly in order j = 0…d−1.
 * Every ranking the index returns is by this score, and so is the brute-force reference in tests, so
 * "top-10 identical to exact" is checked bit for bit.
 */
export function exactDot(vectors: Float32Array, row: number, dims: number, query: Float32Array): number {
  const o = row * dims;
  let s = 0;
  for (let j = 0; j < dims; j++) s += vectors[o + j] * query[j];
  return s;
}

/**
 * Exact scores of a contiguous row range or a row list, four rows per pass (the fastest plain-JS
 * shape measured here). Each row's sum has the same order as exactDot, so the values are identical.
 */
export function exactScan(vectors: Float32Array, dims: number, query: Float32Array, rows: Int32Array | null, first: number, count: number, out: Float64Array): void {
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const o0 = (rows ? rows[i] : first + i) * dims;
    const o1 = (rows ? rows[i + 1] : first + i + 1) * dims;
    const o2 = (rows ? rows[i + 2] : first + i + 2) * dims;
    const o3 = (rows ? rows[i + 3] : first + i + 3) * dims;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let j = 0; j < dims; j++) {
      const q = query[j];
      s0 += vectors[o0 + j] * q;
      s1 += vectors[o1 + j] * q;
      s2 += vectors[o2 + j] * q;
      s3 += vectors[o3 + j] * q;
    }
    out[i] = s0;
    out[i + 1] = s1;
    out[i + 2] = s2;
    out[i + 3] = s3;
  }
  for (; i < count; i++) out[i] = exactDot(vectors, rows ? rows[i] : first + i, dims, query);
}

/** A unit-length float32 copy (a zero vector stays zero). */
export function normalised(v: ArrayLike<number>): Float32Array {
  let n = 0;
  for (let j = 0; j < v.length; j++) n += v[j] * v[j];
  const inv = n > 0 ? 1 / Math.sqrt(n) : 0;
  const out = new Float32Array(v.length);
  for (let j = 0; j < v.length; j++) out[j] = v[j] * inv;
  return out;
}
