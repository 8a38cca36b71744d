/**
 * Opens an input file after the checks every format shares: it exists, is a file (not a folder),
 * can be read, is not empty and is within the size limit. Turns Node's error codes into
 * DatasetImportErrors that say what to do.
 */
import { open, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { DatasetImportError } from './types.js';

/** An open input file and its size in bytes. */
export interface OpenedFile {
  file: string;
  handle: FileHandle;
  size: number;
}

/** Formats a byte count for messages ("2 GiB", "3.4 MiB"). */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || Number.isInteger(value) ? 0 : 1;
  return `${value.toFixed(digits)} ${units[unit]}`;
}

function systemError(file: string, error: unknown): DatasetImportError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new DatasetImportError({
      file,
      problem: 'file not found',
      hint: 'Check the path, or choose the file again',
    });
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new DatasetImportError({
      file,
      problem: 'file cannot be read (permission denied)',
      hint: 'Give your user read access to the file, or copy it somewhere readable',
    });
  }
  if (code === 'EISDIR') return folderError(file);
  const reason = error instanceof Error ? error.message : String(error);
  return new DatasetImportError({
    file,
    problem: `file cannot be read (${reason})`,
    hint: 'Check that the file is accessible and try again',
  });
}

function folderError(file: string): DatasetImportError {
  return new DatasetImportError({
    file,
    problem: 'this is a folder, not a file',
    hint: 'Choose a file inside the folder instead',
  });
}

/** Checks and opens `file` for reading; the caller closes the handle. */
export async function openInputFile(file: string, maxBytes: number): Promise<OpenedFile> {
  let size: number;
  try {
    const info = await stat(file);
    if (info.isDirectory()) throw folderError(file);
    size = info.size;
  } catch (error) {
    if (error instanceof DatasetImportError) throw error;
    throw systemError(file, error);
  }
  if (size === 0) {
    throw new DatasetImportError({
      file,
      problem: 'file is empty',
      hint: 'Choose the file that holds the data; it may not have been saved or downloaded fully',
    });
  }
  if (size > maxBytes) {
    throw new DatasetImportError({
      file,
      problem: `file is ${formatBytes(size)}, over the ${formatBytes(maxBytes)} import limit`,
      hint: 'Split it into smaller files, or import a sample of it',
    });
  }
  try {
    return { file, handle: await open(file, 'r'), size };
  } catch (error) {
    throw systemError(file, error);
  }
}
