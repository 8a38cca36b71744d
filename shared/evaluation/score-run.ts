/**
 * Scores a run's saved outputs with the metrics it asked for: corpus scores with signatures,
 * sacreBLEU-style lines and bootstrap intervals, plus per-segment scores for the segment table.
 * Synchronous and pure, so the renderer's Web Worker, the CLI and the main process share it.
 *
 * Each metric's segment statistics are computed once and reused for the corpus score, the
 * bootstrap and the per-segment scores; the corpus numbers equal the metrics' own `corpusScore`.
 * Intervals follow sacreBLEU's `--confidence` (bootstrap mean ± 95% half-width, seed 12345);
 * ROUGE uses rouge-score's BootstrapAggregator percentiles instead, as its users expect.
 */
import type { CorpusScore, RunMetric, RunOutputs, SegmentScores } from '../api/types';
import { sumStatistics } from '../metrics/base';
import type { CorpusMetric, MetricScore, ReferenceStream } from '../metrics/base';
import { BLEU, computeBleu, countReferences } from '../metrics/bleu';
import { CHRF } from '../metrics/chrf';
import { formatScore, pyFixed } from '../metrics/format';
import { RougeMetric, bootstrapAggregate, rougeDisplayName } from '../metrics/rouge';
import type { RougeInterval, RougeScores, RougeType } from '../metrics/rouge';
import { withExtras } from '../metrics/signature';
import {
  DEFAULT_BOOTSTRAP_SAMPLES,
  DEFAULT_SEED,
  bootstrapConfidence,
} from '../metrics/significance';
import { TER } from '../metrics/ter';
import { SegmentPerplexity } from './perplexity-corpus';
import { checkAligned, referenceStreams } from './references';

export interface ScoreRunOptions {
  /** Resamples for confidence intervals, default 1000, 0 = none. */
  bootstrap?: number;
  /** Seed of the resampling RNG, default 12345 (sacreBLEU's). */
  seed?: number;
}

/** What scoring one run produces. */
export interface RunScoring {
  scores: CorpusScore[];
  segments: SegmentScores[];
}

const ROUGE_TYPES: readonly RougeType[] = ['rouge1', 'rouge2', 'rougeL', 'rougeLsum'];
/** The ROUGE type whose per-segment F goes to the segment table. */
const SEGMENT_ROUGE_TYPE: RougeType = 'rougeL';

const NAMES: Record<RunMetric, readonly string[]> = {
  bleu: ['BLEU'],
  chrf: ['chrF2'],
  ter: ['TER'],
  rouge: ROUGE_TYPES.map(rougeDisplayName),
  perplexity: ['PPL'],
};

/** Metrics in the order asked, each once; unknown names are an error. */
function distinct(metrics: readonly RunMetric[]): RunMetric[] {
  const out: RunMetric[] = [];
  for (const m of metrics) {
    if (!(m in NAMES)) {
      throw new Error(`unknown metric '${m}'; use one of: ${Object.keys(NAMES).join(', ')}`);
    }
    if (!out.includes(m)) out.push(m);
  }
  return out;
}

/** The score names `scoreRunOutputs` produces for `metrics`, in its order. */
export function scoreNames(metrics: readonly RunMetric[]): string[] {
  return distinct(metrics).flatMap((m) => NAMES[m]);
}

/** Resolved options with their checks. */
interface Resampling {
  samples: number;
  seed: number;
}

function resampling(options: ScoreRunOptions): Resampling {
  const samples = options.bootstrap ?? DEFAULT_BOOTSTRAP_SAMPLES;
  const seed = options.seed ?? DEFAULT_SEED;
  if (!Number.isInteger(samples) || samples < 0) {
    throw new RangeError(`bootstrap must be a whole number of resamples ≥ 0, got ${samples}`);
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`seed must be a whole number from 0 to 2^32-1, got ${seed}`);
  }
  return { samples, seed };
}

/**
 * One corpus score from summed statistics, with sacreBLEU's `--confidence` interval when asked:
 * `low`/`high` = bootstrap mean ∓ the 95% half-width, and `bs`/`seed` in the signature.
 */
function corpusScore(
  kind: RunMetric,
  metric: CorpusMetric,
  stats: readonly (readonly number[])[],
  signature: string,
  lowerIsBetter: boolean,
  r: Resampling,
  resampled: readonly (readonly number[])[] = stats,
): CorpusScore {
  const result: MetricScore = metric.scoreFromStatistics(sumStatistics(stats));
  const verbose = typeof result.details.verbose === 'string' ? result.details.verbose : undefined;
  let low: number | null = null;
  let high: number | null = null;
  let mean: number | undefined;
  let ci: number | undefined;
  let sig = signature;
  if (r.samples > 0) {
    const conf = bootstrapConfidence(metric, resampled, { nSamples: r.samples, seed: r.seed });
    mean = conf.mean;
    ci = conf.ci;
    low = conf.mean - conf.ci;
    high = conf.mean + conf.ci;
    sig = withExtras(signature, { bs: r.samples, seed: String(r.seed) });
  }
  return {
    metric: kind,
    name: result.name,
    score: result.score,
    low,
    high,
    lowerIsBetter,
    signature: sig,
    formatted: formatScore({ name: result.name, score: result.score, verbose, mean, ci }),
  };
}

/** BLEU with sacreBLEU's defaults; segments get `sentence_bleu` (effective order on). */
function scoreBleu(hyps: readonly string[], streams: readonly ReferenceStream[], r: Resampling) {
  const metric = new BLEU();
  const stats = metric.segmentStatistics(hyps, streams);
  const sig = metric.signature(countReferences(streams, hyps.length));
  const order = metric.maxNgramOrder;
  const values = stats.map(
    (row) =>
      computeBleu(
        row.slice(2, 2 + order),
        row.slice(2 + order, 2 + 2 * order),
        row[0],
        row[1],
        metric.smoothMethod,
        metric.smoothValue,
        true,
        order,
      ).score,
  );
  return {
    scores: [corpusScore('bleu', metric, stats, sig, false, r)],
    segments: [{ name: metric.name, values }],
  };
}

/** chrF2 with sacreBLEU's defaults; a segment's chrF is the F of its own statistics. */
function scoreChrf(hyps: readonly string[], streams: readonly ReferenceStream[], r: Resampling) {
  const metric = new CHRF();
  const stats = metric.segmentStatistics(hyps, streams);
  const sig = metric.signature(countReferences(streams, hyps.length));
  return {
    scores: [corpusScore('chrf', metric, stats, sig, false, r)],
    segments: [{ name: metric.name, values: stats.map((row) => metric.fScore(row)) }],
  };
}

/** TER with sacreBLEU's defaults (tercom tokenization, case-insensitive). */
function scoreTer(hyps: readonly string[], streams: readonly ReferenceStream[], r: Resampling) {
  const metric = new TER();
  const stats = metric.segmentStatistics(hyps, streams);
  // segmentStatistics recorded the reference count; scoreFromStatistics signs with it.
  const sig = metric.scoreFromStatistics(sumStatistics(stats)).signature;
  const values = stats.map((row) => metric.scoreFromStatistics(row).score);
  return {
    scores: [corpusScore('ter', metric, stats, sig, true, r)],
    segments: [{ name: metric.name, values }],
  };
}

/**
 * ROUGE-1/2/L/Lsum F-measures ×100 (rouge-score, no stemmer, plain mean), one metric pass.
 * Intervals are rouge-score's bootstrap percentiles (2.5 / 97.5) of the mean F.
 */
function scoreRouge(hyps: readonly string[], streams: readonly ReferenceStream[], r: Resampling) {
  const metric = new RougeMetric({ types: ROUGE_TYPES, useStemmer: false });
  const stats = metric.segmentStatistics(hyps, streams);
  const total = metric.scoreFromStatistics(sumStatistics(stats));
  const means = total.details.types as RougeScores;
  // Same rule as RougeMetric.corpusScore: `var` when some segment lacks a stream's reference.
  const nrefs = streams.some((s) => s.some((x) => x === null)) ? 'var' : streams.length;
  let sig = metric.signature(nrefs);
  const k = (type: RougeType) => ROUGE_TYPES.indexOf(type);
  let intervals: Record<RougeType, RougeInterval> | null = null;
  if (r.samples > 0) {
    const perSegment = stats.map((row) => {
      const scores = {} as RougeScores;
      for (const type of ROUGE_TYPES) {
        const j = 3 * k(type);
        scores[type] = { precision: row[j], recall: row[j + 1], fmeasure: row[j + 2] };
      }
      return scores;
    });
    intervals = bootstrapAggregate(perSegment, {
      nSamples: r.samples,
      seed: r.seed,
      types: ROUGE_TYPES,
    });
    sig = withExtras(sig, { bs: r.samples, seed: String(r.seed) });
  }
  const scores = ROUGE_TYPES.map((type): CorpusScore => {
    const name = rougeDisplayName(type);
    const score = 100 * means[type].fmeasure;
    const interval = intervals?.[type] ?? null;
    const low = interval ? 100 * interval.low.fmeasure : null;
    const high = interval ? 100 * interval.high.fmeasure : null;
    const range = low !== null && high !== null ? ` [${pyFixed(low, 2)}, ${pyFixed(high, 2)}]` : '';
    const verbose =
      `(P = ${pyFixed(100 * means[type].precision, 2)} R = ${pyFixed(100 * means[type].recall, 2)})` +
      (range ? ` 95% bootstrap${range}` : '');
    return {
      metric: 'rouge',
      name,
      score,
      low,
      high,
      lowerIsBetter: false,
      signature: sig,
      formatted: formatScore({ name, score, verbose }),
    };
  });
  const j = 3 * k(SEGMENT_ROUGE_TYPE) + 2;
  return {
    scores,
    segments: [
      { name: rougeDisplayName(SEGMENT_ROUGE_TYPE), values: stats.map((row) => 100 * row[j]) },
    ],
  };
}

/** Perplexity from the run's per-segment log-probabilities. */
function scorePerplexity(outputs: RunOutputs, r: Resampling) {
  const metric = new SegmentPerplexity(outputs);
  const stats = metric.segmentStatistics();
  // A resample of only token-less segments would have no perplexity; they add nothing anyway.
  const scored = stats.filter((row) => row[1] > 0);
  return {
    scores: [corpusScore('perplexity', metric, stats, metric.signature(), true, r, scored)],
    segments: [{ name: metric.name, values: metric.segmentPerplexities() }],
  };
}

/**
 * Scores a run's outputs with `metrics`, in the order given (each metric once).
 * @param outputs hypotheses with per-segment reference rows (and log-probabilities for PPL).
 * @param metrics bleu → BLEU, chrf → chrF2, ter → TER, rouge → ROUGE-1/2/L/Lsum, perplexity → PPL.
 * @param options bootstrap resamples (default 1000, 0 = no intervals) and seed (default 12345).
 * @throws Error when the outputs are misaligned or empty, a metric is unknown, or perplexity is
 *   asked of a run without log-probabilities.
 */
export function scoreRunOutputs(
  outputs: RunOutputs,
  metrics: readonly RunMetric[],
  options: ScoreRunOptions = {},
): RunScoring {
  const r = resampling(options);
  const wanted = distinct(metrics);
  checkAligned(outputs);
  const hyps = outputs.hypotheses;
  const needsRefs = wanted.some((m) => m !== 'perplexity');
  const streams = needsRefs ? referenceStreams(outputs.references) : [];
  if (needsRefs && streams.length === 0) {
    throw new Error(`run ${outputs.run} has no references, so only perplexity can be scored`);
  }
  const out: RunScoring = { scores: [], segments: [] };
  for (const m of wanted) {
    const part =
      m === 'bleu'
        ? scoreBleu(hyps, streams, r)
        : m === 'chrf'
          ? scoreChrf(hyps, streams, r)
          : m === 'ter'
            ? scoreTer(hyps, streams, r)
            : m === 'rouge'
              ? scoreRouge(hyps, streams, r)
              : scorePerplexity(outputs, r);
    out.scores.push(...part.scores);
    out.segments.push(...part.segments);
  }
  return out;
}
