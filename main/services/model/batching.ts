/**
 * From dataset rows to padded id batches: tokenised examples following the sequence conventions
 * of config.ts, batches built by token count (sentences of similar length grouped so padding is
 * small, batch size × longest sequence under a budget), and a seeded batch order per epoch. The
 * plan depends only on the data, the tokenizer and the seed, so a resumed run rebuilds it exactly
 * and continues from its cursor.
 */
import * as tf from '@tensorflow/tfjs';
import { BOS_ID, EOS_ID, PAD_ID } from './config';
import type { ModelKind } from './config';
import { Rng, hashSeed } from './rng';
import type { BpeTokenizer, TokenizerPair } from './tokenizer';
import type { TokenBatch } from './transformer';
import type { IdMatrix, ShardIds } from './parallel-protocol';

export interface Example {
  /** Encoder input (tokens then EOS), or null for decoder-only models. */
  src: Int32Array | null;
  /** Full target sequence `BOS … EOS` (decoder input is all but the last, labels all but the first). */
  tgt: Int32Array;
}

/** Encoder input: source tokens truncated to leave room for EOS. */
export function sourceSequence(ids: readonly number[], maxLength: number): Int32Array {
  const out = ids.slice(0, maxLength - 1);
  out.push(EOS_ID);
  return Int32Array.from(out);
}

/** Target `BOS tokens EOS`, truncated so decoder input and labels fit in maxLength. */
export function targetSequence(ids: readonly number[], maxLength: number): Int32Array {
  return Int32Array.from([BOS_ID, ...ids.slice(0, maxLength - 1), EOS_ID]);
}

/**
 * Language-model windows: `BOS text EOS` cut into pieces of maxLength + 1 tokens overlapping by
 * one, so every token is predicted exactly once.
 */
export function lmWindows(ids: readonly number[], maxLength: number): Int32Array[] {
  const seq = [BOS_ID, ...ids, EOS_ID];
  const out: Int32Array[] = [];
  for (let start = 0; start < seq.length - 1; start += maxLength) {
    out.push(Int32Array.from(seq.slice(start, start + maxLength + 1)));
  }
  return out;
}

/**
 * Tokenises rows into examples for the model kind: sources with the source tokenizer, targets
 * (and language-model text) with the target one. One tokenizer serves both sides when shared.
 */
export async function makeExamples(
  tokenizers: BpeTokenizer | TokenizerPair,
  rows: { source: string; references: string[] }[],
  kind: ModelKind,
  maxLength: number,
): Promise<Example[]> {
  const { source, target } =
    'target' in tokenizers ? tokenizers : { source: tokenizers, target: tokenizers };
  if (kind === 'decoder-only') {
    const ids = await target.encode(rows.map((r) => r.source));
    return ids.flatMap((seq) => lmWindows(seq, maxLength).map((tgt) => ({ src: null, tgt })));
  }
  const usable = rows.filter((r) => r.references.length > 0);
  const src = await source.encode(usable.map((r) => r.source));
  const tgt = await target.encode(usable.map((r) => r.references[0]));
  return src.map((s, i) => ({
    src: sourceSequence(s, maxLength),
    tgt: targetSequence(tgt[i], maxLength),
  }));
}

function width(e: Example): number {
  return Math.max(e.src?.length ?? 0, e.tgt.length - 1);
}

/**
 * Groups example indices into batches: seeded shuffle, stable sort by length (ties stay
 * shuffled), then greedy packing while `count × longest ≤ batchTokens`.
 */
export function planBatches(
  examples: Example[],
  batchTokens: number,
  maxSentences: number,
  seed: number,
): number[][] {
  const order = new Rng(hashSeed(seed, 0xba7c)).shuffle(examples.map((_, i) => i));
  order.sort((a, b) => width(examples[a]) - width(examples[b]));
  const batches: number[][] = [];
  let current: number[] = [];
  let longest = 0;
  for (const i of order) {
    const w = width(examples[i]);
    const wider = Math.max(longest, w);
    if (
      current.length > 0 &&
      ((current.length + 1) * wider > batchTokens || current.length >= maxSentences)
    ) {
      batches.push(current);
      current = [];
      longest = 0;
    }
    current.push(i);
    longest = Math.max(longest, w);
  }
  if (current.length) batches.push(current);
  return batches;
}

/** The order batches are visited in during `epoch` (a seeded permutation). */
export function epochOrder(batchCount: number, seed: number, epoch: number): number[] {
  return new Rng(hashSeed(seed, 0xe90c, epoch)).shuffle(
    Array.from({ length: batchCount }, (_, i) => i),
  );
}

/** Right-padded `[rows, longest]` ids, each row without its last `drop` tokens. */
function padded(rows: Int32Array[], drop = 0): { data: Int32Array; len: number } {
  const len = Math.max(1, ...rows.map((r) => r.length - drop));
  const data = new Int32Array(rows.length * len).fill(PAD_ID);
  rows.forEach((r, i) => data.set(r.subarray(0, r.length - drop), i * len));
  return { data, len };
}

/** Padded id matrices for a batch (plain arrays: they can cross to a worker thread). */
export function toIds(examples: Example[], indices: number[]): ShardIds {
  const rows = indices.map((i) => examples[i]);
  const matrix = (m: { data: Int32Array; len: number }): IdMatrix => ({
    data: m.data,
    shape: [rows.length, m.len],
  });
  return {
    src: rows[0].src ? matrix(padded(rows.map((r) => r.src!))) : null,
    tgtIn: matrix(
      padded(
        rows.map((r) => r.tgt),
        1,
      ),
    ),
    tgtOut: matrix(padded(rows.map((r) => r.tgt.subarray(1)))),
  };
}

export function idsToBatch(ids: ShardIds): TokenBatch {
  return {
    ...(ids.src ? { src: tf.tensor2d(ids.src.data, ids.src.shape, 'int32') } : {}),
    tgtIn: tf.tensor2d(ids.tgtIn.data, ids.tgtIn.shape, 'int32'),
    tgtOut: tf.tensor2d(ids.tgtOut.data, ids.tgtOut.shape, 'int32'),
  };
}

/** Number of label tokens (padding excluded) of the given examples. */
export function targetTokens(examples: Example[], indices: number[]): number {
  return indices.reduce((n, i) => n + examples[i].tgt.length - 1, 0);
}

/** Padded tensors for a batch, plus the number of label tokens (padding excluded). */
export function toBatch(
  examples: Example[],
  indices: number[],
): { batch: TokenBatch; targetTokens: number } {
  return {
    batch: idsToBatch(toIds(examples, indices)),
    targetTokens: targetTokens(examples, indices),
  };
}

/**
 * Splits a batch's examples into at most `parts` contiguous shards of about equal label tokens
 * (data-parallel training); never returns an empty shard.
 */
export function splitShards(examples: Example[], indices: number[], parts: number): number[][] {
  const n = Math.min(parts, indices.length);
  if (n <= 1) return [indices];
  const total = targetTokens(examples, indices);
  const shards: number[][] = [];
  let current: number[] = [];
  let seen = 0;
  indices.forEach((index, k) => {
    current.push(index);
    seen += examples[index].tgt.length - 1;
    const left = indices.length - k - 1;
    const wanted = n - shards.length - 1;
    if (wanted > 0 && (seen >= (total * (shards.length + 1)) / n || left === wanted)) {
      shards.push(current);
      current = [];
    }
  });
  if (current.length) shards.push(current);
  return shards;
}

export function disposeBatch(batch: TokenBatch): void {
  batch.src?.dispose();
  batch.tgtIn.dispose();
  batch.tgtOut.dispose();
}
