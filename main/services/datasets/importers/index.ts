/**
 * Entry point of the dataset importers: read a dataset in any supported format as a stream of
 * row batches (readDataset), list the columns a file offers for mapping (listColumns), and guess
 * a format from a file name (detectFormat). Node only; no electron.
 */
import { readDelimited, listDelimitedColumns } from './delimited.js';
import { readJsonl, listJsonlFields } from './jsonl.js';
import { readParquet, listParquetColumns } from './parquet.js';
import { checkSpec } from './spec.js';
import { readText } from './text.js';
import { DEFAULT_MAX_BYTES } from './types.js';
import type { ImportFormat, ImportedBatch, ImportReport, ImportSpec } from './types.js';

export * from './types.js';

/**
 * Reads the dataset described by `spec` as batches of rows (up to IMPORT_BATCH_ROWS each, in
 * file order); the generator's return value is the ImportReport. Problems with the input throw
 * DatasetImportError; `signal` aborting throws its reason between batches. Files are closed when
 * the generator finishes, fails or is returned early.
 */
export async function* readDataset(
  spec: ImportSpec,
  signal?: AbortSignal,
): AsyncGenerator<ImportedBatch, ImportReport> {
  signal?.throwIfAborted();
  const checked = checkSpec(spec);
  switch (checked.format) {
    case 'text':
      return yield* readText(checked, signal);
    case 'jsonl':
      return yield* readJsonl(checked, signal);
    case 'parquet':
      return yield* readParquet(checked, signal);
    case 'csv':
    case 'tsv':
      return yield* readDelimited({ ...checked, format: checked.format }, signal);
  }
}

/**
 * Names a file offers for the column mapping: the header row (tsv, csv), the field paths of the
 * first record (jsonl, nested fields dotted), or the schema's columns (parquet). Text files have
 * no columns: [].
 */
export async function listColumns(
  file: string,
  format: ImportFormat,
  options: { maxBytes?: number; quoting?: 'csv' | 'none' } = {},
): Promise<string[]> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  switch (format) {
    case 'text':
      return [];
    case 'tsv':
    case 'csv':
      return listDelimitedColumns(file, format, maxBytes, options.quoting);
    case 'jsonl':
      return listJsonlFields(file, maxBytes);
    case 'parquet':
      return listParquetColumns(file, maxBytes);
  }
}

const EXTENSIONS: Record<string, ImportFormat> = {
  tsv: 'tsv',
  tab: 'tsv',
  csv: 'csv',
  jsonl: 'jsonl',
  ndjson: 'jsonl',
  // Hugging Face's Dataset.to_json writes JSON Lines under a .json name.
  json: 'jsonl',
  parquet: 'parquet',
  pq: 'parquet',
};

/**
 * Guesses the format from the file name's extension (case-insensitive); anything unknown
 * (.txt, .en, .de, .hyp, no extension) is plain text, one segment per line.
 */
export function detectFormat(fileName: string): ImportFormat {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  const dot = base.lastIndexOf('.');
  if (dot <= 0) return 'text';
  return EXTENSIONS[base.slice(dot + 1).toLowerCase()] ?? 'text';
}
