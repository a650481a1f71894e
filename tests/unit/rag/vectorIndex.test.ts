import { describe, expect, it } from 'vitest';
import { VectorIndex, type ScanKernelName } from '../../../src/rag/vector/vectorIndex';
import { exactDot, normalised } from '../../../src/rag/vector/exactDot';
import { topK } from '../../../src/rag/vector/topk';

function rng(seed: number) {
  return () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 4294967296;
  };
}

/** Clustered unit vectors: near-ties inside clusters are where approximate scans go wrong. */
function clustered(count: number, dims: number, clusters: number, seed = 7) {
  const r = rng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(r() || 1e-12)) * Math.cos(2 * Math.PI * r());
  const centers = Array.from({ length: clusters }, () => Float32Array.from({ length: dims }, gauss));
  const vectors = new Float32Array(count * dims);
  for (let i = 0; i < count; i++) {
    const c = centers[i % clusters];
    const v = normalised(Array.from({ length: dims }, (_, j) => c[j] + 0.4 * gauss()));
    vectors.set(v, i * dims);
  }
  const query = (noise = 0.05) => {
    const base = Math.floor(r() * count);
    return normalised(Array.from({ length: dims }, (_, j) => vectors[base * dims + j] + noise * gauss()));
  };
  return { vectors, dims, count, query, random: r };
}

function bruteForce(vectors: Float32Array, dims: number, q: Float32Array, rows: number[], k: number) {
  return rows
    .map((row) => ({ id: row, score: exactDot(vectors, row, dims, q) }))
    .sort((a, b) => b.score - a.score || a.id - b.id)
    .slice(0, k);
}


describe('VectorIndex built in the background', () => {
  it('answers with the exact js scan until its wasm copy is built, then with the kernel asked for — the same hits', async () => {
    const data = clustered(4000, 64, 10);
    const queries = Array.from({ length: 10 }, () => data.query());
    const reference = new VectorIndex(data, { kernel: 'wasm-int8' });
    for (const kernel of ['wasm-int8', 'wasm-f32'] as const) {
      const index = new VectorIndex(data, { kernel, build: 'background' });
      expect(index.kernel).toBe('js');
      expect(index.extraBytes).toBe(0);
      const before = queries.map((q) => index.search(q, { k: 10 }).hits);
      await index.whenBuilt();
      expect(index.kernel).toBe(kernel);
      expect(index.extraBytes).toBeGreaterThan(0);
      const after = queries.map((q) => index.search(q, { k: 10, rows: null }));
      expect(after.map((a) => a.hits)).toEqual(before);
      expect(after.map((a) => a.hits)).toEqual(queries.map((q) => reference.search(q, { k: 10 }).hits));
      if (kernel === 'wasm-int8') expect(after.some((a) => a.reranked > 0)).toBe(true);
    }
  });
});

const kernels: ScanKernelName[] = ['js', 'wasm-f32', 'wasm-int8'];

describe('VectorIndex', () => {
  const data = clustered(3000, 64, 12);
  const all = Array.from({ length: data.count }, (_, i) => i);

  for (const kernel of kernels) {
    describe(`kernel ${kernel}`, () => {
      const index = new VectorIndex(data, { kernel, rerankFactor: 2 });

      it('uses the kernel asked for', () => {
        expect(index.kernel).toBe(kernel);
      });

      it('returns exactly the brute-force top-k, ids and scores, without a filter', () => {
        for (let t = 0; t < 20; t++) {
          const q = data.query();
          const got = index.search(q, { k: 10 });
          expect(got.hits).toEqual(bruteForce(data.vectors, data.dims, q, all, 10));
          expect(got.rowsScanned).toBe(data.count);
        }
      });

      it('returns exactly the brute-force top-k within a row set, and scans only those rows', () => {
        for (let t = 0; t < 20; t++) {
          const keep = all.filter(() => data.random() < 0.1);
          const q = data.query();
          const got = index.search(q, { k: 10, rows: Int32Array.from(keep) });
          expect(got.hits).toEqual(bruteForce(data.vectors, data.dims, q, keep, 10));
          expect(got.rowsScanned).toBe(keep.length);
          for (const h of got.hits) expect(keep).toContain(h.id);
        }
      });

      it('never comes back short when the row set holds fewer than k rows', () => {
        const keep = Int32Array.from([5, 17, 2999]);
        const got = index.search(data.query(), { k: 10, rows: keep });
        expect(got.hits.map((h) => h.id).sort((a, b) => a - b)).toEqual([5, 17, 2999]);
      });

      it('drops hits below min_similarity and keeps every row above it', () => {
        const q = data.query();
        const ref = bruteForce(data.vectors, data.dims, q, all, 50);
        const cut = ref[25].score;
        const got = index.search(q, { k: 50, minSimilarity: cut });
        expect(got.hits).toEqual(ref.filter((h) => h.score >= cut));
      });
    });
  }

  it('int8 with re-rank equals exact even on near-duplicate rows', () => {
    // Rows that differ by less than the int8 quantisation step: only the error bound keeps this exact.
    const dims = 32;
    const count = 500;
    const r = rng(3);
    const base = Float32Array.from({ length: dims }, () => r() - 0.5);
    const vectors = new Float32Array(count * dims);
    for (let i = 0; i < count; i++) vectors.set(normalised(Array.from(base, (x) => x + (r() - 0.5) * 1e-3)), i * dims);
    const q = normalised(Array.from(base, (x) => x + (r() - 0.5) * 1e-2));
    const index = new VectorIndex({ vectors, dims, count }, { kernel: 'wasm-int8', rerankFactor: 1 });
    const got = index.search(q, { k: 10 });
    expect(got.hits).toEqual(bruteForce(vectors, dims, q, Array.from({ length: count }, (_, i) => i), 10));
    expect(got.reranked).toBeGreaterThan(10);
  });

  it('falls back to plain JS when dims is not a multiple of 32', () => {
    const d = clustered(100, 24, 3);
    expect(new VectorIndex(d, { kernel: 'wasm-int8' }).kernel).toBe('js');
  });
});

describe('topK', () => {
  it('matches a full sort, breaking ties by lower id', () => {
    const scores = [0.5, 0.9, 0.5, 0.1, 0.9, 0.5, 0.3];
    expect(topK(scores, scores.length, 4)).toEqual([
      { id: 1, score: 0.9 },
      { id: 4, score: 0.9 },
      { id: 0, score: 0.5 },
      { id: 2, score: 0.5 },
    ]);
  });
});
