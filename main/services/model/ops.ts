/**
 * Tensor building blocks for the Transformer that need care on the WebAssembly backend:
 * an embedding lookup with its own gradient, a float one-hot that is correct on wasm, linear maps
 * kept 2-D (one plain product for our wasm kernels), layer normalisation, seeded dropout and the
 * label-smoothed cross-entropy that ignores padding.
 */
import * as tf from '@tensorflow/tfjs';
import { fusedLinear } from './fused-linear';
import { dropoutMask, fusedCrossEntropy, fusedLayerNorm } from './fused-ops';
import { hostCompute } from './host-tensors';
import { hashSeed } from './rng';

/**
 * `E[ids]` with a gradient built from `scatterND` (duplicates are summed). The stock gradient of
 * `tf.gather` uses UnsortedSegmentSum, which has no wasm kernel (tensorflow/tfjs#8082), so
 * embedding training fails on wasm without this.
 */
export function embeddingLookup(table: tf.Tensor, ids: tf.Tensor): tf.Tensor2D {
  const flat = ids.reshape([-1, 1]).toInt();
  const lookup = tf.customGrad<tf.Tensor2D>((...args) => {
    const e = args[0] as tf.Tensor2D;
    const save = args[1] as tf.GradSaveFunc;
    // The forward scope ends before back-propagation: keep the indices alive through `save`.
    save([flat]);
    // Rows copied in JS: the wasm Gather kernel took ~9 ms for 1024 rows of a 4000×128 table.
    const [rows, d] = [flat.shape[0], e.shape[1]];
    const size = e.shape[0];
    const [value] = hostCompute([e, flat], [[rows, d]], ([table, ids], [out]) => {
      for (let r = 0; r < rows; r++) {
        if (!(ids[r] >= 0 && ids[r] < size)) {
          throw new Error(`token id ${ids[r]} is outside the embedding table (0–${size - 1})`);
        }
        const from = ids[r] * d;
        for (let j = 0; j < d; j++) out[r * d + j] = table[from + j];
      }
    }) as tf.Tensor2D[];
    const gradFunc = (dy: tf.Tensor2D, saved: tf.Tensor[]) => tf.scatterND(saved[0], dy, e.shape);
    return { value, gradFunc };
  });
  return lookup(table);
}

/**
 * One-hot as float32. `tf.oneHot(..., 'float32')` returns about 1.4e-45 instead of 1 on wasm
 * 4.22 (the int bits reinterpreted as a float; measured in the team design note model-speed.md), which
 * silently drives a cross-entropy to zero. Built as int32 and cast, it is right everywhere.
 */
export function oneHotFloat(labels: tf.Tensor1D, depth: number): tf.Tensor2D {
  return tf.cast(tf.oneHot(labels, depth, 1, 0, 'int32'), 'float32') as tf.Tensor2D;
}

/**
 * `x · W + b` on a `[rows, in]` matrix (2-D keeps the wasm matmul on its fast path), with an
 * optional ReLU. With a bias it is one fused op whose gradient yields dW and db from a single
 * product (fused-linear.ts).
 */
export function linear(
  x: tf.Tensor2D,
  weight: tf.Tensor,
  bias?: tf.Tensor,
  relu = false,
): tf.Tensor2D {
  if (bias) return fusedLinear(x, weight as tf.Tensor2D, bias as tf.Tensor1D, relu);
  const y: tf.Tensor2D = tf.matMul(x, weight as tf.Tensor2D);
  return relu ? tf.relu(y) : y;
}

/** `dropout(relu(x · W + b))` as one op (the feed-forward block's first layer). */
export function linearReluDropout(
  x: tf.Tensor2D,
  weight: tf.Tensor,
  bias: tf.Tensor,
  drop: DropoutContext,
): tf.Tensor2D {
  return fusedLinear(x, weight as tf.Tensor2D, bias as tf.Tensor1D, true, drop.next());
}

/**
 * Post-LN normalisation over the last axis, biased variance as PyTorch (one fused op with its
 * own gradient; the tfjs op chain cost ~35 kernels per norm in training, see fused-ops.ts).
 */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor {
  return fusedLayerNorm(x, gamma, beta, eps);
}

/**
 * Dropout seeds for one forward pass: each call gets `hash(seed, n)`, so masks depend only on the
 * step's seed and the call's position, never on other random draws (exact resume).
 */
export class DropoutContext {
  #n = 0;
  constructor(
    readonly rate: number,
    readonly seed: number,
  ) {}

  /** The next dropout's rate and seed, for ops that apply dropout themselves. */
  next(): { rate: number; seed: number } | undefined {
    if (this.rate <= 0) return undefined;
    return { rate: this.rate, seed: hashSeed(this.seed, this.#n++) };
  }

  apply<T extends tf.Tensor>(x: T): T {
    if (this.rate <= 0) return x;
    // A hashed mask times x: one Mul each way (tf.dropout drew uniforms with alea in JS and ran
    // four ops; see fused-ops.ts).
    return tf.mul(x, dropoutMask(x.shape, this.rate, hashSeed(this.seed, this.#n++))) as T;
  }
}

export interface LossParts {
  /** Label-smoothed loss averaged over non-padding tokens (the training objective). */
  loss: tf.Scalar;
  /** Sum of the unsmoothed negative log-likelihood over non-padding tokens. */
  nllSum: tf.Scalar;
  /** Number of non-padding tokens. */
  tokens: tf.Scalar;
}

/**
 * Cross-entropy with label smoothing ε (PyTorch's convention: target (1-ε)·onehot + ε/V),
 * ignoring positions whose label is `padId`. One fused op with its own gradient
 * (fused-ops.ts): the op chain over `[tokens, vocabulary]` tensors was the costliest part of a
 * small-model training step on wasm.
 */
export function smoothedCrossEntropy(
  logits: tf.Tensor2D,
  labels: tf.Tensor1D,
  epsilon: number,
  padId: number,
): LossParts {
  const { loss, nllSum, tokens } = fusedCrossEntropy(logits, labels, epsilon, padId);
  return { loss, nllSum: tf.scalar(nllSum), tokens: tf.scalar(tokens) };
}
