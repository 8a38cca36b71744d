/**
 * Builds the service graph for one host process: workspace, jobs, datasets and the handlers,
 * with an event fan-out the host's transport subscribes to. Every host (Electron, browser
 * bridge, CLI, tests) starts here, so they cannot drift apart.
 */
import { dirname, join, resolve } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { WorkbenchApi, WorkbenchEvents } from '../shared/api/contract';
import { Workspace } from './services/workspace/workspace';
import { JobRegistry } from './services/jobs/jobs';
import { DatasetService } from './services/datasets/service';
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
}): Promise<AppServices> {
  const listeners = new Set<EventListener>();
  const emit: EventListener = (event, payload) => {
    for (const listener of listeners) listener(event, payload);
  };
  const workspace = await Workspace.open(resolve(options.workspaceDir));
  const jobs = new JobRegistry((progress) => emit('job:progress', progress));
  const datasets = new DatasetService(workspace, {
    builtinDir: options.builtinDir ?? join(appRoot(), 'datasets'),
    ...(options.maxImportBytes ? { maxImportBytes: options.maxImportBytes } : {}),
    onChanged: (reason) => emit('datasets:changed', { reason }),
  });
  const handlers = createHandlers({
    datasets,
    jobs,
    host: options.host,
    appVersion: appVersion(),
    emit,
  });
  return {
    workspace,
    datasets,
    jobs,
    handlers,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
