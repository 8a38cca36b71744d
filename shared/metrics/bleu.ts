/**
 * BLEU (Papineni et al., 2002) exactly as sacreBLEU 2.6.0 computes it (`metrics/bleu.py`):
 * per-segment sufficient statistics `[sys_len, ref_len, matches(1..N), totals(1..N)]`, summed
 * over the corpus, scored once. Behaviour and traps: design/metrics-bleu.md §1–3.
 *
 * Speed: each segment is tokenized into a reusable code-unit buffer and split in place, its
 * tokens are interned to small integers per segment (`TokenInterner`), the references' n-grams
 * go into a per-segment `NgramTable`, and the hypothesis is clipped against it by walking n-gram
 * chains. No strings are built per token and no per-segment maps are made.
 */
import type { CorpusMetric, MetricScore, ReferenceStream } from './base';
import { formatScore, pyFixed } from './format';
import { buildSignature, formatSignature, yesNo } from './signature';
import type { SignaturePair } from './signature';
import { IdList, TokenInterner } from './interner';
import { NgramTable } from './ngram-table';
import { CodeUnits } from './tokenizers/code-units';
import { getTokenizer, getUnitTokenizer } from './tokenizers/index';
import type { Tokenizer, UnitTokenizer } from './tokenizers/index';
import { pyLower, pyRstrip, pySplit } from './tokenizers/pystr';

// Moved to interner.ts; re-exported so existing imports keep working.
export { PairInterner } from './interner';

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
  private readonly unitTokenizer: UnitTokenizer;
  // Scratch state reused across segments and calls (BLEU objects are not re-entrant).
  private readonly text = new CodeUnits(1024);
  private readonly words = new TokenInterner();
  private readonly table = new NgramTable();
  private readonly hypIds = new IdList();
  private readonly refIds: IdList[] = [];

  constructor(options: BleuOptions = {}) {
    this.tokenizeName = options.tokenize ?? (options.trgLang === 'zh' ? 'zh' : '13a');
    this.tokenizer = getTokenizer(this.tokenizeName);
    this.unitTokenizer = getUnitTokenizer(this.tokenizeName);
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

  /**
   * Tokenizes `segment` like `tokens()` and writes its token ids to `out`. With `insert` false,
   * tokens the segment's references lack get id -1 (they cannot match anything).
   */
  private tokenIds(segment: string, out: IdList, insert: boolean): number {
    const text = this.lowercase ? pyLower(segment) : segment;
    this.unitTokenizer(pyRstrip(text), this.text);
    return this.words.internWords(this.text.data, this.text.length, out, insert);
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
    const { words, table, hypIds, refIds } = this;
    while (refIds.length < references.length) refIds.push(new IdList());
    // One reference stream: plain counts, no max over references to keep.
    const single = references.length === 1;
    const stats: number[][] = new Array(nSeg);
    for (let s = 0; s < nSeg; s++) {
      // Tokens never outnumber the code units of the texts (tokenizers only insert spaces).
      let units = hypotheses[s].length;
      for (const stream of references) units += stream[s]?.length ?? 0;
      words.reset(units);
      // References first, so that hypothesis tokens they lack need not be interned.
      let ngramBound = 0;
      for (let r = 0; r < references.length; r++) {
        const ref = references[r][s];
        if (ref === null) refIds[r].length = -1;
        else ngramBound += this.tokenIds(ref, refIds[r], true) * order;
      }
      const hypLen = this.tokenIds(hypotheses[s], hypIds, false);
      // Closest reference length, the shorter on ties (sacreBLEU `_get_closest_ref_len`), and
      // the references' n-grams clipped at their max count (`_extract_reference_info`).
      let closestDiff = -1;
      let closestLen = -1;
      table.reset(ngramBound);
      for (let r = 0; r < references.length; r++) {
        const len = refIds[r].length;
        if (len < 0) continue;
        const diff = Math.abs(hypLen - len);
        if (closestDiff === -1 || diff < closestDiff) {
          closestDiff = diff;
          closestLen = len;
        } else if (diff === closestDiff && len < closestLen) {
          closestLen = len;
        }
        const ids = refIds[r].data;
        for (let i = 0; i < len; i++) {
          const last = Math.min(len, i + order);
          let prefix = -1;
          if (single) for (let k = i; k < last; k++) prefix = table.add(prefix, ids[k]);
          else for (let k = i; k < last; k++) prefix = table.addMax(prefix, ids[k], r);
        }
      }
      const row = new Array<number>(2 + 2 * order).fill(0);
      row[0] = hypLen;
      // A segment whose references are all missing contributes no reference length.
      row[1] = closestLen < 0 ? 0 : closestLen;
      // Hypothesis: each occurrence of an n-gram matches while its clipped count lasts.
      const ids = hypIds.data;
      for (let i = 0; i < hypLen; i++) {
        const last = Math.min(hypLen, i + order);
        for (let k = i, prefix = -1; k < last; k++) {
          prefix = table.find(prefix, ids[k]);
          if (prefix < 0) break;
          if (table.take(prefix)) row[2 + k - i]++;
        }
      }
      for (let n = 1; n <= order; n++) row[2 + order + n - 1] = Math.max(0, hypLen - n + 1);
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
