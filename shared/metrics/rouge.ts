/**
 * ROUGE-N, ROUGE-L and ROUGE-Lsum with the numbers of Google's rouge-score 0.1.2 (what Hugging
 * Face `evaluate.load("rouge")` wraps): `RougeScorer.score`, `score_multi` (best reference by F,
 * per type, first wins on ties) and the plain-mean aggregate; `RougeMetric` plugs ROUGE into the
 * shared `CorpusMetric` shape so significance testing works on it. The algorithm notes are in
 * `shared/design/metrics-rouge.md`; tokenizer, pair scoring and bootstrap live in `rouge-*.ts`.
 */

import type { CorpusMetric, MetricScore, ReferenceStream } from './base';
import { METRICS_VERSION, ROUGE_SCORE_VERSION } from './base';
import { RougeEncoder } from './rouge-tokenize';
import type { EncodedText } from './rouge-tokenize';
import { RougeScratch, scoreEncodedPair } from './rouge-scoring';
import type { RougeScore, RougeType } from './rouge-types';
import { validateRougeTypes } from './rouge-types';

export type { RougeScore, RougeType, RougeNType } from './rouge-types';
export { DEFAULT_ROUGE_TYPES, isRougeType } from './rouge-types';
export { bootstrapAggregate } from './rouge-bootstrap';
export type { BootstrapOptions, RougeInterval } from './rouge-bootstrap';
export { tokenizeRouge, splitRougeSentences } from './rouge-tokenize';

/** Scoring settings, as rouge-score's `RougeScorer(rouge_types, use_stemmer)`. */
export interface RougeOptions<T extends RougeType = RougeType> {
  types: readonly T[];
  useStemmer: boolean;
}

/** Per-type scores for one prediction. */
export type RougeScores<T extends RougeType = RougeType> = Record<T, RougeScore>;

/**
 * Scores predictions against references with one shared token id space and scratch arrays.
 * Reuse one instance for a batch; its vocabulary grows with every distinct word it sees.
 */
export class RougeScorer<T extends RougeType = RougeType> {
  readonly types: readonly T[];
  private readonly encoder: RougeEncoder;
  private readonly scratch = new RougeScratch();

  constructor(options: RougeOptions<T>) {
    validateRougeTypes(options.types);
    this.types = [...options.types];
    this.encoder = new RougeEncoder(options.useStemmer);
  }

  /**
   * rouge-score `score_multi(targets=references, prediction)`; with one reference it is `score`.
   * @throws RangeError when `references` is empty (rouge-score would fail in `np.argmax([])`).
   */
  score(prediction: string, references: readonly string[]): RougeScores<T> {
    if (references.length === 0) {
      throw new RangeError('ROUGE needs at least one reference for every prediction');
    }
    const encodedPrediction = this.encoder.encode(prediction);
    if (references.length === 1) {
      return this.toRecord(this.scoreEncoded(encodedPrediction, references[0]));
    }
    let best: RougeScore[] | null = null;
    for (const reference of references) {
      const scores = this.scoreEncoded(encodedPrediction, reference);
      if (best === null) best = scores;
      // Strictly greater: np.argmax keeps the first of equal F values, per type.
      else
        for (let k = 0; k < scores.length; k++)
          if (scores[k].fmeasure > best[k].fmeasure) best[k] = scores[k];
    }
    return this.toRecord(best as RougeScore[]);
  }

  private scoreEncoded(prediction: EncodedText, reference: string): RougeScore[] {
    const encodedReference = this.encoder.encode(reference);
    return scoreEncodedPair(
      prediction,
      encodedReference,
      this.types,
      this.encoder.vocabularySize,
      this.scratch,
    );
  }

  private toRecord(scores: readonly RougeScore[]): RougeScores<T> {
    const record = {} as RougeScores<T>;
    this.types.forEach((type, k) => (record[type] = scores[k]));
    return record;
  }
}

/**
 * Scores one prediction against its reference(s), as rouge-score's `score` / `score_multi`.
 * Precision is over the prediction and recall over the references; the types keep these roles
 * apart (a single string cannot be passed where the reference list goes).
 * @param prediction the candidate text (rouge-score's `prediction`).
 * @param references one or more reference texts (rouge-score's `target(s)`); never empty.
 */
export function scoreRougePair<T extends RougeType>(
  prediction: string,
  references: readonly string[],
  options: RougeOptions<T>,
): RougeScores<T> {
  return new RougeScorer(options).score(prediction, references);
}

/** Arithmetic mean of P, R and F over examples, each on its own (not F of the mean P and R). */
export function meanRougeScores<T extends RougeType>(
  perExample: readonly RougeScores<T>[],
  types: readonly T[],
): RougeScores<T> {
  const mean = {} as RougeScores<T>;
  for (const type of types) {
    let p = 0;
    let r = 0;
    let f = 0;
    for (const example of perExample) {
      p += example[type].precision;
      r += example[type].recall;
      f += example[type].fmeasure;
    }
    const n = Math.max(perExample.length, 1);
    mean[type] = { precision: p / n, recall: r / n, fmeasure: f / n };
  }
  return mean;
}

/** Per-example scores and their plain mean for a corpus. */
export interface RougeCorpusResult<T extends RougeType = RougeType> {
  perExample: RougeScores<T>[];
  mean: RougeScores<T>;
}

/**
 * Scores a corpus like HF `evaluate` with `use_aggregator=False`, plus the plain mean.
 * @param predictions one candidate per example.
 * @param references per example, one reference or a list of references (best by F per type).
 */
export function scoreRougeCorpus<T extends RougeType>(
  predictions: readonly string[],
  references: readonly (string | readonly string[])[],
  options: RougeOptions<T>,
): RougeCorpusResult<T> {
  if (predictions.length !== references.length) {
    throw new RangeError(
      `ROUGE got ${predictions.length} predictions but ${references.length} references`,
    );
  }
  const scorer = new RougeScorer(options);
  const perExample = predictions.map((prediction, i) => {
    const refs = references[i];
    return scorer.score(prediction, typeof refs === 'string' ? [refs] : refs);
  });
  return { perExample, mean: meanRougeScores(perExample, scorer.types) };
}

/** Display name of a type: rouge1 → ROUGE-1, rougeL → ROUGE-L, rougeLsum → ROUGE-Lsum. */
export function rougeDisplayName(type: RougeType): string {
  return `ROUGE-${type.slice(5)}`;
}

/**
 * ROUGE as a `CorpusMetric`. Segment statistics are `[P, R, F]` per type in order, then a count
 * of 1, so any sum of rows divided by its count is the plain mean over those segments; that is
 * what makes the generic paired bootstrap and randomization tests work for ROUGE.
 * The headline score is 100 × mean F of the first type.
 */
export class RougeMetric implements CorpusMetric {
  readonly name: string;
  readonly types: readonly RougeType[];
  readonly useStemmer: boolean;

  constructor(options: RougeOptions) {
    validateRougeTypes(options.types);
    this.types = [...options.types];
    this.useStemmer = options.useStemmer;
    this.name = rougeDisplayName(this.types[0]);
  }

  /** sacreBLEU-style signature, e.g. `nrefs:1|types:rouge1+rougeL|stem:yes|tok:rouge-score|…`. */
  signature(nrefs: number | 'var'): string {
    return [
      `nrefs:${nrefs}`,
      `types:${this.types.join('+')}`,
      `stem:${this.useStemmer ? 'yes' : 'no'}`,
      'tok:rouge-score',
      'agg:mean',
      `version:ecoeval-${METRICS_VERSION}+rouge-score-${ROUGE_SCORE_VERSION}`,
    ].join('|');
  }

  /** Per-segment scores (best reference per type), e.g. for `bootstrapAggregate`. */
  segmentScores(
    hypotheses: readonly string[],
    references: readonly ReferenceStream[],
  ): RougeScores[] {
    const scorer = new RougeScorer({ types: this.types, useStemmer: this.useStemmer });
    return hypotheses.map((hypothesis, i) =>
      scorer.score(hypothesis, segmentReferences(references, i, hypotheses.length)),
    );
  }

  segmentStatistics(
    hypotheses: readonly string[],
    references: readonly ReferenceStream[],
  ): number[][] {
    return this.segmentScores(hypotheses, references).map((scores) => {
      const row: number[] = [];
      for (const type of this.types) {
        row.push(scores[type].precision, scores[type].recall, scores[type].fmeasure);
      }
      row.push(1);
      return row;
    });
  }

  scoreFromStatistics(statistics: readonly number[]): MetricScore {
    const width = this.types.length * 3 + 1;
    if (statistics.length !== width) {
      throw new RangeError(`ROUGE statistics need ${width} numbers, got ${statistics.length}`);
    }
    const count = statistics[width - 1];
    const means = {} as RougeScores;
    this.types.forEach((type, k) => {
      const divide = (x: number): number => (count > 0 ? x / count : 0);
      means[type] = {
        precision: divide(statistics[3 * k]),
        recall: divide(statistics[3 * k + 1]),
        fmeasure: divide(statistics[3 * k + 2]),
      };
    });
    return {
      name: this.name,
      score: 100 * means[this.types[0]].fmeasure,
      signature: this.signature(1),
      details: { types: means, segments: count, useStemmer: this.useStemmer, aggregation: 'mean' },
    };
  }

  corpusScore(hypotheses: readonly string[], references: readonly ReferenceStream[]): MetricScore {
    const sum = new Array<number>(this.types.length * 3 + 1).fill(0);
    for (const row of this.segmentStatistics(hypotheses, references)) {
      for (let j = 0; j < row.length; j++) sum[j] += row[j];
    }
    return { ...this.scoreFromStatistics(sum), signature: this.signature(countRefs(references)) };
  }

  sentenceScore(hypothesis: string, references: readonly string[]): MetricScore {
    return this.corpusScore(
      [hypothesis],
      references.map((r) => [r]),
    );
  }
}

/** The non-null references of segment `i` across all streams. */
function segmentReferences(
  streams: readonly ReferenceStream[],
  i: number,
  segments: number,
): string[] {
  const refs: string[] = [];
  for (const stream of streams) {
    if (stream.length !== segments) {
      throw new RangeError(
        `a reference stream has ${stream.length} lines but there are ${segments} hypotheses`,
      );
    }
    const ref = stream[i];
    if (ref !== null) refs.push(ref);
  }
  if (refs.length === 0) throw new RangeError(`segment ${i + 1} has no reference`);
  return refs;
}

/** `nrefs` for the signature: the stream count, or `var` when some segments lack references. */
function countRefs(streams: readonly ReferenceStream[]): number | 'var' {
  return streams.some((s) => s.some((r) => r === null)) ? 'var' : streams.length;
}
