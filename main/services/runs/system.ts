/**
 * What identifies a system and a run: display labels, the settings recorded "exactly as run",
 * the machine's description, a model's identity read from its model.json (without loading the
 * weights), the training energy linked to a checkpoint, and the identical-provenance test that
 * lets a repeated evaluation be skipped.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type {
  ModelSystemSpec,
  RunMetric,
  RunProvenance,
  RunRecord,
  SystemSpec,
  TrainingEnergyLink,
} from '../../../shared/api/types';
import { ENERGY_METHOD_VERSION } from '../energy/signature';
import { NotFoundError } from '../errors';
import { CheckpointError, MODEL_JSON } from '../model/onnx/checkpoint';
import { modelConfigSchema, parameterCount } from '../model/onnx/config';

export function systemLabel(spec: SystemSpec): string {
  if (spec.type === 'outputs') return spec.name;
  const decoding = spec.beam > 1 ? `beam ${spec.beam}` : 'greedy';
  return `${spec.model} ${spec.precision} ${decoding}`;
}

/** The decoding and runtime settings of a model system, flat, for the provenance record. */
export function modelSettings(
  spec: ModelSystemSpec,
): Record<string, string | number | boolean | null> {
  return {
    precision: spec.precision,
    provider: spec.provider,
    threads: spec.threads ?? null,
    beam: spec.beam,
    lengthPenalty: spec.lengthPenalty,
    maxLength: spec.maxLength ?? null,
    batchSize: spec.batchSize,
  };
}

export function hardware(): RunProvenance['hardware'] {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() || 'unknown CPU',
    cores: list.length,
    memoryGB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    platform: `${process.platform}-${process.arch}`,
    gpu: null,
  };
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export function sha256Text(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** A model as a run records it, read from model.json (trained and hand-made checkpoints alike). */
export interface ModelIdentity {
  id: string;
  dir: string;
  kind: 'encoder-decoder' | 'decoder-only';
  sha256: string;
  step: number;
  preset: string;
  parameters: number;
  training: TrainingEnergyLink | null;
}

interface LooseManifest {
  preset?: unknown;
  parameters?: unknown;
  config?: unknown;
  weights?: { file?: unknown; sha256?: unknown };
  training?: {
    step?: unknown;
    joules?: unknown;
    energy?: { status?: unknown; methods?: unknown; grade?: unknown };
  };
}

/** Reads `models/<id>/model.json`; a missing model is NotFound, a damaged one names the file. */
export async function modelIdentity(modelsDir: string, id: string): Promise<ModelIdentity> {
  const dir = join(modelsDir, id);
  const path = join(dir, MODEL_JSON);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new NotFoundError(
      `No model "${id}" in the workspace (looked for ${path}). Train one, or check the id with \`ecoeval models list\`.`,
    );
  }
  let manifest: LooseManifest;
  try {
    manifest = JSON.parse(text) as LooseManifest;
  } catch (error) {
    throw new CheckpointError(`${path}: not valid JSON (${(error as Error).message}).`);
  }
  const config = modelConfigSchema.safeParse(manifest.config);
  if (!config.success) throw new CheckpointError(`${path}: no valid model configuration.`);
  const weightsFile = typeof manifest.weights?.file === 'string' ? manifest.weights.file : null;
  let sha256 = typeof manifest.weights?.sha256 === 'string' ? manifest.weights.sha256 : null;
  if (!sha256 && weightsFile) {
    sha256 = await sha256File(join(dir, weightsFile)).catch(() => null);
  }
  if (!sha256) {
    throw new CheckpointError(`${path}: names no readable weights file; re-copy the model folder.`);
  }
  const step = typeof manifest.training?.step === 'number' ? manifest.training.step : 0;
  return {
    id,
    dir,
    kind: config.data.kind,
    sha256,
    step,
    preset: typeof manifest.preset === 'string' ? manifest.preset : 'custom',
    parameters:
      typeof manifest.parameters === 'number' ? manifest.parameters : parameterCount(config.data),
    training: trainingLink(id, step, manifest.training),
  };
}

const GRADES = ['A', 'B', 'C', 'D'] as const;

/**
 * The training energy recorded with the checkpoint (cumulative up to its step). The record keeps
 * the joules, the methods of the meters summed and the worst grade, not an interval: the interval
 * here is the default band of those methods (energy.md §3.11), and anything but counter or
 * integrated readings — or a record too old to say — is linked as an estimate.
 */
export function trainingLink(
  modelId: string,
  step: number,
  training: LooseManifest['training'],
): TrainingEnergyLink | null {
  const joules = training?.joules;
  const energy = training?.energy;
  if (typeof joules !== 'number' || !Number.isFinite(joules) || energy?.status !== 'measured') {
    return null;
  }
  const methods = Array.isArray(energy.methods)
    ? energy.methods.filter((m): m is string => typeof m === 'string')
    : [];
  const measured =
    methods.length > 0 && methods.every((m) => m === 'counter' || m === 'integrated');
  const kind = measured ? 'measured' : 'estimated';
  const band = measured ? { lo: 0.1, hi: 0.1 } : { lo: 0.5, hi: 1 };
  const grade = GRADES.find((g) => g === energy.grade) ?? 'D';
  return {
    modelId,
    step,
    joules,
    lowJ: joules * (1 - band.lo),
    highJ: joules * (1 + band.hi),
    kind,
    grade,
    signature: [
      `training:${modelId}@${step}`,
      `methods:${methods.join('+') || 'unrecorded'}`,
      'basis:gross',
      `band:default-${kind}`,
      `version:${ENERGY_METHOD_VERSION}`,
    ].join('|'),
  };
}

/** The parts of a run's provenance that make two evaluations the same evaluation. */
export interface RunIdentity {
  spec: SystemSpec;
  dataset: string;
  split: string;
  datasetSha256: string;
  modelSha256: string | null;
  /** Imported systems: the hypotheses file's sha256 (their "model"). */
  outputsSha256: string | null;
  metrics: readonly RunMetric[];
}

/** Key order does not matter; everything else does. */
/** JSON with sorted keys and undefined fields dropped: equal settings give equal text. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export function sameRun(record: RunRecord, identity: RunIdentity): boolean {
  return (
    record.state === 'complete' &&
    record.dataset.id === identity.dataset &&
    record.dataset.split === identity.split &&
    record.provenance.dataset.sha256 === identity.datasetSha256 &&
    (record.provenance.model?.sha256 ?? null) === identity.modelSha256 &&
    (identity.outputsSha256 === null ||
      record.provenance.outputsSha256 === identity.outputsSha256) &&
    canonical(record.system.spec) === canonical(identity.spec) &&
    canonical([...record.metrics].sort()) === canonical([...identity.metrics].sort())
  );
}
