/**
 * Request schemas (zod) for every API channel: the boundary validation that the Electron IPC
 * handler, the WebSocket bridge and the CLI all apply before a service sees the arguments.
 */
import { z } from 'zod';

/** Dataset ids are folder names: lower-case slug, no path separators, no leading dot. */
export const datasetId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,79}$/, 'not a valid dataset id')
  .refine((s) => !s.includes('..'), 'not a valid dataset id');
export const splitName = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'not a valid split name');
export const taskKind = z.enum([
  'translation',
  'summarization',
  'language-modelling',
  'system-outputs',
]);
export const importFormat = z.enum(['text', 'tsv', 'csv', 'jsonl', 'parquet']);
const displayName = z.string().trim().min(1, 'a name is required').max(120);

/** A file handed to an import: a path on this machine (desktop, CLI) or an upload id (browser host). */
export const fileRef = z.union([
  z.object({ path: z.string().min(1).max(4096) }).strict(),
  z.object({ upload: z.string().regex(/^[a-f0-9]{32}$/) }).strict(),
]);

export const importRequest = z
  .object({
    name: displayName,
    kind: taskKind,
    format: importFormat,
    split: splitName.default('test'),
    description: z.string().max(2000).default(''),
    sourceFile: fileRef.optional(),
    referenceFiles: z.array(fileRef).max(16).default([]),
    file: fileRef.optional(),
    mapping: z
      .object({
        source: z.string().min(1).max(200),
        references: z.array(z.string().min(1).max(200)).max(16),
      })
      .strict()
      .optional(),
    /** TSV/CSV: 'csv' reads double-quoted fields (pandas, Hugging Face); 'none' keeps quotes as text. */
    quoting: z.enum(['csv', 'none']).optional(),
    against: z.object({ dataset: datasetId, split: splitName }).strict().optional(),
    languages: z
      .object({ source: z.string().max(16).optional(), target: z.string().max(16).optional() })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.format === 'text' && !r.sourceFile)
      ctx.addIssue({ code: 'custom', message: 'plain-text imports need a source file' });
    if (r.format !== 'text' && !r.file)
      ctx.addIssue({ code: 'custom', message: `${r.format} imports need a file` });
    if (r.format !== 'text' && !r.mapping)
      ctx.addIssue({ code: 'custom', message: `${r.format} imports need a column mapping` });
  });
export type ImportRequest = z.infer<typeof importRequest>;

export const previewRequest = z
  .object({
    dataset: datasetId,
    split: splitName,
    offset: z.number().int().min(0),
    limit: z.number().int().min(1).max(1000),
  })
  .strict();

export const splitRequest = z
  .object({
    dataset: datasetId,
    from: splitName,
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1),
    ratios: z
      .object({ train: z.number().min(0), valid: z.number().min(0), test: z.number().min(0) })
      .strict()
      .refine((r) => r.train + r.valid + r.test > 0, 'ratios must not all be zero'),
  })
  .strict();

export const renameRequest = z.object({ dataset: datasetId, name: displayName }).strict();
export const deleteRequest = z
  .object({ dataset: datasetId, confirm: z.literal(true, 'deleting needs confirm: true') })
  .strict();
export const columnsRequest = z.object({ file: fileRef, format: importFormat }).strict();
export const exportRequest = z
  .object({
    dataset: datasetId,
    split: splitName,
    format: z.enum(['text', 'jsonl']),
    directory: z.string().min(1).max(4096).optional(),
  })
  .strict();

export const pickFilesRequest = z
  .object({
    multiple: z.boolean().default(false),
    title: z.string().max(200).default('Choose files'),
  })
  .strict();

export const trainRequest = z
  .object({
    dataset: datasetId,
    preset: z.enum(['tiny', 'small', 'base']),
    steps: z.number().int().min(1).max(1_000_000).optional(),
    minutes: z
      .number()
      .positive()
      .max(24 * 60)
      .optional(),
    /** Validate and checkpoint every N steps (default: the trainer's). */
    evalEvery: z.number().int().min(1).max(100_000).optional(),
    /**
     * Separate source and target vocabularies (two tokenizers, an encoder embedding of its own);
     * encoder-decoder datasets only. Default: one shared vocabulary.
     */
    separateVocab: z.boolean().optional(),
  })
  .strict();

// ----- Evaluation runs (issue 6) -----

export const runId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,79}$/, 'not a valid run id');
export const modelId = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,79}$/, 'not a valid model id');
export const runMetric = z.enum(['bleu', 'chrf', 'ter', 'rouge', 'perplexity']);
export const precision = z.enum(['fp32', 'fp16', 'int8']);

export const modelSystemSpec = z
  .object({
    type: z.literal('model'),
    model: modelId,
    precision: precision.default('fp32'),
    provider: z.enum(['auto', 'cpu', 'cuda', 'webgpu', 'dml', 'coreml']).default('auto'),
    threads: z.number().int().min(1).max(256).optional(),
    beam: z.number().int().min(1).max(16).default(1),
    lengthPenalty: z.number().min(0).max(5).default(1),
    maxLength: z.number().int().min(1).max(4096).optional(),
    batchSize: z.number().int().min(1).max(1024).default(32),
  })
  .strict();

export const outputsSystemSpec = z
  .object({
    type: z.literal('outputs'),
    name: displayName,
    hypotheses: fileRef,
    energy: z
      .object({ format: z.enum(['codecarbon', 'ecoeval']), file: fileRef })
      .strict()
      .optional(),
    logprobs: fileRef.optional(),
  })
  .strict();

export const systemSpec = z.discriminatedUnion('type', [modelSystemSpec, outputsSystemSpec]);

/** A sweep: one run per system × dataset split, queued in that order. */
export const evaluateRequest = z
  .object({
    systems: z.array(systemSpec).min(1, 'choose at least one system').max(64),
    datasets: z
      .array(z.object({ dataset: datasetId, split: splitName.default('test') }).strict())
      .min(1, 'choose at least one dataset')
      .max(32),
    metrics: z.array(runMetric).min(1, 'choose at least one metric').max(5),
    tags: z.array(z.string().trim().min(1).max(40)).max(20).default([]),
    /** Redo a run even when one with identical provenance exists. */
    force: z.boolean().default(false),
  })
  .strict();
export type EvaluateRequest = z.infer<typeof evaluateRequest>;

export const runSegmentsRequest = z
  .object({
    run: runId,
    offset: z.number().int().min(0),
    limit: z.number().int().min(1).max(1000),
  })
  .strict();

const finiteOrNull = z.number().finite().nullable();
export const corpusScore = z
  .object({
    metric: runMetric,
    name: z.string().min(1).max(40),
    score: z.number().finite(),
    low: finiteOrNull,
    high: finiteOrNull,
    lowerIsBetter: z.boolean(),
    signature: z.string().min(1).max(2000),
    formatted: z.string().max(2000),
  })
  .strict();

/** Scores the renderer's worker computed from a run's outputs, stored through the API. */
export const saveScoresRequest = z
  .object({
    run: runId,
    scores: z.array(corpusScore).min(1).max(20),
    segments: z
      .array(z.object({ name: z.string().min(1).max(40), values: z.array(z.number()) }).strict())
      .max(20),
  })
  .strict();

export const renameRunRequest = z.object({ run: runId, name: displayName }).strict();
export const tagRunRequest = z
  .object({ run: runId, tags: z.array(z.string().trim().min(1).max(40)).max(20) })
  .strict();
export const deleteRunRequest = z
  .object({ run: runId, confirm: z.literal(true, 'deleting needs confirm: true') })
  .strict();
export const exportRunRequest = z
  .object({ run: runId, directory: z.string().min(1).max(4096).optional() })
  .strict();
export const jobId = z.string().regex(/^[a-z0-9-]{1,64}$/);
