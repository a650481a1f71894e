/**
 * The non-float embedding types Titan and Cohere can return, derived from the float vector.
 * Cohere: int8 (−128…127) and uint8 (0…255) scale each vector by its largest magnitude; binary /
 * ubinary pack one sign bit per dimension, 8 per byte (so dims/8 values), as signed / unsigned bytes.
 * Titan: binary is one 0/1 per dimension.
 */

/** Rounds floats for the wire: 7 decimals keeps the cosine to ~1e-7 and halves the JSON size. */
export function roundForWire(vector: Float64Array): number[] {
  const out = new Array<number>(vector.length);
  for (let i = 0; i < vector.length; i++) out[i] = Math.round(vector[i]! * 1e7) / 1e7;
  return out;
}

export function toInt8(vector: Float64Array): number[] {
  const scale = 127 / maxAbs(vector);
  return Array.from(vector, (v) => roundHalfAwayFromZero(v * scale));
}

export function toUint8(vector: Float64Array): number[] {
  const scale = 127 / maxAbs(vector);
  return Array.from(vector, (v) => roundHalfAwayFromZero(v * scale) + 128);
}

export function toPackedBits(vector: Float64Array, signed: boolean): number[] {
  const out = new Array<number>(Math.ceil(vector.length / 8)).fill(0);
  for (let i = 0; i < vector.length; i++) if (vector[i]! > 0) out[i >> 3]! |= 0x80 >> (i & 7);
  return signed ? out.map((b) => b - 128) : out;
}

export function toTitanBinary(vector: Float64Array): number[] {
  return Array.from(vector, (v) => (v > 0 ? 1 : 0));
}

/** Symmetric rounding, so v and −v quantize to opposite values (Math.round(−63.5) is −63). */
function roundHalfAwayFromZero(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}

function maxAbs(vector: Float64Array): number {
  let m = 0;
  for (let i = 0; i < vector.length; i++) m = Math.max(m, Math.abs(vector[i]!));
  return m || 1;
}
