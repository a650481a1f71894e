/**
 * The BM25 postings as a prebuilt artifact: built once by `npm run build:data` (stored beside the
 * tables as the `index_bm25` table of ml_config.yaml, locally and in S3) and loaded on a cold start
 * instead of tokenising every sentence again (1.4–2.2 s for the 20,844 real sentences here).
 *
 * Never trusted: the artifact carries the key it was built for — a SHA-256 of the sentences Parquet
 * it indexed (or of the texts) plus a fingerprint of the tokenizer's behaviour — and is used only when the key matches
 * the sentences this process loaded. A stale (other sentences, changed tokenizer), damaged or
 * missing artifact means the postings are built from the table as before, with a log line.
 *
 * Layout: "LBM25v1\n" | u32 header length | header JSON {key, count, terms, postings} | terms as a
 * JSON array (term id = position) | padding to 4 | offsets Int32 | postRows Int32 | lengths Uint16 |
 * postTf Uint16 (little-endian, as typed arrays are on every Lambda platform).
 */
import { createHash } from 'node:crypto';
import type { Bm25Parts } from './bm25';
import { tokenize } from './tokenize';

const MAGIC = 'LBM25v1\n';
/** Bump when the artifact layout changes. */
export const BM25_ARTIFACT_VERSION = 2;
/** Text whose tokens fingerprint the tokenizer: a change in tokenize() changes every key. */
const TOKENIZER_PROBE = "Apple's FY2023 net-income rose 12.5% to $97.0 billion; R&D (research and development) grew, Item 1A risk factors: supply-chain & COVID-19.";

interface Header {
  key: string;
  count: number;
  terms: number;
  postings: number;
}

/**
 * The key an artifact for these sentences must carry. When the sentences were decoded from a
 * Parquet file whose SHA-256 is known (`parquetSha256`: the loaders record it, ~3 ms for the real
 * 0.7 MB file), the key is derived from that: the same bytes decode to the same texts, and hashing
 * the texts themselves (~4 MB) cost ~15–20 ms of a cold start. Otherwise (sentences built in memory)
 * from the texts. Either way the tokenizer's fingerprint and the layout version are part of it.
 */
export function bm25ArtifactKey(texts: readonly string[], parquetSha256?: string): string {
  const hash = createHash('sha256');
  hash.update(`v${BM25_ARTIFACT_VERSION}\n${tokenize(TOKENIZER_PROBE).join(' ')}\n`);
  if (parquetSha256) hash.update(`parquet-sha256:${parquetSha256}\n`);
  // The same bytes as one update per text and newline, in one call: 40k small updates cost ~15 ms.
  else if (texts.length) hash.update(`${texts.join('\n')}\n`);
  return hash.digest('hex');
}

export function encodeBm25Artifact(parts: Bm25Parts, key: string): Buffer {
  const terms = Buffer.from(JSON.stringify([...parts.termIds.keys()]));
  const header = Buffer.from(JSON.stringify({ key, count: parts.count, terms: parts.termIds.size, postings: parts.postRows.length } satisfies Header));
  const head = 8 + 4 + header.length + terms.length;
  const pad = (4 - (head % 4)) % 4;
  const lenBuf = Buffer.alloc(4);
  lenBuf.writeUInt32LE(header.length);
  const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  return Buffer.concat([Buffer.from(MAGIC, 'latin1'), lenBuf, header, terms, Buffer.alloc(pad), bytes(parts.offsets), bytes(parts.postRows), bytes(parts.lengths), bytes(parts.postTf)]);
}

/**
 * The postings of an artifact built for `expectedKey`, or the reason it cannot be used (stale,
 * damaged). Never throws: a bad artifact is a rebuild, not a failed cold start.
 */
export function decodeBm25Artifact(buf: Buffer, expectedKey: string): { parts: Bm25Parts } | { rejected: string } {
  try {
    if (buf.length < 12 || buf.toString('latin1', 0, 8) !== MAGIC) return { rejected: 'not a BM25 artifact (bad magic)' };
    const headerLength = buf.readUInt32LE(8);
    const header = JSON.parse(buf.toString('utf8', 12, 12 + headerLength)) as Header;
    if (header.key !== expectedKey) return { rejected: 'stale: built for other sentences or another tokenizer' };
    let at = 12 + headerLength;
    // The numeric arrays end the file; their sizes follow from the header, so the terms JSON is what lies between.
    const sizes = { offsets: (header.terms + 1) * 4, rows: header.postings * 4, lengths: header.count * 2, tf: header.postings * 2 };
    const tail = sizes.offsets + sizes.rows + sizes.lengths + sizes.tf;
    const numericStart = buf.length - tail;
    if (numericStart < at) return { rejected: 'damaged: shorter than its header says' };
    const terms = JSON.parse(trimPadding(buf.toString('utf8', at, numericStart))) as string[];
    if (!Array.isArray(terms) || terms.length !== header.terms) return { rejected: `damaged: ${terms.length} terms, header says ${header.terms}` };
    at = numericStart;
    // Copies, so the views are aligned whatever the Buffer's own offset.
    const take = <T>(n: number, make: (ab: ArrayBuffer) => T): T => {
      const ab = new ArrayBuffer(n);
      new Uint8Array(ab).set(buf.subarray(at, at + n));
      at += n;
      return make(ab);
    };
    const offsets = take(sizes.offsets, (ab) => new Int32Array(ab));
    const postRows = take(sizes.rows, (ab) => new Int32Array(ab));
    const lengths = take(sizes.lengths, (ab) => new Uint16Array(ab));
    const postTf = take(sizes.tf, (ab) => new Uint16Array(ab));
    if (offsets[0] !== 0 || offsets[header.terms] !== header.postings) return { rejected: 'damaged: postings offsets do not add up' };
    const termIds = new Map<string, number>();
    for (let i = 0; i < terms.length; i++) termIds.set(terms[i], i);
    return { parts: { count: header.count, termIds, offsets, postRows, postTf, lengths } };
  } catch (err) {
    return { rejected: `damaged: ${(err as Error).message}` };
  }
}

/** The terms JSON is followed by up to 3 zero bytes of padding. */
function trimPadding(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 0) end--;
  return s.slice(0, end);
}
