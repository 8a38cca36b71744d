/**
 * `results.json` (schema 1), the machine-readable report: every run with its scores and their
 * signatures, its energy with method, grade and signature, the carbon figure with its source,
 * throughput and full provenance; the significance tests against the baseline; repeat intervals;
 * failed tasks. The published JSON Schema (docs/schemas/results.schema.json) is generated from
 * this zod schema (`ecoeval report schema`), and a test keeps the two equal.
 */
import { z } from 'zod';
import { corpusScore, runMetric } from '../../../shared/api/schemas';
import { runRecordSchema } from '../runs/record';

export const RESULTS_SCHEMA_ID = 'urn:ecoeval:report-results:1';

const shape = runRecordSchema.shape;
const nullableNumber = z.number().nullable();

/** The run's energy as stored, less the power timeline (report.html does not plot it). */
const energySchema = shape.energy.unwrap().omit({ timeline: true });

const carbonSchema = z
  .object({
    grams: z.number(),
    lowG: z.number(),
    highG: z.number(),
    country: z.string().describe('ISO 3166 alpha-2 code of the grid, WORLD or USER'),
    source: z
      .string()
      .describe('Where the grid intensity comes from: table, year, and whether it was assumed'),
    basis: z
      .enum(['recorded', 'report'])
      .describe(
        'recorded: as the run stored it; report: recomputed for the plan’s country or overhead',
      ),
    overheadFactor: z.number(),
  })
  .strict()
  .describe('Carbon of the run’s energy, gCO2e, with the grid intensity’s source');

const energyValueSchema = z
  .object({
    value: z.number(),
    low: z.number(),
    high: z.number(),
    label: z.string().describe('Unit and scale in words, e.g. "J per segment"'),
    kind: z.enum(['measured', 'estimated', 'imported', 'mixed']),
    trainingShare: z.number(),
  })
  .strict();

export const reportRunSchema = z
  .object({
    id: shape.id,
    name: shape.name,
    tags: shape.tags,
    createdAt: z.string(),
    system: shape.system,
    dataset: z
      .object({
        key: z.string().describe('Group key: <dataset id>/<split>'),
        id: z.string(),
        split: z.string(),
        name: z.string(),
        kind: shape.dataset.shape.kind,
      })
      .strict(),
    metrics: z.array(runMetric),
    scores: z.array(corpusScore),
    energy: energySchema
      .nullable()
      .describe('The run’s energy as stored (power timeline left out), with method and grade'),
    energyNote: z.string().nullable().describe('Why there is no energy figure, when there is none'),
    energyPerSegment: energyValueSchema
      .nullable()
      .describe('Energy per segment in joules (whole window ÷ segments), as the charts place it'),
    carbon: carbonSchema.nullable(),
    training: shape.training,
    throughput: shape.throughput,
    provenance: shape.provenance,
    onFrontier: z
      .array(z.string())
      .describe('Score names for which the run is on its dataset’s Pareto frontier'),
    files: z
      .object({
        record: z.string(),
        outputs: z.string().nullable(),
        segments: z.string().nullable(),
      })
      .strict()
      .describe('The run’s files in the report folder (relative paths)'),
  })
  .strict();

export const comparisonSchema = z
  .object({
    dataset: z.string(),
    metric: z.string().describe('Score name: BLEU, chrF2 or TER'),
    resamples: z.number().int(),
    seed: z.number().int(),
    signature: z.string(),
    baseline: z
      .object({
        run: z.string(),
        system: z.string(),
        score: z.number(),
        mean: nullableNumber,
        ci: nullableNumber,
      })
      .strict(),
    systems: z.array(
      z
        .object({
          run: z.string(),
          system: z.string(),
          score: z.number(),
          delta: z.number(),
          mean: nullableNumber,
          ci: nullableNumber,
          pValue: z.number(),
          significant: z.boolean(),
        })
        .strict(),
    ),
  })
  .strict();

export const repeatSummarySchema = z
  .object({
    dataset: z.string(),
    system: z.string(),
    runs: z.array(z.string()),
    n: z.number().int(),
    meanJ: z.number(),
    sdJ: z.number(),
    ci95J: z
      .tuple([z.number(), z.number()])
      .nullable()
      .describe('Repeat-to-repeat 95% t-interval of the energy (n ≥ 3), apart from the meter band'),
  })
  .strict();

export const resultsSchema = z
  .object({
    schema: z.literal(1),
    generator: z.object({ name: z.literal('EcoEval'), version: z.string() }).strict(),
    title: z.string(),
    generatedAt: z.string(),
    source: z
      .object({
        kind: z.enum(['plan', 'runs']),
        description: z
          .string()
          .describe('The plan file as given, or how the runs were chosen (e.g. --tag demo)'),
        sha256: z.string().nullable(),
      })
      .strict(),
    settings: z
      .object({
        chart: z
          .object({
            unit: z.enum(['J', 'Wh', 'gCO2e']),
            scale: z.enum(['total', 'per-segment', 'per-1k-segments']),
            includeTraining: z.boolean(),
            amortiseOver: z.number(),
            metrics: z.array(z.string()),
          })
          .strict(),
        carbon: z.object({ country: z.string().nullable(), overheadFactor: z.number() }).strict(),
        pairedResamples: z.number().int(),
        seed: z.number().int(),
      })
      .strict(),
    baseline: z
      .object({
        system: z.string(),
        chosen: z
          .enum(['plan', 'option', 'default'])
          .describe('Named by the plan, by --baseline, or the default (the first system)'),
        runs: z.array(z.object({ dataset: z.string(), run: z.string() }).strict()),
      })
      .strict()
      .nullable(),
    datasets: z.array(
      z
        .object({
          key: z.string(),
          id: z.string(),
          split: z.string(),
          name: z.string(),
          kind: shape.dataset.shape.kind,
          sha256: z.string(),
          segments: z.number().int(),
          runs: z.array(z.string()),
        })
        .strict(),
    ),
    runs: z.array(reportRunSchema),
    comparisons: z
      .array(comparisonSchema)
      .describe('Paired bootstrap tests of each run against the baseline, per dataset and score'),
    repeats: z.array(repeatSummarySchema),
    failures: z.array(
      z.object({ task: z.string(), run: z.string().nullable(), message: z.string() }).strict(),
    ),
    warnings: z.array(z.string()),
  })
  .strict();

export type ReportResults = z.infer<typeof resultsSchema>;
export type ReportRun = z.infer<typeof reportRunSchema>;
export type ReportComparison = z.infer<typeof comparisonSchema>;

/** The published JSON Schema of results.json, as committed in docs/schemas/. */
export function resultsJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(resultsSchema, { io: 'output' }) as Record<string, unknown>;
  return {
    $schema: schema.$schema,
    $id: RESULTS_SCHEMA_ID,
    title: 'EcoEval report results (results.json, schema 1)',
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$schema')),
  };
}

/** The file's text: two-space JSON with a final newline. */
export function resultsJsonSchemaText(): string {
  return `${JSON.stringify(resultsJsonSchema(), null, 2)}\n`;
}
