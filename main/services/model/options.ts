/**
 * Default hyperparameters for a training run and their resolution from a `TrainRequest`.
 * Defaults follow the Transformer recipe scaled to the presets (warm-up then inverse square root,
 * Adam β = (0.9, 0.98), ε = 1e-9, label smoothing 0.1, clip 1.0) and to short runs: warm-up and
 * validation intervals shrink with the step budget so a 300-step test still validates.
 */
import type { PresetName } from './config';
import type { TrainOptions, TrainRequest } from './training-types';

const PEAK_RATE: Record<PresetName, number> = { tiny: 2e-3, small: 1e-3, base: 7e-4 };

/** Minutes of training when neither steps nor minutes are given (the quality target). */
export const DEFAULT_MINUTES = 30;

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

export function resolveOptions(request: TrainRequest, hasValid: boolean): TrainOptions {
  const maxSteps = request.steps ?? null;
  const maxMinutes =
    request.minutes ??
    (maxSteps === null && request.options?.maxSteps == null ? DEFAULT_MINUTES : null);
  const budget = maxSteps ?? request.options?.maxSteps ?? null;
  const defaults: TrainOptions = {
    trainSplit: 'train',
    validSplit: hasValid ? 'valid' : null,
    trainRows: null,
    maxSteps: budget,
    maxMinutes,
    batchTokens: 1024,
    maxBatchSentences: 128,
    peakLearningRate: PEAK_RATE[request.preset],
    warmupSteps: budget !== null ? clamp(Math.round(budget / 10), 10, 400) : 400,
    beta1: 0.9,
    beta2: 0.98,
    epsilon: 1e-9,
    labelSmoothing: 0.1,
    clipNorm: 1,
    evalEvery: budget !== null ? clamp(Math.round(budget / 10), 25, 500) : 250,
    validSentences: 500,
    bleuSentences: 200,
    patience: 5,
    checkpointMinutes: 5,
    seed: 1,
    energy: 'auto',
    workers: 0,
  };
  const options = { ...defaults, ...request.options };
  if (maxSteps !== null) options.maxSteps = maxSteps;
  if (request.minutes !== undefined) options.maxMinutes = request.minutes;
  return options;
}
