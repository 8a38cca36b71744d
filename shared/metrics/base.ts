/**
 * Shared shapes for every corpus metric in `shared/metrics/`.
 *
 * Layout follows sacreBLEU 2.6: a metric turns each segment into a vector of *sufficient
 * statistics*; a corpus score is computed from the element-wise sum of those vectors. That makes
 * corpus scoring, paired bootstrap resampling and approximate randomization one code path.
 * Pure TypeScript: no Node and no DOM APIs, so the renderer's Web Worker, the CLI and tests share it.
 */

/** One reference stream: aligned with the hypotheses; `null` = no reference for that segment. */
export type ReferenceStream = readonly (string | null)[];

/** The result every metric returns, shaped like sacreBLEU's `Score` objects and CLI JSON. */
export interface MetricScore {
  /** Display name, e.g. `BLEU`, `chrF2`, `chrF2++`, `TER`. */
  name: string;
  /** The headline number (BLEU 0-100, chrF 0-100, TER 0-100+). */
  score: number;
  /** sacreBLEU-format signature string (`nrefs:1|case:mixed|...|version:...`). */
  signature: string;
  /** Metric-specific detail (counts, totals, bp, lengths...) for the UI and JSON output. */
  details: Record<string, unknown>;
}

/**
 * A corpus-level metric built from summable per-segment statistics.
 * `segmentStatistics` returns one numeric vector per hypothesis; all vectors have the same length.
 * `scoreFromStatistics` accepts their element-wise sum (or any subset sum, for resampling).
 */
export interface CorpusMetric {
  readonly name: string;
  /** Signature of the settings, without depending on data except `nrefs`. */
  signature(nrefs: number | 'var'): string;
  segmentStatistics(
    hypotheses: readonly string[],
    references: readonly ReferenceStream[],
  ): number[][];
  scoreFromStatistics(statistics: readonly number[]): MetricScore;
  corpusScore(hypotheses: readonly string[], references: readonly ReferenceStream[]): MetricScore;
  sentenceScore(hypothesis: string, references: readonly string[]): MetricScore;
}

/** Element-wise sum of statistic vectors (selected rows when `indices` is given). */
export function sumStatistics(
  rows: readonly (readonly number[])[],
  indices?: ArrayLike<number>,
): number[] {
  if (rows.length === 0) return [];
  const width = rows[0].length;
  const total = new Array<number>(width).fill(0);
  const count = indices ? indices.length : rows.length;
  for (let i = 0; i < count; i++) {
    const row = rows[indices ? indices[i] : i];
    for (let j = 0; j < width; j++) total[j] += row[j];
  }
  return total;
}

/** EcoEval's metric library version; signatures say `version:ecoeval-<this>+sacrebleu-2.6.0`. */
export const METRICS_VERSION = '1.0.0';
export const SACREBLEU_VERSION = '2.6.0';
export const ROUGE_SCORE_VERSION = '0.1.2';
