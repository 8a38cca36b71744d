/**
 * Teacher-forced per-token log-probabilities for perplexity: conditional log p(target | source)
 * for encoder-decoder models (every target token and the closing </s>), and sliding windows with
 * a stride for language models, so every token after the first is scored exactly once with up to
 * `window - 1` tokens of context. Rows are batched by length to waste little on padding.
 */
import { BOS_ID, EOS_ID } from './config';
import type { LanguageModel, Seq2SeqModel } from './runtime';

/** log softmax(logits[row])[token]. */
export function logProbability(
  logits: Float32Array,
  row: number,
  vocab: number,
  token: number,
): number {
  const base = row * vocab;
  let max = -Infinity;
  for (let v = 0; v < vocab; v++) if (logits[base + v] > max) max = logits[base + v];
  let sum = 0;
  for (let v = 0; v < vocab; v++) sum += Math.exp(logits[base + v] - max);
  return logits[base + token] - max - Math.log(sum);
}

/** Indices of `lengths` sorted by length, cut into batches of at most `batchSize`. */
export function lengthBatches(lengths: readonly number[], batchSize: number): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a] - lengths[b] || a - b);
  const batches: number[][] = [];
  for (let i = 0; i < order.length; i += batchSize) batches.push(order.slice(i, i + batchSize));
  return batches;
}

export interface ScoreOptions {
  batchSize?: number;
  signal?: AbortSignal;
  onBatch?: (done: number, total: number) => void;
}

/**
 * log p(tᵢ | t<ᵢ, source) for each target token and the final </s>. `targets` are token ids
 * without <s>/</s>; `sources` are the framed source ids (ending with </s>).
 */
export async function conditionalLogprobs(
  model: Seq2SeqModel,
  sources: readonly (readonly number[])[],
  targets: readonly (readonly number[])[],
  options: ScoreOptions = {},
): Promise<number[][]> {
  const out: number[][] = new Array(targets.length);
  const vocab = model.config.vocabSize;
  let done = 0;
  for (const batch of lengthBatches(
    targets.map((t) => t.length),
    options.batchSize ?? 32,
  )) {
    if (options.signal?.aborted) throw options.signal.reason;
    const encoded = await model.encode(batch.map((i) => sources[i]));
    const inputs = batch.map((i) => [BOS_ID, ...targets[i]]);
    const width = inputs.reduce((m, r) => Math.max(m, r.length), 0);
    const logits = await model.logits(encoded, inputs);
    batch.forEach((i, b) => {
      const gold = [...targets[i], EOS_ID];
      out[i] = gold.map((token, t) => logProbability(logits, b * width + t, vocab, token));
    });
    done += batch.length;
    options.onBatch?.(done, targets.length);
  }
  return out;
}

export interface Window {
  /** Row (text) index and token range [begin, end) fed to the model. */
  text: number;
  begin: number;
  end: number;
  /** First position scored (each position j ≥ scoreFrom is predicted from position j - 1). */
  scoreFrom: number;
}

/**
 * The windows of the strided evaluation: the first window scores positions 1..window-1, each
 * later one the next `stride` positions with the preceding tokens as context (window - 1 at most).
 * Every position after the first is scored exactly once and always with at least one token of
 * context: the stride is capped at window - 1 (with stride = window, the usual recipe would score
 * each window's first token with no context at all, or skip it).
 */
export function slidingWindows(length: number, window: number, stride: number, text = 0): Window[] {
  if (window < 2 || stride < 1 || stride > window) {
    throw new RangeError(`need 2 ≤ window and 1 ≤ stride ≤ window (got ${window}, ${stride})`);
  }
  const step = Math.min(stride, window - 1);
  const windows: Window[] = [];
  for (let from = 1; from < length;) {
    const end = from === 1 ? Math.min(window, length) : Math.min(from + step, length);
    windows.push({ text, begin: Math.max(0, end - window), end, scoreFrom: from });
    from = end;
  }
  return windows;
}

/**
 * Per-token log-probabilities of texts under a language model. Each text is framed as
 * <s> tokens </s>; the result for a text has one entry per token and one for </s>.
 */
export async function slidingWindowLogprobs(
  model: LanguageModel,
  texts: readonly (readonly number[])[],
  options: ScoreOptions & { window?: number; stride?: number } = {},
): Promise<number[][]> {
  const window = options.window ?? model.config.maxLength;
  const stride = options.stride ?? window;
  if (window > model.config.maxLength) {
    throw new RangeError(
      `window ${window} exceeds the model's maxLength ${model.config.maxLength}`,
    );
  }
  const framed = texts.map((t) => [BOS_ID, ...t, EOS_ID]);
  const out = framed.map((f) => new Array<number>(f.length - 1).fill(NaN));
  const windows = framed.flatMap((f, i) => slidingWindows(f.length, window, stride, i));
  const vocab = model.config.vocabSize;
  let done = 0;
  for (const batch of lengthBatches(
    windows.map((w) => w.end - w.begin),
    options.batchSize ?? 32,
  )) {
    if (options.signal?.aborted) throw options.signal.reason;
    const rows = batch.map((w) => framed[windows[w].text].slice(windows[w].begin, windows[w].end));
    const width = rows.reduce((m, r) => Math.max(m, r.length), 0);
    const logits = await model.logits(rows);
    batch.forEach((wi, b) => {
      const w = windows[wi];
      const tokens = framed[w.text];
      for (let j = w.scoreFrom; j < w.end; j++) {
        out[w.text][j - 1] = logProbability(
          logits,
          b * width + (j - 1 - w.begin),
          vocab,
          tokens[j],
        );
      }
    });
    done += batch.length;
    options.onBatch?.(done, windows.length);
  }
  return out;
}
