/**
 * chrF and chrF++ (Popović, 2015; 2017) exactly as sacreBLEU 2.6.0 computes them
 * (`metrics/chrf.py`): per order a `(hyp, ref, match)` triple for character n-grams 1..charOrder
 * then word n-grams 1..wordOrder, summed over the corpus and scored once.
 * Behaviour and traps: design/metrics-bleu.md §4.
 *
 * Speed: characters and words are interned to integers; each hypothesis/reference pair interns
 * its n-grams into a small numeric table instead of building substring maps.
 */
import type { CorpusMetric, MetricScore, ReferenceStream } from './base';
import { countReferences, PairInterner } from './bleu';
import { formatScore } from './format';
import { buildSignature, formatSignature, yesNo } from './signature';
import type { SignaturePair } from './signature';
import { isPyWhitespace, pyLower, pySplit } from './tokenizers/pystr';

/** sacreBLEU `CHRF.CHAR_ORDER`, `WORD_ORDER`, `BETA` defaults (Popović's chrF2). */
export const CHRF_DEFAULTS = { charOrder: 6, wordOrder: 0, beta: 2 } as const;

/** sacreBLEU `CHRF._EPS_SMOOTHING` value used for empty orders. */
const EPS = 1e-16;

/** ASCII punctuation (Python `string.punctuation`), split off words by chrF++. */
const PUNCTUATION = new Set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~');

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

/** One side of a pair: per order, counts of each local n-gram id. */
interface Side {
  /** Unit ids (characters or words) of the sequence. */
  ids: Int32Array;
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
  // Per-call scratch state for n-gram interning.
  private readonly table = new PairInterner(0);
  private hypCount = new Int32Array(1024);
  private refCount = new Int32Array(1024);
  private idOrder = new Int32Array(1024);

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

  private ensureCapacity(n: number): void {
    if (this.hypCount.length >= n) return;
    let size = this.hypCount.length;
    while (size < n) size *= 2;
    this.hypCount = new Int32Array(size);
    this.refCount = new Int32Array(size);
    this.idOrder = new Int32Array(size);
  }

  /**
   * Adds `(hyp, ref, match)` for orders `firstOrder..firstOrder+maxN-1` of one unit sequence
   * pair into `out`. `vocabSize` bounds the unit ids so (prefix, unit) keys stay unique.
   */
  private pairStats(
    hyp: Side,
    ref: Side,
    maxN: number,
    firstOrder: number,
    vocabSize: number,
    out: number[],
  ): void {
    const table = this.table;
    table.clear();
    this.ensureCapacity((hyp.ids.length + ref.ids.length) * maxN + 1);
    const hypCount = this.hypCount;
    const refCount = this.refCount;
    const idOrder = this.idOrder;
    const walk = (ids: Int32Array, counts: Int32Array): void => {
      const len = ids.length;
      for (let i = 0; i < len; i++) {
        let prefix = -1;
        for (let n = 0; n < maxN && i + n < len; n++) {
          const before = table.size;
          const id = table.get(prefix, ids[i + n]);
          if (id === before) {
            idOrder[id] = n;
            hypCount[id] = 0;
            refCount[id] = 0;
          }
          counts[id]++;
          prefix = id;
        }
      }
    };
    walk(hyp.ids, hypCount);
    walk(ref.ids, refCount);
    const base = 3 * firstOrder;
    const matches = new Array<number>(maxN).fill(0);
    for (let id = 0; id < table.size; id++) {
      const h = hypCount[id];
      const r = refCount[id];
      if (h > 0 && r > 0) matches[idOrder[id]] += h < r ? h : r;
    }
    for (let n = 0; n < maxN; n++) {
      const hypTotal = Math.max(0, hyp.ids.length - n);
      const refTotal = Math.max(0, ref.ids.length - n);
      // sacreBLEU counts no hypothesis n-grams for an order the reference lacks.
      out[base + 3 * n] = refTotal > 0 ? hypTotal : 0;
      out[base + 3 * n + 1] = refTotal;
      out[base + 3 * n + 2] = matches[n];
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
    const charVocab = new Map<string, number>();
    const wordVocab = new Map<string, number>();
    const intern = (units: string[], vocab: Map<string, number>): Int32Array => {
      const ids = new Int32Array(units.length);
      for (let i = 0; i < units.length; i++) {
        let id = vocab.get(units[i]);
        if (id === undefined) {
          id = vocab.size;
          vocab.set(units[i], id);
        }
        ids[i] = id;
      }
      return ids;
    };
    const prepare = (segment: string): { chars: Side; words: Side | null } => {
      const text = this.lowercase ? pyLower(segment) : segment;
      return {
        chars: { ids: intern(chrfChars(text, this.whitespace), charVocab) },
        words: this.wordOrder > 0 ? { ids: intern(chrfWords(text), wordVocab) } : null,
      };
    };
    const hyps = hypotheses.map(prepare);
    const refs = references.map((stream) => stream.map((r) => (r === null ? null : prepare(r))));
    const stats: number[][] = new Array(nSeg);
    for (let s = 0; s < nSeg; s++) {
      let best: number[] = new Array<number>(3 * this.order).fill(0);
      let bestF = -1.0;
      for (const stream of refs) {
        const ref = stream[s];
        if (ref === null) continue;
        const row = new Array<number>(3 * this.order).fill(0);
        this.pairStats(hyps[s].chars, ref.chars, this.charOrder, 0, charVocab.size, row);
        if (this.wordOrder > 0) {
          this.pairStats(
            hyps[s].words!,
            ref.words!,
            this.wordOrder,
            this.charOrder,
            wordVocab.size,
            row,
          );
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
