/**
 * Public types of the dataset importers: what to read (ImportSpec), what comes out (batches of
 * rows, then a report), and the one error type users see (DatasetImportError).
 */

/** File formats the importers read. */
export type ImportFormat = 'text' | 'tsv' | 'csv' | 'jsonl' | 'parquet';

/** Task kinds; they decide whether references are required (translation, summarization) or not allowed. */
export type ImportKind = 'translation' | 'summarization' | 'language-modelling' | 'system-outputs';

/** Default per-file size limit: 2 GiB. Larger files are rejected before reading. */
export const DEFAULT_MAX_BYTES = 2 * 1024 ** 3;

/** Rows per yielded batch. */
export const IMPORT_BATCH_ROWS = 10_000;

/** What to import and how to map it onto rows. */
export interface ImportSpec {
  format: ImportFormat;
  kind: ImportKind;
  /**
   * Text format only: one segment per line, sacreBLEU style. `sourceFile` holds the sources
   * (source sentences, documents, LM text or hypotheses); each reference file is parallel to it.
   */
  sourceFile?: string;
  referenceFiles?: string[];
  /** tsv, csv, jsonl, parquet: one file with a header or named fields. */
  file?: string;
  /**
   * Column or field names. For jsonl and parquet a name may be a dotted path into nested objects
   * ('translation.en', as in Hugging Face translation datasets); a key that itself contains a dot
   * is matched first. A jsonl/parquet reference field may hold a list of strings: each element
   * becomes one reference of that row.
   */
  mapping?: { source: string; references: string[] };
  /** Per-file size limit in bytes; defaults to DEFAULT_MAX_BYTES (2 GiB). */
  maxBytes?: number;
  /**
   * tsv and csv: 'csv' (default) reads double-quoted fields the way pandas and Hugging Face write
   * them; in TSV a quote inside an unquoted field stays literal text. 'none' treats every quote
   * as text, for raw tab-separated files made with `paste`.
   */
  quoting?: 'csv' | 'none';
}

/** One imported row: the source side (sentence, document, LM text or hypothesis) and its references. */
export interface ImportedRow {
  source: string;
  references: string[];
}

/** A batch of consecutive rows, in file order. */
export interface ImportedBatch {
  rows: ImportedRow[];
}

/** Empty segments of one field (file for text, column or field otherwise); kept and counted, not an error. */
export interface EmptySegments {
  field: string;
  count: number;
  /** Line numbers (row numbers for parquet) of the first few, at most 10. */
  firstLines: number[];
}

/** What was normalised in one file while reading it. */
export interface FileNormalisation {
  file: string;
  /** A UTF-8 byte order mark at the start of the file was removed. */
  bomRemoved: boolean;
  /** Lines that ended in CR LF; the CR was removed. */
  crlfLines: number;
  /** Lines holding a CR that is not part of a CR LF line end; such CRs are kept as text. */
  loneCrLines: number;
}

/** Returned by readDataset once every batch has been yielded. */
export interface ImportReport {
  rows: number;
  emptySegments: EmptySegments[];
  normalisation: FileNormalisation[];
  /** Total size in bytes of the files read. */
  sourceBytes: number;
}

/**
 * A problem with the user's file, worded for the user: `<file>:<line>: <what is wrong>. <what to do>`
 * (`<file>: …` when no line applies). `file` is the path as the user gave it.
 */
export class DatasetImportError extends Error {
  readonly file: string;
  readonly line?: number;
  readonly column?: string;
  /** What to do about it, also the last sentence of the message. */
  readonly hint: string;

  constructor(options: {
    file: string;
    line?: number;
    column?: string;
    problem: string;
    hint: string;
  }) {
    const where =
      options.file === ''
        ? ''
        : options.line === undefined
          ? `${options.file}: `
          : `${options.file}:${options.line}: `;
    const end = /[.!?]$/.test(options.hint) ? '' : '.';
    super(`${where}${options.problem}. ${options.hint}${end}`);
    this.name = 'DatasetImportError';
    this.file = options.file;
    this.line = options.line;
    this.column = options.column;
    this.hint = options.hint;
  }
}
