/**
 * Builds the service graph for one host process: workspace, jobs, datasets, evaluation runs and
 * the measured queue, and the handlers, with an event fan-out the host's transport subscribes to. Every host (Electron, browser
 * bridge, CLI, tests) starts here, so they cannot drift apart.
 */
import { dirname, join, resolve } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { WorkbenchApi, WorkbenchEvents } from '../shared/api/contract';
import { Workspace } from './services/workspace/workspace';
import { JobRegistry } from './services/jobs/jobs';
import { DatasetService } from './services/datasets/service';
import { EvaluationService, MeasuredQueue, RunStore } from './services/runs/index';
import { createHandlers } from './handlers';
import type { HostAdapter } from './handlers';

export type EventListener = <E extends keyof WorkbenchEvents>(
  event: E,
  payload: WorkbenchEvents[E],
) => void;

export interface AppServices {
  workspace: Workspace;
  datasets: DatasetService;
  jobs: JobRegistry;
  runs: RunStore;
  /** The measured queue: evaluations and training, one at a time. */
  queue: MeasuredQueue;
  evaluations: EvaluationService;
  handlers: WorkbenchApi;
  /** Subscribe to pushed events; returns an unsubscribe function. */
  subscribe(listener: EventListener): () => void;
}

/** The app's root folder (holding package.json and datasets/), from source or from out/main. */
export function appRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'datasets'))) return dir;
    dir = dirname(dir);
  }
  return process.cwd();
}

export function appVersion(root = appRoot()): string {
  try {
    return (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string })
      .version;
  } catch {
    return '0.0.0';
  }
}

export async function createAppServices(options: {
  workspaceDir: string;
  host: HostAdapter;
  builtinDir?: string;
  maxImportBytes?: number;
  /** Evaluation runs: energy windows off (quick checks), and a hook seeing each evaluator pid. */
  evaluation?: { energy?: 'auto' | 'off'; onEvaluatorSpawn?: (pid: number) => void };
}): Promise<AppServices> {
  const listeners = new Set<EventListener>();
  const emit: EventListener = (event, payload) => {
    for (const listener of listeners) listener(event, payload);
  };
  const workspace = await Workspace.open(resolve(options.workspaceDir));
  const jobs = new JobRegistry((progress) => emit('job:progress', progress));
  const builtinDir = options.builtinDir ?? join(appRoot(), 'datasets');
  const datasets = new DatasetService(workspace, {
    builtinDir,
    ...(options.maxImportBytes ? { maxImportBytes: options.maxImportBytes } : {}),
    onChanged: (reason) => emit('datasets:changed', { reason }),
  });
  const runs = new RunStore(workspace, datasets, (reason, run) =>
    emit('runs:changed', { reason, run }),
  );
  const queue = await MeasuredQueue.open(workspace, {
    queue: (list) => emit('queue:changed', { jobs: list }),
    progress: (progress) => emit('job:progress', progress),
  });
  const version = appVersion();
  const evaluations = new EvaluationService({
    workspace,
    datasets,
    runs,
    queue,
    resolveFile: (ref) => options.host.resolveFile(ref),
    appVersion: version,
    host: options.host.kind,
    ...(options.evaluation?.energy ? { energy: options.evaluation.energy } : {}),
    ...(options.evaluation?.onEvaluatorSpawn
      ? { onEvaluatorSpawn: options.evaluation.onEvaluatorSpawn }
      : {}),
  });
  const handlers = createHandlers({
    datasets,
    jobs,
    runs,
    queue,
    evaluations,
    demoDir: join(builtinDir, 'demo'),
    host: options.host,
    appVersion: version,
    emit,
  });
  return {
    workspace,
    datasets,
    jobs,
    runs,
    queue,
    evaluations,
    handlers,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
