/**
 * Our own WebAssembly kernels (wasm-kernels.c) on tfjs-backend-wasm's heap: single-precision
 * matrix products, and the element-wise passes of the fused ops (`heapKernels`). The optimizer
 * uses the same module on a memory of its own (`standaloneKernels`).
 *
 * The module imports the backend's WebAssembly memory, so it reads operands and writes results
 * where the tensors already live: no copies, and a transposed or strided operand costs nothing
 * (a transposed left operand is just other strides; a transposed right operand is read that way
 * while it is packed, which every product does anyway). One instance per backend instance (each
 * data-parallel worker has its own backend and heap); the right operand is packed into a scratch
 * buffer taken from the backend's allocator and kept for its lifetime.
 *
 * The compiled bytes are committed (wasm-kernels-binary.ts, built by scripts/build-wasm-kernels.mjs), so
 * neither the build nor CI needs a C toolchain.
 */
import { KERNELS_WASM_BASE64 } from './wasm-kernels-binary';
import { activeWasm } from './wasm-heap';
import type { WasmBackend } from './wasm-heap';

/** The module's entry points; pointers are byte offsets into the heap. */
export interface KernelExports {
  pack_b(b: number, k: number, n: number, ldb: number, transB: number, out: number): void;
  gemm(
    a: number,
    rowStrideA: number,
    colStrideA: number,
    packedB: number,
    c: number,
    ldc: number,
    m: number,
    k: number,
    n: number,
    accumulate: number,
    bias: number,
    relu: number,
  ): void;
  column_sums(x: number, m: number, n: number, ldx: number, out: number): void;
  relu_grad(dy: number, y: number, n: number, scale: number, out: number): void;
  /** `out = (y ? y : 1) · dropout multipliers`; `y` = 0 for the bare mask. */
  dropout(y: number, n: number, threshold: number, keep: number, seed: number, out: number): void;
  layer_norm(
    x: number,
    gamma: number,
    beta: number,
    rows: number,
    d: number,
    eps: number,
    y: number,
    xhat: number,
    rstd: number,
  ): void;
  layer_norm_grad(
    dy: number,
    xhat: number,
    rstd: number,
    gamma: number,
    rows: number,
    d: number,
    dx: number,
    dGamma: number,
    dBeta: number,
  ): void;
  cross_entropy_rows(
    x: number,
    p: number,
    rows: number,
    vocab: number,
    scale: number,
    shift: number,
    g: number,
    sums: number,
  ): void;
  sum_squares(x: number, n: number): number;
  scale_into(out: number, x: number, weight: number, n: number): void;
  add_scaled(out: number, x: number, weight: number, n: number): void;
  adam(
    w: number,
    m: number,
    v: number,
    g: number,
    n: number,
    scale: number,
    beta1: number,
    beta2: number,
    epsilon: number,
    stepSize: number,
    rootC2: number,
  ): void;
}

export interface Gemm {
  readonly exports: KernelExports;
  readonly backend: WasmBackend;
  /** Byte offset and size of the packing buffer (grown on demand). */
  scratch: number;
  scratchBytes: number;
}

/** A left operand: byte offset and element strides, `op(A)[i][p] = A[offset + i·rows + p·cols]`. */
export interface LeftOperand {
  offset: number;
  rowStride: number;
  colStride: number;
}

/** A right operand `[k, n]` stored row-major with row stride `ld`, or as `[n, k]` when `transposed`. */
export interface RightOperand {
  offset: number;
  ld: number;
  transposed: boolean;
}

export interface ProductOptions {
  /** Add to what the output already holds. */
  accumulate?: boolean;
  /** Byte offset of `n` floats added to every row. */
  bias?: number;
  relu?: boolean;
}

/** Panel width of the packed right operand (NR in wasm-kernels.c). */
const PANEL = 8;

let compiled: WebAssembly.Module | null = null;
const instances = new WeakMap<WasmBackend, Gemm | null>();

function module(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(Buffer.from(KERNELS_WASM_BASE64, 'base64'));
  return compiled;
}

/**
 * Our products bound to this backend's heap, or null when the backend's memory cannot be found
 * (a tfjs-backend-wasm other than the pinned 4.22); callers then use tfjs's own kernels.
 */
export function gemmFor(backend: WasmBackend): Gemm | null {
  const known = instances.get(backend);
  if (known !== undefined) return known;
  const memory = backend.wasm.asm?.memory;
  let gemm: Gemm | null = null;
  if (memory instanceof WebAssembly.Memory) {
    const instance = new WebAssembly.Instance(module(), { env: { memory } });
    gemm = {
      exports: instance.exports as unknown as KernelExports,
      backend,
      scratch: 0,
      scratchBytes: 0,
    };
  }
  instances.set(backend, gemm);
  return gemm;
}

/** The packing buffer, at least `bytes` long (allocation may grow the heap: take views after). */
function scratch(gemm: Gemm, bytes: number): number {
  if (gemm.scratchBytes < bytes) {
    if (gemm.scratch) gemm.backend.wasm._free(gemm.scratch);
    const size = Math.max(bytes, gemm.scratchBytes * 2);
    gemm.scratch = gemm.backend.wasm._malloc(size) >>> 0;
    gemm.scratchBytes = size;
  }
  return gemm.scratch;
}

/** Reserves the packing buffer for a `[k, n]` right operand; call before taking heap offsets. */
export function reservePacking(gemm: Gemm, k: number, n: number): void {
  scratch(gemm, Math.ceil(n / PANEL) * PANEL * Math.max(k, 1) * 4);
}

/** Packs a right operand `[k, n]` into the scratch buffer; returns its offset. */
export function packRight(gemm: Gemm, b: RightOperand, k: number, n: number): number {
  const at = scratch(gemm, Math.ceil(n / PANEL) * PANEL * Math.max(k, 1) * 4);
  gemm.exports.pack_b(b.offset, k, n, b.ld, b.transposed ? 1 : 0, at);
  return at;
}

/** `C[m, n] (row stride ldc) = [C +] op(A)·packed B [+ bias] [ReLU]`. */
export function productPacked(
  gemm: Gemm,
  a: LeftOperand,
  packed: number,
  c: number,
  ldc: number,
  m: number,
  k: number,
  n: number,
  options: ProductOptions = {},
): void {
  gemm.exports.gemm(
    a.offset,
    a.rowStride,
    a.colStride,
    packed,
    c,
    ldc,
    m,
    k,
    n,
    options.accumulate ? 1 : 0,
    options.bias ?? 0,
    options.relu ? 1 : 0,
  );
}

/** `out[n]` = the sums of the `m` rows of `x [m, n]` (byte offsets). */
export function columnSums(gemm: Gemm, x: number, m: number, n: number, out: number): void {
  gemm.exports.column_sums(x, m, n, n, out);
}

/**
 * Our kernels when every array is a view of the active wasm backend's heap (as hostCompute hands
 * them out), else null: the caller then runs its JS loop (the cpu backend, copies).
 */
export function heapKernels(...arrays: ArrayBufferView[]): KernelExports | null {
  const backend = activeWasm();
  const bound = backend ? gemmFor(backend) : null;
  if (!backend || !bound) return null;
  const heap = backend.wasm.HEAPU8.buffer;
  for (const a of arrays) if (a.buffer !== heap) return null;
  return bound.exports;
}

/**
 * The module on a fresh memory of at least `bytes` that is never grown, so Float32Array views of
 * it stay valid for its lifetime (the optimizer keeps its weights and moments there).
 */
export function standaloneKernels(bytes: number): {
  exports: KernelExports;
  memory: WebAssembly.Memory;
} {
  const memory = new WebAssembly.Memory({ initial: Math.max(2, Math.ceil(bytes / 65536)) });
  const instance = new WebAssembly.Instance(module(), { env: { memory } });
  return { exports: instance.exports as unknown as KernelExports, memory };
}
