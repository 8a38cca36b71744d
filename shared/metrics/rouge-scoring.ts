/**
 * Scores one (prediction, reference) pair of encoded texts for every requested ROUGE type, as
 * rouge-score 0.1.2's `RougeScorer.score` does (`rouge_scorer.py`: `_score_ngrams`, `_score_lcs`,
 * `_summary_level_lcs`).
 *
 * Speed comes from integer token ids and reusable typed arrays: counters are arrays indexed by
 * id (never plain objects, where `constructor` is a real token), and both LCS types use the
 * bit-parallel LCS DP (Hyyrö 2004), one 32-bit word per 32 prediction tokens per row. rougeL
 * only needs the length. rougeLsum must backtrack the *same* LCS as rouge-score (diagonal on a
 * match, else left only when t[i][j-1] > t[i-1][j], else up), because a different LCS changes
 * the union of hits; it keeps every bit-vector row, reads the exact DP values t[i][j] back from
 * them with popcounts and walks rouge-score's path.
 */

import type { EncodedText } from './rouge-tokenize';
import type { RougeScore, RougeType } from './rouge-types';
import { makeScore, ngramOrder, zeroScore } from './rouge-types';

/** Reusable work arrays, grown on demand; the per-id ones are all zero between uses. */
export class RougeScratch {
  /** Per-id counters (clipped counts, the rougeLsum budget). */
  counts = new Int32Array(1024);
  /** Per-id bit-mask slot + 1 for the sequence whose masks are built. */
  slots = new Int32Array(1024);
  /** Match masks: `masks[(slot - 1) * words + w]`. */
  masks = new Int32Array(1024);
  /** Bit-vector DP rows, `words` Int32 each (row 0 first). */
  rows = new Int32Array(4096);
  /** Per-position marks for the rougeLsum union. */
  marks = new Uint8Array(256);
  /** Local n-gram ids. */
  gramsA = new Int32Array(256);
  gramsB = new Int32Array(256);
  readonly interner = new PairInterner();

  ensureVocabulary(size: number): void {
    if (this.counts.length < size) {
      const next = Math.max(size, this.counts.length * 2);
      this.counts = new Int32Array(next);
      this.slots = new Int32Array(next);
    }
  }

  ensureMasks(size: number): Int32Array {
    if (this.masks.length < size)
      this.masks = new Int32Array(Math.max(size, this.masks.length * 2));
    return this.masks;
  }

  ensureRows(size: number): Int32Array {
    if (this.rows.length < size) this.rows = new Int32Array(Math.max(size, this.rows.length * 2));
    return this.rows;
  }

  ensureMarks(size: number): Uint8Array {
    if (this.marks.length < size)
      this.marks = new Uint8Array(Math.max(size, this.marks.length * 2));
    return this.marks;
  }

  ensureGrams(size: number): void {
    if (this.gramsA.length < size) {
      const next = Math.max(size, this.gramsA.length * 2);
      this.gramsA = new Int32Array(next);
      this.gramsB = new Int32Array(next);
    }
  }
}

/**
 * Gives each distinct pair of small non-negative ints a dense id (0, 1, 2…), per generation.
 * Open addressing over typed arrays; a generation stamp replaces clearing between pairs.
 */
export class PairInterner {
  private keysA = new Int32Array(1024);
  private keysB = new Int32Array(1024);
  private values = new Int32Array(1024);
  private stamps = new Int32Array(1024);
  private generation = 0;
  /** Ids handed out in the current generation. */
  size = 0;

  /** Starts a new, empty generation able to hold `expected` pairs. */
  reset(expected: number): void {
    let capacity = this.keysA.length;
    while (capacity < expected * 2) capacity *= 2;
    if (capacity !== this.keysA.length) {
      this.keysA = new Int32Array(capacity);
      this.keysB = new Int32Array(capacity);
      this.values = new Int32Array(capacity);
      this.stamps = new Int32Array(capacity);
      this.generation = 0;
    }
    if (this.generation === 0x7fffffff) {
      this.stamps.fill(0);
      this.generation = 0;
    }
    this.generation++;
    this.size = 0;
  }

  /** Dense id of the pair (a, b). */
  intern(a: number, b: number): number {
    const mask = this.keysA.length - 1;
    let slot = (Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x632be5ab, 0x85ebca6b)) >>> 0;
    slot = (slot ^ (slot >>> 16)) & mask;
    for (;;) {
      if (this.stamps[slot] !== this.generation) {
        this.stamps[slot] = this.generation;
        this.keysA[slot] = a;
        this.keysB[slot] = b;
        this.values[slot] = this.size;
        return this.size++;
      }
      if (this.keysA[slot] === a && this.keysB[slot] === b) return this.values[slot];
      slot = (slot + 1) & mask;
    }
  }
}

/** Σ over distinct ids of min(count in `ref`, count in `pred`), via one zeroed counter array. */
function clippedOverlap(
  ref: Int32Array,
  refLength: number,
  pred: Int32Array,
  predLength: number,
  counts: Int32Array,
): number {
  for (let i = 0; i < refLength; i++) counts[ref[i]]++;
  let overlap = 0;
  for (let i = 0; i < predLength; i++) {
    const id = pred[i];
    if (counts[id] > 0) {
      counts[id]--;
      overlap++;
    }
  }
  for (let i = 0; i < refLength; i++) counts[ref[i]] = 0;
  return overlap;
}

/**
 * ROUGE-N: clipped n-gram overlap over whole texts (n-grams cross line boundaries);
 * P = overlap / max(#pred n-grams, 1), R = overlap / max(#ref n-grams, 1).
 */
function scoreNgrams(
  pred: Int32Array,
  ref: Int32Array,
  n: number,
  scratch: RougeScratch,
): RougeScore {
  const predGrams = Math.max(pred.length - n + 1, 0);
  const refGrams = Math.max(ref.length - n + 1, 0);
  let overlap = 0;
  if (predGrams > 0 && refGrams > 0) {
    if (n === 1) {
      overlap = clippedOverlap(ref, ref.length, pred, pred.length, scratch.counts);
    } else {
      // Give each distinct n-gram of this pair a dense local id, one order at a time:
      // k-gram = (id of its (k-1)-gram prefix, last token).
      scratch.ensureGrams(Math.max(pred.length, ref.length));
      const a = scratch.gramsA;
      const b = scratch.gramsB;
      a.set(ref);
      b.set(pred);
      const interner = scratch.interner;
      for (let k = 2; k <= n; k++) {
        interner.reset(refGrams + predGrams + 2 * (n - k));
        for (let i = 0; i + k <= ref.length; i++) a[i] = interner.intern(a[i], ref[i + k - 1]);
        for (let i = 0; i + k <= pred.length; i++) b[i] = interner.intern(b[i], pred[i + k - 1]);
      }
      overlap = clippedOverlap(a, refGrams, b, predGrams, scratch.counts);
    }
  }
  return makeScore(overlap / Math.max(predGrams, 1), overlap / Math.max(refGrams, 1));
}

/**
 * Builds bit masks for `seq[start, start+length)`: for each distinct token, bit j is set where
 * the token sits at position j. Records slot + 1 per token id in `scratch.slots`; callers must
 * call `clearMasks` with the same range afterwards.
 * @returns the number of 32-bit words per mask.
 */
function buildMasks(seq: Int32Array, start: number, length: number, scratch: RougeScratch): number {
  const words = (length + 31) >>> 5;
  const masks = scratch.ensureMasks(length * words);
  const slots = scratch.slots;
  let used = 0;
  for (let j = 0; j < length; j++) {
    const id = seq[start + j];
    let slot = slots[id];
    if (slot === 0) {
      slot = slots[id] = ++used;
      masks.fill(0, (slot - 1) * words, slot * words);
    }
    masks[(slot - 1) * words + (j >>> 5)] |= 1 << (j & 31);
  }
  return words;
}

function clearMasks(seq: Int32Array, start: number, length: number, scratch: RougeScratch): void {
  for (let j = 0; j < length; j++) scratch.slots[seq[start + j]] = 0;
}

/**
 * One row of the bit-parallel LCS DP (Hyyrö 2004, V' = (V + (V & M)) | (V & ~M)) in place on
 * `rows[to, to+words)` from `rows[from, …)`. After row i, bit j is 0 exactly where
 * LCS(a[:i], b[:j+1]) − LCS(a[:i], b[:j]) = 1, so the DP value t[i][j] is the number of 0 bits
 * below bit j.
 */
function advanceRow(
  rows: Int32Array,
  from: number,
  to: number,
  masks: Int32Array,
  maskStart: number,
  words: number,
): void {
  let carry = 0;
  for (let w = 0; w < words; w++) {
    const v = rows[from + w] >>> 0;
    const m = masks[maskStart + w];
    const sum = v + ((v & m) >>> 0) + carry;
    carry = sum > 0xffffffff ? 1 : 0;
    rows[to + w] = (sum >>> 0) | (v & ~m);
  }
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** The DP value t[i][j]: 0 bits of the row stored at `row` among its lowest `j` bits. */
function lcsValue(rows: Int32Array, row: number, j: number): number {
  let zeros = 0;
  const full = j >>> 5;
  for (let w = 0; w < full; w++) zeros += 32 - popcount(rows[row + w]);
  const rest = j & 31;
  if (rest > 0) zeros += rest - popcount(rows[row + full] & ((1 << rest) - 1));
  return zeros;
}

/** Fills `rows` with all-ones row 0 (the empty prefix). */
function initRow(rows: Int32Array, words: number): void {
  rows.fill(-1, 0, words);
}

/** ROUGE-L over whole texts (only the LCS length matters); either side empty gives 0. */
function scoreLcs(pred: Int32Array, ref: Int32Array, scratch: RougeScratch): RougeScore {
  if (pred.length === 0 || ref.length === 0) return zeroScore();
  const words = buildMasks(pred, 0, pred.length, scratch);
  const rows = scratch.ensureRows(2 * words);
  initRow(rows, words);
  let current = 0;
  for (let i = 0; i < ref.length; i++) {
    const slot = scratch.slots[ref[i]];
    if (slot === 0) continue; // no match: the row is unchanged
    advanceRow(rows, current, words - current, scratch.masks, (slot - 1) * words, words);
    current = words - current;
  }
  clearMasks(pred, 0, pred.length, scratch);
  const lcs = lcsValue(rows, current, pred.length);
  return makeScore(lcs / pred.length, lcs / ref.length);
}

/**
 * For one prediction line (masks already built, `words` per row), marks in `marks` the reference
 * positions of the one LCS that rouge-score's `_backtrack_norec` picks for reference line
 * `ids[rStart, rStart+rLen)`: diagonal on a match, else left when t[i][j-1] > t[i-1][j], else up.
 */
function markLineLcs(
  ref: Int32Array,
  rStart: number,
  rLen: number,
  pred: Int32Array,
  cStart: number,
  cLen: number,
  words: number,
  marks: Uint8Array,
  scratch: RougeScratch,
): void {
  const rows = scratch.ensureRows((rLen + 1) * words);
  const slots = scratch.slots;
  const masks = scratch.masks;
  if (words === 1) {
    markShortLineLcs(ref, rStart, rLen, pred, cStart, cLen, marks, rows, slots, masks);
    return;
  }
  initRow(rows, words);
  let matched = false;
  for (let i = 1; i <= rLen; i++) {
    const slot = slots[ref[rStart + i - 1]];
    if (slot === 0) {
      rows.copyWithin(i * words, (i - 1) * words, i * words);
    } else {
      advanceRow(rows, (i - 1) * words, i * words, masks, (slot - 1) * words, words);
      matched = true;
    }
  }
  if (!matched) return;
  let i = rLen;
  let j = cLen;
  while (i > 0 && j > 0) {
    if (ref[rStart + i - 1] === pred[cStart + j - 1]) {
      marks[rStart + i - 1] = 1;
      i--;
      j--;
    } else if (lcsValue(rows, i * words, j - 1) > lcsValue(rows, (i - 1) * words, j)) {
      j--;
    } else {
      i--;
    }
  }
}

/** `markLineLcs` for a prediction line of at most 32 tokens: one Int32 per DP row, inlined. */
function markShortLineLcs(
  ref: Int32Array,
  rStart: number,
  rLen: number,
  pred: Int32Array,
  cStart: number,
  cLen: number,
  marks: Uint8Array,
  rows: Int32Array,
  slots: Int32Array,
  masks: Int32Array,
): void {
  let v = -1;
  let matched = false;
  rows[0] = v;
  for (let i = 1; i <= rLen; i++) {
    const slot = slots[ref[rStart + i - 1]];
    if (slot !== 0) {
      const u = v >>> 0;
      const m = masks[slot - 1];
      v = ((u + ((u & m) >>> 0)) >>> 0) | (u & ~m);
      matched = true;
    }
    rows[i] = v;
  }
  if (!matched) return;
  let i = rLen;
  let j = cLen;
  while (i > 0 && j > 0) {
    if (ref[rStart + i - 1] === pred[cStart + j - 1]) {
      marks[rStart + i - 1] = 1;
      i--;
      j--;
    } else {
      // t[i][j-1] vs t[i-1][j], each = j' − (1 bits among the lowest j' bits of the row).
      const left = j - 1 - popcount(rows[i] & ((1 << (j - 1)) - 1));
      const up = j - popcount(j >= 32 ? rows[i - 1] : rows[i - 1] & ((1 << j) - 1));
      if (left > up) j--;
      else i--;
    }
  }
}

/**
 * ROUGE-Lsum: for each reference line, the union of its LCS positions against every prediction
 * line; each hit spends one occurrence of the token from the prediction's budget. The union is
 * order-free, so lines are visited prediction-major (masks built once per prediction line) and
 * the budget is then spent in reference order, as rouge-score does.
 */
function scoreLsum(pred: EncodedText, ref: EncodedText, scratch: RougeScratch): RougeScore {
  const m = ref.ids.length;
  const n = pred.ids.length;
  if (m === 0 || n === 0) return zeroScore();
  const marks = scratch.ensureMarks(m);
  const refLines = ref.lineStarts.length - 1;
  const predLines = pred.lineStarts.length - 1;
  for (let c = 0; c < predLines; c++) {
    const cStart = pred.lineStarts[c];
    const cLen = pred.lineStarts[c + 1] - cStart;
    const words = buildMasks(pred.ids, cStart, cLen, scratch);
    for (let r = 0; r < refLines; r++) {
      const rStart = ref.lineStarts[r];
      const rLen = ref.lineStarts[r + 1] - rStart;
      markLineLcs(ref.ids, rStart, rLen, pred.ids, cStart, cLen, words, marks, scratch);
    }
    clearMasks(pred.ids, cStart, cLen, scratch);
  }
  const budget = scratch.counts;
  for (let k = 0; k < n; k++) budget[pred.ids[k]]++;
  let hits = 0;
  for (let p = 0; p < m; p++) {
    if (marks[p] === 0) continue;
    marks[p] = 0;
    const token = ref.ids[p];
    if (budget[token] > 0) {
      budget[token]--;
      hits++;
    }
  }
  for (let k = 0; k < n; k++) budget[pred.ids[k]] = 0;
  return makeScore(hits / n, hits / m);
}

/**
 * Scores one encoded prediction against one encoded reference for each type in `types`.
 * @param vocabularySize an upper bound on every token id in both texts.
 * @returns one score per type, in the order of `types`.
 */
export function scoreEncodedPair(
  prediction: EncodedText,
  reference: EncodedText,
  types: readonly RougeType[],
  vocabularySize: number,
  scratch: RougeScratch,
): RougeScore[] {
  // Counters serve token ids and, for n ≥ 2, local n-gram ids (fewer than both lengths together).
  scratch.ensureVocabulary(Math.max(vocabularySize, prediction.ids.length + reference.ids.length));
  return types.map((type) => {
    if (type === 'rougeL') return scoreLcs(prediction.ids, reference.ids, scratch);
    if (type === 'rougeLsum') return scoreLsum(prediction, reference, scratch);
    return scoreNgrams(prediction.ids, reference.ids, ngramOrder(type), scratch);
  });
}
