/**
 * The fast on-disk form of an embeddings table in the /tmp cache: one file holding a small JSON
 * header, the sentence ids and the vectors as raw little-endian float32, already L2-normalised.
 *
 * Why this and not the Parquet as downloaded: a cold load decodes the download in memory (the float
 * runs moved into place inside it) and answers at once; this file is written afterwards, in the
 * background, from the final vectors, so nothing waits for it and no read plan has to be replayed on
 * a warm load: the head and 4 MiB blocks of vectors are read in parallel on the thread pool, each
 * checked against its recorded CRC-32 as it lands, and the vectors are a zero-copy view of the bytes
 * (~raw read speed). The header carries the row count and dims, so a truncated file is detected by
 * its size alone before anything is trusted. Only one copy is kept: the budget cannot hold two.
 *
 *   "LARDVEC1" | u32 LE header length | header JSON | ids (utf-8, '\n'-joined) | pad to 64 | vectors
 */
import { closeSync, fsyncSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { LarderError } from '../errors';
import { ContentChecksumError, crc32 } from './checksum';
import { readRuns, type Run } from './fileRuns';
import type { EmbeddingMatrix } from './types';

const MAGIC = 'LARDVEC1';
const ALIGN = 64;

interface VectorFileHeader {
  model: string;
  count: number;
  dims: number;
  idsBytes: number;
  vectorsOffset: number;
  normalised: true;
}

/** Writes `matrix` to `path` (the caller renames it into place) and fsyncs it. Returns bytes written. */
export function writeVectorFile(path: string, matrix: EmbeddingMatrix): number {
  const head = vectorFileHead(matrix);
  const vectors = Buffer.from(matrix.vectors.buffer, matrix.vectors.byteOffset, matrix.count * matrix.dims * 4);
  const fd = openSync(path, 'w');
  try {
    const written = writeAll(fd, head) + writeAll(fd, vectors);
    fsyncSync(fd);
    return written;
  } finally {
    closeSync(fd);
  }
}

/** Everything before the vectors: magic, header length, header, ids, padding to the vectors' alignment. */
function vectorFileHead(matrix: EmbeddingMatrix): Buffer {
  const ids = Buffer.from(matrix.ids.join('\n'), 'utf8');
  const header: VectorFileHeader = { model: matrix.model, count: matrix.count, dims: matrix.dims, idsBytes: ids.length, vectorsOffset: 0, normalised: true };
  // The header's length depends on vectorsOffset's digits: size it with a wide placeholder first.
  header.vectorsOffset = 10 ** 15;
  const headLen = 12 + Buffer.byteLength(JSON.stringify(header));
  header.vectorsOffset = alignUp(headLen + ids.length, ALIGN);
  const headerJson = Buffer.from(JSON.stringify(header).padEnd(headLen - 12, ' '), 'utf8');
  const prefix = Buffer.alloc(12);
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(headerJson.length, 8);
  const pad = Buffer.alloc(header.vectorsOffset - (headLen + ids.length));
  return Buffer.concat([prefix, headerJson, ids, pad]);
}

/** The vectors' checksums are taken per block of this many bytes (a warm read checks each as it lands). */
const CHECK_BLOCK_BYTES = 4 << 20;

/**
 * What a warm read of a vector file verifies: a CRC-32 of everything before the vectors (magic,
 * header, ids, padding) and one per CHECK_BLOCK_BYTES of the vectors.
 */
export interface VectorFileChecks {
  vectorsOffset: number;
  headCrc: number;
  blockBytes: number;
  blockCrcs: number[];
}

/**
 * Writes `matrix` as a vector file with positional writes on the thread pool, a block at a time,
 * taking each block's checksum just before it is queued — so the event loop is never held for long
 * (the loader runs this in the background while the first answer is computed). No fsync (see
 * tmpCache.ts). The caller must not change `matrix.vectors` until it resolves.
 */
export async function writeVectorFileAsync(path: string, matrix: EmbeddingMatrix): Promise<VectorFileChecks> {
  const head = vectorFileHead(matrix);
  const vectors = new Uint8Array(matrix.vectors.buffer, matrix.vectors.byteOffset, matrix.count * matrix.dims * 4);
  const fh = await open(path, 'w');
  try {
    const writeAll = async (data: Uint8Array, position: number) => {
      for (let off = 0; off < data.length; ) off += (await fh.write(data, off, data.length - off, position + off)).bytesWritten;
    };
    const headCrc = crc32(head);
    await writeAll(head, 0);
    const blockCrcs: number[] = [];
    for (let off = 0; off < vectors.length; off += CHECK_BLOCK_BYTES) {
      const block = vectors.subarray(off, Math.min(vectors.length, off + CHECK_BLOCK_BYTES));
      blockCrcs.push(crc32(block));
      await writeAll(block, head.length + off);
    }
    return { vectorsOffset: head.length, headCrc, blockBytes: CHECK_BLOCK_BYTES, blockCrcs };
  } finally {
    await fh.close();
  }
}

/**
 * Reads a vector file written by writeVectorFileAsync, the head and the vector blocks read at once on
 * the thread pool, each block checked against its recorded CRC as soon as it lands (so the check
 * hides behind the reads). Throws ContentChecksumError on any mismatch, TABLE_INVALID when the file
 * is not a vector file of the recorded shape.
 */
export async function readVectorFileChecked(path: string, checks: VectorFileChecks): Promise<EmbeddingMatrix> {
  const size = statSync(path).size;
  const vectorBytes = size - checks.vectorsOffset;
  const expectedBlocks = Math.ceil(Math.max(0, vectorBytes) / checks.blockBytes);
  if (vectorBytes < 0 || expectedBlocks !== checks.blockCrcs.length) throw new ContentChecksumError(`${path} (size ${size} bytes does not fit the recorded checksums)`);
  const buf = Buffer.allocUnsafeSlow(size);
  const runs: Run[] = [{ target: buf, offset: 0, position: 0, length: checks.vectorsOffset }];
  for (let off = 0; off < vectorBytes; off += checks.blockBytes) {
    const length = Math.min(checks.blockBytes, vectorBytes - off);
    runs.push({ target: buf, offset: checks.vectorsOffset + off, position: checks.vectorsOffset + off, length });
  }
  let corrupt = -1;
  const check = (i: number) => {
    const r = runs[i];
    const expected = i === 0 ? checks.headCrc : checks.blockCrcs[i - 1];
    if (corrupt < 0 && crc32(buf.subarray(r.offset, r.offset + r.length)) !== expected) corrupt = i;
  };
  if (!(await readRuns(path, runs, 4, check))) throw new LarderError('TABLE_INVALID', `vector file ${path} could not be read`, { details: { path } });
  if (corrupt >= 0) throw new ContentChecksumError(`${path} (${corrupt === 0 ? 'header and ids' : `vector block ${corrupt - 1}`})`);
  return parseVectorFile(buf, path);
}

/** Expected total size of a vector file, from its header (for truncation checks). */
export function vectorFileSize(header: Pick<VectorFileHeader, 'vectorsOffset' | 'count' | 'dims'>): number {
  return header.vectorsOffset + header.count * header.dims * 4;
}

/**
 * Reads a vector file. The vectors are a view over the file's bytes (no copy, no normalising:
 * the file holds normalised rows). Throws TABLE_INVALID on a short, long or unreadable file.
 */
export function readVectorFile(path: string): EmbeddingMatrix {
  return parseVectorFile(readFileSync(path), path);
}

export function parseVectorFile(buf: Buffer, path: string): EmbeddingMatrix {
  const fail = (why: string) => new LarderError('TABLE_INVALID', `vector file ${path} is corrupt: ${why}`, { details: { path } });
  if (buf.length < 12 || buf.toString('latin1', 0, 8) !== MAGIC) throw fail('bad magic');
  const headLen = buf.readUInt32LE(8);
  let header: VectorFileHeader;
  try {
    header = JSON.parse(buf.toString('utf8', 12, 12 + headLen)) as VectorFileHeader;
  } catch (err) {
    throw fail('unreadable header');
  }
  const expected = vectorFileSize(header);
  if (buf.length !== expected) throw fail(`size ${buf.length} bytes, header says ${expected}`);
  const idsStart = 12 + headLen;
  const idsText = buf.toString('utf8', idsStart, idsStart + header.idsBytes);
  const ids = header.count === 0 ? [] : idsText.split('\n');
  if (ids.length !== header.count) throw fail(`${ids.length} ids for ${header.count} rows`);
  const n = header.count * header.dims;
  const start = buf.byteOffset + header.vectorsOffset;
  // Large reads get their own ArrayBuffer (offset 0, aligned); a pooled small buffer may not be.
  const vectors = start % 4 === 0 ? new Float32Array(buf.buffer, start, n) : new Float32Array(buf.buffer.slice(start, start + n * 4));
  return { model: header.model, ids, vectors, dims: header.dims, count: header.count };
}

function writeAll(fd: number, data: Buffer): number {
  let off = 0;
  while (off < data.length) off += writeSync(fd, data, off, Math.min(data.length - off, 1 << 30));
  return data.length;
}

function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}
