// The training-speed kernels keep the maths: the JS Transpose and Sum kernels and our BatchMatMul
// on wasm (wasm-kernels.c: transposed, batched, broadcast, blocked along k) against plain-JS references, and the fused cross-entropy, layer
// norm, linear (+ReLU, +dropout) and dropout mask against the tfjs op chains they replace —
// values and gradients, on wasm and on the cpu backend (the non-heap path).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../main/services/model/backend';
import { fusedLinear } from '../../../main/services/model/fused-linear';
import {
  dropoutMask,
  fusedCrossEntropy,
  fusedLayerNorm,
} from '../../../main/services/model/fused-ops';
import { oneHotFloat } from '../../../main/services/model/ops';
import { simplifyPermutation } from '../../../main/services/model/wasm-transpose';

beforeAll(async () => {
  await selectBackend({ force: 'wasm' });
});

afterAll(async () => {
  await tf.setBackend('wasm');
});

const maxDiff = (a: tf.Tensor, b: tf.Tensor) =>
  tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

function strides(shape: number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1] * shape[i + 1];
  return s;
}

/** Plain-JS transpose by index arithmetic. */
function referenceTranspose(data: Float32Array, shape: number[], perm: number[]): Float32Array {
  const outShape = perm.map((p) => shape[p]);
  const inStrides = strides(shape);
  const outStrides = strides(outShape);
  const out = new Float32Array(data.length);
  for (let o = 0; o < out.length; o++) {
    let from = 0;
    let rest = o;
    for (let d = 0; d < outShape.length; d++) {
      const idx = Math.floor(rest / outStrides[d]);
      rest -= idx * outStrides[d];
      from += idx * inStrides[perm[d]];
    }
    out[o] = data[from];
  }
  return out;
}

/** Plain-JS batched matmul (float64 sums) of row-major `[batch, m, k]·[batch, k, n]`. */
function referenceMatMul(
  a: Float32Array,
  b: Float32Array,
  batch: [number, number],
  m: number,
  k: number,
  n: number,
): Float32Array {
  const count = Math.max(...batch);
  const out = new Float32Array(count * m * n);
  for (let s = 0; s < count; s++) {
    const ao = (batch[0] === 1 ? 0 : s) * m * k;
    const bo = (batch[1] === 1 ? 0 : s) * k * n;
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let p = 0; p < k; p++) sum += a[ao + i * k + p] * b[bo + p * n + j];
        out[s * m * n + i * n + j] = sum;
      }
  }
  return out;
}

describe('wasm kernels in JS (wasm-transpose, wasm-reduce, wasm-matmul)', () => {
  it('transposes exactly, for matrices, batches of matrices and other permutations', () => {
    const cases: Array<[number[], number[]]> = [
      [
        [5, 7],
        [1, 0],
      ],
      [
        [33, 65],
        [1, 0],
      ],
      [
        [3, 6, 9],
        [0, 2, 1],
      ],
      [
        [3, 4, 5],
        [2, 0, 1],
      ],
      [
        [2, 3, 4, 5],
        [0, 2, 1, 3],
      ],
      [
        [2, 1, 4, 5],
        [3, 1, 0, 2],
      ],
    ];
    for (const [shape, perm] of cases) {
      const x = tf.randomNormal(shape, 0, 1, 'float32', 3);
      const expected = referenceTranspose(x.dataSync() as Float32Array, shape, perm);
      const actual = tf.transpose(x, perm);
      expect(actual.shape).toEqual(perm.map((p) => shape[p]));
      expect(Array.from(actual.dataSync())).toEqual(Array.from(expected));
      const ints = tf.cast(tf.mul(x, 100), 'int32');
      expect(Array.from(tf.transpose(ints, perm).dataSync())).toEqual(
        Array.from(referenceTranspose(ints.dataSync() as unknown as Float32Array, shape, perm)),
      );
    }
    // Size-1 axes drop out and neighbours merge: this one is a plain 8×5 matrix transpose.
    expect(simplifyPermutation([2, 1, 4, 5], [3, 1, 0, 2])).toEqual({
      shape: [8, 5],
      perm: [1, 0],
    });
  });

  it('sums over any contiguous block of axes', () => {
    const x = tf.randomNormal([4, 5, 6], 0, 1, 'float32', 5);
    const data = x.dataSync();
    for (const [axes, keep] of [
      [[0], false],
      [[0, 1], true],
      [[1], false],
      [[2], true],
      [[1, 2], false],
    ] as Array<[number[], boolean]>) {
      const y = tf.sum(x, axes, keep);
      const expected = tf.tidy(() => {
        // Reference: one-hot-free loop over every element.
        const outShape = [4, 5, 6].map((n, i) => (axes.includes(i) ? 1 : n));
        const out = new Float64Array(outShape.reduce((p, q) => p * q, 1));
        const os = strides(outShape);
        for (let i = 0; i < 4; i++)
          for (let j = 0; j < 5; j++)
            for (let k = 0; k < 6; k++) {
              const idx = [i, j, k].map((v, d) => (axes.includes(d) ? 0 : v));
              out[idx[0] * os[0] + idx[1] * os[1] + idx[2] * os[2]] += data[i * 30 + j * 6 + k];
            }
        return tf.tensor(
          Float32Array.from(out),
          keep ? outShape : outShape.filter((_, d) => !axes.includes(d)),
        );
      });
      expect(y.shape).toEqual(expected.shape);
      expect(maxDiff(y, expected)).toBeLessThan(1e-5);
    }
  });

  it('batched, broadcast, transposed and blocked products match a plain loop', () => {
    const cases: Array<{ a: number[]; b: number[]; ta: boolean; tb: boolean }> = [
      { a: [6, 32, 24], b: [6, 24, 40], ta: false, tb: false },
      { a: [6, 32, 24], b: [6, 40, 24], ta: false, tb: true },
      { a: [6, 24, 32], b: [6, 24, 40], ta: true, tb: false },
      { a: [2, 3, 32, 24], b: [2, 3, 24, 40], ta: false, tb: false },
      { a: [4, 32, 24], b: [24, 40], ta: false, tb: false },
      { a: [32, 24], b: [4, 24, 40], ta: false, tb: false },
      { a: [9, 7, 5], b: [9, 5, 3], ta: false, tb: false },
      { a: [9, 7, 5], b: [9, 3, 5], ta: false, tb: true },
      { a: [9, 5, 7], b: [9, 5, 3], ta: true, tb: false },
      { a: [2, 3, 7, 5], b: [2, 3, 5, 6], ta: false, tb: false },
      { a: [4, 7, 5], b: [5, 3], ta: false, tb: false },
      { a: [7, 5], b: [4, 5, 3], ta: false, tb: false },
      { a: [30, 20], b: [30, 90], ta: true, tb: false },
      { a: [20, 30], b: [90, 30], ta: false, tb: true },
      // Several blocks along k (256 each), and row and column tails of the 4×8 tile.
      { a: [13, 600], b: [600, 21], ta: false, tb: false },
      { a: [600, 13], b: [21, 600], ta: true, tb: true },
      { a: [3, 1, 300], b: [3, 300, 1], ta: false, tb: false },
      { a: [1, 0], b: [0, 5], ta: false, tb: false },
    ];
    for (const { a: sa, b: sb, ta, tb } of cases) {
      const a = tf.randomNormal(sa, 0, 1, 'float32', 1);
      const b = tf.randomNormal(sb, 0, 1, 'float32', 2);
      const swap = (s: number[]) => [...s.slice(0, -2), s[s.length - 1], s[s.length - 2]];
      const swapPerm = (r: number) => [...Array(r - 2).keys(), r - 1, r - 2];
      const aPlain = ta ? tf.transpose(a, swapPerm(sa.length)) : a;
      const bPlain = tb ? tf.transpose(b, swapPerm(sb.length)) : b;
      const [m, k] = (ta ? swap(sa) : sa).slice(-2);
      const n = (tb ? swap(sb) : sb).slice(-1)[0];
      const batchA = sa.slice(0, -2).reduce((p, q) => p * q, 1);
      const batchB = sb.slice(0, -2).reduce((p, q) => p * q, 1);
      const expected = referenceMatMul(
        aPlain.dataSync() as Float32Array,
        bPlain.dataSync() as Float32Array,
        [batchA, batchB],
        m,
        k,
        n,
      );
      const actual = tf.matMul(a, b, ta, tb);
      const diff = tf.tidy(
        () => tf.max(tf.abs(tf.sub(actual.reshape([-1]), tf.tensor1d(expected)))).dataSync()[0],
      );
      expect(diff).toBeLessThan(1e-4);
    }
  });
});

function referenceCrossEntropy(
  logits: tf.Tensor2D,
  labels: tf.Tensor1D,
  epsilon: number,
  padId: number,
) {
  const vocab = logits.shape[1];
  const logp = tf.logSoftmax(logits);
  const nll = tf.neg(tf.sum(tf.mul(oneHotFloat(labels, vocab), logp), -1));
  const perToken = tf.add(tf.mul(nll, 1 - epsilon), tf.mul(tf.neg(tf.mean(logp, -1)), epsilon));
  const mask = tf.notEqual(labels, tf.scalar(padId, 'int32')).cast('float32');
  const tokens = tf.sum(mask);
  return {
    loss: tf.div(tf.sum(tf.mul(perToken, mask)), tf.maximum(tokens, 1)) as tf.Scalar,
    nllSum: tf.sum(tf.mul(nll, mask)).dataSync()[0],
    tokens: tokens.dataSync()[0],
  };
}

function referenceLayerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number) {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps))), gamma), beta);
}

describe.each(['wasm', 'cpu'])('fused training ops on %s (fused-ops, fused-linear)', (name) => {
  beforeAll(async () => {
    await tf.setBackend(name);
  });

  it('cross-entropy: loss, NLL, token count and gradient equal the op chain', () => {
    const logits = tf.randomNormal([40, 300], 0, 3, 'float32', 1) as tf.Tensor2D;
    const labels = tf.tensor1d(
      Array.from({ length: 40 }, (_, i) => (i % 7 === 0 ? 0 : (i * 37) % 300)),
      'int32',
    );
    for (const epsilon of [0, 0.1]) {
      const ref = referenceCrossEntropy(logits, labels, epsilon, 0);
      const fused = fusedCrossEntropy(logits, labels, epsilon, 0);
      expect(fused.loss.dataSync()[0]).toBeCloseTo(ref.loss.dataSync()[0], 5);
      expect(fused.nllSum).toBeCloseTo(ref.nllSum, 3);
      expect(fused.tokens).toBe(ref.tokens);
      const gRef = tf.grad((x) => referenceCrossEntropy(x as tf.Tensor2D, labels, epsilon, 0).loss);
      const gFused = tf.grad((x) =>
        tf.mul(fusedCrossEntropy(x as tf.Tensor2D, labels, epsilon, 0).loss, 3),
      );
      expect(maxDiff(tf.mul(gRef(logits), 3), gFused(logits))).toBeLessThan(1e-6);
    }
  });

  it('layer norm: values and the gradients of x, gamma and beta equal the op chain', () => {
    const x = tf.randomNormal([6, 5, 16], 1, 2, 'float32', 2);
    const gamma = tf.randomNormal([16], 1, 0.3, 'float32', 3);
    const beta = tf.randomNormal([16], 0, 0.3, 'float32', 4);
    const weights = tf.randomNormal([6, 5, 16], 0, 1, 'float32', 5);
    expect(
      maxDiff(fusedLayerNorm(x, gamma, beta, 1e-5), referenceLayerNorm(x, gamma, beta, 1e-5)),
    ).toBeLessThan(1e-5);
    const ref = tf.grads((a, g, b) => tf.sum(tf.mul(referenceLayerNorm(a, g, b, 1e-5), weights)))([
      x,
      gamma,
      beta,
    ]);
    const fused = tf.grads((a, g, b) => tf.sum(tf.mul(fusedLayerNorm(a, g, b, 1e-5), weights)))([
      x,
      gamma,
      beta,
    ]);
    ref.forEach((g, i) => expect(maxDiff(g, fused[i])).toBeLessThan(1e-5));
  });

  it('linear (+ReLU, +dropout): values and all three gradients equal the op chain', () => {
    for (const [rows, inputs, outputs] of [
      [37, 20, 9],
      [37, 9, 50], // wider output: the swapped weight-gradient product
    ]) {
      const x = tf.randomNormal([rows, inputs], 0, 1, 'float32', 1) as tf.Tensor2D;
      const w = tf.randomNormal([inputs, outputs], 0, 0.3, 'float32', 2) as tf.Tensor2D;
      const b = tf.randomNormal([outputs], 0, 1, 'float32', 3) as tf.Tensor1D;
      const weights = tf.randomNormal([rows, outputs], 0, 1, 'float32', 4);
      const mask = dropoutMask([rows, outputs], 0.3, 77);
      const variants = [
        { relu: false, ref: (y: tf.Tensor) => y, drop: undefined },
        { relu: true, ref: (y: tf.Tensor) => tf.relu(y), drop: undefined },
        {
          relu: true,
          ref: (y: tf.Tensor) => tf.mul(tf.relu(y), mask),
          drop: { rate: 0.3, seed: 77 },
        },
      ];
      for (const { relu, ref, drop } of variants) {
        const plain = (a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) =>
          ref(tf.add(tf.matMul(a as tf.Tensor2D, c as tf.Tensor2D), d));
        const fused = (a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) =>
          fusedLinear(a as tf.Tensor2D, c as tf.Tensor2D, d as tf.Tensor1D, relu, drop);
        expect(maxDiff(plain(x, w, b), fused(x, w, b))).toBeLessThan(1e-5);
        const gPlain = tf.grads((a, c, d) => tf.sum(tf.mul(plain(a, c, d), weights)))([x, w, b]);
        const gFused = tf.grads((a, c, d) => tf.sum(tf.mul(fused(a, c, d), weights)))([x, w, b]);
        gPlain.forEach((g, i) => expect(maxDiff(g, gFused[i])).toBeLessThan(1e-4));
      }
    }
  });

  it('dropout masks: the rate, the 1/(1−rate) scale, one mask per seed', () => {
    const mask = dropoutMask([1000, 100], 0.1, 42);
    const values = mask.dataSync();
    const zeros = values.filter((v) => v === 0).length / values.length;
    expect(zeros).toBeGreaterThan(0.095);
    expect(zeros).toBeLessThan(0.105);
    expect(values.find((v) => v !== 0)).toBeCloseTo(1 / 0.9, 6);
    expect(maxDiff(mask, dropoutMask([1000, 100], 0.1, 42))).toBe(0);
    expect(maxDiff(mask, dropoutMask([1000, 100], 0.1, 43))).toBeGreaterThan(0);
  });
});
