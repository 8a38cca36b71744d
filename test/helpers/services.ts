/** Service graphs on temporary workspaces, as the CLI builds them, for direct-call tests. */
import { join } from 'node:path';
import { createAppServices } from '../../main/app';
import type { AppServices } from '../../main/app';
import type { HostAdapter } from '../../main/handlers';
import { checkRegularFile } from '../../main/services/files';
import { validatedApi } from '../../main/bridge/direct';
import type { WorkbenchApi } from '../../shared/api/contract';
import type { JobProgress } from '../../shared/api/types';
import { tempDir } from './temp';

export const repoRoot = join(import.meta.dirname, '..', '..');

/** A CLI-like host: file references are paths; exports go to `<root>/exports` by default. */
export function pathHost(root: string): HostAdapter {
  return {
    kind: 'cli',
    maxUploadBytes: 0,
    resolveFile: async (ref) => {
      if (!('path' in ref)) throw new Error('paths only');
      return checkRegularFile(ref.path);
    },
    exportDirectory: async (dir) => dir ?? join(root, 'exports'),
    exportResult: (files) => files,
    pickFiles: async () => [],
  };
}

export async function testServices(
  options: { maxImportBytes?: number } = {},
): Promise<AppServices & { api: WorkbenchApi; events: JobProgress[]; root: string }> {
  const root = await tempDir('ecoeval-ws-');
  const services = await createAppServices({
    workspaceDir: root,
    host: pathHost(root),
    builtinDir: join(repoRoot, 'datasets'),
    ...options,
  });
  const events: JobProgress[] = [];
  services.subscribe((event, payload) => {
    if (event === 'job:progress') events.push(payload as JobProgress);
  });
  return { ...services, api: validatedApi(services.handlers), events, root };
}
