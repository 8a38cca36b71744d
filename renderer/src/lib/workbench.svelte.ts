/**
 * App state for the renderer: one class holding the transport, with reactive fields the pages
 * read and async methods that call the API. Components never reach the transport themselves.
 */
import type { Transport } from '../../../shared/api/contract';
import type {
  BuiltinDataset,
  BrokenEntry,
  Capabilities,
  DatasetManifest,
  DatasetSummary,
  JobProgress,
  ModelInfo,
  PreviewPage,
  TrainingCurvePoint,
  TrainingUpdate,
} from '../../../shared/api/types';
import type { ImportRequest } from '../../../shared/api/schemas';
import { electronBridge, uploadFile } from './transport';
import type { Page } from './pages';

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
}
