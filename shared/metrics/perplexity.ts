/**
 * Perplexity from per-token log-probabilities (natural log), the way Hugging Face's perplexity
 * guide and lm-evaluation-harness compute it: corpus perplexity = exp(total NLL / total tokens),
 * never a mean of per-text perplexities. Bits per byte (UTF-8 bytes of the text) and word-level
 * perplexity (whitespace words) are normalised by the text rather than the tokenizer, so models
 * with different tokenizers can be compared (lm-evaluation-harness `bits_per_byte`,
 * `word_perplexity`). Also the parser for the JSON Lines input `{tokens, logprobs, text}`.
 */

import { METRICS_VERSION } from './base';

/** One scored text: its tokens, the model's natural-log probability of each, and the text. */
export interface PerplexityRecord {
  tokens: string[];
  logprobs: number[];
  text: string;
}

/** A bad input line: 1-based line number and what is wrong with it. */
export interface PerplexityLineError {
  line: number;
  message: string;
}

/** Sliding-window evaluation settings (how the log-probabilities were produced). */
export interface SlidingWindow {
  /** Context window in tokens. */
  window: number;
  /** Tokens the window advances each step (≤ window). */
  stride: number;
}

/** Figures for one text. */
export interface TextPerplexity {
  tokens: number;
  /** Total negative log-likelihood in nats. */
  nll: number;
  perplexity: number;
}

/** Corpus figures; every average is a ratio of corpus totals. */
export interface PerplexityResult {
  texts: number;
  tokens: number;
  /** Total negative log-likelihood, nats. */
  nll: number;
  /** exp(nll / tokens). */
  perplexity: number;
  /** nll / tokens. */
  nllPerToken: number;
  /** nll / tokens / ln 2. */
  bitsPerToken: number;
  /** UTF-8 bytes of all texts. */
  bytes: number;
  /** nll / bytes / ln 2; null when the texts are empty. */
  bitsPerByte: number | null;
  /** Whitespace-separated words of all texts. */
  words: number;
  /** exp(nll / words); null when there are no words. */
  wordPerplexity: number | null;
  perText: TextPerplexity[];
  /** The sliding-window settings, when given. */
  window: SlidingWindow | null;
  /** `tokens:N|base:e|window:…|stride:…|version:…`. */
  signature: string;
}

/** UTF-8 length of a JS string; a lone surrogate counts 3 bytes, as its U+FFFD encoding does. */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** Number of whitespace-separated words (Python `str.split()` without arguments). */
export function countWords(text: string): number {
  const trimmed = text.trim();
  return trimmed.length === 0 ? 0 : trimmed.split(/\s+/).length;
}

/** Signature in the sacreBLEU style used by every EcoEval metric. */
export function perplexitySignature(tokens: number, window: SlidingWindow | null): string {
  return [
    `tokens:${tokens}`,
    'base:e',
    `window:${window ? window.window : 'none'}`,
    `stride:${window ? window.stride : 'none'}`,
    `version:ecoeval-${METRICS_VERSION}`,
  ].join('|');
}

/**
 * Checks sliding-window settings: positive integers with stride ≤ window.
 * @returns a message for the user, or null when valid.
 */
export function checkSlidingWindow(window: SlidingWindow): string | null {
  if (!Number.isInteger(window.window) || window.window < 1) {
    return `window must be a positive whole number of tokens, got ${window.window}`;
  }
  if (!Number.isInteger(window.stride) || window.stride < 1) {
    return `stride must be a positive whole number of tokens, got ${window.stride}`;
  }
  if (window.stride > window.window) {
    return `stride (${window.stride}) must not exceed window (${window.window})`;
  }
  return null;
}

/**
 * Corpus perplexity and the tokenizer-independent figures.
 * @param records texts with per-token natural-log probabilities (each ≤ 0).
 * @param window sliding-window settings to record with the result, if the log-probabilities came
 *   from a sliding-window evaluation.
 * @throws RangeError when there are no tokens or the window settings are invalid.
 */
export function computePerplexity(
  records: readonly PerplexityRecord[],
  window?: SlidingWindow,
): PerplexityResult {
  if (window) {
    const problem = checkSlidingWindow(window);
    if (problem) throw new RangeError(problem);
  }
  let tokens = 0;
  let nll = 0;
  let bytes = 0;
  let words = 0;
  const perText = records.map((record) => {
    let textNll = 0;
    for (const lp of record.logprobs) textNll -= lp;
    const n = record.logprobs.length;
    tokens += n;
    nll += textNll;
    bytes += utf8ByteLength(record.text);
    words += countWords(record.text);
    return { tokens: n, nll: textNll, perplexity: n > 0 ? Math.exp(textNll / n) : NaN };
  });
  if (tokens === 0) throw new RangeError('perplexity needs at least one scored token');
  const bitsPerToken = nll / tokens / Math.LN2;
  return {
    texts: records.length,
    tokens,
    nll,
    perplexity: Math.exp(nll / tokens),
    nllPerToken: nll / tokens,
    bitsPerToken,
    bytes,
    bitsPerByte: bytes > 0 ? nll / bytes / Math.LN2 : null,
    words,
    wordPerplexity: words > 0 ? Math.exp(nll / words) : null,
    perText,
    window: window ? { window: window.window, stride: window.stride } : null,
    signature: perplexitySignature(tokens, window ?? null),
  };
}

/** Parses and checks one JSON Lines record; returns the record or a problem description. */
function parseRecord(line: string): PerplexityRecord | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    // Python's json.dumps writes these for -inf / nan log-probabilities.
    if (/(?:^|[^\w"])-?(?:NaN|Infinity)\b/.test(line)) {
      return 'contains NaN or Infinity, which is not JSON; every logprob must be a finite number ≤ 0';
    }
    return `not valid JSON (${(error as Error).message}); each line must be one JSON object`;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'expected a JSON object with "tokens", "logprobs" and "text"';
  }
  const obj = value as Record<string, unknown>;
  for (const field of ['tokens', 'logprobs', 'text']) {
    if (!(field in obj))
      return `missing field "${field}"; each line needs tokens, logprobs and text`;
  }
  const { tokens, logprobs, text } = obj;
  if (!Array.isArray(tokens) || !tokens.every((t) => typeof t === 'string')) {
    return '"tokens" must be an array of strings';
  }
  if (!Array.isArray(logprobs)) return '"logprobs" must be an array of numbers';
  if (typeof text !== 'string') return '"text" must be a string';
  if (tokens.length !== logprobs.length) {
    return `"tokens" has ${tokens.length} entries but "logprobs" has ${logprobs.length}; give one logprob per token`;
  }
  if (tokens.length === 0) return '"tokens" is empty; give at least one scored token';
  for (let i = 0; i < logprobs.length; i++) {
    const lp: unknown = logprobs[i];
    if (typeof lp !== 'number' || !Number.isFinite(lp)) {
      return `logprobs[${i}] is ${JSON.stringify(lp) ?? String(lp)}, not a finite number`;
    }
    if (lp > 0) {
      return `logprobs[${i}] is ${lp} > 0; give natural-log probabilities (≤ 0), not probabilities or negated values`;
    }
  }
  return { tokens: tokens as string[], logprobs: logprobs as number[], text };
}

/**
 * Parses JSON Lines of `{tokens, logprobs, text}`. Blank lines are skipped. Pure: takes the file
 * contents, returns every good record and one error per bad line.
 */
export function parsePerplexityJsonl(content: string): {
  records: PerplexityRecord[];
  errors: PerplexityLineError[];
} {
  const records: PerplexityRecord[] = [];
  const errors: PerplexityLineError[] = [];
  const lines = content.split('\n');
  lines.forEach((raw, index) => {
    const line = index === 0 ? raw.replace(/^\uFEFF/, '') : raw;
    if (line.trim().length === 0) return;
    const parsed = parseRecord(line);
    if (typeof parsed === 'string') errors.push({ line: index + 1, message: parsed });
    else records.push(parsed);
  });
  return { records, errors };
}
