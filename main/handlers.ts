/**
 * Binds the services to the API contract. The only place services meet `WorkbenchApi`; the
 * Electron IPC host, the WebSocket bridge, the CLI and tests all call the object returned here.
 * Host differences (how files are picked and exported) come in through `HostAdapter`.
 */
import type { WorkbenchApi, WorkbenchEvents } from '../shared/api/contract';
import type { Capabilities } from '../shared/api/types';
import type { ImportRequest } from '../shared/api/schemas';
import {
  evaluateRequest,
  importRequest,
  previewRequest,
  splitRequest,
  trainRequest,
} from '../shared/api/schemas';
import type { ModelInfo } from '../shared/api/types';
import { ModelStore, trainAsJob } from './services/model/index';
import type { ModelSummary, TrainingResult } from './services/model/index';
import type { EvaluationService, MeasuredQueue, RunStore } from './services/runs/index';
import type { DatasetService, ResolvedFile } from './services/datasets/service';
import { renameFilesInError } from './services/datasets/service';
import type { JobRegistry } from './services/jobs/jobs';
import { listColumns } from './services/datasets/importers';
import { BadRequestError } from './services/errors';
import { probeRuntimes } from './services/runtimes';
import { installDemo } from './services/demo/demo';

export type FileRef = NonNullable<ImportRequest['sourceFile']>;

export interface HostAdapter {
  kind: Capabilities['host'];
  /** Turns a file reference from the UI into a readable path, or throws a BadRequestError. */
  resolveFile(ref: FileRef): Promise<ResolvedFile>;
  /** Where an export goes: the requested directory (CLI), a dialog (desktop), or downloads (web). */
  exportDirectory(requested: string | undefined): Promise<string | null>;
  /** Maps written files to what the UI gets back (paths, or download URLs in the browser host). */
  exportResult(files: string[]): string[];
  pickFiles(request: { multiple: boolean; title: string }): Promise<{ path: string }[]>;
  maxUploadBytes: number;
}

export interface HandlerContext {
  datasets: DatasetService;
  jobs: JobRegistry;
  runs: RunStore;
  queue: MeasuredQueue;
  evaluations: EvaluationService;
  /** datasets/demo: the first-launch demo's plan and models. */
  demoDir: string;
  host: HostAdapter;
  appVersion: string;
  emit<E extends keyof WorkbenchEvents>(event: E, payload: WorkbenchEvents[E]): void;
}

function modelInfo(m: ModelSummary): ModelInfo {
  return {
    id: m.id,
    name: m.name,
    kind: m.kind,
    preset: m.preset ?? 'custom',
    parameters: m.parameters,
    vocabSize: m.vocabSize,
    srcVocabSize: m.srcVocabSize,
    status: m.status,
    step: m.step,
    joules: m.joules,
    bestBleu: m.bestBleu,
    backend: m.backend,
    backendReasons: m.backendReasons,
    energyMethod: m.energyMethod,
    energyGrade: m.energyGrade,
    bytes: m.bytes,
    createdAt: m.createdAt,
  };
}

function keptCheckpoint(result: { modelId: string; record: { step: number } }): string {
  return `Training was cancelled at step ${result.record.step}; its last checkpoint (${result.modelId}) was kept.`;
}

/** Training as a measured-queue job: it waits its turn, so its energy windows are its own. */
function registerTraining(context: HandlerContext): void {
  const { datasets, jobs, queue } = context;
  queue.register(
    'train',
    async (payload, job) => {
      const request = trainRequest.parse(payload);
      const result = await jobs.run(
        'train',
        trainingLabel(request),
        'steps',
        (registryJob) =>
          trainAsJob(
            {
              workspaceDir: datasets.workspace.root,
              dataset: request.dataset,
              preset: request.preset,
              ...(request.steps ? { steps: request.steps } : {}),
              ...(request.minutes ? { minutes: request.minutes } : {}),
              ...(request.evalEvery ? { options: { evalEvery: request.evalEvery } } : {}),
              ...(request.separateVocab ? { separateVocab: true } : {}),
            },
            registryJob,
            (event) => {
              if (event.type === 'progress') {
                context.emit('training:progress', {
                  modelId: event.modelId,
                  step: event.step,
                  maxSteps: event.maxSteps,
                  loss: event.loss,
                  learningRate: event.learningRate,
                  tokensPerSecond: event.tokensPerSecond,
                  etaSeconds: event.etaS,
                  fraction: event.fraction,
                  joules: event.joules,
                  validBleu: event.validBleu,
                });
              } else if (event.type === 'validation') {
                context.emit('training:validation', {
                  modelId: event.modelId,
                  step: event.point.step,
                  minutes: event.point.elapsedS / 60,
                  joules: event.point.joules,
                  validBleu: event.point.validBleu,
                  validLoss: event.point.validLoss,
                });
              }
            },
          ),
        { id: job.jobId, signal: job.signal, keptOnCancel: keptCheckpoint },
      );
      // A cancelled training still ends with a loadable checkpoint: the caller gets the model.
      return job.signal.aborted
        ? { value: result, cancelled: true, message: keptCheckpoint(result) }
        : { value: result };
    },
    { unit: 'steps', reportsProgress: true },
  );
}

function trainingLabel(request: { preset: string; dataset: string }): string {
  return `Training ${request.preset} on ${request.dataset}`;
}

export function createHandlers(context: HandlerContext): WorkbenchApi {
  const { datasets, jobs, host, runs, queue, evaluations } = context;
  const models = new ModelStore(datasets.workspace);
  registerTraining(context);
  return {
    async capabilities() {
      const runtimes = await probeRuntimes();
      return {
        host: host.kind,
        appVersion: context.appVersion,
        workspace: datasets.workspace.root,
        platform: `${process.platform}-${process.arch}`,
        ...runtimes,
        limits: { maxImportBytes: datasets.maxImportBytes, maxUploadBytes: host.maxUploadBytes },
      };
    },
    listDatasets: () => datasets.list(),
    getDataset: (id) => datasets.get(id),
    async importDataset(raw) {
      const request = importRequest.parse(raw);
      return jobs.run('import', `Import of "${request.name}"`, 'bytes', (job) =>
        datasets.import(request, (ref) => host.resolveFile(ref), job),
      );
    },
    async listColumns(request) {
      const file = await host.resolveFile(request.file);
      // Errors name the file as the user gave it, as import errors do.
      return listColumns(file.path, request.format).catch((error: unknown) => {
        throw renameFilesInError(error, [file]);
      });
    },
    previewDataset: (request) => datasets.preview(previewRequest.parse(request)),
    renameDataset: (request) => datasets.rename(request.dataset, request.name),
    deleteDataset: (request) => datasets.delete(request.dataset),
    async splitDataset(raw) {
      const request = splitRequest.parse(raw);
      return jobs.run('split', `Split of ${request.dataset}`, 'rows', (job) =>
        datasets.split(request, job),
      );
    },
    async exportDataset(request) {
      const directory = await host.exportDirectory(request.directory);
      if (directory === null) return { files: [] };
      const { files } = await datasets.export(request, directory);
      return { files: host.exportResult(files) };
    },
    listBuiltinDatasets: () => datasets.listBuiltins(),
    async installBuiltinDatasets(ids) {
      return jobs.run('builtin', 'Installing built-in datasets', 'bytes', (job) =>
        datasets.installBuiltins(ids, job),
      );
    },
    async cancelJob(jobId) {
      return { cancelled: queue.cancel(jobId) || jobs.cancel(jobId) };
    },
    async trainModel(raw) {
      const request = trainRequest.parse(raw);
      const job = queue.enqueue('train', trainingLabel(request), request);
      const result = (await queue.wait(job.jobId)) as TrainingResult;
      const summary = (await models.list()).models.find((m) => m.id === result.modelId);
      if (!summary) throw new BadRequestError(`Model ${result.modelId} was not saved.`);
      return modelInfo(summary);
    },
    async listModels() {
      return (await models.list()).models.map(modelInfo);
    },
    // Evaluation runs (issue 6)
    evaluate: async (raw) => evaluations.evaluate(evaluateRequest.parse(raw)),
    installDemo: () =>
      installDemo({ datasets, models, evaluations, queue, jobs, demoDir: context.demoDir }),
    listJobs: async () => queue.list(),
    restartJob: async (jobId) => queue.restart(jobId),
    listRuns: () => runs.list(),
    getRun: (id) => runs.get(id),
    getRunOutputs: (id) => runs.outputs(id),
    getRunSegments: (request) => runs.segments(request),
    saveRunScores: (request) => runs.saveScores(request),
    renameRun: (request) => runs.rename(request.run, request.name),
    tagRun: (request) => runs.tag(request.run, request.tags),
    deleteRun: (request) => runs.delete(request.run),
    async exportRun(request) {
      const directory = await host.exportDirectory(request.directory);
      if (directory === null) return { files: [] };
      const { files } = await runs.export(request.run, directory);
      return { files: host.exportResult(files) };
    },
    async pickFiles(request) {
      if (host.kind !== 'electron') {
        throw new BadRequestError('This host has no file dialog; upload the file instead.');
      }
      return host.pickFiles({ multiple: request?.multiple ?? false, title: request?.title ?? '' });
    },
  };
}
