/**
 * Adam with global-norm gradient clipping and the Transformer's learning-rate schedule (linear
 * warm-up, then inverse-square-root decay). Written out instead of `tf.train.adam` so the moments
 * are ours to save and restore bit for bit (exact resume) and the rate can change every step.
 * The update is PyTorch's: `p -= lr · m̂ / (sqrt(v̂) + ε)` with bias-corrected moments.
 */
import * as tf from '@tensorflow/tfjs';
import type { HostWeights } from './config';

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

export class Adam {
  /** Number of updates taken so far. */
  step = 0;
  readonly #m = new Map<string, tf.Variable>();
  readonly #v = new Map<string, tf.Variable>();

  constructor(
    private readonly params: Map<string, tf.Variable>,
    private readonly options: AdamOptions,
  ) {
    for (const [name, p] of params) {
      this.#m.set(name, tf.variable(tf.zerosLike(p), false));
      this.#v.set(name, tf.variable(tf.zerosLike(p), false));
    }
  }

  /**
   * One update from gradients keyed by parameter name; returns the global gradient norm before
   * clipping as a scalar tensor (the caller decides whether to read it: reading syncs).
   */
  apply(grads: Map<string, tf.Tensor>, lr: number): tf.Scalar {
    this.step += 1;
    const { beta1, beta2, epsilon, clipNorm } = this.options;
    const c1 = 1 - Math.pow(beta1, this.step);
    const c2 = 1 - Math.pow(beta2, this.step);
    return tf.tidy(() => {
      const squares = [...grads.values()].map((g) => tf.sum(tf.square(g)));
      const norm = tf.sqrt(tf.addN(squares)) as tf.Scalar;
      const scale =
        clipNorm > 0 ? tf.minimum(1, tf.div(clipNorm, tf.add(norm, 1e-6))) : tf.scalar(1);
      for (const [name, p] of this.params) {
        const raw = grads.get(name);
        if (!raw) throw new Error(`no gradient for "${name}"`);
        const g = tf.mul(raw, scale);
        const m = this.#m.get(name)!;
        const v = this.#v.get(name)!;
        m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)));
        v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2)));
        const update = tf.div(tf.div(m, c1), tf.add(tf.sqrt(tf.div(v, c2)), epsilon));
        p.assign(tf.sub(p, tf.mul(update, lr)));
      }
      return tf.keep(norm);
    });
  }

  /** Moments as `m.<name>` / `v.<name>` host tensors, for the checkpoint. */
  async exportState(): Promise<{ step: number; tensors: HostWeights }> {
    const tensors: HostWeights = new Map();
    for (const [prefix, map] of [
      ['m', this.#m],
      ['v', this.#v],
    ] as const) {
      for (const [name, t] of map) {
        tensors.set(`${prefix}.${name}`, {
          shape: [...t.shape],
          data: (await t.data()) as Float32Array,
        });
      }
    }
    return { step: this.step, tensors };
  }

  importState(state: { step: number; tensors: HostWeights }): void {
    for (const [prefix, map] of [
      ['m', this.#m],
      ['v', this.#v],
    ] as const) {
      for (const [name, t] of map) {
        const saved = state.tensors.get(`${prefix}.${name}`);
        if (!saved || saved.data.length !== t.size) {
          throw new Error(`optimizer state lacks "${prefix}.${name}" or has the wrong size`);
        }
        t.assign(tf.tensor(saved.data, t.shape, 'float32'));
      }
    }
    this.step = state.step;
  }

  dispose(): void {
    for (const t of [...this.#m.values(), ...this.#v.values()]) t.dispose();
    this.#m.clear();
    this.#v.clear();
  }
}
