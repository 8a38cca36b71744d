/**
 * Plain data shapes that cross the API boundary (IPC, WebSocket, CLI). JSON- and
 * structured-clone-safe: no classes, no undefined inside arrays, no typed arrays.
 */

export type TaskKind = 'translation' | 'summarization' | 'language-modelling' | 'system-outputs';
export type ImportFormat = 'text' | 'tsv' | 'csv' | 'jsonl' | 'parquet';

/** What the `source` column means for each task kind (shown as the column title). */
export const SOURCE_ROLE: Record<TaskKind, string> = {
  translation: 'source',
  summarization: 'document',
  'language-modelling': 'text',
  'system-outputs': 'hypothesis',
};

export interface FileDigest {
  /** The file name as the user gave it (base name only; never an absolute path). */
  name: string;
  bytes: number;
  sha256: string;
}

export interface LengthHistogram {
  /** Upper bounds (inclusive) of whitespace-token length buckets; the last bucket is open. */
  bounds: number[];
  counts: number[];
}

export interface FieldStatistics {
  segments: number;
  emptySegments: number;
  characters: number;
  whitespaceTokens: number;
  meanTokens: number;
  maxTokens: number;
  histogram: LengthHistogram;
}

export interface SplitInfo {
  name: string;
  rows: number;
  /** Data file inside the dataset folder (JSON Lines, one JSON array [source, ref1, ...] per row). */
  file: string;
  sha256: string;
  bytes: number;
  statistics: { source: FieldStatistics; references: FieldStatistics[] };
}

export interface NormalisationRecord {
  file: string;
  bomRemoved: boolean;
  crlfLines: number;
  loneCrLines: number;
}

export interface EmptySegmentsRecord {
  split: string;
  field: string;
  count: number;
  firstLines: number[];
}

export interface DatasetManifest {
  schema: 1;
  id: string;
  name: string;
  kind: TaskKind;
  description: string;
  createdAt: string;
  updatedAt: string;
  builtin: boolean;
  languages?: { source?: string; target?: string };
  /** Number of reference columns every row carries (0 for LM and system outputs). */
  references: number;
  /** For system outputs: the dataset and split whose references they are scored against. */
  against?: { dataset: string; split: string };
  source: {
    format: ImportFormat;
    files: FileDigest[];
    mapping?: { source: string; references: string[] };
  };
  splits: SplitInfo[];
  normalisation: NormalisationRecord[];
  emptySegments: EmptySegmentsRecord[];
  /** Present when splits were made by `splitDataset`: reproducible from this record. */
  splitRecord?: {
    from: string;
    seed: number;
    ratios: { train: number; valid: number; test: number };
  };
}

export interface DatasetSummary {
  id: string;
  name: string;
  kind: TaskKind;
  builtin: boolean;
  references: number;
  splits: { name: string; rows: number }[];
  createdAt: string;
}

/** A manifest that could not be read: reported, never deleted or overwritten. */
export interface BrokenEntry {
  folder: string;
  problem: string;
}

export interface DatasetList {
  datasets: DatasetSummary[];
  broken: BrokenEntry[];
}

export interface PreviewPage {
  dataset: string;
  split: string;
  offset: number;
  total: number;
  rows: { line: number; source: string; references: string[] }[];
}

export interface BuiltinDataset {
  id: string;
  name: string;
  kind: TaskKind;
  description: string;
  installed: boolean;
  splits: { name: string; rows: number }[];
}

export interface JobProgress {
  jobId: string;
  kind: 'import' | 'export' | 'split' | 'builtin' | 'train';
  label: string;
  done: number;
  /** Total units when known (bytes for imports), else null. */
  total: number | null;
  unit: string;
  ratePerSecond: number;
  etaSeconds: number | null;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  message?: string;
}

export interface Capabilities {
  host: 'electron' | 'web' | 'cli';
  appVersion: string;
  workspace: string;
  platform: string;
  onnxruntime: { available: boolean; reason: string };
  tfjs: { available: boolean; reason: string };
  limits: { maxImportBytes: number; maxUploadBytes: number };
}

/** Error shape carried across the bridge: a message for the user, never a stack. */
export interface ApiError {
  code: 'bad-request' | 'bad-input' | 'not-found' | 'busy' | 'cancelled' | 'internal';
  message: string;
  file?: string;
  line?: number;
}

/** Live training figures pushed while a model trains (joules are the energy module's figure). */
export interface TrainingUpdate {
  modelId: string;
  step: number;
  maxSteps: number | null;
  loss: number;
  learningRate: number;
  tokensPerSecond: number;
  etaSeconds: number | null;
  fraction: number | null;
  joules: number | null;
  validBleu: number | null;
}

/** One validation point of a training curve: BLEU against time and cumulative energy. */
export interface TrainingCurvePoint {
  modelId: string;
  step: number;
  minutes: number;
  joules: number | null;
  validBleu: number | null;
  validLoss: number | null;
}

export interface ModelInfo {
  id: string;
  name: string;
  kind: string;
  preset: string;
  parameters: number;
  status: string;
  step: number;
  joules: number | null;
  bestBleu: number | null;
  backend: string;
  bytes: number;
  createdAt: string;
}
