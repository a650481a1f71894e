/**
 * Definition and repetition levels of Parquet data pages (RLE / bit-packed hybrid): the checks the page
 * reader makes before it trusts a float run — no nulls, every row exactly `dims` values.
 */
/** Max definition and repetition levels of the leaf under top-level field `column`. */
export function maxLevels(schema: Map<number, unknown>[], column: string): { def: number; rep: number } | null {
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

export function bitWidth(maxLevel: number): number {
  return Math.ceil(Math.log2(maxLevel + 1));
}

/** RLE / bit-packed hybrid runs: calls back (value, count) per RLE run and per bit-packed value. */
export function forEachRun(buf: Buffer, width: number, numValues: number, cb: (value: number, count: number) => void): void {
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

export function allEqual(buf: Buffer, width: number, numValues: number, expected: number): boolean {
  let ok = true;
  forEachRun(buf, width, numValues, (v) => {
    if (v !== expected) ok = false;
  });
  return ok;
}

/** Repetition level 0 starts a row; every row must hold exactly `dims` values. */
export function checkRows(buf: Buffer, numValues: number, state: { rows: number; current: number; dims: number; ok: boolean }): void {
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

