/**
 * Incremental decoding for encoder-decoder models: each step feeds one new token per row and
 * reuses the self-attention keys and values of earlier positions, plus cross-attention keys and
 * values computed once from the encoder memory. Post-LN layers see only earlier positions
 * through causal attention, so a cached step computes exactly what the full decoder computes at
 * that position (tested against it). A step costs O(length) instead of re-running the prefix.
 * Rows can be dropped or reordered between steps (finished rows, beam search parents).
 */
import * as tf from '@tensorflow/tfjs';
import { DropoutContext, linear } from './ops';
import type { Transformer } from './transformer';

export interface DecoderCache {
  rows: number;
  /** Positions already fed. */
  length: number;
  /** Per decoder layer: keys and values `[rows·heads, length, dHead]` (null before the first step). */
  self: Array<{ k: tf.Tensor3D; v: tf.Tensor3D } | null>;
  /** Per decoder layer: cross-attention keys and values `[rows·heads, srcLen, dHead]`. */
  cross: Array<{ k: tf.Tensor3D; v: tf.Tensor3D }>;
  /** `[rows, 1, 1, srcLen]` additive source padding mask. */
  srcMask: tf.Tensor4D;
}

function heads(model: Transformer, x: tf.Tensor2D, rows: number, len: number): tf.Tensor3D {
  const h = model.config.heads;
  const dh = model.config.dModel / h;
  return x
    .reshape([rows, len, h, dh])
    .transpose([0, 2, 1, 3])
    .reshape([rows * h, len, dh]) as tf.Tensor3D;
}

/** Cross-attention keys/values for every decoder layer, from encoder memory. */
export function startCache(
  model: Transformer,
  memory: { memory: tf.Tensor3D; srcMask: tf.Tensor4D },
): DecoderCache {
  const [rows, srcLen, d] = memory.memory.shape;
  const cross = tf.tidy(() => {
    const m2 = memory.memory.reshape([rows * srcLen, d]) as tf.Tensor2D;
    return Array.from({ length: model.config.decoderLayers }, (_, i) => {
      const p = `dec.${i}.cross`;
      return {
        k: heads(model, linear(m2, model.p(`${p}.k.weight`), model.p(`${p}.k.bias`)), rows, srcLen),
        v: heads(model, linear(m2, model.p(`${p}.v.weight`), model.p(`${p}.v.bias`)), rows, srcLen),
      };
    });
  });
  return {
    rows,
    length: 0,
    self: Array.from({ length: model.config.decoderLayers }, () => null),
    cross,
    srcMask: tf.keep(memory.srcMask.clone()),
  };
}

/** Attention of one new position over cached keys/values: `[rows, 1, d]`. */
function attend(
  model: Transformer,
  prefix: string,
  x: tf.Tensor3D,
  k: tf.Tensor3D,
  v: tf.Tensor3D,
  mask: tf.Tensor4D | null,
): tf.Tensor3D {
  const [rows, , d] = x.shape;
  const h = model.config.heads;
  const dh = d / h;
  const q = heads(
    model,
    tf.mul(
      linear(
        x.reshape([rows, d]) as tf.Tensor2D,
        model.p(`${prefix}.q.weight`),
        model.p(`${prefix}.q.bias`),
      ),
      1 / Math.sqrt(dh),
    ),
    rows,
    1,
  );
  let scores: tf.Tensor = tf.matMul(q, k, false, true).reshape([rows, h, 1, k.shape[1]]);
  if (mask) scores = tf.add(scores, mask);
  const probs = tf.softmax(scores).reshape([rows * h, 1, k.shape[1]]) as tf.Tensor3D;
  const context = tf.matMul(probs, v).reshape([rows, d]) as tf.Tensor2D;
  return linear(context, model.p(`${prefix}.o.weight`), model.p(`${prefix}.o.bias`)).reshape([
    rows,
    1,
    d,
  ]);
}

/** Feeds one token per row; returns next-token logits `[rows, vocab]` and the grown cache. */
export function stepCache(
  model: Transformer,
  cache: DecoderCache,
  tokens: number[],
): { logits: tf.Tensor2D; cache: DecoderCache } {
  if (tokens.length !== cache.rows)
    throw new Error(`${tokens.length} tokens for ${cache.rows} rows`);
  const noDropout = new DropoutContext(0, 0);
  const result = tf.tidy(() => {
    const ids = tf.tensor2d(tokens, [cache.rows, 1], 'int32');
    let x = model.embed(ids, noDropout, cache.length);
    const d = model.config.dModel;
    const self: Array<{ k: tf.Tensor3D; v: tf.Tensor3D }> = [];
    for (let i = 0; i < model.config.decoderLayers; i++) {
      const p = `dec.${i}`;
      const x2 = x.reshape([cache.rows, d]) as tf.Tensor2D;
      const kNew = heads(
        model,
        linear(x2, model.p(`${p}.self.k.weight`), model.p(`${p}.self.k.bias`)),
        cache.rows,
        1,
      );
      const vNew = heads(
        model,
        linear(x2, model.p(`${p}.self.v.weight`), model.p(`${p}.self.v.bias`)),
        cache.rows,
        1,
      );
      const old = cache.self[i];
      const k = old ? (tf.concat([old.k, kNew], 1) as tf.Tensor3D) : kNew;
      const v = old ? (tf.concat([old.v, vNew], 1) as tf.Tensor3D) : vNew;
      self.push({ k, v });
      x = model.norm(`${p}.ln1`, tf.add(x, attend(model, `${p}.self`, x, k, v, null)));
      const cross = cache.cross[i];
      x = model.norm(
        `${p}.ln2`,
        tf.add(x, attend(model, `${p}.cross`, x, cross.k, cross.v, cache.srcMask)),
      );
      x = model.norm(`${p}.ln3`, tf.add(x, model.feedForward(p, x, noDropout)));
    }
    const hidden = model.norm('dec.ln', x).reshape([cache.rows, d]) as tf.Tensor2D;
    return { logits: model.project(hidden), self };
  });
  for (const entry of cache.self) if (entry) tf.dispose([entry.k, entry.v]);
  return {
    logits: result.logits,
    cache: { ...cache, length: cache.length + 1, self: result.self },
  };
}

/** Keeps (and reorders) rows: `rows[j]` is the old row that becomes row j. */
export function selectRows(model: Transformer, cache: DecoderCache, rows: number[]): DecoderCache {
  const h = model.config.heads;
  const same = rows.length === cache.rows && rows.every((r, i) => r === i);
  if (same) return cache;
  const pick = (t: tf.Tensor3D): tf.Tensor3D =>
    tf.tidy(() => {
      const [, len, dh] = t.shape;
      const index = tf.tensor1d(rows, 'int32');
      return tf
        .gather(t.reshape([cache.rows, h, len, dh]), index)
        .reshape([rows.length * h, len, dh]) as tf.Tensor3D;
    });
  const next: DecoderCache = {
    rows: rows.length,
    length: cache.length,
    self: cache.self.map((e) => (e ? { k: pick(e.k), v: pick(e.v) } : null)),
    cross: cache.cross.map((e) => ({ k: pick(e.k), v: pick(e.v) })),
    srcMask: tf.tidy(() => tf.gather(cache.srcMask, tf.tensor1d(rows, 'int32'))) as tf.Tensor4D,
  };
  disposeCache(cache);
  return next;
}

export function disposeCache(cache: DecoderCache): void {
  for (const e of cache.self) if (e) tf.dispose([e.k, e.v]);
  for (const e of cache.cross) tf.dispose([e.k, e.v]);
  cache.srcMask.dispose();
}
