/**
 * Inference in tfjs: batched greedy decoding, batched beam search (beam size, GNMT length
 * penalty, maximum length) and teacher-forced per-token log-probabilities (conditional scores of
 * references for encoder-decoder models; sliding windows with a stride for language models).
 *
 * Encoder-decoder decoding uses a key/value cache (incremental.ts); `cache: false` re-runs the
 * decoder over the whole prefix at each step, as the reference measurements (model-speed.md) did,
 * and is what decoder-only models use (their prompts differ in length). Finished rows leave the
 * batch so they cost nothing.
 * Inputs and outputs are token ids without BOS/EOS; `sourceSequence` etc. add them.
 */
import * as tf from '@tensorflow/tfjs';
import { BOS_ID, EOS_ID, PAD_ID } from './config';
import { oneHotFloat } from './ops';
import { sourceSequence, targetSequence } from './batching';
import type { Transformer } from './transformer';
import { disposeCache, selectRows, startCache, stepCache } from './incremental';

export interface DecodeOptions {
  /** Sentences per batch (default 32). */
  batchSize?: number;
  /** Most new tokens per output (default: 2 × source length + 10, within the model's maxLength). */
  maxNewTokens?: number;
  /** Beam size; 1 = greedy (default). */
  beam?: number;
  /** GNMT length penalty α: score / ((5 + len) / 6)^α (default 0.6; 0 = raw log-probability). */
  lengthPenalty?: number;
  /**
   * Reuse keys and values of earlier positions (encoder-decoder; default true). `false` re-runs
   * the decoder over the whole prefix each step, as the reference measurements did.
   */
  cache?: boolean;
  /** Keep generating after </s> up to the length limit (benchmarks with random weights). */
  ignoreEos?: boolean;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

interface Memory {
  memory: tf.Tensor3D;
  srcMask: tf.Tensor4D;
}

/** Right-padded ids and each row's last position. */
function prefixTensor(rows: number[][]): { ids: tf.Tensor2D; last: number[] } {
  const len = Math.max(...rows.map((r) => r.length));
  const data = new Int32Array(rows.length * len).fill(PAD_ID);
  rows.forEach((r, i) => data.set(r, i * len));
  return {
    ids: tf.tensor2d(data, [rows.length, len], 'int32'),
    last: rows.map((r) => r.length - 1),
  };
}

/**
 * Scores of the next token after each prefix, `[rows, vocab]`: log-probabilities, or raw logits
 * when only their argmax is needed (greedy), which saves a softmax over the vocabulary.
 */
function nextScores(
  model: Transformer,
  prefixes: number[][],
  memory: Memory | null,
  memoryRows: number[] | null,
  logProbs = true,
): tf.Tensor2D {
  return tf.tidy(() => {
    const { ids, last } = prefixTensor(prefixes);
    let mem: Memory | null = memory;
    const everyRow =
      memory !== null &&
      memoryRows !== null &&
      memoryRows.length === memory.memory.shape[0] &&
      memoryRows.every((r, i) => r === i);
    if (memory && memoryRows && !everyRow) {
      const rows = tf.tensor1d(memoryRows, 'int32');
      mem = { memory: tf.gather(memory.memory, rows), srcMask: tf.gather(memory.srcMask, rows) };
    }
    const hidden = model.decode(ids, mem);
    const [b, len, d] = hidden.shape;
    const at = tf.tensor1d(
      last.map((p, i) => i * len + p),
      'int32',
    );
    const h = tf.gather(hidden.reshape([b * len, d]), at) as tf.Tensor2D;
    const logits = model.project(h);
    return logProbs ? tf.logSoftmax(logits) : logits;
  });
}

function limitFor(
  model: Transformer,
  promptLength: number,
  sourceLength: number,
  options: DecodeOptions,
): number {
  const room = model.config.maxLength - promptLength;
  return Math.max(0, Math.min(room, options.maxNewTokens ?? 2 * sourceLength + 10));
}

/** Groups indices of `items` by length so batches pad little; returns the batches. */
function lengthBatches(lengths: number[], batchSize: number): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a] - lengths[b] || a - b);
  const out: number[][] = [];
  for (let i = 0; i < order.length; i += batchSize) out.push(order.slice(i, i + batchSize));
  return out;
}

function encodeBatch(model: Transformer, sources: number[][]): Memory {
  return tf.tidy(() => {
    const seqs = sources.map((s) => Array.from(sourceSequence(s, model.config.maxLength)));
    const { ids } = prefixTensor(seqs);
    return model.encode(ids);
  });
}

/**
 * Translates (encoder-decoder) or continues (decoder-only; `sources` are prompts) every input;
 * returns the generated token ids without BOS/EOS, in input order.
 */
export async function generate(
  model: Transformer,
  sources: number[][],
  options: DecodeOptions = {},
): Promise<number[][]> {
  const out: number[][] = new Array(sources.length);
  const batches = lengthBatches(
    sources.map((s) => s.length),
    options.batchSize ?? 32,
  );
  let done = 0;
  for (const batch of batches) {
    if (options.signal?.aborted) throw new Error('decoding was cancelled');
    const inputs = batch.map((i) => sources[i]);
    const results =
      (options.beam ?? 1) > 1
        ? await beamBatch(model, inputs, options)
        : await greedyBatch(model, inputs, options);
    batch.forEach((i, k) => (out[i] = results[k]));
    done += batch.length;
    options.onProgress?.(done, sources.length);
  }
  return out;
}

function promptOf(model: Transformer, source: number[]): number[] {
  if (model.config.kind === 'encoder-decoder') return [BOS_ID];
  return [BOS_ID, ...source.slice(0, model.config.maxLength - 1)];
}

async function greedyBatch(
  model: Transformer,
  sources: number[][],
  options: DecodeOptions,
): Promise<number[][]> {
  const encdec = model.config.kind === 'encoder-decoder';
  const memory = encdec ? encodeBatch(model, sources) : null;
  let cache = memory && options.cache !== false ? startCache(model, memory) : null;
  try {
    const prefixes = sources.map((s) => promptOf(model, s));
    const starts = prefixes.map((p) => p.length);
    const limits = sources.map((s, i) => limitFor(model, starts[i], s.length, options));
    let active = sources.map((_, i) => i).filter((i) => limits[i] > 0);
    // Cache row j belongs to active[j].
    if (cache) cache = selectRows(model, cache, active);
    while (active.length > 0) {
      let scores: tf.Tensor2D;
      if (cache) {
        const stepped = stepCache(
          model,
          cache,
          active.map((i) => prefixes[i][prefixes[i].length - 1]),
        );
        cache = stepped.cache;
        scores = stepped.logits;
      } else {
        scores = nextScores(
          model,
          active.map((i) => prefixes[i]),
          memory,
          memory ? active : null,
          false,
        );
      }
      const best = tf.argMax(scores, -1);
      const ids = await best.data();
      tf.dispose([scores, best]);
      const kept: number[] = [];
      const next: number[] = [];
      active.forEach((row, k) => {
        const token = ids[k];
        if (token === EOS_ID && !options.ignoreEos) return;
        prefixes[row].push(token);
        if (prefixes[row].length - starts[row] < limits[row]) {
          kept.push(k);
          next.push(row);
        }
      });
      if (cache && next.length > 0) cache = selectRows(model, cache, kept);
      active = next;
    }
    return prefixes.map((p, i) => p.slice(starts[i]));
  } finally {
    if (cache) disposeCache(cache);
    if (memory) tf.dispose([memory.memory, memory.srcMask]);
  }
}

interface Hypothesis {
  tokens: number[];
  score: number;
  /** Row of the decoder cache holding this hypothesis's keys and values. */
  row: number;
}

/** The `k` largest entries of `row` as [index, value], best first. */
function topK(row: Float32Array, offset: number, size: number, k: number): Array<[number, number]> {
  const best: Array<[number, number]> = [];
  for (let j = 0; j < size; j++) {
    const v = row[offset + j];
    if (best.length === k && v <= best[k - 1][1]) continue;
    let pos = best.length === k ? k - 1 : best.length;
    if (best.length < k) best.push([j, v]);
    while (pos > 0 && best[pos - 1][1] < v) {
      best[pos] = best[pos - 1];
      pos--;
    }
    best[pos] = [j, v];
  }
  return best;
}

async function beamBatch(
  model: Transformer,
  sources: number[][],
  options: DecodeOptions,
): Promise<number[][]> {
  const k = options.beam ?? 4;
  const alpha = options.lengthPenalty ?? 0.6;
  const penalty = (len: number) => (alpha === 0 ? 1 : Math.pow((5 + len) / 6, alpha));
  const vocab = model.config.vocabSize;
  const encdec = model.config.kind === 'encoder-decoder';
  const memory = encdec ? encodeBatch(model, sources) : null;
  let cache = memory && options.cache !== false ? startCache(model, memory) : null;
  try {
    const starts = sources.map((s) => promptOf(model, s).length);
    const limits = sources.map((s, i) => limitFor(model, starts[i], s.length, options));
    const alive: Hypothesis[][] = sources.map((s, i) =>
      limits[i] > 0 ? [{ tokens: promptOf(model, s), score: 0, row: i }] : [],
    );
    const finished: Array<Array<Hypothesis & { norm: number }>> = sources.map(() => []);
    for (;;) {
      const rows: Array<{ sentence: number; hyp: Hypothesis }> = [];
      alive.forEach((hyps, s) => hyps.forEach((hyp) => rows.push({ sentence: s, hyp })));
      if (rows.length === 0) break;
      let logp: tf.Tensor2D;
      if (cache) {
        // Cache row i becomes the parent row of hypothesis i.
        cache = selectRows(
          model,
          cache,
          rows.map((r) => r.hyp.row),
        );
        const stepped = stepCache(
          model,
          cache,
          rows.map((r) => r.hyp.tokens[r.hyp.tokens.length - 1]),
        );
        cache = stepped.cache;
        logp = tf.tidy(() => tf.logSoftmax(stepped.logits));
        stepped.logits.dispose();
      } else {
        logp = nextScores(
          model,
          rows.map((r) => r.hyp.tokens),
          memory,
          memory ? rows.map((r) => r.sentence) : null,
        );
      }
      const data = (await logp.data()) as Float32Array;
      logp.dispose();
      const candidates = new Map<
        number,
        Array<{ hyp: Hypothesis; token: number; score: number; parent: number }>
      >();
      rows.forEach((r, i) => {
        const list = candidates.get(r.sentence) ?? [];
        for (const [token, lp] of topK(data, i * vocab, vocab, 2 * k)) {
          list.push({ hyp: r.hyp, token, score: r.hyp.score + lp, parent: i });
        }
        candidates.set(r.sentence, list);
      });
      for (const [s, list] of candidates) {
        list.sort((a, b) => b.score - a.score);
        const next: Hypothesis[] = [];
        for (const c of list) {
          const generated = c.hyp.tokens.length - starts[s] + 1;
          if (c.token === EOS_ID) {
            finished[s].push({
              tokens: c.hyp.tokens,
              score: c.score,
              row: c.parent,
              norm: c.score / penalty(generated),
            });
          } else if (next.length < k) {
            next.push({ tokens: [...c.hyp.tokens, c.token], score: c.score, row: c.parent });
          }
          if (next.length >= k && finished[s].length >= k) break;
        }
        const atLimit = next.length > 0 && next[0].tokens.length - starts[s] >= limits[s];
        if (finished[s].length >= k || atLimit) {
          if (finished[s].length === 0 || atLimit) {
            for (const h of next) {
              finished[s].push({ ...h, norm: h.score / penalty(h.tokens.length - starts[s]) });
            }
          }
          alive[s] = [];
        } else {
          alive[s] = next;
        }
      }
    }
    return sources.map((_, s) => {
      const best = finished[s].sort((a, b) => b.norm - a.norm)[0];
      return best ? best.tokens.slice(starts[s]) : [];
    });
  } finally {
    if (cache) disposeCache(cache);
    if (memory) tf.dispose([memory.memory, memory.srcMask]);
  }
}

/** One teacher-forced window: feed `input`, score `labels[scoreFrom:]`. */
interface ScoreWindow {
  owner: number;
  src: Int32Array | null;
  input: Int32Array;
  labels: Int32Array;
  scoreFrom: number;
}

async function scoreWindows(
  model: Transformer,
  windows: ScoreWindow[],
  owners: number,
  batchSize: number,
): Promise<number[][]> {
  const out: number[][] = Array.from({ length: owners }, () => []);
  const batches = lengthBatches(
    windows.map((w) => Math.max(w.input.length, w.src?.length ?? 0)),
    batchSize,
  );
  // Windows of one owner must be appended in order: collect per window, then assemble.
  const perWindow: number[][] = new Array(windows.length);
  for (const batch of batches) {
    const rows = batch.map((i) => windows[i]);
    const scored = tf.tidy(() => {
      const { ids } = prefixTensor(rows.map((r) => Array.from(r.input)));
      const labels = prefixTensor(rows.map((r) => Array.from(r.labels))).ids;
      const memory = rows[0].src
        ? model.encode(prefixTensor(rows.map((r) => Array.from(r.src!))).ids)
        : null;
      const hidden = model.decode(ids, memory);
      const [b, len, d] = hidden.shape;
      const logp = tf.logSoftmax(model.project(hidden.reshape([b * len, d]) as tf.Tensor2D));
      const picked = tf.sum(
        tf.mul(logp, oneHotFloat(labels.reshape([b * len]) as tf.Tensor1D, model.config.vocabSize)),
        -1,
      );
      return picked.reshape([b, len]);
    });
    const data = (await scored.data()) as Float32Array;
    const len = scored.shape[1] as number;
    scored.dispose();
    rows.forEach((r, k) => {
      const values: number[] = [];
      for (let t = r.scoreFrom; t < r.labels.length; t++) values.push(data[k * len + t]);
      perWindow[batch[k]] = values;
    });
  }
  windows.forEach((w, i) => out[w.owner].push(...perWindow[i]));
  return out;
}

/**
 * Conditional log-probabilities of each target (its tokens then EOS) given its source
 * (encoder-decoder). Targets longer than maxLength − 1 tokens are truncated; `scored` says how
 * many target tokens each result covers.
 */
export async function scoreTargets(
  model: Transformer,
  pairs: Array<{ source: number[]; target: number[] }>,
  options: { batchSize?: number } = {},
): Promise<Array<{ logprobs: number[]; ids: number[] }>> {
  if (model.config.kind !== 'encoder-decoder') {
    throw new Error(
      'scoreTargets needs an encoder-decoder model; use scoreTexts for a language model',
    );
  }
  const windows: ScoreWindow[] = pairs.map((p, i) => {
    const tgt = targetSequence(p.target, model.config.maxLength);
    return {
      owner: i,
      src: sourceSequence(p.source, model.config.maxLength),
      input: tgt.subarray(0, tgt.length - 1),
      labels: tgt.subarray(1),
      scoreFrom: 0,
    };
  });
  const scores = await scoreWindows(model, windows, pairs.length, options.batchSize ?? 32);
  return scores.map((logprobs, i) => ({ logprobs, ids: Array.from(windows[i].labels) }));
}

/**
 * Language-model log-probabilities of each text's tokens and the final EOS, with a sliding
 * window: each window sees up to `window` tokens and scores only tokens not scored before, so
 * every token is scored once with at least `window − stride` tokens of context.
 */
export async function scoreTexts(
  model: Transformer,
  texts: number[][],
  options: { window?: number; stride?: number; batchSize?: number } = {},
): Promise<Array<{ logprobs: number[]; ids: number[] }>> {
  if (model.config.kind !== 'decoder-only') {
    throw new Error('scoreTexts needs a decoder-only model; use scoreTargets for encoder-decoder');
  }
  const window = Math.min(options.window ?? model.config.maxLength, model.config.maxLength);
  const stride = Math.min(options.stride ?? window, window);
  if (stride < 1) throw new Error('stride must be at least 1');
  const windows: ScoreWindow[] = [];
  texts.forEach((ids, owner) => {
    const seq = Int32Array.from([BOS_ID, ...ids, EOS_ID]);
    const n = seq.length - 1;
    let scored = 0;
    for (let begin = 0; scored < n; begin += stride) {
      const end = Math.min(begin + window, n);
      windows.push({
        owner,
        src: null,
        input: seq.subarray(begin, end),
        labels: seq.subarray(begin + 1, end + 1),
        scoreFrom: scored - begin,
      });
      scored = end;
    }
  });
  const scores = await scoreWindows(model, windows, texts.length, options.batchSize ?? 32);
  return scores.map((logprobs, i) => ({ logprobs, ids: [...texts[i], EOS_ID] }));
}
