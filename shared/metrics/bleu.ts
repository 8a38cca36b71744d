/**
 * BLEU (Papineni et al., 2002) exactly as sacreBLEU 2.6.0 computes it (`metrics/bleu.py`):
 * per-segment sufficient statistics `[sys_len, ref_len, matches(1..N), totals(1..N)]`, summed
 * over the corpus, scored once. Behaviour and traps: design/metrics-bleu.md §1–3.
 *
 * Speed: tokens and n-grams are interned to integers once per call, and clipping uses flat
 * typed arrays instead of per-segment hash maps.
 */
import type { CorpusMetric, MetricScore, ReferenceStream } from './base';
import { formatScore, pyFixed } from './format';
import { buildSignature, formatSignature, yesNo } from './signature';
import type { SignaturePair } from './signature';
import { getTokenizer } from './tokenizers/index';
import type { Tokenizer } from './tokenizers/index';
import { pyLower, pyRstrip, pySplit } from './tokenizers/pystr';

/** Smoothing methods of sacreBLEU (Chen & Cherry, 2014, methods 0–3 as sacreBLEU names them). */
export type SmoothMethod = 'exp' | 'floor' | 'add-k' | 'none';

/** sacreBLEU `BLEU.SMOOTH_DEFAULTS`: floor 0.1, add-k 1; exp and none take no value. */
export const SMOOTH_DEFAULTS: Record<SmoothMethod, number | null> = {
  exp: null,
  floor: 0.1,
  'add-k': 1,
  none: null,
};

/** sacreBLEU `my_log(0)`: the floor used for a zero precision. */
const LOG_ZERO = -9999999999;

/** Options named after sacreBLEU's `BLEU(...)` arguments. */
export interface BleuOptions {
  /** Tokenizer name (`13a` default; `zh` when `trgLang` is `zh`). */
  tokenize?: string;
  lowercase?: boolean;
  smoothMethod?: SmoothMethod;
  /** `floor`/`add-k` value; `null`/undefined means sacreBLEU's default. */
  smoothValue?: number | null;
  effectiveOrder?: boolean;
  /** sacreBLEU `max_ngram_order`, 4 by default. */
  maxNgramOrder?: number;
  /** Target language; only used to pick the default tokenizer like sacreBLEU. */
  trgLang?: string;
}

/** BLEU's result details, as sacreBLEU's `BLEUScore` exposes them. */
export interface BleuDetails {
  [key: string]: unknown;
  counts: number[];
  totals: number[];
  precisions: number[];
  bp: number;
  sysLen: number;
  refLen: number;
  ratio: number;
  /** `P1/.../PN (BP = ... ratio = ... hyp_len = ... ref_len = ...)`. */
  verbose: string;
  /** The full text line with width 2, as sacreBLEU's `format()`. */
  line: string;
}

/** Scores from already-summed BLEU statistics (sacreBLEU `BLEU.compute_bleu`). */
export function computeBleu(
  correctIn: readonly number[],
  totalIn: readonly number[],
  sysLen: number,
  refLen: number,
  smoothMethod: SmoothMethod,
  smoothValue: number | null,
  effectiveOrder: boolean,
  maxNgramOrder: number,
): { score: number; counts: number[]; totals: number[]; precisions: number[]; bp: number } {
  const value = smoothValue ?? SMOOTH_DEFAULTS[smoothMethod];
  const correct = correctIn.slice();
  const total = totalIn.slice();
  let bp = 1.0;
  if (sysLen < refLen) bp = sysLen > 0 ? Math.exp(1 - refLen / sysLen) : 0.0;
  const precisions = new Array<number>(maxNgramOrder).fill(0);
  if (!correct.some((c) => c !== 0)) {
    return { score: 0, counts: correct, totals: total, precisions, bp };
  }
  let smoothMteval = 1.0;
  let effOrder = maxNgramOrder;
  for (let n = 1; n <= maxNgramOrder; n++) {
    if (smoothMethod === 'add-k' && n > 1) {
      correct[n - 1] += value!;
      total[n - 1] += value!;
    }
    if (total[n - 1] === 0) break;
    if (effectiveOrder) effOrder = n;
    if (correct[n - 1] === 0) {
      if (smoothMethod === 'exp') {
        smoothMteval *= 2;
        precisions[n - 1] = 100 / (smoothMteval * total[n - 1]);
      } else if (smoothMethod === 'floor') {
        precisions[n - 1] = (100 * value!) / total[n - 1];
      }
    } else {
      precisions[n - 1] = (100 * correct[n - 1]) / total[n - 1];
    }
  }
  let logSum = 0;
  for (let i = 0; i < effOrder; i++)
    logSum += precisions[i] === 0 ? LOG_ZERO : Math.log(precisions[i]);
  const score = bp * Math.exp(logSum / effOrder);
  return { score, counts: correct, totals: total, precisions, bp };
}

/**
 * Interns (prefix id, unit id) pairs to dense integer ids with an open-addressing hash table on
 * typed arrays (several times faster than a `Map` keyed by large numbers). Shared with chrF.
 */
export class PairInterner {
  private prefixes: Int32Array;
  private units: Int32Array;
  private ids: Int32Array;
  private mask: number;
  private count = 0;
  private next: number;

  /** `firstId` is the first id handed out (BLEU reserves 0..V-1 for single tokens). */
  constructor(
    private readonly firstId = 0,
    capacity = 1024,
  ) {
    let size = 1024;
    while (size < capacity * 2) size *= 2;
    this.prefixes = new Int32Array(size);
    this.units = new Int32Array(size);
    this.ids = new Int32Array(size).fill(-1);
    this.mask = size - 1;
    this.next = firstId;
  }

  /** Forgets every pair; ids restart at `firstId`. */
  clear(): void {
    if (this.count > 0) this.ids.fill(-1);
    this.count = 0;
    this.next = this.firstId;
  }

  /** Id of the pair (prefix, unit), assigning the next free id to a new pair. */
  get(prefix: number, unit: number): number {
    let h = (Math.imul(prefix, 0x9e3779b1) ^ Math.imul(unit + 0x7f4a7c15, 0x85ebca77)) >>> 0;
    h = (h ^ (h >>> 15)) & this.mask;
    const ids = this.ids;
    for (;;) {
      const id = ids[h];
      if (id === -1) break;
      if (this.prefixes[h] === prefix && this.units[h] === unit) return id;
      h = (h + 1) & this.mask;
    }
    this.prefixes[h] = prefix;
    this.units[h] = unit;
    const id = this.next++;
    ids[h] = id;
    if (++this.count * 2 > this.mask) this.grow();
    return id;
  }

  /** Number of ids handed out so far plus `firstId`. */
  get size(): number {
    return this.next;
  }

  private grow(): void {
    const { prefixes, units, ids } = this;
    const size = ids.length * 2;
    this.prefixes = new Int32Array(size);
    this.units = new Int32Array(size);
    this.ids = new Int32Array(size).fill(-1);
    this.mask = size - 1;
    for (let k = 0; k < ids.length; k++) {
      if (ids[k] === -1) continue;
      let h =
        (Math.imul(prefixes[k], 0x9e3779b1) ^ Math.imul(units[k] + 0x7f4a7c15, 0x85ebca77)) >>> 0;
      h = (h ^ (h >>> 15)) & this.mask;
      while (this.ids[h] !== -1) h = (h + 1) & this.mask;
      this.prefixes[h] = prefixes[k];
      this.units[h] = units[k];
      this.ids[h] = ids[k];
    }
  }
}

/** sacreBLEU's `BLEU` metric with summable statistics. */
export class BLEU implements CorpusMetric {
  readonly name = 'BLEU';
  readonly tokenizeName: string;
  readonly lowercase: boolean;
  readonly smoothMethod: SmoothMethod;
  readonly smoothValue: number | null;
  readonly effectiveOrder: boolean;
  readonly maxNgramOrder: number;
  private readonly tokenizer: Tokenizer;

  constructor(options: BleuOptions = {}) {
    this.tokenizeName = options.tokenize ?? (options.trgLang === 'zh' ? 'zh' : '13a');
    this.tokenizer = getTokenizer(this.tokenizeName);
    this.lowercase = options.lowercase ?? false;
    this.smoothMethod = options.smoothMethod ?? 'exp';
    if (!(this.smoothMethod in SMOOTH_DEFAULTS)) {
      throw new Error(
        `unknown smoothing method '${this.smoothMethod}'; use exp, floor, add-k or none`,
      );
    }
    this.smoothValue = options.smoothValue ?? SMOOTH_DEFAULTS[this.smoothMethod];
    this.effectiveOrder = options.effectiveOrder ?? false;
    this.maxNgramOrder = options.maxNgramOrder ?? 4;
  }

  /** The metric's own signature fields (sacreBLEU `BLEUSignature`). */
  signaturePairs(): SignaturePair[] {
    let smooth: string = this.smoothMethod;
    const def = SMOOTH_DEFAULTS[this.smoothMethod];
    if (def !== null) smooth += `[${pyFixed(this.smoothValue ?? def, 2)}]`;
    return [
      { key: 'case', short: 'c', value: this.lowercase ? 'lc' : 'mixed' },
      { key: 'eff', short: 'e', value: yesNo(this.effectiveOrder) },
      { key: 'tok', short: 'tok', value: this.tokenizeName },
      { key: 'smooth', short: 's', value: smooth },
    ];
  }

  signature(nrefs: number | 'var'): string {
    return formatSignature(buildSignature(nrefs, this.signaturePairs()));
  }

  /** lowercase → rstrip → tokenizer → split (sacreBLEU `_preprocess_segment` + split). */
  tokens(segment: string): string[] {
    const text = this.lowercase ? pyLower(segment) : segment;
    return pySplit(this.tokenizer(pyRstrip(text)));
  }

  segmentStatistics(
    hypotheses: readonly string[],
    references: readonly ReferenceStream[],
  ): number[][] {
    const order = this.maxNgramOrder;
    const nSeg = hypotheses.length;
    for (const stream of references) {
      if (stream.length !== nSeg) {
        throw new Error(`reference stream has ${stream.length} segments, hypotheses have ${nSeg}`);
      }
    }
    // Pass 1: tokenize everything and intern tokens.
    const vocab = new Map<string, number>();
    let ngramBound = 0;
    const toIds = (segment: string): Int32Array => {
      const toks = this.tokens(segment);
      const ids = new Int32Array(toks.length);
      for (let i = 0; i < toks.length; i++) {
        let id = vocab.get(toks[i]);
        if (id === undefined) {
          id = vocab.size;
          vocab.set(toks[i], id);
        }
        ids[i] = id;
      }
      ngramBound += toks.length * order;
      return ids;
    };
    const hypIds = hypotheses.map(toIds);
    const refIds: (Int32Array | null)[][] = references.map((stream) =>
      stream.map((r) => (r === null ? null : toIds(r))),
    );
    const vocabSize = Math.max(1, vocab.size);
    const maxIds = vocabSize + ngramBound;
    const interner = new PairInterner(vocabSize, ngramBound);
    const refMax = new Int32Array(maxIds);
    const scratch = new Int32Array(maxIds);
    const touchedRef: number[] = [];
    const touchedScratch: number[] = [];

    // Writes each n-gram's id and order into the provided lists, counting into scratch.
    const countNgrams = (ids: Int32Array, touched: number[], orders: number[] | null): void => {
      const len = ids.length;
      for (let i = 0; i < len; i++) {
        let id = ids[i];
        for (let n = 1; n <= order && i + n <= len; n++) {
          if (n > 1) id = interner.get(id, ids[i + n - 1]);
          if (scratch[id]++ === 0) {
            touched.push(id);
            if (orders) orders.push(n);
          }
        }
      }
    };

    const stats: number[][] = new Array(nSeg);
    const orders: number[] = [];
    for (let s = 0; s < nSeg; s++) {
      const hyp = hypIds[s];
      const hypLen = hyp.length;
      let closestDiff = -1;
      let closestLen = -1;
      for (let r = 0; r < refIds.length; r++) {
        const ref = refIds[r][s];
        if (ref === null) continue;
        const refLen = ref.length;
        const diff = Math.abs(hypLen - refLen);
        if (closestDiff === -1 || diff < closestDiff) {
          closestDiff = diff;
          closestLen = refLen;
        } else if (diff === closestDiff && refLen < closestLen) {
          closestLen = refLen;
        }
        countNgrams(ref, touchedScratch, null);
        for (const id of touchedScratch) {
          if (refMax[id] === 0) touchedRef.push(id);
          if (scratch[id] > refMax[id]) refMax[id] = scratch[id];
          scratch[id] = 0;
        }
        touchedScratch.length = 0;
      }
      const row = new Array<number>(2 + 2 * order).fill(0);
      row[0] = hypLen;
      // A segment whose references are all missing contributes no reference length.
      row[1] = closestLen < 0 ? 0 : closestLen;
      orders.length = 0;
      countNgrams(hyp, touchedScratch, orders);
      for (let k = 0; k < touchedScratch.length; k++) {
        const id = touchedScratch[k];
        const count = scratch[id];
        row[2 + orders[k] - 1] += count < refMax[id] ? count : refMax[id];
        scratch[id] = 0;
      }
      touchedScratch.length = 0;
      for (let n = 1; n <= order; n++) row[2 + order + n - 1] = Math.max(0, hypLen - n + 1);
      for (const id of touchedRef) refMax[id] = 0;
      touchedRef.length = 0;
      stats[s] = row;
    }
    return stats;
  }

  /** Scores summed statistics; the signature assumes one reference (see `corpusScore`). */
  scoreFromStatistics(statistics: readonly number[]): MetricScore {
    return this.scoreWithNrefs(statistics, 1);
  }

  private scoreWithNrefs(
    statistics: readonly number[],
    nrefs: number | 'var',
    signature?: string,
  ): MetricScore {
    const order = this.maxNgramOrder;
    // sacreBLEU casts lengths with int() (they may arrive as float32 sums when resampling).
    const sysLen = Math.trunc(statistics[0]);
    const refLen = Math.trunc(statistics[1]);
    const r = computeBleu(
      statistics.slice(2, 2 + order),
      statistics.slice(2 + order, 2 + 2 * order),
      sysLen,
      refLen,
      this.smoothMethod,
      this.smoothValue,
      this.effectiveOrder,
      order,
    );
    const ratio = refLen > 0 ? sysLen / refLen : 0;
    const verbose =
      r.precisions.map((p) => pyFixed(p, 1)).join('/') +
      ` (BP = ${pyFixed(r.bp, 3)} ratio = ${pyFixed(ratio, 3)} hyp_len = ${sysLen} ref_len = ${refLen})`;
    const sig = signature ?? this.signature(nrefs);
    const details: BleuDetails = {
      counts: r.counts,
      totals: r.totals,
      precisions: r.precisions,
      bp: r.bp,
      sysLen,
      refLen,
      ratio,
      verbose,
      line: formatScore({ name: this.name, score: r.score, verbose }, { width: 2, signature: sig }),
    };
    return { name: this.name, score: r.score, signature: sig, details };
  }

  corpusScore(hypotheses: readonly string[], references: readonly ReferenceStream[]): MetricScore {
    const stats = this.segmentStatistics(hypotheses, references);
    const sum = new Array<number>(2 + 2 * this.maxNgramOrder).fill(0);
    for (const row of stats) for (let j = 0; j < sum.length; j++) sum[j] += row[j];
    return this.scoreWithNrefs(sum, countReferences(references, hypotheses.length));
  }

  sentenceScore(hypothesis: string, references: readonly string[]): MetricScore {
    return this.corpusScore(
      [hypothesis],
      references.map((r) => [r]),
    );
  }
}

/**
 * sacreBLEU's `nrefs`: references per segment after dropping `null`s, or `var` when it differs.
 */
export function countReferences(
  references: readonly ReferenceStream[],
  nSeg: number,
): number | 'var' {
  let seen = -1;
  for (let s = 0; s < nSeg; s++) {
    let n = 0;
    for (const stream of references) if (stream[s] !== null) n++;
    if (seen === -1) seen = n;
    else if (seen !== n) return 'var';
  }
  return seen === -1 ? references.length : seen;
}
