/**
 * BatchMatMul for tfjs-backend-wasm 4.22 that reaches XNNPACK for every product.
 *
 * The shipped kernel sends a product to XNNPACK only when neither operand is transposed and
 * there is no batch dimension; everything else runs a scalar C++ loop about 10× slower
 * (tensorflow/tfjs#2532 left "support transposed bits" as future work; see also #6982). Every
 * gradient of a matmul (`dy·Wᵀ`, `xᵀ·dy`), the tied output projection `x·Eᵀ` and all four
 * per-head attention products (`q·kᵀ`, `p·v` and their gradients) take that slow path.
 *
 * - A transposed operand is materialised first with our JS transpose (wasm-transpose.ts).
 * - XNNPACK packs its right operand `b` into its own layout on every call (our operands are
 *   fresh tensors each step, so its operator cache never hits), and that packing is slow here
 *   (~10 ns per element against ~3 ns for our transpose). When it is cheaper, a 2-D product is
 *   computed as `(bᵀ·aᵀ)ᵀ`, which packs `aᵀ` instead: a weight gradient `xᵀ·dlogits` over a
 *   4,000-word vocabulary then packs 1024×128 instead of 1024×4000 numbers (the linear layers
 *   make the same choice themselves, see fused-linear.ts; this covers plain matMul gradients such
 *   as the tied output projection's).
 * - A batched product runs as one XNNPACK product per batch entry: each slice of the operands and
 *   of the output is registered with the C++ side as a raw tensor id over the same memory (no
 *   copy), the kernel is called with batch 1, and the ids are released (which frees the XNNPACK
 *   operator that was cached for the slice). For attention (128 slices of 32×32·32×32) this is
 *   ~3× faster than the scalar loop despite creating an operator per slice; small products (a
 *   decoding step's single query row) stay in the scalar loop (`slicesPay`).
 *
 * Same maths; XNNPACK sums in a different order than the scalar loop, so results agree to
 * float32 rounding (checked in fused-ops.test.ts).
 */
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs';
import { location, registerRaw, releaseRaw, wasmBackendOf } from './wasm-heap';
import type { WasmBackend } from './wasm-heap';
import { transposeWasm } from './wasm-transpose';

/** The C++ entry point with numeric arguments (shape arrays passed as heap pointers). */
type RawBatchMatMul = (
  aId: number,
  aShapePtr: number,
  aRank: number,
  bId: number,
  bShapePtr: number,
  bRank: number,
  transposeA: number,
  transposeB: number,
  outId: number,
) => void;

interface RawEntry {
  call: RawBatchMatMul;
  /** Byte offset of six int32s on the heap: the `[1, m, k]` and `[1, k, n]` slice shapes. */
  shapes: number;
}

const raw = new WeakMap<WasmBackend, RawEntry>();

/**
 * The C++ BatchMatMul, once per backend instance. With only numeric argument types, Emscripten's
 * cwrap returns the export itself, so a slice call costs no argument conversion (the kernel's own
 * wrapper copies both shape arrays to the stack on every call).
 */
function rawBatchMatMul(backend: WasmBackend): RawEntry {
  let entry = raw.get(backend);
  if (!entry) {
    const call = backend.wasm.cwrap('BatchMatMul', null, [
      'number',
      'number',
      'number',
      'number',
      'number',
      'number',
      'number',
      'number',
      'number',
    ]) as RawBatchMatMul;
    // Six int32s, kept for the backend's lifetime.
    entry = { call, shapes: backend.wasm._malloc(24) >>> 0 };
    raw.set(backend, entry);
  }
  return entry;
}

function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return perm;
}

/** `a·b` for untransposed `[batchA, m, k]` and `[batchB, k, n]`, one XNNPACK call per entry. */
function batchedProduct(
  backend: WasmBackend,
  a: TensorInfo,
  b: TensorInfo,
  outShape: number[],
  batchA: number,
  batchB: number,
): TensorInfo {
  const rank = outShape.length;
  const m = outShape[rank - 2];
  const n = outShape[rank - 1];
  const k = a.shape[a.shape.length - 1];
  const batch = Math.max(batchA, batchB);
  const out = backend.makeOutput(outShape, 'float32');
  const { call, shapes } = rawBatchMatMul(backend);
  new Int32Array(backend.wasm.HEAPU8.buffer, shapes, 6).set([1, m, k, 1, k, n]);
  const aShape = shapes;
  const bShape = shapes + 12;
  const aAt = location(backend, a);
  const bAt = location(backend, b);
  const outAt = location(backend, out);
  for (let i = 0; i < batch; i++) {
    const ai = batchA === 1 ? 0 : i;
    const bi = batchB === 1 ? 0 : i;
    const aId = registerRaw(backend, aAt.offset + ai * m * k * 4, m * k);
    const bId = registerRaw(backend, bAt.offset + bi * k * n * 4, k * n);
    const outId = registerRaw(backend, outAt.offset + i * m * n * 4, m * n);
    try {
      call(aId, aShape, 3, bId, bShape, 3, 0, 0, outId);
    } finally {
      releaseRaw(backend, aId);
      releaseRaw(backend, bId);
      releaseRaw(backend, outId);
    }
  }
  return out;
}

/** Relative costs per element (measured here): materialising a transpose, XNNPACK packing. */
const TRANSPOSE_COST = 1;
const PACK_COST = 3;

/** The product's dimensions: `[m, k]·[k, n]` after the transpose flags (batch axes ignored). */
function productDims(
  aShape: number[],
  bShape: number[],
  transposeA: boolean,
  transposeB: boolean,
): { m: number; k: number; n: number } {
  return {
    m: transposeA ? aShape[aShape.length - 1] : aShape[aShape.length - 2],
    k: transposeA ? aShape[aShape.length - 2] : aShape[aShape.length - 1],
    n: transposeB ? bShape[bShape.length - 2] : bShape[bShape.length - 1],
  };
}

/**
 * Whether `(bᵀ·aᵀ)ᵀ` costs less data movement than `a·b` for 2-D operands: XNNPACK packs the
 * right operand of the product it is given, and each operand given transposed from what the
 * product needs is materialised; the swapped form also transposes its `[n, m]` result.
 */
export function swappedIsCheaper(
  aShape: number[],
  bShape: number[],
  transposeA: boolean,
  transposeB: boolean,
): boolean {
  const { m, k, n } = productDims(aShape, bShape, transposeA, transposeB);
  const direct =
    (transposeA ? m * k : 0) * TRANSPOSE_COST +
    (transposeB ? k * n : 0) * TRANSPOSE_COST +
    k * n * PACK_COST;
  const swapped =
    (transposeB ? 0 : k * n) * TRANSPOSE_COST +
    (transposeA ? 0 : m * k) * TRANSPOSE_COST +
    m * k * PACK_COST +
    m * n * TRANSPOSE_COST;
  return swapped < direct;
}

/** `a·b` (2-D, with the transpose flags) computed as `(bᵀ·aᵀ)ᵀ`. */
function swappedProduct(
  backend: WasmBackend,
  originalFunc: KernelFunc,
  a: TensorInfo,
  b: TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): TensorInfo {
  const temporaries: TensorInfo[] = [];
  try {
    // Left operand bᵀ: b as given when it was transposed, else materialised.
    const left = transposeB ? b : transposeWasm(backend, b, [1, 0]);
    if (!transposeB) temporaries.push(left);
    const right = transposeA ? a : transposeWasm(backend, a, [1, 0]);
    if (!transposeA) temporaries.push(right);
    const product = originalFunc({
      inputs: { a: left, b: right },
      backend,
      attrs: { transposeA: false, transposeB: false } as unknown as NamedAttrMap,
    }) as TensorInfo;
    temporaries.push(product);
    return transposeWasm(backend, product, [1, 0]);
  } finally {
    for (const t of temporaries) backend.disposeData(t.dataId);
  }
}

/**
 * Whether one XNNPACK call per batch entry beats the scalar loop. Measured here: the scalar loop
 * costs ~2.3 ns per multiply-add; a slice costs ~20 µs of operator set-up plus ~12 ns per
 * element of its right operand (packing), the product itself being nearly free. Training's
 * 32×32·32×32 attention slices are ~3× faster sliced; a decoding step's 1×32·32×t products are
 * far faster in the scalar loop.
 */
export function slicesPay(
  aShape: number[],
  bShape: number[],
  transposeA: boolean,
  transposeB: boolean,
): boolean {
  const { m, k, n } = productDims(aShape, bShape, transposeA, transposeB);
  return 2.2 * m * k * n > 20_000 + 12 * k * n;
}

/** The patched BatchMatMul kernel (float32 on wasm; anything else goes to the original). */
export function batchMatMulKernel(): KernelConfig {
  const original = tf.getKernel('BatchMatMul', 'wasm');
  if (!original) throw new Error('tfjs-backend-wasm has no BatchMatMul kernel');
  const originalFunc = original.kernelFunc;
  const kernelFunc: KernelFunc = (args) => {
    const backend = wasmBackendOf(args.backend);
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    let a = args.inputs.a as TensorInfo;
    let b = args.inputs.b as TensorInfo;
    if (!backend || a.dtype !== 'float32' || b.dtype !== 'float32') return originalFunc(args);
    const batchDimsA = a.shape.slice(0, -2);
    const batchDimsB = b.shape.slice(0, -2);
    const batchA = tf.util.sizeFromShape(batchDimsA);
    const batchB = tf.util.sizeFromShape(batchDimsB);
    const batched = batchA > 1 || batchB > 1;
    // Batches broadcast only when one side has a single entry (all our uses); else the original.
    if (batched && batchA !== batchB && batchA !== 1 && batchB !== 1) return originalFunc(args);
    if (batched && !slicesPay(a.shape, b.shape, transposeA, transposeB)) return originalFunc(args);
    const plain = a.shape.length === 2 && b.shape.length === 2;
    if (plain && swappedIsCheaper(a.shape, b.shape, transposeA, transposeB)) {
      return swappedProduct(backend, originalFunc, a, b, transposeA, transposeB);
    }
    const temporaries: TensorInfo[] = [];
    if (transposeA) {
      a = transposeWasm(backend, a, swapLastTwo(a.shape.length));
      temporaries.push(a);
    }
    if (transposeB) {
      b = transposeWasm(backend, b, swapLastTwo(b.shape.length));
      temporaries.push(b);
    }
    try {
      if (!batched) {
        return originalFunc({
          inputs: { a, b },
          backend: args.backend,
          attrs: { ...args.attrs, transposeA: false, transposeB: false } as unknown as NamedAttrMap,
        });
      }
      const outBatch = tf.broadcast_util.assertAndGetBroadcastShape(batchDimsA, batchDimsB);
      const outShape = [...outBatch, a.shape[a.shape.length - 2], b.shape[b.shape.length - 1]];
      return batchedProduct(backend, a, b, outShape, batchA, batchB);
    } finally {
      for (const t of temporaries) backend.disposeData(t.dataId);
    }
  };
  return { ...original, kernelFunc };
}
