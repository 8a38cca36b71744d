/**
 * BatchMatMul and _FusedMatMul for tfjs-backend-wasm 4.22 through our own WebAssembly products
 * (wasm-kernels.c, wasm-kernels.ts).
 *
 * The shipped kernels send a product to XNNPACK only when neither operand is transposed and there
 * is no batch dimension; everything else runs a scalar C++ loop about 10× slower (tfjs#2532 left
 * "support transposed bits" as future work; see also #6982). Every gradient of a matmul
 * (`dy·Wᵀ`, `xᵀ·dy`) and all four per-head attention products (`q·kᵀ`, `p·v` and their
 * gradients) took that slow path. Our earlier fix materialised transposes and handed XNNPACK one
 * slice at a time; XNNPACK then packed every fresh right operand into its layout on each call
 * and created an operator per attention slice. Our products take any strides on the left
 * operand and read a transposed right operand while packing it, so neither transposes nor
 * per-call operators remain, and their 4×8 kernel runs at 25–29 GFLOPS here against 12–18 for
 * XNNPACK as built into tfjs (README Performance has the step-level figures).
 *
 * A batched product packs each right slice once (a broadcast right operand once for all) and
 * calls the kernel per slice. _FusedMatMul's bias and ReLU are applied as the tile is stored.
 * Anything else (other dtypes, other activations, PReLU weights, batch shapes that broadcast
 * both ways) goes to the shipped kernel, as does everything when our module cannot bind to the
 * backend's memory.
 *
 * Same maths; the sums run in a different order than XNNPACK's, so results agree to float32
 * rounding (checked against a float64 loop in wasm-kernels.test.ts).
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs';
import { gemmFor, packRight, productPacked, reservePacking } from './wasm-kernels';
import type { Gemm } from './wasm-kernels';
import { location, wasmBackendOf } from './wasm-heap';
import type { WasmBackend } from './wasm-heap';

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

interface ProductRequest {
  a: TensorInfo;
  b: TensorInfo;
  transposeA: boolean;
  transposeB: boolean;
  /** Rank-1 bias of `n` floats, added to every row. */
  bias?: TensorInfo;
  relu?: boolean;
}

/**
 * `op(a)·op(b)` (+ bias, ReLU) with batch axes, or null when the batch shapes broadcast in a way
 * we do not handle (both sides with several entries that differ).
 */
function product(backend: WasmBackend, gemm: Gemm, request: ProductRequest): TensorInfo | null {
  const { a, b, transposeA, transposeB } = request;
  const batchDimsA = a.shape.slice(0, -2);
  const batchDimsB = b.shape.slice(0, -2);
  const batchA = tf.util.sizeFromShape(batchDimsA);
  const batchB = tf.util.sizeFromShape(batchDimsB);
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) return null;
  const { m, k, n } = productDims(a.shape, b.shape, transposeA, transposeB);
  const outBatch = tf.broadcast_util.assertAndGetBroadcastShape(batchDimsA, batchDimsB);
  const out = backend.makeOutput([...outBatch, m, n], 'float32');
  const batch = Math.max(batchA, batchB);
  if (batch === 0 || m === 0 || n === 0) return out;
  // Every allocation first: offsets stay valid when the heap grows, views would not.
  reservePacking(gemm, k, n);
  const aAt = location(backend, a).offset;
  const bAt = location(backend, b).offset;
  const outAt = location(backend, out).offset;
  const bias = request.bias ? location(backend, request.bias).offset : undefined;
  let packed = 0;
  for (let i = 0; i < batch; i++) {
    const ai = batchA === 1 ? 0 : i;
    const bi = batchB === 1 ? 0 : i;
    if (i === 0 || batchB > 1) {
      packed = packRight(
        gemm,
        { offset: bAt + bi * k * n * 4, ld: transposeB ? k : n, transposed: transposeB },
        k,
        n,
      );
    }
    productPacked(
      gemm,
      {
        offset: aAt + ai * m * k * 4,
        rowStride: transposeA ? 1 : k,
        colStride: transposeA ? m : 1,
      },
      packed,
      outAt + i * m * n * 4,
      n,
      m,
      k,
      n,
      { bias, relu: request.relu },
    );
  }
  return out;
}

/** The backend and our products when both operands are float32 on a wasm backend we can bind. */
function ours(
  backendArg: unknown,
  a: TensorInfo,
  b: TensorInfo,
): { backend: WasmBackend; gemm: Gemm } | null {
  const backend = wasmBackendOf(backendArg);
  if (!backend || a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  const gemm = gemmFor(backend);
  return gemm ? { backend, gemm } : null;
}

/** The patched BatchMatMul kernel (float32 on wasm; anything else goes to the original). */
export function batchMatMulKernel(): KernelConfig {
  const original = tf.getKernel('BatchMatMul', 'wasm');
  if (!original) throw new Error('tfjs-backend-wasm has no BatchMatMul kernel');
  const kernelFunc: KernelFunc = (args) => {
    const a = args.inputs.a as TensorInfo;
    const b = args.inputs.b as TensorInfo;
    const bound = ours(args.backend, a, b);
    if (!bound) return original.kernelFunc(args);
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    return (
      product(bound.backend, bound.gemm, { a, b, transposeA, transposeB }) ??
      original.kernelFunc(args)
    );
  };
  return { ...original, kernelFunc };
}

/** The patched _FusedMatMul kernel: bias and ReLU (or none) in the product's store. */
export function fusedMatMulKernel(): KernelConfig {
  const original = tf.getKernel('_FusedMatMul', 'wasm');
  if (!original) throw new Error('tfjs-backend-wasm has no _FusedMatMul kernel');
  const kernelFunc: KernelFunc = (args) => {
    const { a, b, bias, preluActivationWeights } = args.inputs as Record<
      string,
      TensorInfo | undefined
    >;
    const { transposeA, transposeB, activation } = args.attrs as {
      transposeA: boolean;
      transposeB: boolean;
      activation: string;
    };
    const bound = a && b ? ours(args.backend, a, b) : null;
    const n = b ? productDims(a!.shape, b.shape, transposeA, transposeB).n : 0;
    const plainBias =
      !bias || (bias.dtype === 'float32' && bias.shape.length === 1 && bias.shape[0] === n);
    if (
      !bound ||
      preluActivationWeights ||
      !plainBias ||
      (activation !== 'linear' && activation !== 'relu')
    ) {
      return original.kernelFunc(args);
    }
    return (
      product(bound.backend, bound.gemm, {
        a: a!,
        b: b!,
        transposeA,
        transposeB,
        bias,
        relu: activation === 'relu',
      }) ?? original.kernelFunc(args)
    );
  };
  return { ...original, kernelFunc };
}
