/**
 * Tensor building blocks for the Transformer that need care on the WebAssembly backend:
 * an embedding lookup with its own gradient, a float one-hot that is correct on wasm, linear maps
 * kept 2-D (so the matmul reaches XNNPACK), layer normalisation, seeded dropout and the
 * label-smoothed cross-entropy that ignores padding.
 */
import * as tf from '@tensorflow/tfjs';
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
    const value = tf.gather(e, flat.reshape([-1])) as tf.Tensor2D;
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

/** `x · W + b` on a `[rows, in]` matrix (2-D keeps the wasm matmul on its fast path). */
export function linear(x: tf.Tensor2D, weight: tf.Tensor, bias?: tf.Tensor): tf.Tensor2D {
  const y: tf.Tensor2D = tf.matMul(x, weight as tf.Tensor2D);
  return bias ? tf.add<tf.Tensor2D>(y, bias) : y;
}

/** Post-LN normalisation over the last axis, biased variance as PyTorch. */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps))), gamma), beta);
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

  apply<T extends tf.Tensor>(x: T): T {
    if (this.rate <= 0) return x;
    return tf.dropout(x, this.rate, undefined, hashSeed(this.seed, this.#n++)) as T;
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
 * ignoring positions whose label is `padId`.
 */
export function smoothedCrossEntropy(
  logits: tf.Tensor2D,
  labels: tf.Tensor1D,
  epsilon: number,
  padId: number,
): LossParts {
  const vocab = logits.shape[1];
  const logp = tf.logSoftmax(logits);
  const target = oneHotFloat(labels, vocab);
  const nll = tf.neg(tf.sum(tf.mul(target, logp), -1));
  const perToken =
    epsilon > 0
      ? tf.add(tf.mul(nll, 1 - epsilon), tf.mul(tf.neg(tf.mean(logp, -1)), epsilon))
      : nll;
  const mask = tf.notEqual(labels, tf.scalar(padId, 'int32')).cast('float32');
  const tokens = tf.sum(mask);
  const loss = tf.div(tf.sum(tf.mul(perToken, mask)), tf.maximum(tokens, 1)) as tf.Scalar;
  return { loss, nllSum: tf.sum(tf.mul(nll, mask)) as tf.Scalar, tokens: tokens as tf.Scalar };
}
