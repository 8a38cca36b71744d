/**
 * Plain-data types of a training run, shared by the trainer, its child process, the parent-side
 * job, the model store and the CLI: what is asked for (`TrainRequest`), the resolved
 * hyperparameters (`TrainOptions`), what is stored with every checkpoint (`TrainingRecord`) and
 * the events pushed while it runs (`TrainingEvent`). Everything here is JSON- and
 * structured-clone-safe, so it crosses process boundaries and the bridge unchanged.
 */
import type { BackendName, BackendReport } from './backend';
import type { ModelConfig, PresetName } from './config';

/** What a caller asks for; everything optional has a documented default (see `resolveOptions`). */
export interface TrainRequest {
  /** Workspace folder (absolute). */
  workspaceDir: string;
  dataset: string;
  preset: PresetName;
  /** Stop after this many optimizer steps... */
  steps?: number;
  /** ...or after this many minutes of training (whichever comes first). */
  minutes?: number;
  backend?: BackendName;
  /** Display name of the new model (default: dataset, preset and date). */
  name?: string;
  /** Continue this model's training (exact resume from its last checkpoint). */
  resume?: string;
  /** Hyperparameter overrides. */
  options?: Partial<TrainOptions>;
  /**
   * Model shape overrides (vocabulary size, dropout, max length, tied embeddings). `vocabSize` is
   * the target side's when the vocabularies are separate, and `srcVocabSize` (default: the same)
   * the source side's; both are upper bounds, the trained tokenizers may be smaller.
   */
  model?: Partial<
    Pick<ModelConfig, 'vocabSize' | 'srcVocabSize' | 'dropout' | 'maxLength' | 'tiedEmbeddings'>
  >;
  /**
   * Two BPE tokenizers, each learnt from its own side (tokenizer.json for targets,
   * tokenizer.src.json for sources), and an encoder embedding of its own. Encoder-decoder models
   * only; ignored on resume (the checkpoint's config decides).
   */
  separateVocab?: boolean;
}

/** Resolved hyperparameters, stored in the training record. */
export interface TrainOptions {
  trainSplit: string;
  /** Validation split, or null when the dataset has none (no validation, no early stopping). */
  validSplit: string | null;
  /** Use only the first N training rows (tests, quick runs); null = all. */
  trainRows: number | null;
  maxSteps: number | null;
  maxMinutes: number | null;
  /** Padded tokens per batch side (batch size × longest sequence stays under this). */
  batchTokens: number;
  maxBatchSentences: number;
  peakLearningRate: number;
  warmupSteps: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  labelSmoothing: number;
  /** Global gradient-norm clip (0 = off). */
  clipNorm: number;
  /** Validate (loss, greedy BLEU) and checkpoint every N steps; 0 = only at the end. */
  evalEvery: number;
  validSentences: number;
  bleuSentences: number;
  /** Stop after this many validations without improvement; 0 = never. */
  patience: number;
  /** Also checkpoint at least this often (minutes), between validations. */
  checkpointMinutes: number;
  seed: number;
  /** Energy through the energy module's windows ('auto'), or not measured ('off'). */
  energy: 'auto' | 'off';
  /**
   * Threads computing each batch (data parallel; 0 = automatic: one per core, at most 2, for
   * the one-core wasm and cpu backends). The record stores the number that ran.
   */
  workers: number;
}

export interface CurvePoint {
  step: number;
  elapsedS: number;
  /** Cumulative measured energy at this point, or null when unmeasured. */
  joules: number | null;
  tokens: number;
  trainLoss: number;
  validLoss: number | null;
  /** Greedy-decoding BLEU on the first `bleuSentences` validation rows (null for LMs). */
  validBleu: number | null;
  learningRate: number;
}

export type TrainingStatus = 'running' | 'completed' | 'stopped-early' | 'cancelled' | 'failed';

export interface EnergyRecord {
  status: 'measured' | 'unavailable' | 'off';
  reason: string;
  /** Worst grade over the windows (A best). */
  grade: string | null;
  windows: number;
  /**
   * Methods of the meters summed (`counter`, `integrated`, `estimate`...; energy module's
   * `Method`). Absent in records written before it was kept: treat those figures as estimates.
   */
  methods?: string[];
}

/** Where the data order stands, for exact resume. */
export interface DataCursor {
  epoch: number;
  /** Index of the next batch in this epoch's order. */
  position: number;
}

export interface TrainingRecord {
  status: TrainingStatus;
  /** Process training it while `running` (a dead pid means it was killed). */
  pid: number | null;
  dataset: string;
  options: TrainOptions;
  step: number;
  /** Target (decoder-output) tokens seen, padding excluded. */
  tokens: number;
  sentences: number;
  elapsedS: number;
  joules: number | null;
  energy: EnergyRecord;
  backend: BackendReport;
  curve: CurvePoint[];
  best: { step: number; validBleu: number | null; validLoss: number | null } | null;
  /** Validations since the best one (early stopping). */
  sinceBest: number;
  cursor: DataCursor;
  startedAt: string;
  updatedAt: string;
  /** The reason training stopped, in words. */
  stopReason: string | null;
  /** Recent training losses (one per step, last 1,000), for charts and resume checks. */
  recentLosses: number[];
  /** Threads that computed each batch, and why that many. */
  parallelism: { threads: number; reason: string };
}

export interface TrainingProgress {
  type: 'progress';
  modelId: string;
  step: number;
  maxSteps: number | null;
  epoch: number;
  loss: number;
  learningRate: number;
  tokensPerSecond: number;
  elapsedS: number;
  etaS: number | null;
  /** Fraction done (steps or minutes, whichever is nearer), 0–1, or null when open-ended. */
  fraction: number | null;
  joules: number | null;
  validLoss: number | null;
  validBleu: number | null;
}

export type TrainingEvent =
  | {
      type: 'started';
      modelId: string;
      modelDir: string;
      backend: BackendReport;
      resumed: boolean;
      parameters: number;
      vocabSize: number;
    }
  | { type: 'log'; message: string }
  | TrainingProgress
  | { type: 'validation'; modelId: string; point: CurvePoint }
  | { type: 'checkpoint'; modelId: string; step: number; file: string }
  | { type: 'done'; modelId: string; modelDir: string; record: TrainingRecord };
