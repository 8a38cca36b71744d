/**
 * `y = x·W + b` (optionally followed by ReLU) as one op with a hand-written gradient.
 *
 * Forward: tfjs's `_FusedMatMul` kernel, which on wasm is one of our products (wasm-matmul.ts)
 * with the bias and the ReLU applied as each tile is stored (no separate Add and Relu ops).
 *
 * Backward: `dx = dy·Wᵀ` and `dW = xᵀ·dy`, both read in place by our products whatever the
 * transposes, and `db` in one SIMD pass over the rows of `dy`. The stock gradients ran a wasm Sum
 * for every bias, which transposed `dy` first (~10 M elements per small-model step).
 *
 * Same maths as `relu(matMul(x, W) + b)` with tfjs's gradients, to float32 rounding (checked in
 * fused-ops.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { dropoutInto } from './fused-ops';
import { hostCompute, recordingGradients } from './host-tensors';
import { columnSums, gemmFor, heapKernels } from './wasm-kernels';
import { activeWasm, location, toTensor } from './wasm-heap';

/** Dropout applied to the op's output: rate and mask seed (see `dropoutMask`). */
export interface OutputDropout {
  rate: number;
  seed: number;
}

/**
 * `dropout?(relu?(x·W + b))` for `x [rows, in]`, `weight [in, out]`, `bias [out]`. Dropout is
 * only fused together with the ReLU (the feed-forward block): the output is then positive
 * exactly where the gradient flows, scaled by 1/(1−rate), so the backward needs no mask.
 */
export function fusedLinear(
  x: tf.Tensor2D,
  weight: tf.Tensor2D,
  bias: tf.Tensor1D,
  relu = false,
  dropout?: OutputDropout,
): tf.Tensor2D {
  if (dropout && !relu) throw new Error('fusedLinear fuses dropout only after a ReLU');
  const drop = dropout && dropout.rate > 0 ? dropout : undefined;
  if (!recordingGradients()) {
    return tf.tidy(() => {
      const y = fusedProduct(x, weight, bias, relu);
      return drop ? applyDropout(y, drop) : y;
    });
  }
  const op = tf.customGrad((...args) => {
    const [input, w, b] = args as tf.Tensor2D[];
    const save = args[3] as tf.GradSaveFunc;
    const y = fusedProduct(input, w, b as unknown as tf.Tensor1D, relu);
    const out = drop ? applyDropout(y, drop) : y;
    save(relu ? [input, w, out] : [input, w]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ws, ys] = saved as tf.Tensor2D[];
      const g = relu
        ? reluGrad(dy as tf.Tensor2D, ys, drop ? 1 / (1 - drop.rate) : 1)
        : (dy as tf.Tensor2D);
      const dx = tf.matMul(g, ws, false, true);
      const [dw, db] = weightGrads(xs, g);
      if (g !== dy) g.dispose();
      return [dx, dw, db];
    };
    return { value: out, gradFunc };
  });
  return op(x, weight, bias) as tf.Tensor2D;
}

/**
 * `relu?(x·W + b)` by the `_FusedMatMul` kernel directly: tf.fused.matMul declines to fuse an
 * activation while gradients are being recorded (its own gradient cannot handle it), and ours
 * does. The kernel takes rank-3 operands, as the op would pass them.
 */
function fusedProduct(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, relu: boolean): tf.Tensor2D {
  const [rows, inputs] = x.shape;
  const outputs = w.shape[1];
  const y = tf
    .engine()
    .runKernel(
      '_FusedMatMul',
      { a: x.reshape([1, rows, inputs]), b: w.reshape([1, inputs, outputs]), bias: b },
      { transposeA: false, transposeB: false, activation: relu ? 'relu' : 'linear' },
    ) as tf.Tensor3D;
  return y.reshape([rows, outputs]);
}

/** `y · mask` in one pass that also generates the mask; disposes `y`. */
function applyDropout(y: tf.Tensor2D, drop: OutputDropout): tf.Tensor2D {
  const [out] = hostCompute([y], [y.shape], ([yv], [o]) => {
    dropoutInto(o, drop.rate, drop.seed, yv as Float32Array);
  });
  y.dispose();
  return out as tf.Tensor2D;
}

/** `dy · scale` where the (ReLU, then dropout) output is positive, else 0. */
function reluGrad(dy: tf.Tensor2D, y: tf.Tensor2D, scale: number): tf.Tensor2D {
  const [g] = hostCompute([dy, y], [dy.shape], ([d, out], [r]) => {
    const kernels = heapKernels(d, out, r);
    if (kernels)
      return kernels.relu_grad(d.byteOffset, out.byteOffset, r.length, scale, r.byteOffset);
    for (let i = 0; i < r.length; i++) r[i] = out[i] > 0 ? d[i] * scale : 0;
  });
  return g as tf.Tensor2D;
}

/** `dW = xᵀ·g` (the transposed product reads `x` in place on wasm) and `db = Σ_rows g`. */
function weightGrads(x: tf.Tensor2D, g: tf.Tensor2D): [tf.Tensor2D, tf.Tensor1D] {
  return [tf.matMul(x, g, true, false), rowSum(g)];
}

/** The sum of the rows of `x [rows, cols]`: one SIMD pass on wasm, tf.sum elsewhere. */
function rowSum(x: tf.Tensor2D): tf.Tensor1D {
  const backend = activeWasm();
  const gemm = backend && backend.dataIdMap.get(x.dataId) ? gemmFor(backend) : null;
  if (!backend || !gemm) return tf.sum(x, 0);
  const [rows, cols] = x.shape;
  const out = backend.makeOutput([cols], 'float32');
  columnSums(gemm, location(backend, x).offset, rows, cols, location(backend, out).offset);
  return toTensor<tf.Tensor1D>(out);
}
