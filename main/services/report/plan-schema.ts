/**
 * The shape of a report plan file (YAML or JSON, schema 1): datasets, systems, metrics, energy
 * settings, the chart, the title and the baseline. Only the shape lives here; the rules that
 * combine keys (a dataset is an id or files, a system a model or outputs) are checked in plan.ts,
 * which names the line of each problem.
 */
import { z } from 'zod';
import {
  datasetId,
  importFormat,
  modelId,
  precision,
  runMetric,
  splitName,
} from '../../../shared/api/schemas';

const filePath = z.string().trim().min(1, 'a file path is required').max(4096);
const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);
const oneOrMore = <T extends z.ZodType>(item: T, max: number) =>
  z.union([item, z.array(item).min(1).max(max)]);

/** A dataset: an id (in the workspace, or built in and installed on demand), or files to import. */
export const planDatasetSchema = z.preprocess(
  // `- grammar-en-xx` is short for `- dataset: grammar-en-xx`.
  (value) => (typeof value === 'string' ? { dataset: value } : value),
  z.strictObject({
    dataset: datasetId.optional(),
    split: splitName.optional(),
    name: text(120).optional(),
    kind: z.enum(['translation', 'summarization', 'language-modelling']).optional(),
    format: importFormat.optional(),
    source: filePath.optional(),
    references: oneOrMore(filePath, 16).optional(),
    file: filePath.optional(),
    columns: z
      .strictObject({
        source: text(200),
        references: oneOrMore(text(200), 16).optional(),
      })
      .optional(),
    quoting: z.enum(['csv', 'none']).optional(),
    languages: z
      .strictObject({ source: text(16).optional(), target: text(16).optional() })
      .optional(),
  }),
);

/** A system: a workspace model (or a bundle folder to install) or outputs produced elsewhere. */
export const planSystemSchema = z.strictObject({
  model: modelId.optional(),
  bundle: filePath.optional(),
  precision: oneOrMore(precision, 3).optional(),
  provider: z.enum(['auto', 'cpu', 'cuda', 'webgpu', 'dml', 'coreml']).optional(),
  beam: z.number().int().min(1).max(16).optional(),
  lengthPenalty: z.number().min(0).max(5).optional(),
  maxLength: z.number().int().min(1).max(4096).optional(),
  batchSize: z.number().int().min(1).max(1024).optional(),
  threads: z.number().int().min(1).max(256).optional(),
  outputs: filePath.optional(),
  name: text(120).optional(),
  dataset: text(120).optional(),
  codecarbon: filePath.optional(),
  energyJson: filePath.optional(),
  logprobs: filePath.optional(),
});

export const planMetricsSchema = z.preprocess(
  // `metrics: [bleu, chrf]` is short for `metrics: { use: [bleu, chrf] }`.
  (value) => (Array.isArray(value) ? { use: value } : value),
  z.strictObject({
    use: z.array(runMetric).min(1, 'choose at least one metric').max(5).optional(),
    /** Resamples for the 95% intervals of each score (0 = none). */
    bootstrap: z.number().int().min(0).max(100_000).optional(),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1)
      .optional(),
    /** Resamples of the paired bootstrap against the baseline. */
    pairedResamples: z.number().int().min(1).max(100_000).optional(),
  }),
);

export const planEnergySchema = z.strictObject({
  /** false: no energy windows (quick checks); runs then carry no energy figure. */
  measure: z.boolean().optional(),
  /** Grid-intensity country for the report's carbon figures (ISO 3166 alpha-2 or alpha-3). */
  country: z
    .string()
    .regex(/^[A-Za-z]{2,3}$/, 'a country is an ISO 3166 code such as FR or DEU')
    .optional(),
  /** PUE / power-supply factor applied to carbon, as `ecoeval energy measure --overhead`. */
  overhead: z.number().min(1).max(3).optional(),
  /** Runs per model system and dataset; the report gives their repeat-to-repeat interval. */
  repeats: z.number().int().min(1).max(20).optional(),
  /** Accepted only as false: evaluation runs record gross energy (see plan.ts). */
  idleBaseline: z.union([z.boolean(), z.string()]).optional(),
});

export const planChartSchema = z.strictObject({
  unit: z.enum(['J', 'Wh', 'gCO2e']).optional(),
  scale: z.enum(['total', 'per-segment', 'per-1k-segments']).optional(),
  includeTraining: z.boolean().optional(),
  amortiseOver: z.number().int().min(1).max(1e15).optional(),
  /** Score names to chart (default: BLEU, chrF2, TER, ROUGE-L, PPL as present). */
  metrics: z.array(text(40)).min(1).max(12).optional(),
});

export const planSchema = z.strictObject({
  schema: z.literal(1).optional(),
  title: text(200).optional(),
  workspace: filePath.optional(),
  datasets: z.array(planDatasetSchema).min(1, 'list at least one dataset').max(32),
  systems: z.array(planSystemSchema).min(1, 'list at least one system').max(64),
  metrics: planMetricsSchema.optional(),
  energy: planEnergySchema.optional(),
  chart: planChartSchema.optional(),
  baseline: text(200).optional(),
  tags: z.array(text(40)).max(20).optional(),
});

export type PlanFile = z.infer<typeof planSchema>;
export type PlanDatasetEntry = PlanFile['datasets'][number];
export type PlanSystemEntry = PlanFile['systems'][number];

/** Keys that only a dataset to import (files, not an id) may carry. */
export const IMPORT_ONLY_KEYS = [
  'name',
  'kind',
  'format',
  'source',
  'references',
  'file',
  'columns',
  'quoting',
  'languages',
] as const;

/** Every key a plan object may hold, for "did you mean" hints on a misspelt one. */
export const PLAN_KEYS: readonly string[] = [
  ...new Set([
    ...Object.keys(planSchema.shape),
    ...Object.keys(planSystemSchema.shape),
    ...Object.keys(planEnergySchema.shape),
    ...Object.keys(planChartSchema.shape),
    'use',
    'bootstrap',
    'seed',
    'pairedResamples',
    'dataset',
    'split',
    ...IMPORT_ONLY_KEYS,
    'target',
  ]),
];
