/**
 * The documents a run folder holds (`run.json` schema 1, `segments.json`) and the file names of a
 * run. Reading them strictly is what lets a damaged or hand-edited run be reported as broken
 * instead of silently misread; the summary is what the Results table gets without segment data.
 */
import { z } from 'zod';
import { corpusScore, runMetric, systemSpec } from '../../../shared/api/schemas';
import type { RunRecord, RunSummary, SegmentScores } from '../../../shared/api/types';

export const RUN_JSON = 'run.json';
export const OUTPUTS_TXT = 'outputs.txt';
export const LOGPROBS_JSONL = 'logprobs.jsonl';
export const SEGMENTS_JSON = 'segments.json';
/** Every file a run folder may hold, in the order an export lists them. */
export const RUN_FILES = [RUN_JSON, OUTPUTS_TXT, LOGPROBS_JSONL, SEGMENTS_JSON] as const;

export const RUN_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,79}$/;

const grade = z.enum(['A', 'B', 'C', 'D']);
const band = { joules: z.number(), lowJ: z.number(), highJ: z.number() };

const runEnergy = z
  .object({
    ...band,
    grade,
    gradeReasons: z.array(z.string()),
    flags: z.array(z.string()),
    kind: z.enum(['measured', 'estimated', 'imported']),
    components: z.array(
      z.object({
        component: z.string(),
        label: z.string(),
        method: z.string(),
        joules: z.number(),
      }),
    ),
    phases: z.array(
      z.object({ phase: z.string(), joules: z.number(), startS: z.number(), endS: z.number() }),
    ),
    perUnit: z.array(z.object({ unit: z.string(), count: z.number(), ...band })),
    windowS: z.number(),
    startedAt: z.string().optional(),
    endedAt: z.string().optional(),
    timeline: z.array(z.object({ t: z.number(), watts: z.number() })),
    carbon: z
      .object({
        grams: z.number(),
        lowG: z.number(),
        highG: z.number(),
        country: z.string(),
        source: z.string(),
      })
      .nullable(),
    signature: z.string(),
  })
  .strict();

const trainingLink = z
  .object({
    modelId: z.string(),
    step: z.number(),
    ...band,
    kind: z.enum(['measured', 'estimated']),
    grade,
    signature: z.string(),
  })
  .strict();

const throughput = z
  .object({
    seconds: z.number(),
    segmentsPerSecond: z.number(),
    outputTokens: z.number(),
    tokensPerSecond: z.number(),
    latencyMsP50: z.number().nullable(),
    latencyMsP95: z.number().nullable(),
  })
  .strict();

const provenance = z
  .object({
    appVersion: z.string(),
    createdAt: z.string(),
    host: z.string(),
    dataset: z.object({
      id: z.string(),
      split: z.string(),
      sha256: z.string(),
      segments: z.number().int().min(0),
    }),
    model: z
      .object({
        id: z.string(),
        sha256: z.string(),
        step: z.number(),
        preset: z.string(),
        parameters: z.number(),
      })
      .nullable(),
    settings: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
    hardware: z.object({
      cpu: z.string(),
      cores: z.number(),
      memoryGB: z.number(),
      platform: z.string(),
      gpu: z.string().nullable(),
    }),
    backend: z.string(),
    provider: z.string().nullable(),
    outputsSha256: z.string(),
  })
  .strict();

export const runRecordSchema = z
  .object({
    schema: z.literal(1),
    id: z.string().regex(RUN_ID_PATTERN),
    name: z.string().min(1),
    tags: z.array(z.string()),
    state: z.enum(['awaiting-scores', 'complete']),
    createdAt: z.string(),
    updatedAt: z.string(),
    system: z.object({
      label: z.string(),
      spec: systemSpec,
      precision: z.enum(['fp32', 'fp16', 'int8']).nullable(),
    }),
    dataset: z.object({
      id: z.string(),
      split: z.string(),
      name: z.string(),
      kind: z.enum(['translation', 'summarization', 'language-modelling', 'system-outputs']),
    }),
    metrics: z.array(runMetric),
    scores: z.array(corpusScore),
    energy: runEnergy.nullable(),
    training: trainingLink.nullable(),
    throughput: throughput.nullable(),
    provenance,
  })
  .strict();

export const segmentsSchema = z.array(
  z.object({ name: z.string(), values: z.array(z.number().nullable()) }),
);

/** What `segments.json` holds; JSON has no NaN, so an undefined per-segment value is stored as null. */
export type StoredSegments = { name: string; values: (number | null)[] }[];

export function toStoredSegments(segments: readonly SegmentScores[]): StoredSegments {
  return segments.map((s) => ({
    name: s.name,
    values: s.values.map((v) => (Number.isFinite(v) ? v : null)),
  }));
}

export function fromStoredSegments(stored: StoredSegments): SegmentScores[] {
  return stored.map((s) => ({ name: s.name, values: s.values.map((v) => v ?? NaN) }));
}

/** The Results-table row of a run: everything but the full provenance. */
export function summariseRun(record: RunRecord): RunSummary {
  const { provenance, ...rest } = record;
  return {
    ...rest,
    provenance: {
      appVersion: provenance.appVersion,
      host: provenance.host,
      backend: provenance.backend,
      provider: provenance.provider,
      datasetSha256: provenance.dataset.sha256,
      modelSha256: provenance.model?.sha256 ?? null,
    },
  };
}
