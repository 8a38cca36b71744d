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
  kind: 'import' | 'export' | 'split' | 'builtin' | 'train' | 'evaluate';
  label: string;
  done: number;
  /** Total units when known (bytes for imports), else null. */
  total: number | null;
  unit: string;
  ratePerSecond: number;
  etaSeconds: number | null;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  message?: string;
  /** Measured jobs: energy so far (the energy module's running figure), when known. */
  joules?: number | null;
  /** Measured jobs: the run this job writes. */
  runId?: string;
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
  /** The target side's vocabulary (the only one when source and target share it). */
  vocabSize: number;
  /** The source side's vocabulary when it is separate (`--separate-vocab`), else null. */
  srcVocabSize: number | null;
  status: string;
  step: number;
  joules: number | null;
  bestBleu: number | null;
  backend: string;
  /** Why each other tfjs backend was not used (failed or skipped), as recorded at training. */
  backendReasons?: { backend: string; reason: string }[];
  /** How `joules` was obtained: `counter`, `integrated`, `estimate`, ... (`+`-joined), `off`. */
  energyMethod?: string;
  /** Worst quality grade of the energy windows (A best), when measured. */
  energyGrade?: string | null;
  bytes: number;
  createdAt: string;
}

// ---------------------------------------------------------------------------------------------
// Evaluation runs (issue 6). A run is one system on one dataset split with the metrics chosen.
// ---------------------------------------------------------------------------------------------

export type Precision = 'fp32' | 'fp16' | 'int8';
/** Metrics a run can carry; `perplexity` needs log-probabilities (a model, or an imported file). */
export type RunMetric = 'bleu' | 'chrf' | 'ter' | 'rouge' | 'perplexity';

/** An in-app model variant: checkpoint, precision, runtime and decoding settings. */
export interface ModelSystemSpec {
  type: 'model';
  model: string;
  precision: Precision;
  provider: 'auto' | 'cpu' | 'cuda' | 'webgpu' | 'dml' | 'coreml';
  threads?: number;
  beam: number;
  lengthPenalty: number;
  maxLength?: number;
  batchSize: number;
}

/** Outputs produced elsewhere: hypotheses, optionally their energy report and log-probabilities. */
export interface OutputsSystemSpec {
  type: 'outputs';
  name: string;
  hypotheses: { path: string } | { upload: string };
  energy?: { format: 'codecarbon' | 'ecoeval'; file: { path: string } | { upload: string } };
  logprobs?: { path: string } | { upload: string };
}

export type SystemSpec = ModelSystemSpec | OutputsSystemSpec;

/** The state of a run folder. `awaiting-scores`: outputs are saved, scores not yet computed. */
export type RunState = 'awaiting-scores' | 'complete';

/** One corpus score with its interval and the signature of the settings that produced it. */
export interface CorpusScore {
  metric: RunMetric;
  /** Display name: `BLEU`, `chrF2`, `TER`, `ROUGE-L`, `PPL`... */
  name: string;
  score: number;
  /** Bootstrap 95% interval when computed, else null. */
  low: number | null;
  high: number | null;
  /** True when lower is better (TER, perplexity). */
  lowerIsBetter: boolean;
  signature: string;
  /** The sacreBLEU-style one-line string, e.g. `BLEU = 34.2 65.1/40.3/... (BP = ...)`. */
  formatted: string;
}

/** Per-segment scores, one array per score name, aligned with the outputs. */
export interface SegmentScores {
  name: string;
  values: number[];
}

/** A phase of a run's energy window (load, warm-up, generate, evaluate). */
export interface RunEnergyPhase {
  phase: string;
  joules: number;
  startS: number;
  endS: number;
}

/** One component's share, with the method that produced it (shown as a badge). */
export interface RunEnergyComponent {
  component: string;
  label: string;
  method: string;
  joules: number;
}

/**
 * The energy of a run: the energy module's figure reduced to what crosses the API. Never a bare
 * number: the interval, grade, method badges and signature come with it.
 */
export interface RunEnergy {
  joules: number;
  lowJ: number;
  highJ: number;
  grade: 'A' | 'B' | 'C' | 'D';
  gradeReasons: string[];
  flags: string[];
  /** `measured` when every summed component is a counter/integrated reading, else `estimated`. */
  kind: 'measured' | 'estimated' | 'imported';
  components: RunEnergyComponent[];
  phases: RunEnergyPhase[];
  perUnit: { unit: string; count: number; joules: number; lowJ: number; highJ: number }[];
  windowS: number;
  /**
   * Wall-clock start and end of the run's window (ISO 8601), for measured runs: shows when the
   * energy was drawn, and that no two runs of a workspace were measured at once. Absent in runs
   * saved before they were recorded, and for imported figures.
   */
  startedAt?: string;
  endedAt?: string;
  /** Power over time (seconds since the window began, watts) for the timeline. */
  timeline: { t: number; watts: number }[];
  carbon: { grams: number; lowG: number; highG: number; country: string; source: string } | null;
  signature: string;
}

/** The model's training energy up to the checkpoint the run used (linked, not copied blindly). */
export interface TrainingEnergyLink {
  modelId: string;
  step: number;
  joules: number;
  lowJ: number;
  highJ: number;
  kind: 'measured' | 'estimated';
  grade: 'A' | 'B' | 'C' | 'D';
  signature: string;
}

export interface RunThroughput {
  seconds: number;
  segmentsPerSecond: number;
  outputTokens: number;
  tokensPerSecond: number;
  /** Per-batch latency per sentence, ms. */
  latencyMsP50: number | null;
  latencyMsP95: number | null;
}

export interface RunProvenance {
  appVersion: string;
  createdAt: string;
  host: string;
  dataset: { id: string; split: string; sha256: string; segments: number };
  model: { id: string; sha256: string; step: number; preset: string; parameters: number } | null;
  /** The system settings exactly as run (decoding, precision, provider, threads). */
  settings: Record<string, string | number | boolean | null>;
  hardware: { cpu: string; cores: number; memoryGB: number; platform: string; gpu: string | null };
  backend: string;
  provider: string | null;
  /** sha256 of the outputs file, so identical provenance can be detected. */
  outputsSha256: string;
}

/** Everything a run stores (`runs/<id>/run.json`; outputs and segment scores beside it). */
export interface RunRecord {
  schema: 1;
  id: string;
  name: string;
  tags: string[];
  state: RunState;
  createdAt: string;
  updatedAt: string;
  system: { label: string; spec: SystemSpec; precision: Precision | null };
  dataset: { id: string; split: string; name: string; kind: TaskKind };
  metrics: RunMetric[];
  scores: CorpusScore[];
  energy: RunEnergy | null;
  training: TrainingEnergyLink | null;
  throughput: RunThroughput | null;
  provenance: RunProvenance;
}

/** A row of the Results table and a point of the chart (no segment data). */
export type RunSummary = Omit<RunRecord, 'provenance'> & {
  provenance: Pick<RunProvenance, 'appVersion' | 'host' | 'backend' | 'provider'> & {
    datasetSha256: string;
    modelSha256: string | null;
  };
};

/** What the renderer's Web Worker needs to score a run (and to compare runs). */
export interface RunOutputs {
  run: string;
  sources: string[];
  references: string[][];
  hypotheses: string[];
  /** Per segment: summed natural-log probability and token count (teacher-forced), when known. */
  logprobs: { logprob: number; tokens: number; bytes: number; words: number }[] | null;
}

export interface RunSegmentsPage {
  run: string;
  offset: number;
  total: number;
  rows: {
    line: number;
    source: string;
    references: string[];
    hypothesis: string;
    scores: Record<string, number>;
  }[];
}

/** A job in the measured queue (evaluation or training), with its place in the line. */
export interface QueuedJob {
  jobId: string;
  kind: 'evaluate' | 'train';
  label: string;
  /** 0 = running now, 1 = next... null once it has ended. */
  position: number | null;
  state: 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted';
  runId: string | null;
  message?: string;
  queuedAt: string;
}

export interface RunList {
  runs: RunSummary[];
  broken: BrokenEntry[];
}
