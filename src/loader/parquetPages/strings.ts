/**
 * The ids column beside the vectors: a top-level BYTE_ARRAY string column, PLAIN, uncompressed, no
 * dictionary — where its chunks are, and decoding its data pages (v1 or v2) into strings.
 */
import { isAscii } from 'node:buffer';
import { columnMeta } from './plan';
import { allEqual, bitWidth, maxLevels } from './levels';
import { CompactReader } from './thrift';
import type { Footer, StringsPlan } from './types';

/** A top-level, non-repeated BYTE_ARRAY column, uncompressed and without a dictionary: where its chunks are. */
export function planStrings(footer: Footer, column: string): StringsPlan | null {
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
export function decodeStrings(chunks: Buffer[], plan: StringsPlan): string[] | null {
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
