/**
 * Validation of file references that arrive from a UI. Paths must be absolute, exist, and be
 * regular files (a symlink is followed and the target checked); upload ids must name a folder in
 * the workspace's upload area. Messages say what to do.
 */
import { stat, readdir, realpath } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { BadRequestError } from './errors';
import type { ResolvedFile } from './datasets/service';

export async function checkRegularFile(path: string, display = path): Promise<ResolvedFile> {
  if (!isAbsolute(path))
    throw new BadRequestError(`"${path}" is not an absolute path; choose the file again.`);
  let real: string;
  try {
    real = await realpath(path);
  } catch {
    throw new BadRequestError(`${display}: no such file. Check the path and try again.`);
  }
  const info = await stat(real);
  if (info.isDirectory())
    throw new BadRequestError(`${display} is a folder; choose a file inside it.`);
  if (!info.isFile())
    throw new BadRequestError(`${display} is not a regular file; choose a data file.`);
  return { path: real, display };
}

/** Uploads live in `<workspace>/.uploads/<32 hex>/<original name>`. */
export async function resolveUpload(uploadsDir: string, id: string): Promise<ResolvedFile> {
  if (!/^[a-f0-9]{32}$/.test(id))
    throw new BadRequestError('Invalid upload id; upload the file again.');
  const dir = join(uploadsDir, id);
  const entries = await readdir(dir).catch(() => [] as string[]);
  if (entries.length !== 1)
    throw new BadRequestError('That upload has expired; upload the file again.');
  return { path: join(dir, entries[0]), display: entries[0] };
}
