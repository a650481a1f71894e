/**
 * Exact top-k by dot product over pre-normalised vectors, optionally restricted to a row set.
 *
 * Three scan kernels, same answers:
 *  - `wasm-int8` (default): a WebAssembly SIMD scan over an int8 copy (¼ of the float32 bytes), then
 *    an exact float64-accumulated re-rank of the best candidates from the loader's float32 vectors.
 *    Every row whose approximate score plus its quantisation error bound could reach the k-th exact
 *    score is re-ranked too (see quantize.ts), so the top-k equals the exact top-k by construction.
 *  - `wasm-f32`: a SIMD float32 scan over a copy of the vectors in wasm memory, re-ranked the same way
 *    (float32 summation error is bounded by dims × 2⁻²³). Costs a second copy of the vectors; the bench
 *    uses it to show where the float32 floor is.
 *  - `js`: plain JavaScript, four rows per pass, exact — the fallback when wasm SIMD is unavailable or
 *    dims is not a multiple of 32.
 * Filtering is a row list given to the scan: only those rows are touched (never post-filtered).
 */
import { exactDot, exactScan, normalised } from './exactDot';
import { quantizeQueryInto } from './quantize';
import { byScoreThenId, topK, type Scored } from './topk';
import { createWasmMemory, instantiateKernels, wasmSimdAvailable, type ScanKernels, type WasmMemory } from '../wasm/kernels';
import { LarderError } from '../../errors';
import { log } from '../../log';

export type ScanKernelName = 'wasm-int8' | 'wasm-f32' | 'js';

export interface VectorMatrix {
  vectors: Float32Array;
  dims: number;
  count: number;
}

export interface VectorIndexOptions {
  kernel?: ScanKernelName;
  /**
   * 'now' (default): the wasm copy is built in the constructor. 'background': it is built a slice at
   * a time between other work (setImmediate), and searches until it is ready use the exact js scan —
   * the same answers (every kernel is exact), so a cold start's first question does not wait for the
   * int8 quantisation (~60 ms for the 20k×1024 real vectors here; a filtered first search touches a
   * few hundred rows). `kernel` says which one the next search uses; whenBuilt() resolves when ready.
   */
  build?: 'now' | 'background';
  /** Candidates re-ranked exactly = k × this, before the error-bound check adds any more. */
  rerankFactor?: number;
}

export interface VectorSearchOptions {
  k: number;
  /** Matrix rows to search, ascending; null/undefined → all rows. */
  rows?: Int32Array | null;
  /** Hits scoring below this are dropped (the result may then hold fewer than k). */
  minSimilarity?: number;
}

export interface VectorSearchResult {
  /** id = matrix row; score = exact dot product. Best first. */
  hits: Scored[];
  rowsScanned: number;
  /** Rows whose exact score was computed after the approximate scan (0 for the js kernel). */
  reranked: number;
}

const EPSILON = 1e-5;
const ALIGN = 64;
/** Float32 rows staged into wasm memory per quantisation call. */
const QUANTIZE_CHUNK_BYTES = 1 << 20;

/** Work per slice of a background build before it yields to the event loop. */
const BACKGROUND_SLICE_MS = 4;

export class VectorIndex {
  /** The kernel the index is built for. */
  readonly target: ScanKernelName;
  readonly dims: number;
  readonly count: number;
  private readonly vectors: Float32Array;
  private readonly rerankFactor: number;
  private wasm?: { k: ScanKernels; mem: WasmMemory; q: number; out: number; rows: number; scales: number; vecs: number };
  private rowErrors?: Float32Array;
  private maxRowError = 0;
  private jsScratch?: Float64Array;
  private built: Promise<void>;

  constructor(matrix: VectorMatrix, options: VectorIndexOptions = {}) {
    this.vectors = matrix.vectors;
    this.dims = matrix.dims;
    this.count = matrix.count;
    this.rerankFactor = Math.max(1, options.rerankFactor ?? 4);
    if (matrix.vectors.length !== matrix.dims * matrix.count) {
      throw new LarderError('TABLE_INVALID', `vector matrix holds ${matrix.vectors.length} floats, expected ${matrix.count} × ${matrix.dims}`);
    }
    const wanted = options.kernel ?? 'wasm-int8';
    const wasmOk = wanted !== 'js' && matrix.dims % 32 === 0 && matrix.count > 0 && wasmSimdAvailable();
    this.target = wasmOk ? wanted : 'js';
    if (this.target === 'js') this.built = Promise.resolve();
    else if (options.build === 'background') this.built = this.buildInBackground();
    else {
      runToEnd(this.buildWasm(this.target === 'wasm-int8'));
      this.built = Promise.resolve();
    }
  }

  /** The kernel the next search uses: the target once built, the exact js scan until then. */
  get kernel(): ScanKernelName {
    return this.wasm ? this.target : 'js';
  }

  /** Resolves when the kernel asked for is in use (at once unless built in the background). */
  whenBuilt(): Promise<void> {
    return this.built;
  }

  private async buildInBackground(): Promise<void> {
    const steps = this.buildWasm(this.target === 'wasm-int8');
    try {
      for (;;) {
        await new Promise((resolve) => setImmediate(resolve));
        const until = performance.now() + BACKGROUND_SLICE_MS;
        let step = steps.next();
        while (!step.done && performance.now() < until) step = steps.next();
        if (step.done) return;
      }
    } catch (err) {
      // The exact js scan keeps answering; only the speed-up is lost.
      log.warn('vector index: the wasm copy could not be built; searching with the js kernel', { error: (err as Error).message });
    }
  }

  /** Bytes this index holds beyond the loader's vectors (the wasm memory). */
  get extraBytes(): number {
    return this.wasm ? this.wasm.mem.buffer.byteLength : 0;
  }

  search(query: ArrayLike<number>, options: VectorSearchOptions): VectorSearchResult {
    if (query.length !== this.dims) {
      throw new LarderError('VALIDATION', `query vector has ${query.length} dimensions, the index has ${this.dims}`, { statusCode: 500 });
    }
    const q = normalised(query);
    const rows = options.rows ?? null;
    const n = rows ? rows.length : this.count;
    const k = Math.min(options.k, n);
    const minSim = options.minSimilarity ?? -Infinity;
    if (k <= 0) return { hits: [], rowsScanned: 0, reranked: 0 };
    if (!this.wasm) return this.searchJs(q, rows, n, k, minSim);
    return this.searchWasm(q, rows, n, k, minSim);
  }

  /** The exact score of one row against a query (normalised here), as search() would report it. */
  similarity(row: number, query: ArrayLike<number>): number {
    return exactDot(this.vectors, row, this.dims, normalised(query));
  }

  private searchJs(q: Float32Array, rows: Int32Array | null, n: number, k: number, minSim: number): VectorSearchResult {
    if (!this.jsScratch || this.jsScratch.length < n) this.jsScratch = new Float64Array(Math.max(n, 1024));
    exactScan(this.vectors, this.dims, q, rows, 0, n, this.jsScratch);
    const hits = topK(this.jsScratch, n, k, rows ?? undefined).filter((h) => h.score >= minSim);
    return { hits, rowsScanned: n, reranked: 0 };
  }

  private searchWasm(q: Float32Array, rows: Int32Array | null, n: number, k: number, minSim: number): VectorSearchResult {
    const w = this.wasm!;
    const int8 = this.target === 'wasm-int8';
    let qErr = 0;
    if (int8) {
      const qz = quantizeQueryInto(q, new Int16Array(w.mem.buffer, w.q, this.dims));
      qErr = qz.error;
      if (rows) new Int32Array(w.mem.buffer, w.rows, n).set(rows);
      if (rows) w.k.dot_i8_rows(w.vecs, w.q, this.dims, w.rows, n, w.out, w.scales, qz.scale);
      else w.k.dot_i8(w.vecs, w.q, this.dims, 0, n, w.out, w.scales, qz.scale);
    } else {
      new Float32Array(w.mem.buffer, w.q, this.dims).set(q);
      if (rows) new Int32Array(w.mem.buffer, w.rows, n).set(rows);
      if (rows) w.k.dot_f32_rows(w.vecs, w.q, this.dims, w.rows, n, w.out);
      else w.k.dot_f32(w.vecs, w.q, this.dims, 0, n, w.out);
    }
    const approx = new Float32Array(w.mem.buffer, w.out, n);
    const f32Bound = this.dims * 2 ** -23 + EPSILON;
    const bound = (row: number) => (int8 ? this.rowErrors![row] + qErr * (1 + this.rowErrors![row]) + EPSILON : f32Bound);
    const maxBound = int8 ? this.maxRowError + qErr * (1 + this.maxRowError) + EPSILON : f32Bound;

    const candidates = topK(approx, n, Math.min(n, k * this.rerankFactor));
    const seen = new Set<number>();
    const exact: Scored[] = [];
    let minApprox = Infinity;
    for (const c of candidates) {
      const row = rows ? rows[c.id] : c.id;
      seen.add(c.id);
      exact.push({ id: row, score: exactDot(this.vectors, row, this.dims, q) });
      if (c.score < minApprox) minApprox = c.score;
    }
    exact.sort(byScoreThenId);
    // Any row not re-ranked has approx ≤ minApprox; it can only reach the result if approx + bound ≥ T.
    const kth = exact.length >= k ? exact[k - 1].score : -Infinity;
    const threshold = Math.max(kth, minSim);
    if (candidates.length < n && minApprox + maxBound >= threshold) {
      for (let p = 0; p < n; p++) {
        if (approx[p] + maxBound < threshold || seen.has(p)) continue;
        const row = rows ? rows[p] : p;
        if (approx[p] + bound(row) >= threshold) exact.push({ id: row, score: exactDot(this.vectors, row, this.dims, q) });
      }
      exact.sort(byScoreThenId);
    }
    const hits = exact.slice(0, k).filter((h) => h.score >= minSim);
    return { hits, rowsScanned: n, reranked: exact.length };
  }

  /** Builds the wasm copy, yielding after each chunk of rows; `this.wasm` is set only when complete. */
  private *buildWasm(int8: boolean): Generator<void, void> {
    const { dims, count } = this;
    let offset = 0;
    const take = (bytes: number) => {
      const at = offset;
      offset += Math.ceil(bytes / ALIGN) * ALIGN;
      return at;
    };
    // int8: float32 rows are staged through wasm memory a chunk at a time and quantised there.
    const chunkRows = Math.max(1, Math.floor(QUANTIZE_CHUNK_BYTES / (dims * 4)));
    const q = take(dims * 4);
    const out = take(count * 4);
    const rows = take(count * 4);
    const scales = take(int8 ? count * 4 : 0);
    const errors = take(int8 ? count * 4 : 0);
    const stage = take(int8 ? Math.min(chunkRows, count) * dims * 4 : 0);
    const vecs = take(int8 ? count * dims : count * dims * 4);
    const pages = Math.ceil(offset / 65536);
    if (pages > 65536) {
      throw new LarderError('INTERNAL', `the ${int8 ? 'int8' : 'float32'} copy of ${count} × ${dims} vectors needs ${offset} bytes, over wasm's 4 GiB`);
    }
    const mem = createWasmMemory(pages);
    const k = instantiateKernels(mem);
    if (int8) {
      const staged = new Float32Array(mem.buffer, stage, Math.min(chunkRows, count) * dims);
      for (let start = 0; start < count; start += chunkRows) {
        const n = Math.min(chunkRows, count - start);
        staged.set(this.vectors.subarray(start * dims, (start + n) * dims));
        k.quantize_rows(stage, n, dims, vecs + start * dims, scales + start * 4, errors + start * 4);
        yield;
      }
      this.rowErrors = new Float32Array(mem.buffer, errors, count);
      let max = 0;
      for (let r = 0; r < count; r++) if (this.rowErrors[r] > max) max = this.rowErrors[r];
      this.maxRowError = max;
    } else {
      new Float32Array(mem.buffer, vecs, count * dims).set(this.vectors);
    }
    this.wasm = { k, mem, q, out, rows, scales, vecs };
  }
}

function runToEnd(steps: Generator<void, void>): void {
  while (!steps.next().done);
}
