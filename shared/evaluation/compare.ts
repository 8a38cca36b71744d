/**
 * Paired significance between runs scored on the same references: sacreBLEU's paired bootstrap
 * resampling (`--paired-bs`, Koehn 2004) through shared/metrics/significance.ts, so the means,
 * intervals and p-values are the ones sacreBLEU prints for the same seed.
 *
 * One deliberate difference: sacreBLEU counts only resampled deltas strictly above the real one,
 * so a system identical to the baseline (real delta 0, every resampled delta 0) gets
 * p = 1/(n+1) and looks significant. A zero delta can never be told apart from chance, so
 * it is reported here as p = 1, not significant.
 */
import type { RunOutputs } from '../api/types';
import { BLEU, countReferences } from '../metrics/bleu';
import { CHRF } from '../metrics/chrf';
import type { CorpusMetric } from '../metrics/base';
import { withExtras } from '../metrics/signature';
import { DEFAULT_BOOTSTRAP_SAMPLES, DEFAULT_SEED, pairedTest } from '../metrics/significance';
import { TER } from '../metrics/ter';
import { checkAligned, referenceStreams, sameReferences } from './references';

/** sacreBLEU marks p ≤ 0.05 with `*`. */
const SIGNIFICANCE_LEVEL = 0.05;

export interface ComparisonResult {
  /** Score name, e.g. `BLEU`, `chrF2`, `TER`. */
  metric: string;
  resamples: number;
  seed: number;
  /** Actual score, bootstrap mean and 95% half-width. */
  baseline: { run: string; score: number; mean: number; ci: number };
  systems: {
    run: string;
    score: number;
    mean: number;
    ci: number;
    pValue: number;
    significant: boolean;
  }[];
  /** The metric's signature with `bs` and `seed` fields. */
  signature: string;
}

function metricFor(metric: 'bleu' | 'chrf' | 'ter'): CorpusMetric {
  if (metric === 'bleu') return new BLEU();
  if (metric === 'chrf') return new CHRF();
  if (metric === 'ter') return new TER();
  throw new Error(`paired tests support bleu, chrf and ter, not '${String(metric)}'`);
}

/**
 * Compares each system with the baseline by paired bootstrap resampling.
 * @param options resamples (default 1000) and seed (default 12345), as sacreBLEU's defaults.
 * @throws Error when there is no system, the runs' references differ, or the outputs are
 *   misaligned.
 */
export function compareRuns(
  baseline: RunOutputs,
  systems: readonly RunOutputs[],
  metric: 'bleu' | 'chrf' | 'ter',
  options: { resamples?: number; seed?: number } = {},
): ComparisonResult {
  const resamples = options.resamples ?? DEFAULT_BOOTSTRAP_SAMPLES;
  const seed = options.seed ?? DEFAULT_SEED;
  if (!Number.isInteger(resamples) || resamples < 1) {
    throw new RangeError(`resamples must be a whole number ≥ 1, got ${resamples}`);
  }
  if (!Number.isInteger(seed) || seed < 0) {
    throw new RangeError(`seed must be a whole number ≥ 0, got ${seed}`);
  }
  if (systems.length === 0) throw new Error('compare needs at least one run besides the baseline');
  checkAligned(baseline);
  for (const s of systems) {
    checkAligned(s);
    if (!sameReferences(baseline, s)) {
      throw new Error(
        `runs ${baseline.run} and ${s.run} were not scored against the same references; ` +
          'paired tests only compare outputs for the same segments and references',
      );
    }
  }
  const streams = referenceStreams(baseline.references);
  if (streams.length === 0) throw new Error(`run ${baseline.run} has no references to compare on`);
  const scorer = metricFor(metric);
  const result = pairedTest(
    [baseline, ...systems].map((o) => ({ name: o.run, hypotheses: o.hypotheses })),
    streams,
    [scorer],
    { test: 'bs', nSamples: resamples, seed },
  );
  const [base, ...rows] = result.metrics[0].rows;
  const nrefs = countReferences(streams, baseline.hypotheses.length);
  return {
    metric: result.metrics[0].name,
    resamples,
    seed,
    baseline: { run: base.system, score: base.score, mean: base.mean ?? NaN, ci: base.ci ?? NaN },
    systems: rows.map((row) => {
      const pValue = row.score === base.score ? 1 : (row.pValue ?? 1);
      return {
        run: row.system,
        score: row.score,
        mean: row.mean ?? NaN,
        ci: row.ci ?? NaN,
        pValue,
        significant: pValue <= SIGNIFICANCE_LEVEL,
      };
    }),
    signature: withExtras(scorer.signature(nrefs), { bs: resamples, seed: String(seed) }),
  };
}
