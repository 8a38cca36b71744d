/**
 * App state for the renderer: one class holding the transport, with reactive fields the pages
 * read and async methods that call the API. Components never reach the transport themselves.
 */
import type { Transport, WorkbenchApi } from '../../../shared/api/contract';
import type {
  BuiltinDataset,
  BrokenEntry,
  Capabilities,
  DatasetManifest,
  DatasetSummary,
  JobProgress,
  ModelInfo,
  PreviewPage,
  QueuedJob,
  RunOutputs,
  RunRecord,
  RunSegmentsPage,
  RunSummary,
  TrainingCurvePoint,
  TrainingUpdate,
} from '../../../shared/api/types';
import type { ImportRequest } from '../../../shared/api/schemas';
import { electronBridge, uploadFile } from './transport';
import { scoreRunInWorker } from './metrics-client';
import type { EnergySettings } from '../../../shared/evaluation/energy-units';
import type { Page } from './pages';

export type EvaluateInput = Parameters<WorkbenchApi['evaluate']>[0];
/** Automatic scoring of one run: under way, or the error that stopped it (shown by the run). */
export type ScoringState = { state: 'scoring' } | { state: 'failed'; message: string };

export type FileRef = NonNullable<ImportRequest['sourceFile']>;
/** A file chosen in the UI, already handed to the host (uploaded, or a picked path). */
export interface ChosenFile {
  label: string;
  ref: FileRef;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class Workbench {
  capabilities = $state.raw<Capabilities | null>(null);
  datasets = $state.raw<DatasetSummary[]>([]);
  broken = $state.raw<BrokenEntry[]>([]);
  builtins = $state.raw<BuiltinDataset[]>([]);
  selectedId = $state<string | null>(null);
  manifest = $state.raw<DatasetManifest | null>(null);
  jobs = $state.raw<JobProgress[]>([]);
  models = $state.raw<ModelInfo[]>([]);
  training = $state.raw<TrainingUpdate | null>(null);
  curve = $state.raw<TrainingCurvePoint[]>([]);
  loading = $state(true);
  error = $state<string | null>(null);
  /** The page shown; pages move the user on with `navigate` (Results → Run details...). */
  page = $state<Page>('datasets');
  /** The run Run details shows. */
  selectedRunId = $state<string | null>(null);
  /** Runs chosen for Compare (the first is the baseline). */
  compareRunIds = $state.raw<string[]>([]);
  runs = $state.raw<RunSummary[]>([]);
  brokenRuns = $state.raw<BrokenEntry[]>([]);
  /** False until the run list has been read once (so Results can tell "none yet" from "loading"). */
  runsLoaded = $state(false);
  /** Why the run list could not be read, shown on Results. */
  runsError = $state<string | null>(null);
  /** The measured queue (evaluations and training), as the host last reported it. */
  queue = $state.raw<QueuedJob[]>([]);
  queueError = $state<string | null>(null);
  /** How energy figures are shown: one choice for Results and the chart. */
  energySettings = $state<EnergySettings>({
    unit: 'J',
    scale: 'total',
    includeTraining: false,
    // Segments the model is expected to translate in its life: training shared out over them.
    amortiseOver: 1_000_000,
  });
  /** Per run id: automatic scoring in progress or failed. Absent once the scores are saved. */
  scoring = $state.raw<Record<string, ScoringState>>({});

  // Runs already handed to the scorer in this window: each run is scored once, even though
  // 'runs:changed' arrives several times while it waits. Bookkeeping only, never rendered.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #scoreAttempted = new Set<string>();
  #scoreChain: Promise<void> = Promise.resolve();

  selected = $derived(this.datasets.find((d) => d.id === this.selectedId) ?? null);

  constructor(readonly transport: Transport) {
    transport.on('job:progress', (progress) => {
      const others = this.jobs.filter((j) => j.jobId !== progress.jobId);
      this.jobs = progress.state === 'running' ? [...others, progress] : others;
    });
    transport.on('datasets:changed', () => void this.refresh());
    transport.on('training:progress', (update) => {
      if (this.training?.modelId !== update.modelId) this.curve = [];
      this.training = update;
    });
    transport.on('training:validation', (point) => {
      this.curve = [...this.curve.filter((p) => p.modelId === point.modelId), point];
    });
    transport.on('runs:changed', () => void this.refreshRuns());
    transport.on('queue:changed', ({ jobs }) => {
      this.queue = jobs;
      this.queueError = null;
    });
  }

  navigate(page: Page): void {
    this.page = page;
  }

  get hostKind(): string {
    return this.transport.kind;
  }

  async init(): Promise<void> {
    try {
      this.capabilities = await this.transport.invoke('capabilities');
      await this.refresh();
      this.builtins = await this.transport.invoke('listBuiltinDatasets');
    } catch (error) {
      this.error = errorMessage(error);
    } finally {
      this.loading = false;
    }
    // Their own errors: a host without runs still serves datasets and training.
    await Promise.all([
      this.refreshRuns(),
      this.refreshQueue(),
      this.refreshModels().catch(() => {}),
    ]);
  }

  async refresh(): Promise<void> {
    const list = await this.transport.invoke('listDatasets');
    this.datasets = list.datasets;
    this.broken = list.broken;
    if (this.selectedId && !list.datasets.some((d) => d.id === this.selectedId)) {
      this.selectedId = null;
      this.manifest = null;
    }
    if (!this.selectedId && list.datasets.length) await this.select(list.datasets[0].id);
  }

  async select(id: string): Promise<void> {
    this.selectedId = id;
    this.manifest = await this.transport.invoke('getDataset', id);
  }

  async installBuiltins(ids: string[] = []): Promise<void> {
    await this.transport.invoke('installBuiltinDatasets', ids);
    this.builtins = await this.transport.invoke('listBuiltinDatasets');
    await this.refresh();
  }

  /** Hands a File to the host: an upload (browser) or a registered path (desktop drop). */
  async chooseFile(file: File): Promise<ChosenFile> {
    const bridge = electronBridge();
    if (bridge) {
      const path = await bridge.droppedFilePath(file);
      if (!path) throw new Error(`${file.name}: the desktop app could not read this file's path.`);
      return { label: file.name, ref: { path } };
    }
    return { label: file.name, ref: await uploadFile(file) };
  }

  /** Desktop only: the native dialog. */
  async pickFiles(multiple: boolean): Promise<ChosenFile[]> {
    const picked = await this.transport.invoke('pickFiles', {
      multiple,
      title: 'Choose data files',
    });
    return picked.map((ref) => ({ label: ref.path.split(/[\\/]/).pop() ?? ref.path, ref }));
  }

  listColumns(file: ChosenFile, format: ImportRequest['format']): Promise<string[]> {
    return this.transport.invoke('listColumns', { file: file.ref, format });
  }

  async importDataset(
    request: Parameters<Transport['invoke']>[1] & object,
  ): Promise<DatasetManifest> {
    const manifest = await this.transport.invoke('importDataset', request as never);
    await this.refresh();
    await this.select(manifest.id);
    return manifest;
  }

  preview(dataset: string, split: string, offset: number, limit: number): Promise<PreviewPage> {
    return this.transport.invoke('previewDataset', { dataset, split, offset, limit });
  }

  async rename(id: string, name: string): Promise<void> {
    this.manifest = await this.transport.invoke('renameDataset', { dataset: id, name });
    await this.refresh();
  }

  async remove(id: string): Promise<void> {
    await this.transport.invoke('deleteDataset', { dataset: id, confirm: true });
    this.selectedId = null;
    this.manifest = null;
    await this.refresh();
  }

  async split(
    id: string,
    from: string,
    seed: number,
    ratios: { train: number; valid: number; test: number },
  ): Promise<void> {
    this.manifest = await this.transport.invoke('splitDataset', {
      dataset: id,
      from,
      seed,
      ratios,
    });
    await this.refresh();
  }

  async exportSplit(id: string, split: string, format: 'text' | 'jsonl'): Promise<string[]> {
    const { files } = await this.transport.invoke('exportDataset', { dataset: id, split, format });
    return files;
  }

  async refreshModels(): Promise<void> {
    this.models = await this.transport.invoke('listModels');
  }

  /** Trains a model; live figures arrive through `training` and `curve`. */
  async train(request: {
    dataset: string;
    preset: 'tiny' | 'small' | 'base';
    steps?: number;
    evalEvery?: number;
    separateVocab?: boolean;
  }): Promise<ModelInfo> {
    this.training = null;
    this.curve = [];
    try {
      return await this.transport.invoke('trainModel', request);
    } finally {
      await this.refreshModels();
    }
  }

  cancel(jobId: string): Promise<{ cancelled: boolean }> {
    return this.transport.invoke('cancelJob', jobId);
  }

  // ----- Evaluation runs (issue 6) -----

  /**
   * First launch: installs the built-in translation data and the bundled demo models and queues
   * their evaluations; the runs appear (and are scored) as the queue works through them.
   */
  async installDemo(): Promise<void> {
    const jobs = await this.transport.invoke('installDemo');
    this.queue = [...this.queue.filter((q) => !jobs.some((j) => j.jobId === q.jobId)), ...jobs];
    await Promise.all([this.refresh(), this.refreshModels()]);
  }

  async refreshRuns(): Promise<void> {
    try {
      const list = await this.transport.invoke('listRuns');
      this.runs = list.runs;
      this.brokenRuns = list.broken;
      this.runsError = null;
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- local lookup, never rendered
      const ids = new Set(list.runs.map((r) => r.id));
      this.compareRunIds = this.compareRunIds.filter((id) => ids.has(id));
      this.#scoreWaitingRuns();
    } catch (error) {
      this.runsError = errorMessage(error);
    } finally {
      this.runsLoaded = true;
    }
  }

  async refreshQueue(): Promise<void> {
    try {
      this.queue = await this.transport.invoke('listJobs');
      this.queueError = null;
    } catch (error) {
      this.queueError = errorMessage(error);
    }
  }

  /** Queues one measured job per system × dataset; they show up in the queue at once. */
  async evaluate(request: EvaluateInput): Promise<QueuedJob[]> {
    const queued = await this.transport.invoke('evaluate', request);
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- local lookup, never rendered
    const ids = new Set(queued.map((j) => j.jobId));
    this.queue = [...this.queue.filter((j) => !ids.has(j.jobId)), ...queued];
    return queued;
  }

  async restartJob(jobId: string): Promise<QueuedJob> {
    const job = await this.transport.invoke('restartJob', jobId);
    this.queue = [...this.queue.filter((j) => j.jobId !== job.jobId), job];
    return job;
  }

  getRun(run: string): Promise<RunRecord> {
    return this.transport.invoke('getRun', run);
  }

  getRunOutputs(run: string): Promise<RunOutputs> {
    return this.transport.invoke('getRunOutputs', run);
  }

  getRunSegments(run: string, offset: number, limit: number): Promise<RunSegmentsPage> {
    return this.transport.invoke('getRunSegments', { run, offset, limit });
  }

  async renameRun(run: string, name: string): Promise<RunRecord> {
    const record = await this.transport.invoke('renameRun', { run, name });
    this.#replaceRun(record);
    return record;
  }

  async tagRun(run: string, tags: string[]): Promise<RunRecord> {
    const record = await this.transport.invoke('tagRun', { run, tags });
    this.#replaceRun(record);
    return record;
  }

  async deleteRun(run: string): Promise<void> {
    await this.transport.invoke('deleteRun', { run, confirm: true });
    this.runs = this.runs.filter((r) => r.id !== run);
    this.compareRunIds = this.compareRunIds.filter((id) => id !== run);
    if (this.selectedRunId === run) this.selectedRunId = null;
  }

  /** Paths written (desktop) or download URL paths (browser host). */
  async exportRun(run: string): Promise<string[]> {
    const { files } = await this.transport.invoke('exportRun', { run });
    return files;
  }

  /** Tries a run whose automatic scoring failed once more. */
  retryScoring(run: string): void {
    this.#scoreAttempted.delete(run);
    this.#scoreWaitingRuns();
  }

  #replaceRun(record: RunRecord): void {
    // The list carries a trimmed provenance; keep the row's and take everything else new.
    this.runs = this.runs.map((r) =>
      r.id === record.id ? { ...record, provenance: r.provenance } : r,
    );
  }

  #setScoring(run: string, state: ScoringState | null): void {
    const next = { ...this.scoring };
    if (state) next[run] = state;
    else delete next[run];
    this.scoring = next;
  }

  /**
   * Runs whose outputs are saved but not scored get scored here, in the metrics worker, one at a
   * time: the host stores outputs and energy, the renderer computes the scores (the same
   * shared/metrics code as the CLI) and hands them back with saveRunScores.
   */
  #scoreWaitingRuns(): void {
    for (const run of this.runs) {
      if (run.state !== 'awaiting-scores' || this.#scoreAttempted.has(run.id)) continue;
      this.#scoreAttempted.add(run.id);
      this.#scoreChain = this.#scoreChain.then(() => this.#scoreRun(run));
    }
  }

  async #scoreRun(run: RunSummary): Promise<void> {
    this.#setScoring(run.id, { state: 'scoring' });
    try {
      const outputs = await this.getRunOutputs(run.id);
      const { scores, segments } = await scoreRunInWorker(outputs, run.metrics);
      const record = await this.transport.invoke('saveRunScores', {
        run: run.id,
        scores,
        segments,
      });
      this.#setScoring(run.id, null);
      this.#replaceRun(record);
    } catch (error) {
      this.#setScoring(run.id, { state: 'failed', message: errorMessage(error) });
    }
  }
}
