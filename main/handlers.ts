/**
 * Binds the services to the API contract. The only place services meet `WorkbenchApi`; the
 * Electron IPC host, the WebSocket bridge, the CLI and tests all call the object returned here.
 * Host differences (how files are picked and exported) come in through `HostAdapter`.
 */
import type { WorkbenchApi, WorkbenchEvents } from '../shared/api/contract';
import type { Capabilities } from '../shared/api/types';
import type { ImportRequest } from '../shared/api/schemas';
import { importRequest, previewRequest, splitRequest } from '../shared/api/schemas';
import type { DatasetService, ResolvedFile } from './services/datasets/service';
import type { JobRegistry } from './services/jobs/jobs';
import { listColumns } from './services/datasets/importers';
import { BadRequestError } from './services/errors';
import { probeRuntimes } from './services/runtimes';

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
  host: HostAdapter;
  appVersion: string;
  emit<E extends keyof WorkbenchEvents>(event: E, payload: WorkbenchEvents[E]): void;
}

export function createHandlers(context: HandlerContext): WorkbenchApi {
  const { datasets, jobs, host } = context;
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
      return listColumns(file.path, request.format);
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
      return { cancelled: jobs.cancel(jobId) };
    },
    async pickFiles(request) {
      if (host.kind !== 'electron') {
        throw new BadRequestError('This host has no file dialog; upload the file instead.');
      }
      return host.pickFiles({ multiple: request?.multiple ?? false, title: request?.title ?? '' });
    },
  };
}
