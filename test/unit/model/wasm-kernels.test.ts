// Our WebAssembly products (wasm-kernels.c): the committed module is the one the C source builds,
// it binds to tfjs-backend-wasm's heap, and the fused product (bias, ReLU, accumulate) and the
// column sums match float64 loops.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../main/services/model/backend';
import {
  columnSums,
  gemmFor,
  packRight,
  productPacked,
  reservePacking,
  standaloneKernels,
} from '../../../main/services/model/wasm-kernels';
import { adamUpdate, sumOfSquares } from '../../../main/services/model/optimizer';
import { combineInto } from '../../../main/services/model/parallel';
import type { AdamConstants } from '../../../main/services/model/optimizer';
import {
  KERNELS_SOURCE_SHA256,
  KERNELS_WASM_BASE64,
} from '../../../main/services/model/wasm-kernels-binary';
import { activeWasm, location } from '../../../main/services/model/wasm-heap';
import {
  dropoutInto,
  fillDropoutMask,
  layerNormGradRows,
  layerNormRows,
} from '../../../main/services/model/fused-ops';
import { hostCompute } from '../../../main/services/model/host-tensors';

const root = join(__dirname, '..', '..', '..');
const source = join(root, 'main/services/model/wasm-kernels.c');

function toolchain(): string | null {
  for (const tool of ['clang', 'wasm-ld', 'wasm2wat']) {
    try {
      execFileSync('which', [tool], { stdio: 'ignore' });
    } catch {
      return `${tool} is not installed (apt-get install clang lld wabt)`;
    }
  }
  return null;
}
const missingTool = toolchain();

beforeAll(async () => {
  await selectBackend({ force: 'wasm' });
});

describe('the committed module', () => {
  it('was built from the current wasm-kernels.c (rerun scripts/build-wasm-kernels.mjs after editing it)', () => {
    const hash = createHash('sha256').update(readFileSync(source)).digest('hex');
    expect(hash).toBe(KERNELS_SOURCE_SHA256);
  });

  it('imports only the heap and exports its entry points', () => {
    const module = new WebAssembly.Module(Buffer.from(KERNELS_WASM_BASE64, 'base64'));
    expect(WebAssembly.Module.imports(module)).toEqual([
      { module: 'env', name: 'memory', kind: 'memory' },
    ]);
    expect(
      WebAssembly.Module.exports(module)
        .map((e) => e.name)
        .sort(),
    ).toEqual([
      'adam',
      'add_scaled',
      'column_sums',
      'cross_entropy_rows',
      'dropout',
      'gemm',
      'layer_norm',
      'layer_norm_grad',
      'pack_b',
      'relu_grad',
      'scale_into',
      'sum_squares',
    ]);
  });

  it.skipIf(missingTool !== null)(
    `is byte for byte what clang builds now${missingTool ? ` (skipped: ${missingTool})` : ''}`,
    async () => {
      const script = '../../../scripts/build-wasm-kernels.mjs';
      const { compileGemm } = (await import(script)) as {
        compileGemm: () => Buffer;
      };
      expect(compileGemm().toString('base64')).toBe(KERNELS_WASM_BASE64);
    },
  );
});

/** float64 `[c +] op(a)·op(b) [+ bias] [relu]` on row-major arrays. */
function reference(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  o: { ta: boolean; tb: boolean; c?: Float32Array; bias?: Float32Array; relu?: boolean },
): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = o.c ? o.c[i * n + j] : 0;
      for (let p = 0; p < k; p++)
        s += (o.ta ? a[p * m + i] : a[i * k + p]) * (o.tb ? b[j * k + p] : b[p * n + j]);
      if (o.bias) s += o.bias[j];
      out[i * n + j] = o.relu ? Math.max(0, s) : s;
    }
  return out;
}

describe('products on the tfjs heap', () => {
  it('binds to the wasm backend (training would fall back to the slow shipped kernels)', () => {
    const backend = activeWasm();
    expect(backend).not.toBeNull();
    expect(gemmFor(backend!)).not.toBeNull();
  });

  it.each([
    [5, 300, 13, false, false],
    [9, 7, 8, true, false],
    [4, 513, 17, true, true],
    [1, 1, 1, false, true],
    [130, 33, 40, false, false],
  ])(
    'm %i, k %i, n %i (ta %s, tb %s): accumulate, bias and ReLU in the store',
    (m, k, n, ta, tb) => {
      const backend = activeWasm()!;
      const gemm = gemmFor(backend)!;
      const a = tf.randomNormal(ta ? [k, m] : [m, k], 0, 1, 'float32', 3);
      const b = tf.randomNormal(tb ? [n, k] : [k, n], 0, 1, 'float32', 4);
      const bias = tf.randomNormal([n], 0, 1, 'float32', 5);
      const c = tf.randomNormal([m, n], 0, 1, 'float32', 6);
      const before = c.dataSync().slice() as Float32Array;
      reservePacking(gemm, k, n);
      const packed = packRight(
        gemm,
        { offset: location(backend, b).offset, ld: tb ? k : n, transposed: tb },
        k,
        n,
      );
      productPacked(
        gemm,
        {
          offset: location(backend, a).offset,
          rowStride: ta ? 1 : k,
          colStride: ta ? m : 1,
        },
        packed,
        location(backend, c).offset,
        n,
        m,
        k,
        n,
        { accumulate: true, bias: location(backend, bias).offset, relu: true },
      );
      const expected = reference(
        a.dataSync() as Float32Array,
        b.dataSync() as Float32Array,
        m,
        k,
        n,
        { ta, tb, c: before, bias: bias.dataSync() as Float32Array, relu: true },
      );
      const actual = c.dataSync();
      let worst = 0;
      for (let i = 0; i < expected.length; i++)
        worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
      expect(worst).toBeLessThan(1e-4 * Math.sqrt(k));
      expect(actual.some((v) => v === 0)).toBe(true); // the ReLU clipped something
      tf.dispose([a, b, bias, c]);
    },
  );

  it('the fused kernel: relu(x·W + b) as tfjs computes it, and column sums', () => {
    const x = tf.randomNormal([37, 70], 0, 1, 'float32', 7);
    const w = tf.randomNormal([70, 45], 0, 1, 'float32', 8);
    const bias = tf.randomNormal([45], 0, 1, 'float32', 9);
    const fused = tf.fused.matMul({ a: x, b: w, bias, activation: 'relu' });
    const plain = tf.relu(tf.add(tf.matMul(x, w), bias));
    expect(tf.max(tf.abs(tf.sub(fused, plain))).dataSync()[0]).toBeLessThan(1e-5);

    const backend = activeWasm()!;
    const out = tf.zeros([45]);
    columnSums(
      gemmFor(backend)!,
      location(backend, w).offset,
      70,
      45,
      location(backend, out).offset,
    );
    const expected = tf.sum(w, 0);
    expect(tf.max(tf.abs(tf.sub(out, expected))).dataSync()[0]).toBeLessThan(1e-4);
    tf.dispose([x, w, bias, fused, plain, out, expected]);
  });
});

describe('element-wise passes against their JS twins', () => {
  /** Runs `fill` on heap views (wasm kernels) and on plain arrays (JS loops). */
  function both(
    inputs: Float32Array[],
    outputs: number[],
    fill: (ins: Float32Array[], outs: Float32Array[]) => void,
  ): [Float32Array[], Float32Array[]] {
    const tensors = inputs.map((a) => tf.tensor1d(a));
    const [heap] = [
      hostCompute(
        tensors,
        outputs.map((n) => [n]),
        (ins, outs) => fill(ins as Float32Array[], outs),
      ),
    ];
    const onHeap = heap.map((t) => t.dataSync() as Float32Array);
    const plain = outputs.map((n) => new Float32Array(n));
    fill(inputs, plain);
    tf.dispose([...tensors, ...heap]);
    return [onHeap, plain];
  }

  it('dropout masks are bit for bit those of the JS hash, with and without an input', () => {
    for (const [n, rate, seed] of [
      [1001, 0.1, 7],
      [4096, 0.3, 0xfffffff0],
      [9, 0.5, 123],
    ]) {
      const y = Float32Array.from({ length: n }, (_, i) => Math.sin(i) + 2);
      const [wasm, js] = both([y], [n, n], ([yv], [mask, scaled]) => {
        dropoutInto(mask, rate, seed);
        dropoutInto(scaled, rate, seed, yv);
      });
      const reference = new Float32Array(n);
      fillDropoutMask(reference, rate, seed);
      expect(Array.from(wasm[0])).toEqual(Array.from(reference));
      expect(Array.from(js[0])).toEqual(Array.from(reference));
      expect(Array.from(wasm[1])).toEqual(Array.from(js[1]));
    }
  });

  it('layer norm and its gradient agree with the float64 JS loops', () => {
    const rows = 7;
    const d = 12;
    const x = Float32Array.from({ length: rows * d }, (_, i) => Math.cos(i * 1.3) * 3);
    const gamma = Float32Array.from({ length: d }, (_, i) => 0.5 + i / d);
    const beta = Float32Array.from({ length: d }, (_, i) => i / 10 - 0.3);
    const dy = Float32Array.from({ length: rows * d }, (_, i) => Math.sin(i * 0.7));
    const [wasm, js] = both(
      [x, gamma, beta, dy],
      [rows * d, rows * d, rows, rows * d, d, d],
      (ins, outs) => {
        const [xv, g, b, dyv] = ins;
        const [y, xhat, rstd, dx, dg, db] = outs;
        layerNormRows(xv, g, b, rows, d, 1e-5, y, xhat, rstd);
        layerNormGradRows(dyv, xhat, rstd, g, rows, d, dx, dg, db);
      },
    );
    for (let k = 0; k < wasm.length; k++) {
      for (let i = 0; i < wasm[k].length; i++) expect(wasm[k][i]).toBeCloseTo(js[k][i], 4);
    }
  });
});

describe('the optimizer kernels', () => {
  it('sum of squares and the Adam step are bit for bit the JS loops they replaced', () => {
    const n = 1003;
    const { exports: k, memory } = standaloneKernels(4 * 4 * n);
    const view = (i: number) => new Float32Array(memory.buffer, i * n * 4, n);
    const [w, m, v, g] = [0, 1, 2, 3].map(view);
    const init = (a: Float32Array, f: (i: number) => number) => a.forEach((_, i) => (a[i] = f(i)));
    init(w, (i) => Math.sin(i) * 0.1);
    init(m, (i) => Math.cos(i) * 1e-3);
    init(v, (i) => (1 + Math.sin(i * 3)) * 1e-6);
    init(g, (i) => Math.sin(i * 0.37) * 0.05);
    const js = { w: w.slice(), m: m.slice(), v: v.slice() };
    expect(k.sum_squares(g.byteOffset, n)).toBe(sumOfSquares(g));
    const constants: AdamConstants = {
      scale: 0.73,
      beta1: 0.9,
      beta2: 0.98,
      epsilon: 1e-9,
      stepSize: 3e-4 / (1 - 0.9 ** 7),
      rootC2: Math.sqrt(1 - 0.98 ** 7),
    };
    for (let step = 0; step < 3; step++) {
      adamUpdate(js.w, js.m, js.v, g, constants);
      const c = constants;
      k.adam(
        w.byteOffset,
        m.byteOffset,
        v.byteOffset,
        g.byteOffset,
        n,
        c.scale,
        c.beta1,
        c.beta2,
        c.epsilon,
        c.stepSize,
        c.rootC2,
      );
    }
    expect(Array.from(w)).toEqual(Array.from(js.w));
    expect(Array.from(m)).toEqual(Array.from(js.m));
    expect(Array.from(v)).toEqual(Array.from(js.v));
  });
});

describe('the data-parallel combination', () => {
  it('weights shards by tokens bit for bit as the JS loop', () => {
    const n = 777;
    const { exports: k, memory } = standaloneKernels(4 * 4 * n);
    const view = (i: number) => new Float32Array(memory.buffer, i * n * 4, n);
    const [a, b, c, out] = [0, 1, 2, 3].map(view);
    a.forEach((_, i) => (a[i] = Math.sin(i) * 1e-3));
    b.forEach((_, i) => (b[i] = Math.cos(i * 1.7) * 2e-3));
    c.forEach((_, i) => (c[i] = Math.sin(i * 0.3) * 5e-4));
    const weights = [123 / 517, 200 / 517, 194 / 517];
    const expected = new Float32Array(n);
    combineInto(expected, [a, b, c], weights);
    k.scale_into(out.byteOffset, a.byteOffset, weights[0], n);
    k.add_scaled(out.byteOffset, b.byteOffset, weights[1], n);
    k.add_scaled(out.byteOffset, c.byteOffset, weights[2], n);
    expect(Array.from(out)).toEqual(Array.from(expected));
  });
});
