/**
 * Shared helpers for the importer tests: temp files, reading a whole dataset, and asserting
 * the exact DatasetImportError a bad input produces.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import {
  DatasetImportError,
  readDataset,
} from '../../../main/services/datasets/importers/index.js';
import type {
  ImportedRow,
  ImportReport,
  ImportSpec,
} from '../../../main/services/datasets/importers/index.js';

/** Committed fixture path. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`../../fixtures/importers/${name}`, import.meta.url));
}

/** A temp folder for one test file; `write` creates files in it, `cleanup` removes it. */
export async function tempFolder(): Promise<{
  dir: string;
  write: (name: string, content: string | Uint8Array) => Promise<string>;
  cleanup: () => Promise<void>;
}> {
  const dir = await mkdtemp(join(tmpdir(), 'ecoeval-import-'));
  return {
    dir,
    write: async (name, content) => {
      const path = join(dir, name);
      await writeFile(path, content);
      return path;
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Reads every batch; returns all rows, the batch sizes and the report. */
export async function readAll(
  spec: ImportSpec,
  signal?: AbortSignal,
): Promise<{ rows: ImportedRow[]; batches: number[]; report: ImportReport }> {
  const rows: ImportedRow[] = [];
  const batches: number[] = [];
  const generator = readDataset(spec, signal);
  for (;;) {
    const next = await generator.next();
    if (next.done) return { rows, batches, report: next.value };
    batches.push(next.value.rows.length);
    for (const row of next.value.rows) rows.push(row);
  }
}

/** Reads `spec` expecting a DatasetImportError; returns it for further checks. */
export async function importError(spec: ImportSpec): Promise<DatasetImportError> {
  try {
    await readAll(spec);
  } catch (error) {
    expect(error).toBeInstanceOf(DatasetImportError);
    const importError = error as DatasetImportError;
    // Users see the message, never a stack: it must start with where and end with what to do.
    expect(importError.message).toMatch(/\.$/);
    expect(importError.message).not.toMatch(/\n\s+at /);
    return importError;
  }
  throw new Error('expected a DatasetImportError, but the import succeeded');
}
