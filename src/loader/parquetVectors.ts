/**
 * A fast path for the one Parquet layout Larder writes for embeddings: a FixedSizeList/List<float32>
 * column, PLAIN-encoded, uncompressed. It reads the footer (Thrift compact protocol), walks the
 * column's pages and reads the float bytes straight from the file into one preallocated
 * Float32Array — no polars frame, no second copy, about the speed of reading the bytes. It checks
 * the definition levels (no nulls) and the repetition levels (every row has exactly `dims` values).
 *
 * It also reads the ids column beside the vectors (a BYTE_ARRAY string column, PLAIN, uncompressed,
 * no nulls), so a warm load of a cached embeddings Parquet needs no polars at all.
 *
 * Anything else (compression, dictionary or other encodings, nulls, ragged rows, a layout it does
 * not recognise) returns null and the caller decodes with nodejs-polars, which also produces the
 * precise error for bad data. So this never decides that a file is invalid; it only declines.
 */
import { isAscii } from 'node:buffer';
import { closeSync, fstatSync, openSync, read, readSync } from 'node:fs';
import { ContentChecksumError, crc32 } from './checksum';

interface Source {
  size: number;
  read(position: number, length: number): Buffer;
  /** Reads `length` bytes at `position` into `target` at `offset` (no intermediate copy for files). */
  readInto(target: Uint8Array, offset: number, position: number, length: number): void;
  close(): void;
}

export interface FastVectors {
  vectors: Float32Array;
  rows: number;
  dims: number;
}

export interface FastEmbeddings extends FastVectors {
  ids: string[];
  /** Where the float runs and the ids chunks are: recorded with a validated cache entry (see below). */
  layout: EmbeddingsLayout;
}

/**
 * The read plan of an embeddings Parquet, found by walking (and validating) its page headers and
 * levels once. The /tmp cache records it with the entry, so a warm load of the same bytes (same
 * ETag and size) queues its reads at once instead of walking ~80 page headers again.
 */
export interface EmbeddingsLayout {
  v: 1;
  rows: number;
  dims: number;
  /** [file position, byte length, byte offset in the vectors] per float run. */
  floats: [number, number, number][];
  /** [file position, byte length] per ids column chunk; `def` is its max definition level (0 or 1). */
  ids: [number, number][];
  def: number;
}

/** The file footer (FileMetaData): schema, row count, row groups, as Thrift maps. */
interface Footer {
  schema: Map<number, unknown>[];
  numRows: number;
  rowGroups: Map<number, unknown>[];
}

/** Where a string column's column chunks are (whole chunks: page headers are parsed in memory). */
interface StringsPlan {
  chunks: { position: number; length: number }[];
  def: number;
  rows: number;
}

/** One contiguous run of float bytes: file position → byte offset in the output array. */
interface ValueRead {
  position: number;
  length: number;
  offset: number;
}

interface VectorPlan extends FastVectors {
  reads: ValueRead[];
}

/** Reads the float vectors of `column`, or null when the file is not in the fast layout. */
export function readParquetVectorsFast(input: string | Buffer, column = 'embedding', dims?: number): FastVectors | null {
  const src = typeof input === 'string' ? fileSource(input) : bufferSource(input);
  try {
    const plan = planVectors(src, column, dims);
    if (!plan) return null;
    const bytes = new Uint8Array(plan.vectors.buffer, plan.vectors.byteOffset, plan.vectors.byteLength);
    for (const r of plan.reads) src.readInto(bytes, r.offset, r.position, r.length);
    return { vectors: plan.vectors, rows: plan.rows, dims: plan.dims };
  } catch {
    return null;
  } finally {
    src.close();
  }
}

/**
 * The ids and the vectors of an embeddings Parquet in the fast layout, or null (then polars decides).
 * The sync form serves cold loads (a fresh download, a file or a buffer).
 */
export function readParquetEmbeddingsFast(input: string | Buffer, idColumn = 'sentenceID', column = 'embedding', dims?: number): FastEmbeddings | null {
  const src = typeof input === 'string' ? fileSource(input) : bufferSource(input);
  try {
    const footer = readFooter(src);
    const plan = footer && planVectors(src, column, dims, footer);
    const strings = plan && planStrings(footer, idColumn);
    if (!plan || !strings || strings.rows !== plan.rows) return null;
    const bytes = new Uint8Array(plan.vectors.buffer, plan.vectors.byteOffset, plan.vectors.byteLength);
    for (const r of plan.reads) src.readInto(bytes, r.offset, r.position, r.length);
    const ids = decodeStrings(strings.chunks.map((c) => src.read(c.position, c.length)), strings);
    return ids && { ids, vectors: plan.vectors, rows: plan.rows, dims: plan.dims, layout: layoutOf(plan, strings) };
  } catch {
    return null;
  } finally {
    src.close();
  }
}

/**
 * The same for a cached file, with the float runs and the ids column chunk read on the libuv thread
 * pool (several reads at once) after a synchronous footer and page-header walk, so the event loop
 * stays free — the loader's HeadObject revalidation proceeds meanwhile. No polars.
 */
export async function readParquetEmbeddingsFastAsync(path: string, idColumn = 'sentenceID', column = 'embedding', dims?: number, concurrency = 4): Promise<FastEmbeddings | null> {
  const plan = planFile(path, (src, footer) => {
    const vectors = planVectors(src, column, dims, footer);
    const strings = vectors && planStrings(footer, idColumn);
    return vectors && strings && strings.rows === vectors.rows ? { vectors, strings } : null;
  });
  if (!plan) return null;
  return readWithPlan(path, plan.vectors, plan.strings, concurrency);
}

/**
 * A warm load with a layout recorded when these exact bytes were validated (the cache entry's ETag
 * and size still match S3): no footer or page-header walk, the reads are queued at once. The ids
 * pages are still parsed (and their levels checked) as they are decoded; a file that no longer fits
 * the layout reads as null (then the caller walks it, or drops the entry).
 */
export async function readParquetEmbeddingsWithLayoutAsync(path: string, layout: EmbeddingsLayout, concurrency = 4, floatCrcs?: number[]): Promise<FastEmbeddings | null> {
  if (layout.v !== 1 || !(layout.rows >= 0) || !(layout.dims > 0)) return null;
  const vectors: VectorPlan = {
    vectors: new Float32Array(layout.rows * layout.dims),
    rows: layout.rows,
    dims: layout.dims,
    reads: layout.floats.map(([position, length, offset]) => ({ position, length, offset })),
  };
  if (vectors.reads.some((r) => r.offset + r.length > vectors.vectors.byteLength)) return null;
  const strings: StringsPlan = { chunks: layout.ids.map(([position, length]) => ({ position, length })), def: layout.def, rows: layout.rows };
  if (floatCrcs && floatCrcs.length !== vectors.reads.length) throw new ContentChecksumError(`${path} (${floatCrcs.length} checksums for ${vectors.reads.length} float runs)`);
  return readWithPlan(path, vectors, strings, concurrency, floatCrcs);
}

/** CRC-32 of each float run as stored in the file (before any normalisation): the cache records them. */
export function floatRunCrcs(vectors: Float32Array, layout: EmbeddingsLayout): number[] {
  const bytes = new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength);
  return layout.floats.map(([, length, offset]) => crc32(bytes.subarray(offset, offset + length)));
}

async function readWithPlan(path: string, vectors: VectorPlan, strings: StringsPlan, concurrency: number, floatCrcs?: number[]): Promise<FastEmbeddings | null> {
  // The ids chunk is queued first and decoded as soon as it arrives, while the float runs still stream in.
  const idChunks = strings.chunks.map((c) => ({ ...c, buf: Buffer.allocUnsafe(c.length) }));
  const reading = readRuns(path, idChunks.map((c) => ({ target: c.buf, offset: 0, position: c.position, length: c.length })), 1).then((ok) => {
    try {
      return ok ? decodeStrings(idChunks.map((c) => c.buf), strings) : null;
    } catch {
      return null;
    }
  });
  // Each float run is checked against its recorded CRC as soon as it lands, while other reads are
  // still in flight on the thread pool, so the check mostly hides behind the I/O.
  const runs = vectorRuns(vectors);
  let corruptRun = -1;
  const check = floatCrcs
    ? (i: number) => {
        const r = runs[i];
        if (corruptRun < 0 && crc32(r.target.subarray(r.offset, r.offset + r.length)) !== floatCrcs[i]) corruptRun = i;
      }
    : undefined;
  const [ids, floatsOk] = await Promise.all([reading, readRuns(path, runs, concurrency, check)]);
  if (corruptRun >= 0) throw new ContentChecksumError(`${path} (float run ${corruptRun} at byte ${runs[corruptRun].position})`);
  return ids && floatsOk ? { ids, vectors: vectors.vectors, rows: vectors.rows, dims: vectors.dims, layout: layoutOf(vectors, strings) } : null;
}

function layoutOf(vectors: VectorPlan, strings: StringsPlan): EmbeddingsLayout {
  return {
    v: 1,
    rows: vectors.rows,
    dims: vectors.dims,
    floats: vectors.reads.map((r) => [r.position, r.length, r.offset]),
    ids: strings.chunks.map((c) => [c.position, c.length]),
    def: strings.def,
  };
}

/**
 * The float vectors of a file, read on the libuv thread pool (several reads at once), so the event
 * loop stays free.
 */
export async function readParquetVectorsFastAsync(path: string, column = 'embedding', dims?: number, concurrency = 4): Promise<FastVectors | null> {
  const plan = planFile(path, (src, footer) => planVectors(src, column, dims, footer));
  if (!plan || !(await readRuns(path, vectorRuns(plan), concurrency))) return null;
  return { vectors: plan.vectors, rows: plan.rows, dims: plan.dims };
}

/** Opens `path`, reads its footer and plans the reads synchronously; null when it is not in the fast layout. */
function planFile<P>(path: string, plan: (src: Source, footer: Footer) => P | null): P | null {
  let src: Source | null = null;
  try {
    src = fileSource(path);
    const footer = readFooter(src);
    return footer && plan(src, footer);
  } catch {
    return null;
  } finally {
    src?.close();
  }
}

interface Run {
  target: Uint8Array;
  offset: number;
  position: number;
  length: number;
}

function vectorRuns(plan: VectorPlan): Run[] {
  const bytes = new Uint8Array(plan.vectors.buffer, plan.vectors.byteOffset, plan.vectors.byteLength);
  return plan.reads.map((r) => ({ target: bytes, offset: r.offset, position: r.position, length: r.length }));
}

/** Reads every run at its position, `concurrency` reads in flight on the thread pool; false on any failure. */
async function readRuns(path: string, runs: Run[], concurrency: number, onRunRead?: (index: number) => void): Promise<boolean> {
  // A sync open and callback reads: the first reads are queued before this function first yields.
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return false;
  }
  const readAt = (target: Uint8Array, offset: number, length: number, position: number) =>
    new Promise<number>((resolve, reject) => read(fd, target, offset, length, position, (err, n) => (err ? reject(err) : resolve(n))));
  try {
    let next = 0;
    const worker = async () => {
      while (next < runs.length) {
        const index = next++;
        const r = runs[index];
        let done = 0;
        while (done < r.length) {
          const bytesRead = await readAt(r.target, r.offset + done, r.length - done, r.position + done);
          if (bytesRead === 0) throw new Error('unexpected end of file');
          done += bytesRead;
        }
        onRunRead?.(index);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, runs.length) }, worker));
    return true;
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}

function readFooter(src: Source): Footer | null {
  if (src.size < 12 || src.read(src.size - 4, 4).toString('latin1') !== 'PAR1') return null;
  const footerLen = src.read(src.size - 8, 4).readUInt32LE(0);
  if (footerLen + 12 > src.size) return null;
  const meta = new CompactReader(src.read(src.size - 8 - footerLen, footerLen)).struct();
  return { schema: meta.get(2) as Map<number, unknown>[], numRows: Number(meta.get(3)), rowGroups: meta.get(4) as Map<number, unknown>[] };
}

/** Column chunk metadata of `column` in a row group. */
function columnMeta(rg: Map<number, unknown>, column: string): Map<number, unknown> | undefined {
  const chunk = (rg.get(1) as Map<number, unknown>[]).find((c) => (((c.get(3) as Map<number, unknown>)?.get(3) as string[]) ?? [])[0] === column);
  return chunk?.get(3) as Map<number, unknown> | undefined;
}

/** A top-level, non-repeated BYTE_ARRAY column, uncompressed and without a dictionary: where its chunks are. */
function planStrings(footer: Footer, column: string): StringsPlan | null {
  const levels = maxLevels(footer.schema, column);
  if (!levels || levels.rep !== 0 || levels.def > 1) return null;
  const chunks: StringsPlan['chunks'] = [];
  for (const rg of footer.rowGroups) {
    const cm = columnMeta(rg, column);
    if (!cm || cm.get(1) !== 6 /* BYTE_ARRAY */ || cm.get(4) !== 0 /* UNCOMPRESSED */ || cm.get(11) !== undefined /* dictionary */) return null;
    if (Number(cm.get(5)) !== Number(rg.get(3))) return null; // one value per row
    chunks.push({ position: Number(cm.get(9)), length: Number(cm.get(7)) });
  }
  return { chunks, def: levels.def, rows: footer.numRows };
}

/** Decodes PLAIN BYTE_ARRAY data pages (v1 or v2) of whole column chunks into strings; null to decline. */
function decodeStrings(chunks: Buffer[], plan: StringsPlan): string[] | null {
  const out: string[] = new Array(plan.rows);
  let n = 0;
  for (const buf of chunks) {
    let pos = 0;
    while (pos < buf.length) {
      const hr = new CompactReader(buf.subarray(pos));
      const ph = hr.struct();
      const body = pos + hr.offset;
      const end = body + (ph.get(3) as number);
      if (end > buf.length) return null;
      const type = ph.get(1) as number;
      let numValues: number;
      let p: number;
      if (type === 0) {
        const dp = ph.get(5) as Map<number, unknown>;
        if (dp.get(2) !== 0 /* PLAIN */) return null;
        numValues = dp.get(1) as number;
        p = body;
        if (plan.def > 0) {
          const defLen = buf.readUInt32LE(body);
          if (!allEqual(buf.subarray(body + 4, body + 4 + defLen), 1, numValues, 1)) return null; // a null id
          p = body + 4 + defLen;
        }
      } else if (type === 3) {
        const dp = ph.get(8) as Map<number, unknown>;
        if (dp.get(4) !== 0 /* PLAIN */ || (dp.get(2) as number) !== 0 /* nulls */ || ((dp.get(6) as number) ?? 0) !== 0) return null;
        numValues = dp.get(1) as number;
        p = body + ((dp.get(5) as number) ?? 0);
      } else if (type === 2) {
        return null; // dictionary page
      } else {
        pos = end;
        continue;
      }
      if (n + numValues > plan.rows) return null;
      // ASCII values (ids are): one native decode of the page, then substrings (no per-value decode).
      const page = isAscii(buf.subarray(p, end)) ? buf.toString('latin1', p, end) : null;
      const base = p;
      for (let k = 0; k < numValues; k++) {
        if (p + 4 > end) return null;
        const len = buf[p] | (buf[p + 1] << 8) | (buf[p + 2] << 16) | (buf[p + 3] << 24);
        if (len < 0 || p + 4 + len > end) return null;
        out[n++] = page !== null ? page.substring(p + 4 - base, p + 4 + len - base) : buf.toString('utf8', p + 4, p + 4 + len);
        p += 4 + len;
      }
      pos = end;
    }
  }
  return n === plan.rows ? out : null;
}

/** Walks the column's page headers, validating levels; returns where every float run is and goes. */
function planVectors(src: Source, column: string, dims?: number, footer = readFooter(src)): VectorPlan | null {
  if (!footer) return null;
  const { schema, numRows, rowGroups } = footer;
  const levels = maxLevels(schema, column);
  if (!levels || levels.rep !== 1) return null;
  let out: Float32Array | null = dims ? new Float32Array(numRows * dims) : null;
  let written = 0;
  const reads: ValueRead[] = [];
  const rowCheck = { rows: 0, current: 0, dims: dims ?? 0, ok: true };
  for (const rg of rowGroups) {
    const cm = columnMeta(rg, column);
    if (!cm || cm.get(1) !== 4 /* FLOAT */ || cm.get(4) !== 0 /* UNCOMPRESSED */ || cm.get(11) !== undefined /* dictionary */) return null;
    let pos = Number(cm.get(9));
    const end = pos + Number(cm.get(7));
    const chunkValues = Number(cm.get(5));
    if (!out) {
      // dims unknown: derive from the first row group's value count (verified by the row check below)
      const rgRows = Number(rg.get(3));
      if (!rgRows || chunkValues % rgRows) return null;
      rowCheck.dims = chunkValues / rgRows;
      out = new Float32Array(numRows * rowCheck.dims);
    }
    while (pos < end) {
      // One read covers the page header and (usually) its levels; the floats are read separately,
      // straight into the output array.
      const headBuf = src.read(pos, Math.min(65_536, end - pos));
      const bytesAt = (abs: number, len: number): Buffer =>
        abs - pos + len <= headBuf.length ? headBuf.subarray(abs - pos, abs - pos + len) : src.read(abs, len);
      const hr = new CompactReader(headBuf);
      const ph = hr.struct();
      const headerLen = hr.offset;
      const pageSize = ph.get(3) as number;
      const type = ph.get(1) as number;
      const body = pos + headerLen;
      let numValues: number;
      let valuesAt: number;
      let repLevels: Buffer;
      let defLevels: Buffer;
      if (type === 0) {
        const dp = ph.get(5) as Map<number, unknown>;
        if (dp.get(2) !== 0 /* PLAIN */) return null;
        numValues = dp.get(1) as number;
        const repLen = bytesAt(body, 4).readUInt32LE(0);
        repLevels = bytesAt(body + 4, repLen);
        const defLen = levels.def > 0 ? bytesAt(body + 4 + repLen, 4).readUInt32LE(0) : 0;
        defLevels = levels.def > 0 ? bytesAt(body + 8 + repLen, defLen) : Buffer.alloc(0);
        valuesAt = body + 8 + repLen + (levels.def > 0 ? defLen : -4);
      } else if (type === 3) {
        const dp = ph.get(8) as Map<number, unknown>;
        if (dp.get(4) !== 0 /* PLAIN */ || (dp.get(2) as number) !== 0 /* nulls */) return null;
        numValues = dp.get(1) as number;
        const defLen = dp.get(5) as number;
        const repLen = dp.get(6) as number;
        repLevels = bytesAt(body, repLen);
        defLevels = bytesAt(body + repLen, defLen);
        valuesAt = body + repLen + defLen;
      } else if (type === 2) {
        return null; // dictionary page
      } else {
        pos = body + pageSize; // index pages and the like carry no values
        continue;
      }
      if (levels.def > 0 && !allEqual(defLevels, bitWidth(levels.def), numValues, levels.def)) return null;
      checkRows(repLevels, numValues, rowCheck);
      if (!rowCheck.ok || written + numValues > out.length) return null;
      reads.push({ position: valuesAt, length: numValues * 4, offset: written * 4 });
      written += numValues;
      pos = body + pageSize;
    }
  }
  if (rowCheck.current !== rowCheck.dims && rowCheck.rows > 0) return null;
  if (!out || rowCheck.rows !== numRows || written !== numRows * rowCheck.dims) return null;
  return { vectors: out, rows: numRows, dims: rowCheck.dims, reads };
}

/** Max definition and repetition levels of the leaf under top-level field `column`. */
function maxLevels(schema: Map<number, unknown>[], column: string): { def: number; rep: number } | null {
  // schema is a depth-first list; element 0 is the root. Walk to `column`, then down its first children.
  let i = 1;
  const skip = (idx: number): number => {
    const n = (schema[idx].get(5) as number | undefined) ?? 0;
    let next = idx + 1;
    for (let k = 0; k < n; k++) next = skip(next);
    return next;
  };
  while (i < schema.length && schema[i].get(4) !== column) i = skip(i);
  if (i >= schema.length) return null;
  let def = 0;
  let rep = 0;
  for (;;) {
    const rt = schema[i].get(3) as number | undefined; // 0 required, 1 optional, 2 repeated
    if (rt === 1 || rt === 2) def++;
    if (rt === 2) rep++;
    if (!schema[i].get(5)) break;
    i++;
  }
  return { def, rep };
}

function bitWidth(maxLevel: number): number {
  return Math.ceil(Math.log2(maxLevel + 1));
}

/** RLE / bit-packed hybrid runs: calls back (value, count) per RLE run and per bit-packed value. */
function forEachRun(buf: Buffer, width: number, numValues: number, cb: (value: number, count: number) => void): void {
  let p = 0;
  let seen = 0;
  const byteWidth = Math.ceil(width / 8);
  while (seen < numValues && p < buf.length) {
    let header = 0;
    let shift = 0;
    for (;;) {
      const b = buf[p++];
      header += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) break;
      shift += 7;
    }
    if (header % 2 === 0) {
      const count = Math.min(header / 2, numValues - seen);
      let value = 0;
      for (let k = 0; k < byteWidth; k++) value |= buf[p + k] << (8 * k);
      p += byteWidth;
      cb(value, count);
      seen += count;
    } else {
      const groups = (header - 1) / 2;
      const bits = groups * 8 * width;
      if (width === 1) {
        // Repetition levels of fixed-size lists are mostly all-ones bytes: take them 8 at a time.
        for (let k = 0; k < groups && seen < numValues; k++) {
          const b = buf[p + k];
          if (b === 0xff && numValues - seen >= 8) {
            cb(1, 8);
            seen += 8;
          } else {
            for (let bit = 0; bit < 8 && seen < numValues; bit++, seen++) cb((b >> bit) & 1, 1);
          }
        }
        p += groups;
        continue;
      }
      for (let v = 0; v < groups * 8 && seen < numValues; v++, seen++) {
        let value = 0;
        for (let b = 0; b < width; b++) {
          const bit = v * width + b;
          value |= ((buf[p + (bit >> 3)] >> (bit & 7)) & 1) << b;
        }
        cb(value, 1);
      }
      p += bits / 8;
    }
  }
  if (seen < numValues) throw new Error('levels ended early');
}

function allEqual(buf: Buffer, width: number, numValues: number, expected: number): boolean {
  let ok = true;
  forEachRun(buf, width, numValues, (v) => {
    if (v !== expected) ok = false;
  });
  return ok;
}

/** Repetition level 0 starts a row; every row must hold exactly `dims` values. */
function checkRows(buf: Buffer, numValues: number, state: { rows: number; current: number; dims: number; ok: boolean }): void {
  forEachRun(buf, 1, numValues, (v, count) => {
    if (v === 0) {
      for (let k = 0; k < count; k++) {
        if (state.rows > 0 && state.current !== state.dims) state.ok = false;
        state.rows++;
        state.current = 1;
      }
    } else {
      state.current += count;
    }
  });
}

/** Thrift compact protocol, just enough for Parquet metadata: structs as Map<fieldId, value>. */
class CompactReader {
  offset = 0;
  constructor(private readonly buf: Buffer) {}

  struct(): Map<number, unknown> {
    const out = new Map<number, unknown>();
    let last = 0;
    for (;;) {
      const byte = this.buf[this.offset++];
      if (byte === 0) return out;
      const type = byte & 0x0f;
      const delta = byte >> 4;
      const id = delta ? last + delta : this.zigzag(this.varint());
      last = id;
      out.set(id, this.value(type));
    }
  }

  private value(type: number): unknown {
    switch (type) {
      case 1:
        return true;
      case 2:
        return false;
      case 3:
        return this.buf.readInt8(this.offset++);
      case 4:
      case 5:
        return this.zigzag(this.varint());
      case 6:
        return this.zigzag(this.varint());
      case 7:
        this.offset += 8;
        return this.buf.readDoubleLE(this.offset - 8);
      case 8: {
        const n = this.varint();
        this.offset += n;
        return this.buf.toString('utf8', this.offset - n, this.offset);
      }
      case 9:
      case 10: {
        const head = this.buf[this.offset++];
        const size = head >> 4 === 15 ? this.varint() : head >> 4;
        const et = head & 0x0f;
        const items: unknown[] = [];
        for (let k = 0; k < size; k++) items.push(et === 1 || et === 2 ? this.buf[this.offset++] === 1 : this.value(et));
        return items;
      }
      case 11: {
        const size = this.varint();
        if (!size) return new Map();
        const kv = this.buf[this.offset++];
        const m = new Map<unknown, unknown>();
        for (let k = 0; k < size; k++) m.set(this.value(kv >> 4), this.value(kv & 0x0f));
        return m;
      }
      case 12:
        return this.struct();
      default:
        throw new Error(`thrift: unknown type ${type}`);
    }
  }

  private varint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.buf[this.offset++];
      result += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return result;
      shift += 7;
    }
  }

  private zigzag(n: number): number {
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }
}

function fileSource(path: string): Source {
  const fd = openSync(path, 'r');
  const size = fstatSync(fd).size;
  const readInto = (target: Uint8Array, offset: number, position: number, length: number) => {
    let done = 0;
    while (done < length) {
      const n = readSync(fd, target, offset + done, Math.min(length - done, 1 << 30), position + done);
      if (n === 0) throw new Error('unexpected end of file');
      done += n;
    }
  };
  return {
    size,
    read: (position, length) => {
      const b = Buffer.allocUnsafe(Math.max(0, Math.min(length, size - position)));
      readInto(b, 0, position, b.length);
      return b;
    },
    readInto,
    close: () => closeSync(fd),
  };
}

function bufferSource(buf: Buffer): Source {
  return {
    size: buf.length,
    read: (position, length) => buf.subarray(position, position + length),
    readInto: (target, offset, position, length) => {
      if (position + length > buf.length) throw new Error('unexpected end of buffer');
      target.set(buf.subarray(position, position + length), offset);
    },
    close: () => {},
  };
}
