/**
 * The fast on-disk form of an embeddings table in the /tmp cache: one file holding a small JSON
 * header, the sentence ids and the vectors as raw little-endian float32, already L2-normalised.
 *
 * Why not keep the Parquet as downloaded: nodejs-polars needs ~2 s to decode 100k×1024 float32 from
 * Parquet, while this file is read with one readFileSync and the vectors are a zero-copy view of
 * the bytes (~raw disk speed). Why not Parquet *and* this file: the 512 MB /tmp budget cannot hold
 * two 410 MB copies. The header carries the row count and dims, so a truncated file is detected by
 * its size alone before anything is trusted.
 *
 *   "LARDVEC1" | u32 LE header length | header JSON | ids (utf-8, '\n'-joined) | pad to 64 | vectors
 */
import { closeSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { LarderError } from '../errors';
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
  const vectors = Buffer.from(matrix.vectors.buffer, matrix.vectors.byteOffset, matrix.count * matrix.dims * 4);
  const fd = openSync(path, 'w');
  try {
    let written = 0;
    for (const part of [prefix, headerJson, ids, pad, vectors]) written += writeAll(fd, part);
    fsyncSync(fd);
    return written;
  } finally {
    closeSync(fd);
  }
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

/**
 * The same, reading on the libuv thread pool (one pread into one buffer) so the caller can overlap
 * it with a network round trip (the loader revalidates with HeadObject while the file is read).
 */
export async function readVectorFileAsync(path: string): Promise<EmbeddingMatrix> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const buf = Buffer.allocUnsafeSlow(size);
    let off = 0;
    while (off < size) {
      const { bytesRead } = await fh.read(buf, off, Math.min(size - off, 1 << 30), off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    return parseVectorFile(off === size ? buf : buf.subarray(0, off), path);
  } finally {
    await fh.close();
  }
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
