/**
 * Fused training ops with hand-written gradients, computed as JS loops over tensor memory
 * (host-tensors.ts). Each replaces a chain of tfjs ops whose cost on the wasm backend was mostly
 * per-op engine overhead, slow scalar element-wise kernels and gradient bookkeeping (the stock
 * gradients of Mean and Sum build a JS array of ones the size of the input):
 *
 * - `fusedCrossEntropy`: softmax (one backend kernel), then label smoothing, padding mask and
 *   mean over the 4,000-word vocabulary in one JS pass that also writes the gradient
 *   `mask/T · (softmax − target)`; the backward is then a single scale. Before: ~30 ops over
 *   `[1024, 4000]` tensors and two wasm Exp passes at ~15 ns per element.
 * - `fusedLayerNorm`: layer normalisation and its analytic gradient (~10 forward and ~25
 *   backward ops before).
 * - `dropoutMask`: a keep/scale mask from a counter-based hash of (seed, index), so a dropout is
 *   one Mul forward and one backward instead of tfjs's seeded uniform draw (alea in JS) and four
 *   ops.
 *
 * On the wasm backend the element-wise passes run as SIMD loops in wasm-kernels.c (summing in
 * float32); the JS loops here are their twins for other backends (summing in float64). Both equal
 * the op chains they replace to float32 rounding (checked against them in fused-ops.test.ts),
 * the dropout masks bit for bit; everything is deterministic.
 */
import * as tf from '@tensorflow/tfjs';
import { hostCompute, recordingGradients } from './host-tensors';
import { heapKernels } from './wasm-kernels';

export interface FusedLoss {
  /** Label-smoothed loss averaged over non-padding tokens (differentiable w.r.t. the logits). */
  loss: tf.Scalar;
  /** Sum of the unsmoothed negative log-likelihood over non-padding tokens. */
  nllSum: number;
  /** Number of non-padding tokens. */
  tokens: number;
}

/**
 * Cross-entropy of `logits [rows, vocab]` against `labels [rows]` with label smoothing ε
 * (PyTorch's convention: target (1-ε)·onehot + ε/V), ignoring rows whose label is `padId`.
 */
export function fusedCrossEntropy(
  logits: tf.Tensor2D,
  labels: tf.Tensor1D,
  epsilon: number,
  padId: number,
): FusedLoss {
  const [rows, vocab] = logits.shape;
  const ids = labels.dataSync() as Int32Array;
  let tokens = 0;
  for (let r = 0; r < rows; r++) if (ids[r] !== padId) tokens++;
  const stats = { loss: 0, nllSum: 0 };
  const op = tf.customGrad((...args) => {
    const x = args[0] as tf.Tensor2D;
    const save = args[1] as tf.GradSaveFunc;
    // The exponentials come from the backend's softmax (XNNPACK's vectorised one on wasm, ~5×
    // faster than Math.exp in JS); everything else is one pass (SIMD on the wasm heap, see
    // crossEntropyRows) that also writes the gradient, plus a log per row.
    const probs = tf.softmax(x);
    const [grad, sums] = hostCompute([x, probs], [[rows, vocab], [rows]], ([input, p], [g, s]) => {
      crossEntropyRows(
        input as Float32Array,
        p as Float32Array,
        ids,
        { rows, vocab, epsilon, padId, tokens },
        g,
        stats,
        s,
      );
    });
    tf.dispose([probs, sums]);
    save([grad]);
    const value = tf.scalar(stats.loss);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(saved[0], dy);
    return { value, gradFunc };
  });
  const loss = op(logits) as tf.Scalar;
  return { loss, nllSum: stats.nllSum, tokens };
}

export interface CrossEntropyShape {
  rows: number;
  vocab: number;
  epsilon: number;
  padId: number;
  /** Number of rows whose label is not `padId`. */
  tokens: number;
}

/**
 * The loop of `fusedCrossEntropy` from the logits `x` and their softmax `p`: fills `g` with
 * d(loss)/d(logits) and sets the sums. Per row, with `log p_y = x_y − logZ`:
 * `nll = −log p_y` and `−mean(log p) = logZ − mean(x)`, so one log per row suffices.
 */
export function crossEntropyRows(
  x: Float32Array,
  p: Float32Array,
  ids: Int32Array,
  shape: CrossEntropyShape,
  g: Float32Array,
  stats: { loss: number; nllSum: number },
  sums?: Float32Array,
): void {
  const { rows, vocab, epsilon, padId, tokens } = shape;
  const denominator = Math.max(tokens, 1);
  const scale = 1 / denominator;
  const shift = epsilon / vocab / denominator;
  // The bulk pass (g and the row sums of x) in SIMD when the arrays are on the wasm heap.
  const kernels = sums ? heapKernels(x, p, g, sums) : null;
  if (kernels && sums) {
    kernels.cross_entropy_rows(
      x.byteOffset,
      p.byteOffset,
      rows,
      vocab,
      scale,
      shift,
      g.byteOffset,
      sums.byteOffset,
    );
  }
  let loss = 0;
  let nllSum = 0;
  for (let r = 0; r < rows; r++) {
    const base = r * vocab;
    const y = ids[r];
    if (y === padId) {
      g.fill(0, base, base + vocab);
      continue;
    }
    let sumX = 0;
    if (kernels && sums) {
      sumX = sums[r];
    } else {
      for (let j = 0; j < vocab; j++) {
        sumX += x[base + j];
        g[base + j] = p[base + j] * scale - shift;
      }
    }
    g[base + y] -= (1 - epsilon) * scale;
    let nll = -Math.log(p[base + y]);
    if (!(nll < 80)) nll = rowLogSumExp(x, base, vocab) - x[base + y]; // p_y underflowed
    const logZ = nll + x[base + y];
    loss += (1 - epsilon) * nll + epsilon * (logZ - sumX / vocab);
    nllSum += nll;
  }
  stats.loss = loss / denominator;
  stats.nllSum = nllSum;
}

function rowLogSumExp(x: Float32Array, base: number, vocab: number): number {
  let max = -Infinity;
  for (let j = 0; j < vocab; j++) if (x[base + j] > max) max = x[base + j];
  let sum = 0;
  for (let j = 0; j < vocab; j++) sum += Math.exp(x[base + j] - max);
  return max + Math.log(sum);
}

/** Post-LN layer normalisation over the last axis (biased variance, as PyTorch). */
export function fusedLayerNorm(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  eps: number,
): tf.Tensor {
  const shape = x.shape;
  const d = shape[shape.length - 1];
  const rows = x.size / d;
  // y, and xhat and 1/σ per row (which the backward pass keeps).
  const forward = (input: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
    hostCompute([input, g, b], [shape, [rows, d], [rows]], (ins, outs) =>
      layerNormRows(
        ins[0] as Float32Array,
        ins[1] as Float32Array,
        ins[2] as Float32Array,
        rows,
        d,
        eps,
        outs[0],
        outs[1],
        outs[2],
      ),
    );
  if (!recordingGradients()) {
    const [y, ...kept] = forward(x, gamma, beta);
    tf.dispose(kept);
    return y;
  }
  const op = tf.customGrad((...args) => {
    const [input, g, b] = args as tf.Tensor[];
    const save = args[3] as tf.GradSaveFunc;
    const [y, xhat, rstd] = forward(input, g, b);
    save([xhat, rstd, g]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) =>
      hostCompute([dy, ...saved], [shape, [d], [d]], (ins, outs) =>
        layerNormGradRows(
          ins[0] as Float32Array,
          ins[1] as Float32Array,
          ins[2] as Float32Array,
          ins[3] as Float32Array,
          rows,
          d,
          outs[0],
          outs[1],
          outs[2],
        ),
      );
    return { value: y, gradFunc };
  });
  return op(x, gamma, beta);
}

export function layerNormRows(
  x: Float32Array,
  gamma: Float32Array,
  beta: Float32Array,
  rows: number,
  d: number,
  eps: number,
  y: Float32Array,
  xhat: Float32Array,
  rstd: Float32Array,
): void {
  const kernels = d % 4 === 0 ? heapKernels(x, gamma, beta, y, xhat, rstd) : null;
  if (kernels) {
    const at = (a: Float32Array) => a.byteOffset;
    return kernels.layer_norm(at(x), at(gamma), at(beta), rows, d, eps, at(y), at(xhat), at(rstd));
  }
  for (let r = 0; r < rows; r++) {
    const base = r * d;
    let sum = 0;
    for (let j = 0; j < d; j++) sum += x[base + j];
    const mean = sum / d;
    let squares = 0;
    for (let j = 0; j < d; j++) {
      const c = x[base + j] - mean;
      squares += c * c;
    }
    const s = 1 / Math.sqrt(squares / d + eps);
    rstd[r] = s;
    for (let j = 0; j < d; j++) {
      const h = (x[base + j] - mean) * s;
      xhat[base + j] = h;
      y[base + j] = h * gamma[j] + beta[j];
    }
  }
}

/**
 * `dx = rstd · (dy·γ − mean(dy·γ) − x̂ · mean(dy·γ·x̂))` per row, `dγ = Σ dy·x̂`, `dβ = Σ dy`.
 */
export function layerNormGradRows(
  dy: Float32Array,
  xhat: Float32Array,
  rstd: Float32Array,
  gamma: Float32Array,
  rows: number,
  d: number,
  dx: Float32Array,
  dGamma: Float32Array,
  dBeta: Float32Array,
): void {
  const kernels = d % 4 === 0 ? heapKernels(dy, xhat, rstd, gamma, dx, dGamma, dBeta) : null;
  if (kernels) {
    const at = (a: Float32Array) => a.byteOffset;
    return kernels.layer_norm_grad(
      at(dy),
      at(xhat),
      at(rstd),
      at(gamma),
      rows,
      d,
      at(dx),
      at(dGamma),
      at(dBeta),
    );
  }
  const accGamma = new Float64Array(d);
  const accBeta = new Float64Array(d);
  for (let r = 0; r < rows; r++) {
    const base = r * d;
    let meanG = 0;
    let meanGX = 0;
    for (let j = 0; j < d; j++) {
      const dyj = dy[base + j];
      const h = xhat[base + j];
      const gj = dyj * gamma[j];
      meanG += gj;
      meanGX += gj * h;
      accGamma[j] += dyj * h;
      accBeta[j] += dyj;
    }
    meanG /= d;
    meanGX /= d;
    const s = rstd[r];
    for (let j = 0; j < d; j++) {
      dx[base + j] = s * (dy[base + j] * gamma[j] - meanG - xhat[base + j] * meanGX);
    }
  }
  dGamma.set(accGamma);
  dBeta.set(accBeta);
}

/**
 * Dropout's multiplier for `shape`: 0 with probability `rate`, else 1/(1−rate), from a
 * counter-based hash of (seed, index): the mask depends only on the seed, never on earlier draws.
 */
export function dropoutMask(shape: number[], rate: number, seed: number): tf.Tensor {
  const [mask] = hostCompute([], [shape], (_, [out]) => dropoutInto(out, rate, seed));
  return mask;
}

/**
 * `out = y · mask` (or the bare mask without `y`), in SIMD on the wasm heap (bit-identical to
 * `fillDropoutMask`), else in JS.
 */
export function dropoutInto(out: Float32Array, rate: number, seed: number, y?: Float32Array): void {
  const kernels = y ? heapKernels(out, y) : heapKernels(out);
  if (kernels) {
    const threshold = Math.round(rate * 65536);
    kernels.dropout(
      y ? y.byteOffset : 0,
      out.length,
      threshold,
      1 / (1 - rate),
      seed >>> 0,
      out.byteOffset,
    );
    return;
  }
  fillDropoutMask(out, rate, seed);
  if (y) for (let i = 0; i < out.length; i++) out[i] *= y[i];
}

/** Fills `out` with dropout multipliers (see `dropoutMask`). */
export function fillDropoutMask(out: Float32Array, rate: number, seed: number): void {
  // 16 random bits decide each element (rate resolution 1/65536), two elements per hash.
  const threshold = Math.round(rate * 65536);
  const keep = 1 / (1 - rate);
  const s = seed >>> 0;
  const n = out.length;
  for (let i = 0; i < n; i += 2) {
    // murmur3's 32-bit finaliser over (seed + k·golden ratio): a well-mixed uint32 per pair.
    let h = (s + Math.imul(i >>> 1, 0x9e3779b9)) | 0;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    h ^= h >>> 16;
    out[i] = (h & 0xffff) < threshold ? 0 : keep;
    if (i + 1 < n) out[i + 1] = h >>> 16 < threshold ? 0 : keep;
  }
}
