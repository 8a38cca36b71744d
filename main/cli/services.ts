/**
 * Builds the app services for a CLI command: the workspace from --workspace or
 * ECOEVAL_WORKSPACE, file references resolved against the working directory, exports written
 * where the user asked.
 */
import { isAbsolute, resolve } from 'node:path';
import { createAppServices } from '../app';
import type { AppServices } from '../app';
import type { HostAdapter } from '../handlers';
import { checkRegularFile } from '../services/files';
import { BadRequestError } from '../services/errors';
import { resolveWorkspaceDir } from '../services/workspace/workspace';
import type { CliIO } from './io';

export async function cliServices(
  io: CliIO,
  workspaceFlag: string | undefined,
  /** Evaluation options (a report plan may turn energy measurement off). */
  evaluation?: { energy?: 'auto' | 'off' },
): Promise<AppServices> {
  const host: HostAdapter = {
    kind: 'cli',
    maxUploadBytes: 0,
    async resolveFile(ref) {
      if (!('path' in ref)) throw new BadRequestError('The CLI takes file paths.');
      return checkRegularFile(
        isAbsolute(ref.path) ? ref.path : resolve(io.cwd, ref.path),
        ref.path,
      );
    },
    async exportDirectory(requested) {
      return resolve(io.cwd, requested ?? '.');
    },
    exportResult: (files) => files,
    async pickFiles() {
      throw new BadRequestError('The CLI has no file dialog; pass paths as arguments.');
    },
  };
  return createAppServices({
    workspaceDir: resolveWorkspaceDir(workspaceFlag, io.env, io.cwd),
    host,
    ...(evaluation ? { evaluation } : {}),
  });
}
