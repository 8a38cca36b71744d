/**
 * Translation Edit Rate, matching sacreBLEU 2.6.0's `TER()` (tercom-style shifts, beam edit
 * distance, case-insensitive by default) and its `TERSignature`; the text line is `format.ts`'s
 * `formatScore` (TER has no verbose part).
 * Per-segment statistics are `[numEdits, refLength]`: the fewest edits over the segment's
 * references and the *average* reference length, so corpus TER = 100 · Σedits / Σlengths.
 * The algorithm lives in `ter-tokenizer.ts` (tokenization) and `ter-shift.ts` (edit counting).
 */
import type { CorpusMetric, MetricScore, ReferenceStream } from './base';
import { sumStatistics } from './base';
import type { SignaturePair } from './signature';
import { buildSignature, formatSignature, yesNo } from './signature';
import type { TercomOptions } from './ter-tokenizer';
import { tercomTokenize, tercomTokenizeReference } from './ter-tokenizer';
import { TerAligner } from './ter-shift';

export type { TercomOptions as TEROptions } from './ter-tokenizer';

/** Maps strings to small integers so the DP compares words as ints. */
class WordIds {
  private readonly ids = new Map<string, number>();

  encode(words: readonly string[]): Int32Array {
    const out = new Int32Array(words.length);
    for (let i = 0; i < words.length; i++) {
      let id = this.ids.get(words[i]);
      if (id === undefined) {
        id = this.ids.size;
        this.ids.set(words[i], id);
      }
      out[i] = id;
    }
    return out;
  }
}

/** TER as a summable corpus metric; see the module header for the statistics layout. */
export class TER implements CorpusMetric {
  readonly name = 'TER';
  private readonly options: Required<TercomOptions>;
  private readonly aligner = new TerAligner();
  private lastNrefs: number | 'var' = 1;

  constructor(options: TercomOptions = {}) {
    this.options = {
      caseSensitive: options.caseSensitive ?? false,
      normalized: options.normalized ?? false,
      noPunct: options.noPunct ?? false,
      asianSupport: options.asianSupport ?? false,
    };
  }

  /** sacreBLEU's `TERSignature` fields; `punct:yes` means punctuation is kept (`noPunct` off). */
  private signaturePairs(nrefs: number | 'var'): SignaturePair[] {
    const o = this.options;
    return buildSignature(nrefs, [
      { key: 'case', short: 'c', value: o.caseSensitive ? 'mixed' : 'lc' },
      { key: 'tok', short: 't', value: 'tercom' },
      { key: 'norm', short: 'nr', value: yesNo(o.normalized) },
      { key: 'punct', short: 'pn', value: yesNo(!o.noPunct) },
      { key: 'asian', short: 'as', value: yesNo(o.asianSupport) },
    ]);
  }

  /** Long signature, e.g. `nrefs:1|case:lc|tok:tercom|norm:no|punct:yes|asian:no|version:…`. */
  signature(nrefs: number | 'var'): string {
    return formatSignature(this.signaturePairs(nrefs));
  }

  /** sacreBLEU's short signature form, e.g. `#:1|c:lc|t:tercom|nr:no|pn:yes|as:no|v:…`. */
  shortSignature(nrefs: number | 'var'): string {
    return formatSignature(this.signaturePairs(nrefs), true);
  }

  /**
   * `[numEdits, averageRefLength]` per hypothesis. `null` references are dropped per segment; a
   * segment left with no reference is an error (sacreBLEU divides by zero there).
   * Also records the reference count used by {@link TER.scoreFromStatistics}' default signature.
   */
  segmentStatistics(
    hypotheses: readonly string[],
    references: readonly ReferenceStream[],
  ): number[][] {
    for (const stream of references) {
      if (stream.length !== hypotheses.length) {
        throw new Error('TER: hypothesis and reference streams have different lengths');
      }
    }
    const ids = new WordIds();
    const rows: number[][] = [];
    let nrefs: number | 'var' | undefined;
    for (let s = 0; s < hypotheses.length; s++) {
      const hyp = ids.encode(tercomTokenize(hypotheses[s], this.options));
      let bestEdits = Infinity;
      let lengthSum = 0;
      let count = 0;
      for (const stream of references) {
        const text = stream[s];
        if (text === null) continue;
        const ref = ids.encode(tercomTokenizeReference(text, this.options));
        const edits = this.aligner.editCount(hyp, ref);
        if (edits < bestEdits) bestEdits = edits;
        lengthSum += ref.length;
        count++;
      }
      if (count === 0) throw new Error(`TER: segment ${s} has no reference`);
      nrefs = nrefs === undefined || nrefs === count ? count : 'var';
      rows.push([bestEdits, lengthSum / count]);
    }
    this.lastNrefs = nrefs ?? references.length;
    return rows;
  }

  /**
   * Score from summed `[numEdits, refLength]`: 100 · edits / length; with zero length, 100 when
   * there are edits and 0 otherwise.
   *
   * @param statistics - element-wise sum of segment statistics (any subset, for resampling)
   * @param nrefs - reference count for the signature; defaults to the last `segmentStatistics` call
   */
  scoreFromStatistics(statistics: readonly number[], nrefs = this.lastNrefs): MetricScore {
    const numEdits = statistics[0] ?? 0;
    const refLength = statistics[1] ?? 0;
    let rate: number;
    if (refLength > 0) rate = numEdits / refLength;
    else rate = numEdits > 0 ? 1 : 0;
    return {
      name: this.name,
      score: 100 * rate,
      signature: this.signature(nrefs),
      details: { numEdits: Math.trunc(numEdits), refLength },
    };
  }

  /** Corpus TER from aligned reference streams (sacreBLEU's `corpus_score`). */
  corpusScore(hypotheses: readonly string[], references: readonly ReferenceStream[]): MetricScore {
    const rows = this.segmentStatistics(hypotheses, references);
    return this.scoreFromStatistics(sumStatistics(rows), this.lastNrefs);
  }

  /** TER of one hypothesis against its references (sacreBLEU's `sentence_score`). */
  sentenceScore(hypothesis: string, references: readonly string[]): MetricScore {
    return this.corpusScore(
      [hypothesis],
      references.map((ref) => [ref]),
    );
  }
}
