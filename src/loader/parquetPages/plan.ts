/**
 * Planning reads of Larder's vector layout from Parquet metadata: the footer, then a walk of the float
 * column's page headers that validates encodings and levels and records where every float run is and
 * where it goes in the output. Anything it does not recognise makes it decline (null).
 */
import { allEqual, bitWidth, checkRows, forEachRun, maxLevels } from './levels';
import type { Source } from './sources';
import { CompactReader } from './thrift';
import type { Footer, ValueRead, VectorPlan } from './types';

export function readFooter(src: Source): Footer | null {
  if (src.size < 12 || src.read(src.size - 4, 4).toString('latin1') !== 'PAR1') return null;
  const footerLen = src.read(src.size - 8, 4).readUInt32LE(0);
  if (footerLen + 12 > src.size) return null;
  const meta = new CompactReader(src.read(src.size - 8 - footerLen, footerLen)).struct();
  return { schema: meta.get(2) as Map<number, unknown>[], numRows: Number(meta.get(3)), rowGroups: meta.get(4) as Map<number, unknown>[] };
}

/** Column chunk metadata of `column` in a row group. */
export function columnMeta(rg: Map<number, unknown>, column: string): Map<number, unknown> | undefined {
  const chunk = (rg.get(1) as Map<number, unknown>[]).find((c) => (((c.get(3) as Map<number, unknown>)?.get(3) as string[]) ?? [])[0] === column);
  return chunk?.get(3) as Map<number, unknown> | undefined;
}

/**
 * Walks the column's page headers, validating levels; returns where every float run is and goes.
 * `target` supplies the output array for a count of floats (default: a new one); null declines.
 */
export function planVectors(src: Source, column: string, dims?: number, footer = readFooter(src), target: (floats: number) => Float32Array | null = (n) => new Float32Array(n)): VectorPlan | null {
  if (!footer) return null;
  const { schema, numRows, rowGroups } = footer;
  const levels = maxLevels(schema, column);
  if (!levels || levels.rep !== 1) return null;
  let out: Float32Array | null = dims ? target(numRows * dims) : null;
  if (dims && !out) return null;
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
      out = target(numRows * rowCheck.dims);
      if (!out) return null;
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
