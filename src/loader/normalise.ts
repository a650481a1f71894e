/**
 * L2-normalises each row in place (a zero row stays zero). Returns how many rows needed scaling:
 * 0 means the stored vectors were already normalised, which the /tmp cache records so a warm load
 * of the same bytes can skip this pass.
 */
export function normaliseRows(vectors: Float32Array, dims: number): number {
  let scaled = 0;
  const tail = dims & 3;
  for (let off = 0; off < vectors.length; off += dims) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    const end4 = off + dims - tail;
    for (let j = off; j < end4; j += 4) {
      const a = vectors[j];
      const b = vectors[j + 1];
      const c = vectors[j + 2];
      const d = vectors[j + 3];
      s0 += a * a;
      s1 += b * b;
      s2 += c * c;
      s3 += d * d;
    }
    for (let j = end4; j < off + dims; j++) s0 += vectors[j] * vectors[j];
    const s = s0 + s1 + s2 + s3;
    if (s === 0 || Math.abs(s - 1) < 1e-5) continue;
    scaled++;
    const inv = 1 / Math.sqrt(s);
    for (let j = off, end = off + dims; j < end; j++) vectors[j] *= inv;
  }
  return scaled;
}
