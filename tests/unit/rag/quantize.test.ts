import { describe, expect, it } from 'vitest';
import { quantizeRowsInto } from '../../../src/rag/vector/quantize';
import { createWasmMemory, instantiateKernels } from '../../../src/rag/wasm/kernels';

describe('the wasm quantisation kernel', () => {
  it('matches the JS reference, and its error norms describe the int8 values it wrote', () => {
    const count = 500;
    const dims = 64;
    const mem = createWasmMemory(8);
    const k = instantiateKernels(mem);
    const [src, dst, scales, errors] = [0, count * dims * 4, count * dims * 5, count * dims * 5 + count * 4];
    const f = new Float32Array(mem.buffer, src, count * dims);
    let s = 9;
    for (let i = 0; i < f.length; i++) f[i] = (((s = (s * 1664525 + 1013904223) >>> 0) / 4294967296) - 0.5) * (1 + (i % 7));
    f.fill(0, 3 * dims, 4 * dims); // a zero row must not produce NaN
    k.quantize_rows(src, count, dims, dst, scales, errors);

    const ref = { values: new Int8Array(count * dims), scales: new Float32Array(count), errors: new Float32Array(count) };
    quantizeRowsInto(f, count, dims, ref.values, ref.scales, ref.errors);
    const values = new Int8Array(mem.buffer, dst, count * dims);
    const gotScales = new Float32Array(mem.buffer, scales, count);
    const gotErrors = new Float32Array(mem.buffer, errors, count);
    expect(Array.from(gotScales)).toEqual(Array.from(ref.scales));
    let differing = 0;
    for (let i = 0; i < values.length; i++) {
      expect(Math.abs(values[i] - ref.values[i])).toBeLessThanOrEqual(1); // f32 vs f64 rounding of exact halves
      if (values[i] !== ref.values[i]) differing++;
    }
    expect(differing).toBeLessThan(values.length / 1000);
    for (let r = 0; r < count; r++) {
      let e2 = 0;
      for (let j = 0; j < dims; j++) e2 += (f[r * dims + j] - values[r * dims + j] * gotScales[r]) ** 2;
      expect(gotErrors[r]).toBeCloseTo(Math.sqrt(e2), 6);
    }
    expect(gotErrors[3]).toBe(0);
  });
});
