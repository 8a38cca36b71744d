/**
 * One shard's gradients on the host, and the flat layout used to move weights and gradients
 * between threads. Shared by the trainer's own thread and the data-parallel workers
 * (shard-worker.ts), so both compute exactly the same thing.
 */
import * as tf from '@tensorflow/tfjs';
import { sizeOf, tensorSpecs } from './config';
import type { HostWeights, ModelConfig } from './config';
import type { TokenBatch, Transformer } from './transformer';
import { activeWasm, f32 } from './wasm-heap';

export interface ShardGradients {
  /** Gradient of the shard's mean loss, by tensor name. */
  grads: Map<string, Float32Array>;
  /** Mean loss × tokens (so shards combine by token count). */
  lossSum: number;
  tokens: number;
}

/**
 * Forward, backward and a host copy of every gradient. With `into`, the gradients are copied
 * straight from the backend's memory into that flat buffer (`flatLayout` order) and returned as
 * views of it: no per-step allocations, and a worker's shared buffer is written in one copy.
 */
export async function shardGradients(
  model: Transformer,
  batch: TokenBatch,
  seed: number,
  labelSmoothing: number,
  into?: { layout: FlatLayout; flat: Float32Array },
): Promise<ShardGradients> {
  let tokens: tf.Scalar | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const parts = model.loss(batch, { training: true, seed, labelSmoothing });
    tokens = tf.keep(parts.tokens);
    return parts.loss;
  }, model.trainables);
  const host = new Map<string, Float32Array>();
  if (into) {
    for (const e of into.layout.entries) {
      const target = into.flat.subarray(e.offset, e.offset + e.length);
      copyToHost(grads[model.p(e.name).name], target);
      host.set(e.name, target);
    }
  } else {
    for (const [name, p] of model.params)
      host.set(name, (await grads[p.name].data()) as Float32Array);
  }
  const loss = (await value.data())[0];
  const count = (await tokens!.data())[0];
  tf.dispose([value, tokens!, ...Object.values(grads)]);
  return { grads: host, lossSum: loss * count, tokens: count };
}

/** Copies a float32 tensor into `target` (from the wasm heap directly when possible). */
function copyToHost(t: tf.Tensor, target: Float32Array): void {
  const wasm = activeWasm();
  target.set(wasm ? f32(wasm, t) : (t.dataSync() as Float32Array));
}

/** Offsets of every tensor in one flat float32 buffer, in canonical order. */
export interface FlatLayout {
  entries: Array<{ name: string; shape: number[]; offset: number; length: number }>;
  total: number;
}

export function flatLayout(config: ModelConfig): FlatLayout {
  let offset = 0;
  const entries = tensorSpecs(config).map((s) => {
    const entry = { name: s.name, shape: s.shape, offset, length: sizeOf(s.shape) };
    offset += entry.length;
    return entry;
  });
  return { entries, total: offset };
}

export function writeFlat(
  layout: FlatLayout,
  source: Map<string, Float32Array> | HostWeights,
  target: Float32Array,
): void {
  for (const e of layout.entries) {
    const value = source.get(e.name);
    if (!value) throw new Error(`no tensor "${e.name}" to copy`);
    target.set(value instanceof Float32Array ? value : value.data, e.offset);
  }
}

export function readFlat(layout: FlatLayout, source: Float32Array): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const e of layout.entries) out.set(e.name, source.subarray(e.offset, e.offset + e.length));
  return out;
}

/** Host weights viewing a flat buffer (no copy). */
export function flatWeights(layout: FlatLayout, source: Float32Array): HostWeights {
  const out: HostWeights = new Map();
  for (const e of layout.entries) {
    out.set(e.name, { shape: e.shape, data: source.subarray(e.offset, e.offset + e.length) });
  }
  return out;
}
