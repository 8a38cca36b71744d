/**
 * The API contract between the renderer and its host (Electron IPC, the WebSocket bridge, or
 * direct calls from the CLI and tests). Adding a feature: a method in `WorkbenchApi`, its name in
 * `CHANNELS` (the compiler complains until you add it), a schema in `REQUEST_SCHEMAS`, and an
 * implementation in `main/handlers.ts`. Transports never change.
 */
import type { z } from 'zod';
import type {
  ApiError,
  BuiltinDataset,
  Capabilities,
  DatasetList,
  DatasetManifest,
  JobProgress,
  ModelInfo,
  PreviewPage,
  QueuedJob,
  RunList,
  RunOutputs,
  RunRecord,
  RunSegmentsPage,
  TrainingCurvePoint,
  TrainingUpdate,
} from './types';
import {
  columnsRequest,
  datasetId,
  deleteRequest,
  exportRequest,
  importRequest,
  previewRequest,
  renameRequest,
  splitRequest,
  pickFilesRequest,
  trainRequest,
  evaluateRequest,
  runId,
  runSegmentsRequest,
  saveScoresRequest,
  renameRunRequest,
  tagRunRequest,
  deleteRunRequest,
  exportRunRequest,
  jobId,
} from './schemas';
import { z as zod } from 'zod';

/** Request/response methods. Every method takes at most one argument and returns a promise. */
export interface WorkbenchApi {
  /** What this host can do (runtimes available, limits, workspace path). */
  capabilities(): Promise<Capabilities>;
  listDatasets(): Promise<DatasetList>;
  getDataset(id: z.input<typeof datasetId>): Promise<DatasetManifest>;
  /** Starts an import job; resolves with the new manifest when it finishes (progress is pushed). */
  importDataset(request: z.input<typeof importRequest>): Promise<DatasetManifest>;
  /** Column or field names of a file, for the import dialog's mapping. */
  listColumns(request: z.input<typeof columnsRequest>): Promise<string[]>;
  previewDataset(request: z.input<typeof previewRequest>): Promise<PreviewPage>;
  renameDataset(request: z.input<typeof renameRequest>): Promise<DatasetManifest>;
  deleteDataset(request: z.input<typeof deleteRequest>): Promise<{ deleted: string }>;
  splitDataset(request: z.input<typeof splitRequest>): Promise<DatasetManifest>;
  /** Writes the split to files; returns the paths written (desktop/CLI) or a download URL path (web). */
  exportDataset(request: z.input<typeof exportRequest>): Promise<{ files: string[] }>;
  listBuiltinDatasets(): Promise<BuiltinDataset[]>;
  installBuiltinDatasets(ids: string[]): Promise<DatasetList>;
  cancelJob(jobId: string): Promise<{ cancelled: boolean }>;
  /** Trains a model as a job (progress and validation points are pushed); resolves when it ends. */
  trainModel(request: z.input<typeof trainRequest>): Promise<ModelInfo>;
  listModels(): Promise<ModelInfo[]>;
  /** Desktop only: native file dialog; returns path references the host will accept. */
  pickFiles(request: z.input<typeof pickFilesRequest>): Promise<{ path: string }[]>;

  // Evaluation runs (issue 6)
  /** Queues one measured job per system × dataset; resolves at once with the queued jobs. */
  evaluate(request: z.input<typeof evaluateRequest>): Promise<QueuedJob[]>;
  /** The measured queue: running, waiting (with positions), recently ended and interrupted. */
  listJobs(): Promise<QueuedJob[]>;
  /** Queues an interrupted or failed job again with the same settings. */
  restartJob(job: z.input<typeof jobId>): Promise<QueuedJob>;
  listRuns(): Promise<RunList>;
  getRun(run: z.input<typeof runId>): Promise<RunRecord>;
  /** Sources, references, hypotheses (and log-probabilities) for the renderer's scoring worker. */
  getRunOutputs(run: z.input<typeof runId>): Promise<RunOutputs>;
  getRunSegments(request: z.input<typeof runSegmentsRequest>): Promise<RunSegmentsPage>;
  /** Stores the scores the renderer computed; the run becomes `complete`. */
  saveRunScores(request: z.input<typeof saveScoresRequest>): Promise<RunRecord>;
  renameRun(request: z.input<typeof renameRunRequest>): Promise<RunRecord>;
  tagRun(request: z.input<typeof tagRunRequest>): Promise<RunRecord>;
  deleteRun(request: z.input<typeof deleteRunRequest>): Promise<{ deleted: string }>;
  /** Writes the run folder's files; paths (desktop/CLI) or download URL paths (web). */
  exportRun(request: z.input<typeof exportRunRequest>): Promise<{ files: string[] }>;
  /**
   * First launch: installs the built-in translation dataset and the bundled demo models, and
   * queues their evaluations (identical runs are not redone). Resolves once they are queued.
   */
  installDemo(): Promise<QueuedJob[]>;
}

/** Events pushed from the host to every renderer. */
export interface WorkbenchEvents {
  'job:progress': JobProgress;
  'datasets:changed': { reason: string };
  'training:progress': TrainingUpdate;
  'training:validation': TrainingCurvePoint;
  /** The queue changed (queued, started, ended, interrupted): renderers re-read `listJobs`. */
  'queue:changed': { jobs: QueuedJob[] };
  /** A run was created, scored, renamed, tagged or deleted. */
  'runs:changed': { reason: string; run: string | null };
}

export type Channel = keyof WorkbenchApi;
export type EventName = keyof WorkbenchEvents;

/** Runtime allowlist of channels: preload and bridge refuse anything else. */
export const CHANNELS = [
  'capabilities',
  'listDatasets',
  'getDataset',
  'importDataset',
  'listColumns',
  'previewDataset',
  'renameDataset',
  'deleteDataset',
  'splitDataset',
  'exportDataset',
  'listBuiltinDatasets',
  'installBuiltinDatasets',
  'cancelJob',
  'pickFiles',
  'trainModel',
  'listModels',
  'evaluate',
  'listJobs',
  'restartJob',
  'listRuns',
  'getRun',
  'getRunOutputs',
  'getRunSegments',
  'saveRunScores',
  'renameRun',
  'tagRun',
  'deleteRun',
  'exportRun',
  'installDemo',
] as const satisfies readonly Channel[];

/** Compile-time check: every WorkbenchApi method is listed in CHANNELS. */
type Missing = Exclude<Channel, (typeof CHANNELS)[number]>;
const allChannelsListed: [Missing] extends [never] ? true : Missing = true;
void allChannelsListed;

export const EVENTS = [
  'job:progress',
  'datasets:changed',
  'training:progress',
  'training:validation',
  'queue:changed',
  'runs:changed',
] as const satisfies readonly EventName[];

/** Argument schema per channel (`null` = takes no argument). */
export const REQUEST_SCHEMAS: Record<Channel, zod.ZodType | null> = {
  capabilities: null,
  listDatasets: null,
  getDataset: datasetId,
  importDataset: importRequest,
  listColumns: columnsRequest,
  previewDataset: previewRequest,
  renameDataset: renameRequest,
  deleteDataset: deleteRequest,
  splitDataset: splitRequest,
  exportDataset: exportRequest,
  listBuiltinDatasets: null,
  installBuiltinDatasets: zod.array(datasetId).max(50),
  cancelJob: jobId,
  pickFiles: pickFilesRequest,
  trainModel: trainRequest,
  listModels: null,
  evaluate: evaluateRequest,
  listJobs: null,
  restartJob: jobId,
  listRuns: null,
  getRun: runId,
  getRunOutputs: runId,
  getRunSegments: runSegmentsRequest,
  saveRunScores: saveScoresRequest,
  renameRun: renameRunRequest,
  tagRun: tagRunRequest,
  deleteRun: deleteRunRequest,
  exportRun: exportRunRequest,
  installDemo: null,
};

export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && (CHANNELS as readonly string[]).includes(name);
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && (EVENTS as readonly string[]).includes(name);
}

/** Validates the raw argument list for a channel; returns the parsed argument or a message. */
export function validateRequest(
  channel: Channel,
  args: unknown[],
): { ok: true; value: unknown } | { ok: false; message: string } {
  const schema = REQUEST_SCHEMAS[channel];
  if (schema === null) {
    return args.length === 0
      ? { ok: true, value: undefined }
      : { ok: false, message: `${channel} takes no arguments` };
  }
  if (args.length !== 1) return { ok: false, message: `${channel} takes exactly one argument` };
  const parsed = schema.safeParse(args[0]);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue.path.length ? ` (${issue.path.join('.')})` : '';
  return { ok: false, message: `invalid request for ${channel}${where}: ${issue.message}` };
}

/** What a renderer talks to, whichever host it runs in. */
export interface Transport {
  readonly kind: 'electron' | 'websocket' | 'direct';
  invoke<C extends Channel>(
    channel: C,
    ...args: Parameters<WorkbenchApi[C]>
  ): ReturnType<WorkbenchApi[C]>;
  on<E extends EventName>(event: E, listener: (payload: WorkbenchEvents[E]) => void): () => void;
}

/** WebSocket wire messages (JSON text frames). */
export type WireRequest = { id: number; channel: string; args: unknown[] };
export type WireResponse =
  { id: number; ok: true; result: unknown } | { id: number; ok: false; error: ApiError };
export type WirePush = { event: string; payload: unknown };
