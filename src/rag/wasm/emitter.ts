/**
 * A tiny WebAssembly binary emitter: just enough of the format (types, one imported memory, functions,
 * exports, code) and of the instruction set (locals, i32 arithmetic, loops, loads/stores, a few SIMD
 * ops) to write the scan kernels in src/rag/wasm/kernels.ts as TypeScript.
 *
 * Why an emitter instead of a committed .wasm: no wasm toolchain is installed here, the kernels are a
 * few dozen instructions, and generating the bytes at module load keeps the source of truth readable
 * and reviewable in one language — no binary blob that can drift from its .wat. The module is built
 * once per process (microseconds) and compiled by V8 like any other.
 */

export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;
export type ValType = typeof I32 | typeof F32 | typeof V128;

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (for i32.const). */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

function str(s: string): number[] {
  const bytes = [...Buffer.from(s, 'utf8')];
  return [...uleb(bytes.length), ...bytes];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

/** The instructions the kernels use. Each returns its encoded bytes. */
export const op = {
  block: () => [0x02, 0x40],
  loop: () => [0x03, 0x40],
  end: () => [0x0b],
  br: (depth: number) => [0x0c, ...uleb(depth)],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  get: (local: number) => [0x20, ...uleb(local)],
  set: (local: number) => [0x21, ...uleb(local)],
  tee: (local: number) => [0x22, ...uleb(local)],
  i32Const: (n: number) => [0x41, ...sleb(n)],
  i32Load: (offset = 0) => [0x28, 2, ...uleb(offset)],
  f32Load: (offset = 0) => [0x2a, 2, ...uleb(offset)],
  f32Store: (offset = 0) => [0x38, 2, ...uleb(offset)],
  i32GeU: () => [0x4f],
  i32LtU: () => [0x49],
  i32Add: () => [0x6a],
  i32Sub: () => [0x6b],
  i32Mul: () => [0x6c],
  i32Shl: () => [0x74],
  f32Add: () => [0x92],
  f32Mul: () => [0x94],
  f32ConvertI32S: () => [0xb2],
  f32Const: (x: number) => { const b = Buffer.alloc(4); b.writeFloatLE(x); return [0x43, ...b]; },
  f32Div: () => [0x95],
  f32Max: () => [0x97],
  f32Sqrt: () => [0x91],
  f32Gt: () => [0x5e],
  select: () => [0x1b],
  // SIMD (prefix 0xfd, then the opcode as u32 LEB128).
  v128Load: (offset = 0) => [0xfd, ...uleb(0x00), 4, ...uleb(offset)],
  v128Store: (offset = 0) => [0xfd, ...uleb(0x0b), 4, ...uleb(offset)],
  v128Zero: () => [0xfd, ...uleb(0x0c), ...new Array(16).fill(0)],
  i32x4Splat: () => [0xfd, ...uleb(0x11)],
  f32x4Splat: () => [0xfd, ...uleb(0x13)],
  i8x16NarrowI16x8S: () => [0xfd, ...uleb(0x65)],
  i16x8NarrowI32x4S: () => [0xfd, ...uleb(0x85)],
  i32x4Sub: () => [0xfd, ...uleb(0xb1)],
  f32x4Abs: () => [0xfd, ...uleb(0xe0)],
  f32x4Sub: () => [0xfd, ...uleb(0xe5)],
  f32x4Max: () => [0xfd, ...uleb(0xe9)],
  i32x4TruncSatF32x4S: () => [0xfd, ...uleb(0xf8)],
  f32x4ConvertI32x4S: () => [0xfd, ...uleb(0xfa)],
  i32x4ExtractLane: (lane: number) => [0xfd, ...uleb(0x1b), lane],
  f32x4ExtractLane: (lane: number) => [0xfd, ...uleb(0x1f), lane],
  i16x8ExtendLowI8x16S: () => [0xfd, ...uleb(0x87)],
  i16x8ExtendHighI8x16S: () => [0xfd, ...uleb(0x88)],
  i32x4Add: () => [0xfd, ...uleb(0xae)],
  i32x4DotI16x8S: () => [0xfd, ...uleb(0xba)],
  f32x4Add: () => [0xfd, ...uleb(0xe4)],
  f32x4Mul: () => [0xfd, ...uleb(0xe6)],
};

export interface FunctionDef {
  name: string;
  params: ValType[];
  /** Extra locals after the params, in order. */
  locals: ValType[];
  body: number[][];
}

/** A module importing one memory as env.memory and exporting each function by name. */
export function emitModule(functions: FunctionDef[]): Uint8Array {
  const types = functions.map((f) => [0x60, ...vec(f.params.map((p) => [p])), 0]);
  const importMemory = [...str('env'), ...str('memory'), 0x02, 0x00, ...uleb(1)];
  const funcIndices = functions.map((_, i) => uleb(i));
  const exports = functions.map((f, i) => [...str(f.name), 0x00, ...uleb(i)]);
  const bodies = functions.map((f) => {
    const localGroups = f.locals.map((t) => [...uleb(1), t]);
    const code = [...vec(localGroups), ...f.body.flat(), 0x0b];
    return [...uleb(code.length), ...code];
  });
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, vec([importMemory])),
    ...section(3, vec(funcIndices)),
    ...section(7, vec(exports)),
    ...section(10, vec(bodies)),
  ];
  return Uint8Array.from(bytes);
}
