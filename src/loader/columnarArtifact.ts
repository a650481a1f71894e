/**
 * A table's columns in a form that decodes in a few milliseconds on a cold start, derived by
 * `npm run build:data` from one Parquet file and stored beside it (locally and in S3) as a
 * `kind: index` table. Decoding a Parquet file with hyparquet (pure JS, cold JIT) costs tens to
 * hundreds of milliseconds of the first answer; this form is one UTF-8 decode per string column and
 * `slice`s at recorded offsets, numbers copied as they are.
 *
 * Never trusted: the header records the SHA-256 of the exact Parquet bytes it was derived from and
 * a CRC-32 of its body. The loader still fetches the Parquet (through the same checksum, retry and
 * stale-if-error path as every table), hashes it and uses the artifact only when the hash matches
 * and the body is intact; otherwise it decodes the Parquet, with a log line (see tableDecoders.ts).
 *
 * Layout: 8-byte magic | u32 header length | header JSON {version, source, count, crc, columns} |
 * padding to 4 | the body, per column in header order:
 *   i32  → Int32 values;
 *   f64  → Float64 values, then count bytes of null flags (1 = null), padding to 4;
 *   str  → Int32 offsets (count + 1, in UTF-16 code units of the decoded blob), u32 blob byte
 *          length, UTF-8 blob, padding to 4;
 *   nstr → as str, then count bytes of null flags, padding to 4;
 *   dict → u32 number of distinct values, those values as a str column (without its own count),
 *          then Int32 indices into them (−1 = null): for columns that repeat a few values (company,
 *          section, ticker), a fraction of the bytes, and rows share one string per value.
 * Little-endian. The body is stored uncompressed: fetching the extra bytes (a few MB, in parallel
 * with the embeddings) costs less of a cold start than inflating them on the one JS thread.
 */
import { createHash } from 'node:crypto';
import { crc32 } from './checksum';

export type ColumnKind = 'i32' | 'f64' | 'str' | 'nstr' | 'dict';
export type ColumnValues = Int32Array | (number | null)[] | (string | null)[];

/** What one artifact kind holds: its magic (8 bytes), its layout version and its columns. */
export interface ColumnarSpec {
  magic: string;
  version: number;
  /** Columns in body order; those named in `optional` may be absent from a table. */
  columns: readonly (readonly [string, ColumnKind])[];
  optional?: readonly string[];
}

interface Header {
  version: number;
  /** SHA-256 (hex) of the Parquet bytes this was derived from. */
  source: string;
  count: number;
  /** CRC-32 of the body, everything after the header's padding. */
  crc: number;
  columns: { name: string; kind: ColumnKind }[];
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const pad4 = (n: number) => Buffer.alloc((4 - (n % 4)) % 4);

/** Offsets (UTF-16 code units, count + 1), u32 blob byte length, the UTF-8 blob, padding to 4. Null is written as ''. */
function stringBlock(list: readonly (string | null)[]): Buffer[] {
  const offsets = new Int32Array(list.length + 1);
  let joined = '';
  for (let i = 0; i < list.length; i++) {
    joined += list[i] ?? '';
    offsets[i + 1] = joined.length;
  }
  const blob = Buffer.from(joined, 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32LE(blob.length);
  return [Buffer.from(offsets.buffer), len, blob, pad4(blob.length)];
}

/** Encodes `columns` (each `count` long; an optional column may be undefined) as derived from `parquet`. */
export function encodeColumnar(spec: ColumnarSpec, count: number, columns: Record<string, ColumnValues | undefined>, parquet: Uint8Array): Buffer {
  if (Buffer.byteLength(spec.magic, 'latin1') !== 8) throw new Error(`artifact magic must be 8 bytes: ${JSON.stringify(spec.magic)}`);
  const parts: Buffer[] = [];
  const written: Header['columns'] = [];
  for (const [name, kind] of spec.columns) {
    const values = columns[name];
    if (values === undefined) {
      if (spec.optional?.includes(name)) continue;
      throw new Error(`column ${name} is missing`);
    }
    if (values.length !== count) throw new Error(`column ${name} has ${values.length} values, expected ${count}`);
    written.push({ name, kind });
    if (kind === 'i32') {
      const a = values instanceof Int32Array ? values : Int32Array.from(values as number[]);
      parts.push(Buffer.from(a.buffer, a.byteOffset, a.byteLength));
      continue;
    }
    if (kind === 'f64') {
      const list = values as (number | null)[];
      const numbers = new Float64Array(count);
      const nulls = Buffer.alloc(count);
      for (let i = 0; i < count; i++) {
        if (list[i] == null) nulls[i] = 1;
        else numbers[i] = list[i] as number;
      }
      parts.push(Buffer.from(numbers.buffer), nulls, pad4(count));
      continue;
    }
    const list = values as (string | null)[];
    if (kind === 'dict') {
      const ids = new Map<string, number>();
      const indices = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const v = list[i];
        if (v == null) indices[i] = -1;
        else {
          let id = ids.get(v);
          if (id === undefined) ids.set(v, (id = ids.size));
          indices[i] = id;
        }
      }
      const n = Buffer.alloc(4);
      n.writeUInt32LE(ids.size);
      parts.push(n, ...stringBlock([...ids.keys()]), Buffer.from(indices.buffer));
      continue;
    }
    parts.push(...stringBlock(list));
    if (kind === 'nstr') {
      const nulls = Buffer.alloc(count);
      for (let i = 0; i < count; i++) nulls[i] = list[i] == null ? 1 : 0;
      parts.push(nulls, pad4(count));
    }
  }
  const body = Buffer.concat(parts);
  const header = Buffer.from(JSON.stringify({ version: spec.version, source: sha256Hex(parquet), count, crc: crc32(body), columns: written } satisfies Header));
  const lenBuf = Buffer.alloc(4);
  lenBuf.writeUInt32LE(header.length);
  return Buffer.concat([Buffer.from(spec.magic, 'latin1'), lenBuf, header, pad4(12 + header.length), body]);
}

export interface DecodedColumns {
  count: number;
  /** The SHA-256 of the Parquet it was derived from (checked equal to the one given). */
  source: string;
  columns: Record<string, ColumnValues>;
}

/**
 * The columns of an artifact derived from exactly `parquet` (or whose recorded source is
 * `parquetSha256`), or why it cannot be used (stale, damaged). Never throws: a bad artifact means
 * decoding the Parquet, not a failed cold start.
 */
export function decodeColumnar(spec: ColumnarSpec, artifact: Buffer, parquetSha256: string): DecodedColumns | { rejected: string } {
  try {
    if (artifact.length < 12 || artifact.toString('latin1', 0, 8) !== spec.magic) return { rejected: `not a ${spec.magic.trim()} artifact (bad magic)` };
    const headerLength = artifact.readUInt32LE(8);
    const header = JSON.parse(artifact.toString('utf8', 12, 12 + headerLength)) as Header;
    if (header.version !== spec.version) return { rejected: `stale: layout v${header.version}, this reader is v${spec.version}` };
    if (header.source !== parquetSha256) return { rejected: 'stale: built from another Parquet file' };
    let at = 12 + headerLength;
    at += (4 - (at % 4)) % 4;
    const buf = artifact.subarray(at);
    if (crc32(buf) !== header.crc) return { rejected: 'damaged: body checksum differs' };
    at = 0;
    const n = header.count;
    const need = (bytes: number) => {
      if (at + bytes > buf.length) throw new Error('shorter than its header says');
    };
    // Copies, so the typed views are aligned whatever the Buffer's own offset.
    const int32s = (count: number): Int32Array => {
      need(count * 4);
      const out = new Int32Array(count);
      new Uint8Array(out.buffer).set(buf.subarray(at, at + count * 4));
      at += count * 4;
      return out;
    };
    const nullFlags = (values: unknown[]) => {
      need(n);
      for (let i = 0; i < n; i++) if (buf[at + i] === 1) values[i] = null;
      at += n + ((4 - (n % 4)) % 4);
    };
    const strings = (count: number, name: string): string[] => {
      const offsets = int32s(count + 1);
      need(4);
      const blobLength = buf.readUInt32LE(at);
      at += 4;
      need(blobLength);
      const joined = buf.toString('utf8', at, at + blobLength);
      at += blobLength + ((4 - (blobLength % 4)) % 4);
      if (offsets[0] !== 0 || offsets[count] !== joined.length) throw new Error(`column ${name}: offsets do not match its text`);
      const values: string[] = new Array(count);
      for (let i = 0; i < count; i++) values[i] = joined.slice(offsets[i], offsets[i + 1]);
      return values;
    };
    const columns: Record<string, ColumnValues> = {};
    for (const { name, kind } of header.columns) {
      if (kind === 'i32') {
        columns[name] = int32s(n);
        continue;
      }
      if (kind === 'f64') {
        need(n * 8);
        const numbers = new Float64Array(n);
        new Uint8Array(numbers.buffer).set(buf.subarray(at, at + n * 8));
        at += n * 8;
        const values: (number | null)[] = Array.from(numbers);
        nullFlags(values);
        columns[name] = values;
        continue;
      }
      if (kind === 'dict') {
        need(4);
        const distinct = buf.readUInt32LE(at);
        at += 4;
        const dictionary = strings(distinct, name);
        const indices = int32s(n);
        const values: (string | null)[] = new Array(n);
        for (let i = 0; i < n; i++) {
          const id = indices[i];
          if (id === -1) values[i] = null;
          else if (id >= 0 && id < distinct) values[i] = dictionary[id];
          else throw new Error(`column ${name}: index ${id} outside its ${distinct} values`);
        }
        columns[name] = values;
        continue;
      }
      const values: (string | null)[] = strings(n, name);
      if (kind === 'nstr') nullFlags(values);
      columns[name] = values;
    }
    for (const [name, kind] of spec.columns) {
      if (spec.optional?.includes(name)) continue;
      const got = header.columns.find((c) => c.name === name);
      if (!got) return { rejected: `damaged: column ${name} missing` };
      if (got.kind !== kind) return { rejected: `damaged: column ${name} is ${got.kind}, expected ${kind}` };
    }
    if (at !== buf.length) return { rejected: `damaged: ${buf.length - at} bytes past the last column` };
    return { count: n, source: header.source, columns };
  } catch (err) {
    return { rejected: `damaged: ${(err as Error).message}` };
  }
}
