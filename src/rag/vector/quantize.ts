/**
 * Symmetric int8 quantisation, one scale per row, with the error each row carries.
 *
 * For a unit query q and row v with dequantised forms q̂ = s_q·q_i and v̂ = s_v·v_i:
 *   |q·v − q̂·v̂| ≤ |q·(v − v̂)| + |(q − q̂)·v̂| ≤ ‖v − v̂‖ + ‖q − q̂‖·(1 + ‖v − v̂‖)
 * (Cauchy–Schwarz, ‖q‖ = 1, ‖v̂‖ ≤ 1 + ‖v − v̂‖). The index re-ranks every row whose approximate
 * score plus this bound could reach the k-th exact score, which makes the int8 path exact on the
 * top-k by construction rather than by luck. Values are clamped to ±127 so two i8×i8 products always
 * fit an i16 lane pair sum.
 */

export interface QuantizedRows {
  /** count × dims int8 values, row-major. */
  values: Int8Array;
  /** Per-row dequantisation scale. */
  scales: Float32Array;
  /** Per-row ‖v − v̂‖. */
  errors: Float32Array;
  maxError: number;
}

/**
 * Quantises `count` rows into the given output arrays. The readable reference: the index uses the
 * same arithmetic in wasm SIMD (src/rag/wasm/quantizeKernel.ts), and tests compare the two.
 */
export function quantizeRowsInto(vectors: Float32Array, count: number, dims: number, values: Int8Array, scales: Float32Array, errors: Float32Array): number {
  let maxError = 0;
  for (let r = 0; r < count; r++) {
    const o = r * dims;
    let maxAbs = 0;
    for (let j = 0; j < dims; j++) maxAbs = Math.max(maxAbs, Math.abs(vectors[o + j]));
    const scale = maxAbs > 0 ? maxAbs / 127 : 1;
    const inv = 1 / scale;
    let err2 = 0;
    for (let j = 0; j < dims; j++) {
      const x = vectors[o + j];
      // Branch-free rounding: |x·inv| ≤ 127 by construction, so x·inv + 128.5 is positive and
      // truncation is floor. (Math.round or a sign test mispredicts on random signs: 5–7× slower.)
      const qv = ((x * inv + 128.5) | 0) - 128;
      values[o + j] = qv;
      const d = x - qv * scale;
      err2 += d * d;
    }
    scales[r] = scale;
    const e = Math.sqrt(err2);
    errors[r] = e;
    if (e > maxError) maxError = e;
  }
  return maxError;
}

/** Quantises a query to int16 lanes holding int8-range values (pre-widened for the SIMD kernel). */
export function quantizeQueryInto(query: Float32Array, out: Int16Array): { scale: number; error: number } {
  let maxAbs = 0;
  for (let j = 0; j < query.length; j++) maxAbs = Math.max(maxAbs, Math.abs(query[j]));
  const scale = maxAbs > 0 ? maxAbs / 127 : 1;
  let err2 = 0;
  for (let j = 0; j < query.length; j++) {
    const qv = Math.max(-127, Math.min(127, Math.round(query[j] / scale)));
    out[j] = qv;
    const d = query[j] - qv * scale;
    err2 += d * d;
  }
  return { scale, error: Math.sqrt(err2) };
}
