/**
 * Perplexity of a run from per-segment summed log-probabilities (what `RunOutputs.logprobs`
 * carries), as a `CorpusMetric` so the shared bootstrap can put an interval on it. The numbers
 * are those of `computePerplexity` in shared/metrics/perplexity.ts: exp(total NLL / total tokens),
 * never a mean of per-segment perplexities.
 */
import type { RunOutputs } from '../api/types';
import type { CorpusMetric, MetricScore } from '../metrics/base';
import { pyFixed } from '../metrics/format';
import { perplexitySignature } from '../metrics/perplexity';

/** Segment statistics layout: `[nll, tokens, bytes, words]`. */
type Row = readonly [number, number, number, number];

/** Corpus perplexity over stored segment rows; `segmentStatistics` returns those rows. */
export class SegmentPerplexity implements CorpusMetric {
  readonly name = 'PPL';
  private readonly rows: Row[];

  /** @throws Error when the run has no log-probabilities. */
  constructor(outputs: RunOutputs) {
    if (outputs.logprobs === null) {
      throw new Error(
        `run ${outputs.run} has no log-probabilities, so its perplexity cannot be computed; ` +
          'score it with a model, or import a log-probabilities file with its outputs',
      );
    }
    // Negating the summed log-probability is exact, so the totals equal computePerplexity's.
    this.rows = outputs.logprobs.map((l) => [-l.logprob, l.tokens, l.bytes, l.words] as const);
  }

  signature(): string {
    let tokens = 0;
    for (const row of this.rows) tokens += row[1];
    return perplexitySignature(tokens, null);
  }

  segmentStatistics(): number[][] {
    return this.rows.map((row) => [...row]);
  }

  /** @throws RangeError when the statistics hold no token (as computePerplexity does). */
  scoreFromStatistics(statistics: readonly number[]): MetricScore {
    const [nll, tokens, bytes, words] = statistics;
    if (!(tokens > 0)) throw new RangeError('perplexity needs at least one scored token');
    const bitsPerByte = bytes > 0 ? nll / bytes / Math.LN2 : null;
    const wordPerplexity = words > 0 ? Math.exp(nll / words) : null;
    const verbose =
      `(tokens = ${tokens} bits/byte = ${bitsPerByte === null ? 'n/a' : pyFixed(bitsPerByte, 3)}` +
      ` word PPL = ${wordPerplexity === null ? 'n/a' : pyFixed(wordPerplexity, 2)})`;
    return {
      name: this.name,
      score: Math.exp(nll / tokens),
      signature: perplexitySignature(tokens, null),
      details: { nll, tokens, bytes, words, bitsPerByte, wordPerplexity, verbose },
    };
  }

  corpusScore(): MetricScore {
    const total = [0, 0, 0, 0];
    for (const row of this.rows) for (let j = 0; j < 4; j++) total[j] += row[j];
    return this.scoreFromStatistics(total);
  }

  sentenceScore(): MetricScore {
    throw new Error('per-segment perplexity comes from segmentPerplexities()');
  }

  /** exp(nll / tokens) of each segment; NaN for a segment with no scored token. */
  segmentPerplexities(): number[] {
    return this.rows.map(([nll, tokens]) => (tokens > 0 ? Math.exp(nll / tokens) : NaN));
  }
}
