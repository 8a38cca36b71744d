/**
 * Adam with global-norm gradient clipping and the Transformer's learning-rate schedule (linear
 * warm-up, then inverse-square-root decay). The update is PyTorch's:
 * `p -= lr · m̂ / (sqrt(v̂) + ε)` with bias-corrected moments.
 *
 * It runs on host copies of the weights instead of as tfjs ops: as tensor ops it costs about a
 * dozen kernel launches per weight tensor (≈600 per step for the tiny preset), and each launch
 * carries tens of microseconds of engine overhead, which dominated small-model steps on wasm.
 * The weights, moments and a gradient buffer live in a WebAssembly memory of the optimizer's own,
 * and the update is one call into wasm-kernels.c per tensor, computed in float64 exactly as the
 * JS loop `adamUpdate` that documents it (bit-identical; checked in wasm-kernels.test.ts):
 * 37 ms of JS per small-model step became a few. Keeping the moments on the host also makes them
 * ours to save and restore bit for bit (exact resume).
 */
import * as tf from '@tensorflow/tfjs';
import type { HostWeights } from './config';
import { standaloneKernels } from './wasm-kernels';
import type { KernelExports } from './wasm-kernels';

/** `peak · min(step / warmup, sqrt(warmup / step))` for step ≥ 1 (the step being taken). */
export function learningRate(step: number, peak: number, warmup: number): number {
  const s = Math.max(1, step);
  const w = Math.max(1, warmup);
  return peak * Math.min(s / w, Math.sqrt(w / s));
}

export interface AdamOptions {
  beta1: number;
  beta2: number;
  epsilon: number;
  /** Clip the global gradient norm to this (0 = no clipping). */
  clipNorm: number;
}

interface Slot {
  variable: tf.Variable;
  /** Host copy of the weights (the master copy; the variable mirrors it). */
  weights: Float32Array;
  m: Float32Array;
  v: Float32Array;
  /** Where the step's gradient is copied for the update. */
  g: Float32Array;
}

/** The JS twin of wasm-kernels.c's `sum_squares` (tests compare them). */
export function sumOfSquares(data: Float32Array): number {
  let s = 0;
  for (let i = 0; i < data.length; i++) s += data[i] * data[i];
  return s;
}

export interface AdamConstants {
  /** Gradient clipping factor. */
  scale: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** `lr / (1 − β1^t)`. */
  stepSize: number;
  /** `sqrt(1 − β2^t)`. */
  rootC2: number;
}

/**
 * One Adam step over a tensor, in PyTorch's form (`torch.optim.Adam`, non-fused):
 * `p -= stepSize · m / (sqrt(v) / sqrt(c2) + ε)`. The JS twin of wasm-kernels.c's `adam`, which
 * the optimizer runs (tests compare them bit for bit).
 */
export function adamUpdate(
  w: Float32Array,
  m: Float32Array,
  v: Float32Array,
  g: Float32Array,
  k: AdamConstants,
): void {
  const { scale, beta1, beta2, epsilon, stepSize, rootC2 } = k;
  const b1 = 1 - beta1;
  const b2 = 1 - beta2;
  const n = w.length;
  for (let i = 0; i < n; i++) {
    const gi = g[i] * scale;
    const mi = beta1 * m[i] + b1 * gi;
    const vi = beta2 * v[i] + b2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    w[i] -= (stepSize * mi) / (Math.sqrt(vi) / rootC2 + epsilon);
  }
}

export class Adam {
  /** Number of updates taken so far. */
  step = 0;
  readonly #slots = new Map<string, Slot>();
  readonly #kernels: KernelExports;

  constructor(
    params: Map<string, tf.Variable>,
    private readonly options: AdamOptions,
  ) {
    let total = 0;
    for (const variable of params.values()) total += variable.size;
    // Four regions (weights, m, v, gradient) of `total` floats each.
    const { exports, memory } = standaloneKernels(16 * total);
    this.#kernels = exports;
    let at = 0;
    const region = (k: number, n: number) =>
      new Float32Array(memory.buffer, (k * total + at) * 4, n);
    for (const [name, variable] of params) {
      const n = variable.size;
      const weights = region(0, n);
      weights.set(variable.dataSync() as Float32Array);
      this.#slots.set(name, {
        variable,
        weights,
        m: region(1, n),
        v: region(2, n),
        g: region(3, n),
      });
      at += n;
    }
  }

  /**
   * One update from gradients keyed by parameter name (the caller disposes them); returns the
   * global gradient norm before clipping.
   */
  async apply(grads: Map<string, tf.Tensor>, lr: number): Promise<number> {
    const host = new Map<string, Float32Array>();
    for (const [name, g] of grads) host.set(name, (await g.data()) as Float32Array);
    return this.applyHost(host, lr);
  }

  /** The same update from host gradients (data-parallel training combines them on the host). */
  applyHost(grads: Map<string, Float32Array>, lr: number): number {
    this.step += 1;
    const { beta1, beta2, epsilon, clipNorm } = this.options;
    const k = this.#kernels;
    let squares = 0;
    for (const [name, slot] of this.#slots) {
      const data = grads.get(name);
      if (!data) throw new Error(`no gradient for "${name}"`);
      if (data.length !== slot.g.length) throw new Error(`gradient "${name}" has the wrong size`);
      slot.g.set(data);
      squares += k.sum_squares(slot.g.byteOffset, slot.g.length);
    }
    const norm = Math.sqrt(squares);
    const scale = clipNorm > 0 ? Math.min(1, clipNorm / (norm + 1e-6)) : 1;
    const c1 = 1 - Math.pow(beta1, this.step);
    const c2 = 1 - Math.pow(beta2, this.step);
    const constants: AdamConstants = {
      scale,
      beta1,
      beta2,
      epsilon,
      stepSize: lr / c1,
      rootC2: Math.sqrt(c2),
    };
    for (const slot of this.#slots.values()) {
      k.adam(
        slot.weights.byteOffset,
        slot.m.byteOffset,
        slot.v.byteOffset,
        slot.g.byteOffset,
        slot.weights.length,
        scale,
        beta1,
        beta2,
        epsilon,
        constants.stepSize,
        constants.rootC2,
      );
      const fresh = tf.tensor(slot.weights, slot.variable.shape, 'float32');
      slot.variable.assign(fresh);
      fresh.dispose(); // the variable holds its own reference to the data
    }
    return norm;
  }

  /** Moments as `m.<name>` / `v.<name>` host tensors, for the checkpoint. */
  exportState(): { step: number; tensors: HostWeights } {
    const tensors: HostWeights = new Map();
    for (const prefix of ['m', 'v'] as const) {
      for (const [name, slot] of this.#slots) {
        tensors.set(`${prefix}.${name}`, {
          shape: [...slot.variable.shape],
          data: Float32Array.from(slot[prefix]),
        });
      }
    }
    return { step: this.step, tensors };
  }

  importState(state: { step: number; tensors: HostWeights }): void {
    for (const prefix of ['m', 'v'] as const) {
      for (const [name, slot] of this.#slots) {
        const saved = state.tensors.get(`${prefix}.${name}`);
        if (!saved || saved.data.length !== slot[prefix].length) {
          throw new Error(`optimizer state lacks "${prefix}.${name}" or has the wrong size`);
        }
        slot[prefix].set(saved.data);
      }
    }
    this.step = state.step;
  }

  /** The master weights (views, not copies; valid until the next update). */
  weights(): Map<string, Float32Array> {
    return new Map([...this.#slots].map(([name, slot]) => [name, slot.weights]));
  }

  /** Re-reads the weights from the variables (after they were assigned from outside). */
  syncFromVariables(): void {
    for (const slot of this.#slots.values()) slot.weights.set(slot.variable.dataSync());
  }

  dispose(): void {
    this.#slots.clear();
  }
}
