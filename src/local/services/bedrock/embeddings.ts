/**
 * The emulator's embedding function: deterministic hashed features, good enough to retrieve by.
 *
 *  - features: content-word unigrams (weight 1) and adjacent content-word bigrams (weight 0.5),
 *    from tokens.ts (lowercased, stopwords dropped, numbers kept);
 *  - sublinear term frequency: a feature seen tf times contributes weight × (1 + ln tf);
 *  - signed feature hashing (Weinberger et al. 2009): a 32-bit hash picks the slot and a second,
 *    independent hash bit its sign, so collisions cancel on average instead of piling up;
 *  - L2-normalised (unless `normalize: false`).
 *
 * Same text → same vector; texts sharing content words have a positive dot product, texts sharing
 * none are near 0. Query and document input types map to the same space on purpose: retrieval then
 * reduces to term overlap, which is what a local test needs to be predictable. Each model hashes with
 * its own seed, so different models' vectors are unrelated (as on AWS).
 * A text with no content terms (only stopwords, say) falls back to all its terms, then to the whole
 * lowercased string as one feature, so no vector is ever all zeros.
 */
import { contentTerms, rawTerms } from './tokens';

/**
 * Bumped whenever embedText's output changes (terms, weights, hashing, seeds). Vectors built through
 * the emulator are only comparable with query vectors of the same version: a cache of emulator-built
 * embeddings should fold this into its key (the loader's data-cache manifest).
 *   1  hashed unigrams + bigrams, sublinear TF
 *   2  + financial synonyms, + a per-model seed
 */
export const EMULATOR_EMBEDDING_VERSION = 2;

const UNIGRAM_WEIGHT = 1;
const BIGRAM_WEIGHT = 0.5;

export interface EmbedOptions {
  /** L2-normalise the vector (default true). */
  normalize?: boolean;
  /**
   * Hash seed: each emulated model embeds with its own (see `embeddingSeed`), so vectors of different
   * models are unrelated, as real models' are — querying a Titan table with a Cohere vector finds
   * nothing, in the emulator as on AWS. Default 0.
   */
  seed?: number;
}

/** The hash seed of an embedding model id: FNV-1a of the id, so it is stable across runs and machines. */
export function embeddingSeed(modelId: string): number {
  return hashString(modelId, 0);
}

/** Embeds `text` into a `dims`-dimensional Float64Array. Pure and synchronous. */
export function embedText(text: string, dims: number, options: EmbedOptions = {}): Float64Array {
  if (!Number.isInteger(dims) || dims <= 0) throw new RangeError(`dims must be a positive integer, got ${dims}`);
  let terms = contentTerms(text);
  if (terms.length === 0) terms = rawTerms(text);
  if (terms.length === 0) terms = [text.trim().toLowerCase() || text];

  // Count features first (sublinear TF needs the counts), keyed by their 32-bit hash.
  const unigrams = new Map<number, number>();
  const bigrams = new Map<number, number>();
  const seed = (options.seed ?? 0) >>> 0;
  let previous = 0;
  for (let i = 0; i < terms.length; i++) {
    const h = hashString(terms[i]!, seed);
    unigrams.set(h, (unigrams.get(h) ?? 0) + 1);
    if (i > 0) {
      const b = mix32((Math.imul(previous, 0x9e3779b1) ^ h) >>> 0);
      bigrams.set(b, (bigrams.get(b) ?? 0) + 1);
    }
    previous = h;
  }

  const vector = new Float64Array(dims);
  addFeatures(vector, unigrams, UNIGRAM_WEIGHT);
  addFeatures(vector, bigrams, BIGRAM_WEIGHT);

  if (options.normalize !== false) {
    let sumSquares = 0;
    for (let i = 0; i < dims; i++) sumSquares += vector[i]! * vector[i]!;
    // A sum of signed hashed weights can cancel to zero only by freak collision; keep it non-zero.
    if (sumSquares === 0) {
      vector[0] = 1;
      sumSquares = 1;
    }
    const inv = 1 / Math.sqrt(sumSquares);
    for (let i = 0; i < dims; i++) vector[i]! *= inv;
  }
  return vector;
}

/** Cosine similarity of two vectors of the same length (dot product when both are normalised). */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

function addFeatures(vector: Float64Array, counts: Map<number, number>, weight: number): void {
  const dims = vector.length;
  for (const [h, tf] of counts) {
    const sign = (h >>> 31) === 1 ? 1 : -1; // the top bit; the slot uses h mod dims (low bits)
    vector[h % dims]! += sign * weight * (1 + Math.log(tf));
  }
}

/** FNV-1a over UTF-16 code units, xor the seed, finished with a mixer so low bits are well spread. */
function hashString(s: string, seed: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32((h ^ seed) >>> 0);
}

/** murmur3's fmix32 finaliser. */
function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
