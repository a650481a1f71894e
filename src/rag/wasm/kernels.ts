/**
 * The scan kernels: dot products of one query against many rows, in WebAssembly SIMD128.
 *
 *  dot_f32(vecs, q, dims, first, count, out)             out[i] = vecs[first+i] · q        (float32 rows)
 *  dot_f32_rows(vecs, q, dims, rows, count, out)         out[i] = vecs[rows[i]] · q
 *  dot_i8(vecs, q16, dims, first, count, out, scales, qs) out[i] = (vecs[first+i] · q16) × scales[row] × qs
 *  dot_i8_rows(...)                                       the same over a row-index list
 *
 * All pointers are byte offsets into the imported memory. `dims` must be a multiple of 32.
 * Float32: 16 floats per inner iteration into four independent f32x4 accumulators (no FMA in base
 * SIMD128, so mul + add). Int8: 32 int8 per iteration, each half widened to i16x8 and multiplied
 * against the query pre-widened to i16 with i32x4.dot_i16x8_s (pmaddwd on x64); integer sums are exact,
 * so the only error is the quantisation itself, which src/rag/quantize.ts bounds per row.
 */
import { emitModule, F32, I32, op, V128, type FunctionDef } from './emitter';
import { quantizeFunction } from './quantizeKernel';

/** Locals shared by every kernel, after its params. */
function scanFunction(name: string, kind: 'f32' | 'i8', indexed: boolean): FunctionDef {
  // Params: vecs=0, q=1, dims=2, firstOrRows=3, count=4, out=5, [scales=6, qscale=7]
  const P = { vecs: 0, q: 1, dims: 2, firstOrRows: 3, count: 4, out: 5, scales: 6, qscale: 7 };
  const params = kind === 'f32' ? [I32, I32, I32, I32, I32, I32] : [I32, I32, I32, I32, I32, I32, I32, F32];
  const base = params.length;
  const L = { i: base, rowPtr: base + 1, rowEnd: base + 2, qp: base + 3, row: base + 4, rowBytes: base + 5, acc: [base + 6, base + 7, base + 8, base + 9] };
  const locals = [I32, I32, I32, I32, I32, I32, V128, V128, V128, V128];

  const body: number[][] = [];
  // rowBytes = dims × element size
  body.push(op.get(P.dims), op.i32Const(kind === 'f32' ? 2 : 0), op.i32Shl(), op.set(L.rowBytes));
  body.push(op.i32Const(0), op.set(L.i));
  body.push(op.block(), op.loop());
  // if (i >= count) break
  body.push(op.get(L.i), op.get(P.count), op.i32GeU(), op.brIf(1));
  // row = indexed ? rows[i] : first + i
  if (indexed) body.push(op.get(P.firstOrRows), op.get(L.i), op.i32Const(2), op.i32Shl(), op.i32Add(), op.i32Load(), op.set(L.row));
  else body.push(op.get(P.firstOrRows), op.get(L.i), op.i32Add(), op.set(L.row));
  // rowPtr = vecs + row × rowBytes; rowEnd = rowPtr + rowBytes; qp = q
  body.push(op.get(P.vecs), op.get(L.row), op.get(L.rowBytes), op.i32Mul(), op.i32Add(), op.tee(L.rowPtr));
  body.push(op.get(L.rowBytes), op.i32Add(), op.set(L.rowEnd));
  body.push(op.get(P.q), op.set(L.qp));
  for (const a of L.acc) body.push(op.v128Zero(), op.set(a));

  body.push(op.loop());
  if (kind === 'f32') {
    for (let u = 0; u < 4; u++) {
      body.push(op.get(L.acc[u]), op.get(L.rowPtr), op.v128Load(16 * u), op.get(L.qp), op.v128Load(16 * u), op.f32x4Mul(), op.f32x4Add(), op.set(L.acc[u]));
    }
    body.push(op.get(L.rowPtr), op.i32Const(64), op.i32Add(), op.set(L.rowPtr));
    body.push(op.get(L.qp), op.i32Const(64), op.i32Add(), op.set(L.qp));
  } else {
    for (let u = 0; u < 4; u++) {
      const half = u % 2 === 0 ? op.i16x8ExtendLowI8x16S() : op.i16x8ExtendHighI8x16S();
      body.push(op.get(L.acc[u]), op.get(L.rowPtr), op.v128Load(16 * (u >> 1)), half, op.get(L.qp), op.v128Load(16 * u), op.i32x4DotI16x8S(), op.i32x4Add(), op.set(L.acc[u]));
    }
    body.push(op.get(L.rowPtr), op.i32Const(32), op.i32Add(), op.set(L.rowPtr));
    body.push(op.get(L.qp), op.i32Const(64), op.i32Add(), op.set(L.qp));
  }
  body.push(op.get(L.rowPtr), op.get(L.rowEnd), op.i32LtU(), op.brIf(0), op.end());

  // out + i×4 ← horizontal sum
  body.push(op.get(P.out), op.get(L.i), op.i32Const(2), op.i32Shl(), op.i32Add());
  const vAdd = kind === 'f32' ? op.f32x4Add() : op.i32x4Add();
  body.push(op.get(L.acc[0]), op.get(L.acc[1]), vAdd, op.get(L.acc[2]), op.get(L.acc[3]), vAdd, vAdd, op.tee(L.acc[0]));
  if (kind === 'f32') {
    body.push(op.f32x4ExtractLane(0), op.get(L.acc[0]), op.f32x4ExtractLane(1), op.f32Add());
    body.push(op.get(L.acc[0]), op.f32x4ExtractLane(2), op.f32Add(), op.get(L.acc[0]), op.f32x4ExtractLane(3), op.f32Add());
  } else {
    body.push(op.i32x4ExtractLane(0), op.get(L.acc[0]), op.i32x4ExtractLane(1), op.i32Add());
    body.push(op.get(L.acc[0]), op.i32x4ExtractLane(2), op.i32Add(), op.get(L.acc[0]), op.i32x4ExtractLane(3), op.i32Add());
    body.push(op.f32ConvertI32S());
    body.push(op.get(P.scales), op.get(L.row), op.i32Const(2), op.i32Shl(), op.i32Add(), op.f32Load(), op.f32Mul());
    body.push(op.get(P.qscale), op.f32Mul());
  }
  body.push(op.f32Store());
  // i++ ; continue
  body.push(op.get(L.i), op.i32Const(1), op.i32Add(), op.set(L.i), op.br(0));
  body.push(op.end(), op.end());
  return { name, params: params as FunctionDef['params'], locals: locals as FunctionDef['locals'], body };
}

export interface ScanKernels {
  dot_f32(vecs: number, q: number, dims: number, first: number, count: number, out: number): void;
  dot_f32_rows(vecs: number, q: number, dims: number, rows: number, count: number, out: number): void;
  dot_i8(vecs: number, q16: number, dims: number, first: number, count: number, out: number, scales: number, qscale: number): void;
  dot_i8_rows(vecs: number, q16: number, dims: number, rows: number, count: number, out: number, scales: number, qscale: number): void;
  /** See quantizeKernel.ts. */
  quantize_rows(src: number, count: number, dims: number, dst: number, scales: number, errors: number): void;
}

/**
 * The slice of the WebAssembly JS API used here. tsconfig's lib (ES2023, no DOM) does not declare it,
 * so it is typed locally rather than pulling DOM types into the whole project.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export function createWasmMemory(pages: number): WasmMemory {
  return new wasmApi.Memory({ initial: pages, maximum: pages });
}

let compiled: object | undefined;

/** The compiled module (built and compiled once per process). */
export function scanModule(): object {
  compiled ??= new wasmApi.Module(
    emitModule([
      scanFunction('dot_f32', 'f32', false),
      scanFunction('dot_f32_rows', 'f32', true),
      scanFunction('dot_i8', 'i8', false),
      scanFunction('dot_i8_rows', 'i8', true),
      quantizeFunction(),
    ]),
  );
  return compiled;
}

/** True when this runtime compiles SIMD128 (Node ≥ 16.4 does); callers fall back to plain JS otherwise. */
export function wasmSimdAvailable(): boolean {
  try {
    scanModule();
    return true;
  } catch {
    return false;
  }
}

export function instantiateKernels(memory: WasmMemory): ScanKernels {
  const instance = new wasmApi.Instance(scanModule(), { env: { memory } });
  return instance.exports as unknown as ScanKernels;
}
