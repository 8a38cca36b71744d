/**
 * `y = x·W + b` (optionally followed by ReLU) as one op with a hand-written gradient.
 *
 * Forward: tfjs's `_FusedMatMul` kernel, which on wasm is one XNNPACK product with the bias and
 * the ReLU clamp applied inside (no separate Add and Relu ops).
 *
 * Backward: `dx = dy·Wᵀ`, and the weight and bias gradients from a single product
 * `[x | 1]ᵀ·dy = [dW; db]`. The stock gradients ran a separate reduction for every bias (a Sum
 * over the rows of `dy`, ~10 M elements per small-model step) and, on wasm, transposed `x` for
 * every `xᵀ·dy`; here the transpose we need anyway carries a row of ones, so the bias gradient
 * comes out of the product for 1/in of its cost. When the output is wider than the input (the
 * generator, the first feed-forward layer), the product is taken as `dyᵀ·[x | 1]` instead, so
 * that XNNPACK packs the narrow `[x | 1]` rather than the wide `dy` (its packing of the right
 * operand costs about three transposes per element here; see wasm-matmul.ts).
 *
 * Same maths as `relu(matMul(x, W) + b)` with tfjs's gradients, to float32 rounding (checked in
 * fused-ops.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { fillDropoutMask } from './fused-ops';
import { hostCompute, recordingGradients } from './host-tensors';
import { transposeRows } from './wasm-transpose';

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
    fillDropoutMask(o, drop.rate, drop.seed);
    for (let i = 0; i < o.length; i++) o[i] *= yv[i];
  });
  y.dispose();
  return out as tf.Tensor2D;
}

/** `dy · scale` where the (ReLU, then dropout) output is positive, else 0. */
function reluGrad(dy: tf.Tensor2D, y: tf.Tensor2D, scale: number): tf.Tensor2D {
  const [g] = hostCompute([dy, y], [dy.shape], ([d, out], [r]) => {
    for (let i = 0; i < r.length; i++) r[i] = out[i] > 0 ? d[i] * scale : 0;
  });
  return g as tf.Tensor2D;
}

/** Whether `dyᵀ·[x | 1]` moves less data than `[x | 1]ᵀ·dy` (see the header). */
export function productIsSwapped(rows: number, inputs: number, outputs: number): boolean {
  const pack = 3;
  const direct = rows * (inputs + 1) + pack * rows * outputs;
  const swapped = rows * outputs + rows * (inputs + 1) * (1 + pack) + outputs * inputs;
  return swapped < direct;
}

/** `dW = xᵀ·g` and `db = Σ_rows g` through one matrix product. */
function weightGrads(x: tf.Tensor2D, g: tf.Tensor2D): [tf.Tensor2D, tf.Tensor1D] {
  const [rows, inputs] = x.shape;
  const outputs = g.shape[1];
  const ones = inputs + 1;
  if (!productIsSwapped(rows, inputs, outputs)) {
    // [x | 1]ᵀ: `[in + 1, rows]`, the last row all ones.
    const [xt] = hostCompute([x], [[ones, rows]], ([xv], [t]) => {
      transposeRows(xv as Float32Array, rows, inputs, t);
      t.fill(1, inputs * rows, ones * rows);
    });
    const product = tf.matMul(xt as tf.Tensor2D, g);
    xt.dispose();
    const [dw, db] = hostCompute([product], [[inputs, outputs], [outputs]], ([p], [w, b]) => {
      w.set(p.subarray(0, inputs * outputs));
      b.set(p.subarray(inputs * outputs, ones * outputs));
    });
    product.dispose();
    return [dw as tf.Tensor2D, db as tf.Tensor1D];
  }
  // gᵀ `[out, rows]` times [x | 1] `[rows, in + 1]` = [dW; db]ᵀ `[out, in + 1]`.
  const [gt, x1] = hostCompute(
    [g, x],
    [
      [outputs, rows],
      [rows, ones],
    ],
    ([gv, xv], [t, xo]) => {
      transposeRows(gv as Float32Array, rows, outputs, t);
      appendOnes(xv as Float32Array, rows, inputs, xo);
    },
  );
  const product = tf.matMul(gt as tf.Tensor2D, x1 as tf.Tensor2D);
  tf.dispose([gt, x1]);
  const [dw, db] = hostCompute([product], [[inputs, outputs], [outputs]], ([p], [w, b]) => {
    transposeRows((p as Float32Array).subarray(0, outputs * ones), outputs, ones, w, inputs);
    for (let o = 0; o < outputs; o++) b[o] = p[o * ones + inputs];
  });
  product.dispose();
  return [dw as tf.Tensor2D, db as tf.Tensor1D];
}

/** `out [rows, cols + 1]` = x with a column of ones appended. */
function appendOnes(x: Float32Array, rows: number, cols: number, out: Float32Array): void {
  for (let r = 0; r < rows; r++) {
    const from = r * cols;
    const to = r * (cols + 1);
    for (let c = 0; c < cols; c++) out[to + c] = x[from + c];
    out[to + cols] = 1;
  }
}
