/**
 * The seed Transformer in tfjs low-level ops (docs/model-format.md): post-LN encoder-decoder or
 * decoder-only, sinusoidal positions, padding and causal masks, dropout, tied embeddings (the
 * encoder has its own input embedding when the source vocabulary is separate). Weights
 * live in a name → tensor map whose names and `[in, out]` shapes are exactly the checkpoint's, so
 * saving, loading and the ONNX export need no renaming or transposing.
 *
 * Every matmul is done on 2-D `[rows, features]` operands except the per-head attention products;
 * each is then one product for our WebAssembly kernels (see wasm-matmul.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { HostWeights, ModelConfig } from './config';
import { MASK_VALUE, PAD_ID, sizeOf, sourceEmbedding, tensorSpecs } from './config';
import {
  DropoutContext,
  embeddingLookup,
  layerNorm,
  linear,
  linearReluDropout,
  smoothedCrossEntropy,
} from './ops';
import type { LossParts } from './ops';
import { Rng, hashSeed, xavierUniform } from './rng';

/** A batch of token ids (row-major, padded with PAD_ID). */
export interface TokenBatch {
  /** Encoder input `[batch, srcLen]` (encoder-decoder only). */
  src?: tf.Tensor2D;
  /** Decoder input `[batch, tgtLen]` (starts with BOS). */
  tgtIn: tf.Tensor2D;
  /** Labels `[batch, tgtLen]` (end with EOS, PAD where ignored). */
  tgtOut: tf.Tensor2D;
}

export interface ForwardOptions {
  training: boolean;
  /** Seed of this step's dropout masks (training only). */
  seed?: number;
}

/** `PE[pos, 2i] = sin(pos / 10000^(2i/d))`, `PE[pos, 2i+1] = cos(...)`, in float64 then rounded. */
export function sinusoidalPositions(maxLength: number, d: number): Float32Array {
  const out = new Float32Array(maxLength * d);
  for (let pos = 0; pos < maxLength; pos++) {
    for (let i = 0; i < d; i += 2) {
      const angle = pos / Math.pow(10000, i / d);
      out[pos * d + i] = Math.sin(angle);
      out[pos * d + i + 1] = Math.cos(angle);
    }
  }
  return out;
}

/** Fresh weights as PyTorch's nn.Transformer initialises them (Xavier matrices, zero biases). */
export function initialWeights(config: ModelConfig, seed: number): HostWeights {
  const rng = new Rng(hashSeed(seed, 0x5eed));
  const weights: HostWeights = new Map();
  for (const spec of tensorSpecs(config)) {
    const size = sizeOf(spec.shape);
    let data: Float32Array;
    if (spec.shape.length === 2) {
      data = xavierUniform(rng, spec.shape[0], spec.shape[1], size);
    } else {
      data = new Float32Array(size);
      if (spec.name.endsWith('.gamma')) data.fill(1);
    }
    weights.set(spec.name, { shape: spec.shape, data });
  }
  return weights;
}

export class Transformer {
  readonly params = new Map<string, tf.Variable>();
  readonly #positions: tf.Tensor2D;
  readonly #causal: tf.Tensor2D;

  constructor(
    readonly config: ModelConfig,
    weights: HostWeights,
    trainable = true,
  ) {
    for (const spec of tensorSpecs(config)) {
      const w = weights.get(spec.name);
      if (!w) throw new Error(`weights lack tensor "${spec.name}"`);
      if (w.shape.join('x') !== spec.shape.join('x')) {
        throw new Error(
          `tensor "${spec.name}" has shape [${w.shape}], the configuration needs [${spec.shape}]`,
        );
      }
      // Unnamed variables: tfjs variable names are global, and several models may coexist.
      this.params.set(spec.name, tf.variable(tf.tensor(w.data, w.shape, 'float32'), trainable));
    }
    this.#positions = tf.tensor2d(sinusoidalPositions(config.maxLength, config.dModel), [
      config.maxLength,
      config.dModel,
    ]);
    const causal = new Float32Array(config.maxLength * config.maxLength);
    for (let i = 0; i < config.maxLength; i++)
      for (let j = i + 1; j < config.maxLength; j++) causal[i * config.maxLength + j] = MASK_VALUE;
    this.#causal = tf.tensor2d(causal, [config.maxLength, config.maxLength]);
  }

  static create(config: ModelConfig, seed: number): Transformer {
    return new Transformer(config, initialWeights(config, seed));
  }

  p(name: string): tf.Variable {
    const t = this.params.get(name);
    if (!t) throw new Error(`model has no tensor "${name}"`);
    return t;
  }

  get trainables(): tf.Variable[] {
    return [...this.params.values()];
  }

  /** Copies every weight to the host, in canonical order. */
  async snapshot(): Promise<HostWeights> {
    const out: HostWeights = new Map();
    for (const [name, v] of this.params) {
      out.set(name, { shape: [...v.shape], data: (await v.data()) as Float32Array });
    }
    return out;
  }

  /** Overwrites weights in place (used when restoring a checkpoint into a live model). */
  assign(weights: HostWeights): void {
    for (const [name, v] of this.params) {
      const w = weights.get(name);
      if (!w) throw new Error(`weights lack tensor "${name}"`);
      const fresh = tf.tensor(w.data, w.shape, 'float32');
      v.assign(fresh);
      fresh.dispose();
    }
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    this.params.clear();
    this.#positions.dispose();
    this.#causal.dispose();
  }

  /** `[batch, 1, 1, len]` additive mask: MASK_VALUE where the key is padding. */
  paddingMask(ids: tf.Tensor2D): tf.Tensor4D {
    const [b, len] = ids.shape;
    return tf.mul(tf.equal(ids, PAD_ID).cast('float32'), MASK_VALUE).reshape([b, 1, 1, len]);
  }

  /** `[1, 1, len, len]` additive causal mask. */
  causalMask(len: number): tf.Tensor4D {
    return tf.slice(this.#causal, [0, 0], [len, len]).reshape([1, 1, len, len]);
  }

  /**
   * `E[ids]·sqrt(d) + PE`, then dropout: `[batch, len, d]`. `table` is the target embedding
   * unless the encoder asks for its own (separate vocabularies).
   */
  embed(ids: tf.Tensor2D, drop: DropoutContext, offset = 0, table = 'embed.weight'): tf.Tensor3D {
    const [b, len] = ids.shape;
    const d = this.config.dModel;
    if (offset + len > this.config.maxLength) {
      throw new Error(
        `sequence of ${offset + len} tokens exceeds maxLength ${this.config.maxLength}`,
      );
    }
    const e = embeddingLookup(this.p(table), ids).reshape([b, len, d]);
    const pos = tf.slice(this.#positions, [offset, 0], [len, d]);
    return drop.apply(tf.add(tf.mul(e, Math.sqrt(d)), pos) as tf.Tensor3D);
  }

  /** Multi-head attention of `xq` over `xkv` with an additive mask broadcast to `[b, h, tq, tk]`. */
  attention(
    prefix: string,
    xq: tf.Tensor3D,
    xkv: tf.Tensor3D,
    mask: tf.Tensor4D | null,
    drop: DropoutContext,
  ): tf.Tensor3D {
    const [b, tq, d] = xq.shape;
    const tk = xkv.shape[1];
    const h = this.config.heads;
    const dh = d / h;
    const heads = (x: tf.Tensor2D, len: number) =>
      x
        .reshape([b, len, h, dh])
        .transpose([0, 2, 1, 3])
        .reshape([b * h, len, dh]) as tf.Tensor3D;
    const q2 = xq.reshape([b * tq, d]) as tf.Tensor2D;
    const kv2 = xq === xkv ? q2 : (xkv.reshape([b * tk, d]) as tf.Tensor2D);
    // Scaling q before the product equals scaling the scores, with fewer multiplications.
    const q = heads(
      tf.mul(
        linear(q2, this.p(`${prefix}.q.weight`), this.p(`${prefix}.q.bias`)),
        1 / Math.sqrt(dh),
      ),
      tq,
    );
    const k = heads(linear(kv2, this.p(`${prefix}.k.weight`), this.p(`${prefix}.k.bias`)), tk);
    const v = heads(linear(kv2, this.p(`${prefix}.v.weight`), this.p(`${prefix}.v.bias`)), tk);
    let scores: tf.Tensor = tf.matMul(q, k, false, true).reshape([b, h, tq, tk]);
    if (mask) scores = tf.add(scores, mask);
    const probs = drop.apply(tf.softmax(scores)).reshape([b * h, tq, tk]) as tf.Tensor3D;
    const context = tf
      .matMul(probs, v)
      .reshape([b, h, tq, dh])
      .transpose([0, 2, 1, 3])
      .reshape([b * tq, d]) as tf.Tensor2D;
    return linear(context, this.p(`${prefix}.o.weight`), this.p(`${prefix}.o.bias`)).reshape([
      b,
      tq,
      d,
    ]);
  }

  feedForward(prefix: string, x: tf.Tensor3D, drop: DropoutContext): tf.Tensor3D {
    const [b, len, d] = x.shape;
    const hidden = linearReluDropout(
      x.reshape([b * len, d]) as tf.Tensor2D,
      this.p(`${prefix}.ff1.weight`),
      this.p(`${prefix}.ff1.bias`),
      drop,
    );
    return linear(hidden, this.p(`${prefix}.ff2.weight`), this.p(`${prefix}.ff2.bias`)).reshape([
      b,
      len,
      d,
    ]);
  }

  norm(prefix: string, x: tf.Tensor): tf.Tensor3D {
    return layerNorm(
      x,
      this.p(`${prefix}.gamma`),
      this.p(`${prefix}.beta`),
      this.config.layerNormEps,
    ) as tf.Tensor3D;
  }

  dropout(options: ForwardOptions): DropoutContext {
    return new DropoutContext(options.training ? this.config.dropout : 0, options.seed ?? 0);
  }

  /** Encoder: `[batch, srcLen]` ids → memory `[batch, srcLen, d]` and the source padding mask. */
  encode(
    src: tf.Tensor2D,
    options: ForwardOptions = { training: false },
    drop = this.dropout(options),
  ): { memory: tf.Tensor3D; srcMask: tf.Tensor4D } {
    if (this.config.kind !== 'encoder-decoder')
      throw new Error('a decoder-only model has no encoder');
    const srcMask = this.paddingMask(src);
    let x = this.embed(src, drop, 0, sourceEmbedding(this.config).name);
    for (let i = 0; i < this.config.encoderLayers; i++) {
      const p = `enc.${i}`;
      x = this.norm(
        `${p}.ln1`,
        tf.add(x, drop.apply(this.attention(`${p}.self`, x, x, srcMask, drop))),
      );
      x = this.norm(`${p}.ln2`, tf.add(x, drop.apply(this.feedForward(p, x, drop))));
    }
    return { memory: this.norm('enc.ln', x), srcMask };
  }

  /** Decoder: `[batch, tgtLen]` ids (and memory) → hidden states `[batch, tgtLen, d]`. */
  decode(
    tgt: tf.Tensor2D,
    memory: { memory: tf.Tensor3D; srcMask: tf.Tensor4D } | null,
    options: ForwardOptions = { training: false },
    drop = this.dropout(options),
  ): tf.Tensor3D {
    const cross = this.config.kind === 'encoder-decoder';
    if (cross && !memory) throw new Error('an encoder-decoder model needs encoder memory');
    const selfMask = tf.add(this.causalMask(tgt.shape[1]), this.paddingMask(tgt)) as tf.Tensor4D;
    let x = this.embed(tgt, drop);
    for (let i = 0; i < this.config.decoderLayers; i++) {
      const p = `dec.${i}`;
      x = this.norm(
        `${p}.ln1`,
        tf.add(x, drop.apply(this.attention(`${p}.self`, x, x, selfMask, drop))),
      );
      if (cross && memory) {
        x = this.norm(
          `${p}.ln2`,
          tf.add(
            x,
            drop.apply(this.attention(`${p}.cross`, x, memory.memory, memory.srcMask, drop)),
          ),
        );
      }
      x = this.norm(
        cross ? `${p}.ln3` : `${p}.ln2`,
        tf.add(x, drop.apply(this.feedForward(p, x, drop))),
      );
    }
    return this.norm('dec.ln', x);
  }

  /** Hidden `[rows, d]` → logits `[rows, vocab]` (`x·Eᵀ` when tied, else `x·G + g`). */
  project(hidden: tf.Tensor2D): tf.Tensor2D {
    if (this.config.tiedEmbeddings) return tf.matMul(hidden, this.p('embed.weight'), false, true);
    return linear(hidden, this.p('generator.weight'), this.p('generator.bias'));
  }

  /** Logits `[batch, tgtLen, vocab]` for a teacher-forced batch. */
  logits(
    batch: Omit<TokenBatch, 'tgtOut'>,
    options: ForwardOptions = { training: false },
  ): tf.Tensor3D {
    const drop = this.dropout(options);
    const memory = batch.src ? this.encode(batch.src, options, drop) : null;
    const hidden = this.decode(batch.tgtIn, memory, options, drop);
    const [b, len, d] = hidden.shape;
    return this.project(hidden.reshape([b * len, d])).reshape([b, len, this.config.vocabSize]);
  }

  /** Label-smoothed loss of a batch (padding ignored). */
  loss(batch: TokenBatch, options: ForwardOptions & { labelSmoothing: number }): LossParts {
    const logits = this.logits(batch, options);
    const [b, len, v] = logits.shape;
    return smoothedCrossEntropy(
      logits.reshape([b * len, v]) as tf.Tensor2D,
      batch.tgtOut.reshape([b * len]) as tf.Tensor1D,
      options.labelSmoothing,
      PAD_ID,
    );
  }
}
