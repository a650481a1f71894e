/**
 * BM25 over the sentences: postings in compressed-row form (one Int32Array of rows and one
 * Uint16Array of term frequencies per index, sliced by term), built once at load and kept warm.
 *
 *   score(d, q) = Σ_t∈q idf(t) · tf(t,d)·(k1+1) / (tf(t,d) + k1·(1 − b + b·|d|/avgdl))
 *   idf(t)      = ln(1 + (N − df(t) + 0.5) / (df(t) + 0.5))            (Lucene's form, never negative)
 *
 * A filter is a row set: only postings of allowed rows are scored, so a filtered query touches the
 * query terms' postings and nothing else. N, df and avgdl stay corpus-wide, so a row scores the
 * same with or without a filter.
 */
import { tokenize } from './tokenize';
import { topK, type Scored } from '../vector/topk';

export interface Bm25Params {
  k1: number;
  b: number;
}

export interface LexicalSearchOptions {
  k: number;
  /** Allowed rows (ascending); null/undefined → all. */
  rows?: Int32Array | null;
}

export interface LexicalSearchResult {
  hits: Scored[];
  postingsScanned: number;
  terms: string[];
}

/** The postings in compressed-row form: what build() computes and the prebuilt artifact stores. */
export interface Bm25Parts {
  count: number;
  termIds: Map<string, number>;
  offsets: Int32Array;
  postRows: Int32Array;
  postTf: Uint16Array;
  lengths: Uint16Array;
}

export class Bm25Index {
  readonly count: number;
  readonly avgLength: number;
  private readonly termIds: Map<string, number>;
  private readonly offsets: Int32Array;
  private readonly postRows: Int32Array;
  private readonly postTf: Uint16Array;
  private readonly lengths: Uint16Array;
  private readonly scratch: Float64Array;
  private readonly allowed: Uint8Array;

  private constructor(
    readonly params: Bm25Params,
    parts: Bm25Parts,
  ) {
    this.count = parts.count;
    this.termIds = parts.termIds;
    this.offsets = parts.offsets;
    this.postRows = parts.postRows;
    this.postTf = parts.postTf;
    this.lengths = parts.lengths;
    let total = 0;
    for (let i = 0; i < this.count; i++) total += this.lengths[i];
    this.avgLength = this.count ? total / this.count || 1 : 1;
    this.scratch = new Float64Array(this.count);
    this.allowed = new Uint8Array(this.count);
  }

  /** An index over postings built before (the artifact of `npm run build:data`, bm25Artifact.ts). */
  static fromParts(params: Bm25Params, parts: Bm25Parts): Bm25Index {
    return new Bm25Index(params, parts);
  }

  /** The postings, to store as an artifact (the scoring parameters are applied at search time). */
  toParts(): Bm25Parts {
    return { count: this.count, termIds: this.termIds, offsets: this.offsets, postRows: this.postRows, postTf: this.postTf, lengths: this.lengths };
  }

  static build(texts: readonly string[], params: Bm25Params): Bm25Index {
    const termIds = new Map<string, number>();
    const lengths = new Uint16Array(texts.length);
    // (term, row, tf) triples in row order, then a counting sort by term into CSR.
    let tTerm: Int32Array = new Int32Array(1 << 16);
    let tRow: Int32Array = new Int32Array(1 << 16);
    let tTf: Uint16Array = new Uint16Array(1 << 16);
    let n = 0;
    const local = new Map<number, number>();
    for (let row = 0; row < texts.length; row++) {
      const terms = tokenize(texts[row]);
      lengths[row] = Math.min(terms.length, 65535);
      local.clear();
      for (const t of terms) {
        let id = termIds.get(t);
        if (id === undefined) termIds.set(t, (id = termIds.size));
        local.set(id, (local.get(id) ?? 0) + 1);
      }
      if (n + local.size > tTerm.length) {
        const size = Math.max(tTerm.length * 2, n + local.size);
        tTerm = grow(tTerm, size) as Int32Array;
        tRow = grow(tRow, size) as Int32Array;
        tTf = grow(tTf, size) as Uint16Array;
      }
      for (const [id, tf] of local) {
        tTerm[n] = id;
        tRow[n] = row;
        tTf[n] = Math.min(tf, 65535);
        n++;
      }
    }
    const offsets = new Int32Array(termIds.size + 1);
    for (let i = 0; i < n; i++) offsets[tTerm[i] + 1]++;
    for (let t = 0; t < termIds.size; t++) offsets[t + 1] += offsets[t];
    const cursor = offsets.slice(0, termIds.size);
    const postRows = new Int32Array(n);
    const postTf = new Uint16Array(n);
    for (let i = 0; i < n; i++) {
      const at = cursor[tTerm[i]]++;
      postRows[at] = tRow[i];
      postTf[at] = tTf[i];
    }
    return new Bm25Index(params, { count: texts.length, termIds, offsets, postRows, postTf, lengths });
  }

  /** Document frequency of an already-normalised term (0 when unknown). */
  documentFrequency(term: string): number {
    const id = this.termIds.get(term);
    return id === undefined ? 0 : this.offsets[id + 1] - this.offsets[id];
  }

  /** Terms in a row after tokenizing (stopwords removed), capped at 65,535. */
  termCount(row: number): number {
    return this.lengths[row];
  }

  idf(term: string): number {
    const df = this.documentFrequency(term);
    return Math.log(1 + (this.count - df + 0.5) / (df + 0.5));
  }

  search(query: string, options: LexicalSearchOptions): LexicalSearchResult {
    const terms = [...new Set(tokenize(query))];
    const rows = options.rows ?? null;
    const { k1, b } = this.params;
    if (rows) for (let i = 0; i < rows.length; i++) this.allowed[rows[i]] = 1;
    const touched: number[] = [];
    let postingsScanned = 0;
    try {
      for (const term of terms) {
        const id = this.termIds.get(term);
        if (id === undefined) continue;
        const from = this.offsets[id];
        const to = this.offsets[id + 1];
        const idf = Math.log(1 + (this.count - (to - from) + 0.5) / (to - from + 0.5));
        postingsScanned += to - from;
        for (let p = from; p < to; p++) {
          const row = this.postRows[p];
          if (rows && this.allowed[row] === 0) continue;
          const tf = this.postTf[p];
          const norm = k1 * (1 - b + (b * this.lengths[row]) / this.avgLength);
          if (this.scratch[row] === 0) touched.push(row);
          this.scratch[row] += (idf * tf * (k1 + 1)) / (tf + norm);
        }
      }
      touched.sort((x, y) => x - y);
      const scores = touched.map((row) => this.scratch[row]);
      return { hits: topK(scores, scores.length, options.k, touched), postingsScanned, terms };
    } finally {
      for (const row of touched) this.scratch[row] = 0;
      if (rows) for (let i = 0; i < rows.length; i++) this.allowed[rows[i]] = 0;
    }
  }
}

function grow(a: Int32Array | Uint16Array, size: number): Int32Array | Uint16Array {
  const out = new (a.constructor as Int32ArrayConstructor | Uint16ArrayConstructor)(size);
  out.set(a);
  return out;
}
