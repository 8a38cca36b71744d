/**
 * chrF and chrF++ (Popović, 2015; 2017) exactly as sacreBLEU 2.6.0 computes them
 * (`metrics/chrf.py`): per order a `(hyp, ref, match)` triple for character n-grams 1..charOrder
 * then word n-grams 1..wordOrder, summed over the corpus and scored once.
 * Behaviour and traps: design/metrics-bleu.md §4.
 *
 * Speed: character n-grams are chains of code points and word n-grams chains of per-pair word
 * ids (`TokenInterner`); each reference goes into a per-pair `NgramTable` and the hypothesis is
 * matched against it by walking the chains. No substrings or per-pair maps are built.
 */
import type { CorpusMetric, MetricScore, ReferenceStream } from './base';
import { countReferences } from './bleu';
import { formatScore } from './format';
import { IdList, TokenInterner } from './interner';
import { NgramTable } from './ngram-table';
import { buildSignature, formatSignature, yesNo } from './signature';
import type { SignaturePair } from './signature';
import { CodeUnits } from './tokenizers/code-units';
import { isPyWhitespace, pyLower, pySplit } from './tokenizers/pystr';

/** sacreBLEU `CHRF.CHAR_ORDER`, `WORD_ORDER`, `BETA` defaults (Popović's chrF2). */
export const CHRF_DEFAULTS = { charOrder: 6, wordOrder: 0, beta: 2 } as const;

/** sacreBLEU `CHRF._EPS_SMOOTHING` value used for empty orders. */
const EPS = 1e-16;

/** ASCII punctuation (Python `string.punctuation`), split off words by chrF++. */
const PUNCTUATION = new Set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~');
/** `PUNCTUATION` as a lookup table over ASCII code units. */
const IS_PUNCTUATION = new Uint8Array(128);
for (const ch of PUNCTUATION) IS_PUNCTUATION[ch.charCodeAt(0)] = 1;

/** Options named after sacreBLEU's `CHRF(...)` arguments. */
export interface ChrfOptions {
  charOrder?: number;
  wordOrder?: number;
  beta?: number;
  lowercase?: boolean;
  whitespace?: boolean;
  epsSmoothing?: boolean;
}

/** chrF++ word tokens: split, then peel one ASCII punctuation mark off the end or the start. */
export function chrfWords(segment: string): string[] {
  const out: string[] = [];
  for (const w of pySplit(segment)) {
    const chars = Array.from(w);
    if (chars.length === 1) out.push(w);
    else if (PUNCTUATION.has(chars[chars.length - 1])) {
      out.push(chars.slice(0, -1).join(''), chars[chars.length - 1]);
    } else if (PUNCTUATION.has(chars[0])) {
      out.push(chars[0], chars.slice(1).join(''));
    } else out.push(w);
  }
  return out;
}

/** The code points chrF takes character n-grams from (whitespace removed unless kept). */
export function chrfChars(segment: string, whitespace: boolean): string[] {
  const out: string[] = [];
  for (const ch of segment) if (whitespace || !isPyWhitespace(ch.charCodeAt(0))) out.push(ch);
  return out;
}

/**
 * Writes the code points of `text` that chrF takes n-grams from (as `chrfChars`) to `out`.
 */
function charIds(text: string, whitespace: boolean, out: IdList): void {
  const n = text.length;
  out.reset(n);
  const ids = out.data;
  let m = 0;
  for (let i = 0; i < n; i++) {
    let cp = text.charCodeAt(i);
    // Surrogate pairs are one code point; a lone surrogate stays a unit of its own (as in JS
    // string iteration and Python's surrogateescape strings).
    if (cp >= 0xd800 && cp < 0xdc00 && i + 1 < n) {
      const lo = text.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo < 0xe000) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        i++;
      }
    }
    if (whitespace || !isPyWhitespace(cp)) ids[m++] = cp;
  }
  out.length = m;
}

/**
 * Writes the ids of `text`'s chrF++ words (as `chrfWords`) to `out`; with `insert` false, words
 * not interned before get -1. Works on code units: a word of one code point is left alone, and
 * ASCII punctuation is never part of a surrogate pair.
 */
function wordIds(
  text: string,
  buffer: CodeUnits,
  words: TokenInterner,
  insert: boolean,
  out: IdList,
): void {
  buffer.setString(text);
  const { data, length } = buffer;
  // Splitting a word in two at most doubles the count; words never outnumber units.
  out.reset(length + 1);
  const ids = out.data;
  let m = 0;
  let start = -1;
  for (let i = 0; i <= length; i++) {
    if (i < length && !isPyWhitespace(data[i])) {
      if (start < 0) start = i;
      continue;
    }
    if (start < 0) continue;
    const end = i;
    const single = end - start === 1 || (end - start === 2 && isSurrogatePair(data, start));
    if (!single && isPunct(data[end - 1])) {
      ids[m++] = words.intern(data, start, end - 1, insert);
      ids[m++] = words.intern(data, end - 1, end, insert);
    } else if (!single && isPunct(data[start])) {
      ids[m++] = words.intern(data, start, start + 1, insert);
      ids[m++] = words.intern(data, start + 1, end, insert);
    } else ids[m++] = words.intern(data, start, end, insert);
    start = -1;
  }
  out.length = m;
}

function isPunct(unit: number): boolean {
  return unit < 128 && IS_PUNCTUATION[unit] === 1;
}

function isSurrogatePair(data: Uint16Array, at: number): boolean {
  const hi = data[at];
  const lo = data[at + 1];
  return hi >= 0xd800 && hi < 0xdc00 && lo >= 0xdc00 && lo < 0xe000;
}

/** sacreBLEU's `CHRF` metric with summable statistics. */
export class CHRF implements CorpusMetric {
  readonly name: string;
  readonly charOrder: number;
  readonly wordOrder: number;
  readonly beta: number;
  readonly lowercase: boolean;
  readonly whitespace: boolean;
  readonly epsSmoothing: boolean;
  private readonly order: number;
  // Scratch state reused across pairs and calls (CHRF objects are not re-entrant).
  private readonly table = new NgramTable();
  private readonly words = new TokenInterner();
  private readonly buffer = new CodeUnits(1024);
  private readonly hypChars = new IdList();
  private readonly refChars = new IdList();
  private readonly hypWords = new IdList();
  private readonly refWords = new IdList();

  constructor(options: ChrfOptions = {}) {
    this.charOrder = options.charOrder ?? CHRF_DEFAULTS.charOrder;
    this.wordOrder = options.wordOrder ?? CHRF_DEFAULTS.wordOrder;
    this.beta = options.beta ?? CHRF_DEFAULTS.beta;
    this.lowercase = options.lowercase ?? false;
    this.whitespace = options.whitespace ?? false;
    this.epsSmoothing = options.epsSmoothing ?? false;
    this.order = this.charOrder + this.wordOrder;
    this.name = `chrF${this.beta}${'+'.repeat(this.wordOrder)}`;
  }

  /** The metric's own signature fields (sacreBLEU `CHRFSignature`). */
  signaturePairs(): SignaturePair[] {
    return [
      { key: 'case', short: 'c', value: this.lowercase ? 'lc' : 'mixed' },
      { key: 'eff', short: 'e', value: yesNo(!this.epsSmoothing) },
      { key: 'nc', short: 'nc', value: String(this.charOrder) },
      { key: 'nw', short: 'nw', value: String(this.wordOrder) },
      { key: 'space', short: 's', value: yesNo(this.whitespace) },
    ];
  }

  signature(nrefs: number | 'var'): string {
    return formatSignature(buildSignature(nrefs, this.signaturePairs()));
  }

  /** sacreBLEU `CHRF._compute_f_score` on one statistics vector (3 numbers per order). */
  fScore(stats: readonly number[]): number {
    const factor = this.beta ** 2;
    let score = 0;
    let effectiveOrder = 0;
    let avgPrec = 0;
    let avgRec = 0;
    for (let i = 0; i < this.order; i++) {
      const nHyp = stats[3 * i];
      const nRef = stats[3 * i + 1];
      const nMatch = stats[3 * i + 2];
      const prec = nHyp > 0 ? nMatch / nHyp : EPS;
      const rec = nRef > 0 ? nMatch / nRef : EPS;
      const denom = factor * prec + rec;
      score += denom > 0 ? ((1 + factor) * prec * rec) / denom : EPS;
      if (nHyp > 0 && nRef > 0) {
        avgPrec += prec;
        avgRec += rec;
        effectiveOrder++;
      }
    }
    if (this.epsSmoothing) return (100 * score) / this.order;
    if (effectiveOrder === 0) {
      avgPrec = 0;
      avgRec = 0;
    } else {
      avgPrec /= effectiveOrder;
      avgRec /= effectiveOrder;
    }
    if (avgPrec + avgRec) {
      return (100 * ((1 + factor) * avgPrec * avgRec)) / (factor * avgPrec + avgRec);
    }
    return 0.0;
  }

  /**
   * Writes `(hyp, ref, match)` for orders `firstOrder..firstOrder+maxN-1` of one unit sequence
   * pair into `out` (sacreBLEU `_get_match_statistics` on the n-gram counters).
   */
  private pairStats(
    hyp: IdList,
    ref: IdList,
    maxN: number,
    firstOrder: number,
    out: number[],
  ): void {
    const table = this.table;
    const hypLen = hyp.length;
    const refLen = ref.length;
    const base = 3 * firstOrder;
    for (let n = 0; n < maxN; n++) {
      const hypTotal = Math.max(0, hypLen - n);
      const refTotal = Math.max(0, refLen - n);
      // sacreBLEU counts no hypothesis n-grams for an order the reference lacks.
      out[base + 3 * n] = refTotal > 0 ? hypTotal : 0;
      out[base + 3 * n + 1] = refTotal;
      out[base + 3 * n + 2] = 0;
    }
    table.reset(refLen * maxN);
    const refIds = ref.data;
    for (let i = 0; i < refLen; i++) {
      const last = Math.min(refLen, i + maxN);
      for (let k = i, prefix = -1; k < last; k++) prefix = table.add(prefix, refIds[k]);
    }
    // Each hypothesis occurrence matches while the reference count lasts: min(hyp, ref).
    const hypIds = hyp.data;
    for (let i = 0; i < hypLen; i++) {
      const last = Math.min(hypLen, i + maxN);
      for (let k = i, prefix = -1; k < last; k++) {
        prefix = table.find(prefix, hypIds[k]);
        if (prefix < 0) break;
        if (table.take(prefix)) out[base + 3 * (k - i) + 2]++;
      }
    }
  }

  segmentStatistics(
    hypotheses: readonly string[],
    references: readonly ReferenceStream[],
  ): number[][] {
    const nSeg = hypotheses.length;
    for (const stream of references) {
      if (stream.length !== nSeg) {
        throw new Error(`reference stream has ${stream.length} segments, hypotheses have ${nSeg}`);
      }
    }
    const { hypChars, refChars, hypWords, refWords, words, buffer } = this;
    const stats: number[][] = new Array(nSeg);
    for (let s = 0; s < nSeg; s++) {
      const hyp = this.lowercase ? pyLower(hypotheses[s]) : hypotheses[s];
      charIds(hyp, this.whitespace, hypChars);
      let best: number[] = new Array<number>(3 * this.order).fill(0);
      let bestF = -1.0;
      for (const stream of references) {
        const segment = stream[s];
        if (segment === null) continue;
        const ref = this.lowercase ? pyLower(segment) : segment;
        const row = new Array<number>(3 * this.order).fill(0);
        charIds(ref, this.whitespace, refChars);
        this.pairStats(hypChars, refChars, this.charOrder, 0, row);
        if (this.wordOrder > 0) {
          // Word ids are per pair: the reference's words, then the hypothesis looked up.
          words.reset(ref.length + 1);
          wordIds(ref, buffer, words, true, refWords);
          wordIds(hyp, buffer, words, false, hypWords);
          this.pairStats(hypWords, refWords, this.wordOrder, this.charOrder, row);
        }
        // The first reference with the strictly highest sentence F wins (sacreBLEU).
        const f = this.fScore(row);
        if (f > bestF) {
          bestF = f;
          best = row;
        }
      }
      stats[s] = best;
    }
    return stats;
  }

  scoreFromStatistics(statistics: readonly number[]): MetricScore {
    return this.scoreWithSignature(statistics, this.signature(1));
  }

  private scoreWithSignature(statistics: readonly number[], signature: string): MetricScore {
    const score = this.fScore(statistics);
    const line = formatScore({ name: this.name, score }, { width: 2, signature });
    return { name: this.name, score, signature, details: { statistics: [...statistics], line } };
  }

  corpusScore(hypotheses: readonly string[], references: readonly ReferenceStream[]): MetricScore {
    const stats = this.segmentStatistics(hypotheses, references);
    const sum = new Array<number>(3 * this.order).fill(0);
    for (const row of stats) for (let j = 0; j < sum.length; j++) sum[j] += row[j];
    return this.scoreWithSignature(
      sum,
      this.signature(countReferences(references, hypotheses.length)),
    );
  }

  sentenceScore(hypothesis: string, references: readonly string[]): MetricScore {
    return this.corpusScore(
      [hypothesis],
      references.map((r) => [r]),
    );
  }
}
