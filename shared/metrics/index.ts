/**
 * Registry of EcoEval's corpus metrics by sacreBLEU-style name (`-m bleu chrf ter rouge`), so the
 * CLI, the Web Worker and the UI build metrics the same way.
 */
import type { CorpusMetric } from './base';
import { BLEU } from './bleu';
import type { BleuOptions } from './bleu';
import { CHRF } from './chrf';
import type { ChrfOptions } from './chrf';
import { RougeMetric } from './rouge';
import type { RougeType } from './rouge';
import { TER } from './ter';

export { BLEU } from './bleu';
export { CHRF } from './chrf';
export { TER } from './ter';
export { RougeMetric } from './rouge';

/** Metric names accepted by `createMetric`, in sacreBLEU's lower-case spelling. */
export const METRIC_NAMES = ['bleu', 'chrf', 'ter', 'rouge'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

/** TER options (sacreBLEU `TER(...)` argument names). */
export interface TerOptions {
  caseSensitive?: boolean;
  normalized?: boolean;
  noPunct?: boolean;
  asianSupport?: boolean;
}

/** ROUGE options (rouge-score `RougeScorer(rouge_types, use_stemmer)`). */
export interface RougeMetricOptions {
  types?: RougeType[];
  useStemmer?: boolean;
}

/** Options for every metric, grouped by metric as the CLI's prefixed flags are. */
export interface MetricOptions {
  bleu?: BleuOptions;
  chrf?: ChrfOptions;
  ter?: TerOptions;
  rouge?: RougeMetricOptions;
}

/** True when `name` is a registered metric. */
export function isMetricName(name: string): name is MetricName {
  return (METRIC_NAMES as readonly string[]).includes(name);
}

/**
 * Builds the metric called `name` with its options.
 * @throws Error listing the known metrics when `name` is unknown.
 */
export function createMetric(name: string, options: MetricOptions = {}): CorpusMetric {
  switch (name) {
    case 'bleu':
      return new BLEU(options.bleu);
    case 'chrf':
      return new CHRF(options.chrf);
    case 'ter':
      return new TER(options.ter);
    case 'rouge':
      return new RougeMetric({
        types: options.rouge?.types ?? ['rouge1', 'rouge2', 'rougeL', 'rougeLsum'],
        useStemmer: options.rouge?.useStemmer ?? false,
      });
    default:
      throw new Error(`unknown metric '${name}'; use one of: ${METRIC_NAMES.join(', ')}`);
  }
}
