/**
 * Checks an ImportSpec (it may come from the renderer over IPC) and fills in defaults, so the
 * readers get a complete, consistent description: the right file fields for the format, a
 * mapping where one is needed, and references only for kinds that have them.
 */
import { z } from 'zod';
import { DEFAULT_MAX_BYTES, DatasetImportError } from './types.js';
import type { ImportKind, ImportSpec } from './types.js';

const importSpecSchema = z.object({
  format: z.enum(['text', 'tsv', 'csv', 'jsonl', 'parquet']),
  kind: z.enum(['translation', 'summarization', 'language-modelling', 'system-outputs']),
  sourceFile: z.string().min(1).optional(),
  referenceFiles: z.array(z.string().min(1)).optional(),
  file: z.string().min(1).optional(),
  mapping: z
    .object({ source: z.string().min(1), references: z.array(z.string().min(1)) })
    .optional(),
  maxBytes: z.number().int().positive().optional(),
  quoting: z.enum(['csv', 'none']).optional(),
});

/** A text import: a source file and parallel reference files. */
export interface TextSpec {
  format: 'text';
  kind: ImportKind;
  sourceFile: string;
  referenceFiles: string[];
  maxBytes: number;
}

/** An import of one file with named columns or fields. */
export interface TableSpec {
  format: 'tsv' | 'csv' | 'jsonl' | 'parquet';
  kind: ImportKind;
  file: string;
  mapping: { source: string; references: string[] };
  maxBytes: number;
  quoting: 'csv' | 'none';
}

export type CheckedSpec = TextSpec | TableSpec;

const NEEDS_REFERENCES: Record<ImportKind, boolean> = {
  translation: true,
  summarization: true,
  'language-modelling': false,
  'system-outputs': false,
};

const SOURCE_NAME: Record<ImportKind, string> = {
  translation: 'source sentences',
  summarization: 'documents',
  'language-modelling': 'texts',
  'system-outputs': 'system outputs',
};

function checkReferenceCount(kind: ImportKind, count: number, file: string, what: string): void {
  if (NEEDS_REFERENCES[kind] && count === 0) {
    throw new DatasetImportError({
      file,
      problem: `a ${kind} dataset needs at least one reference ${what}`,
      hint: `Add the reference ${what} that goes with the ${SOURCE_NAME[kind]}`,
    });
  }
  if (!NEEDS_REFERENCES[kind] && count > 0) {
    throw new DatasetImportError({
      file,
      problem: `a ${kind} dataset has no references, but ${count} reference ${what}(s) were given`,
      hint: `Remove the reference ${what}s, or choose a task kind that has references (translation, summarization)`,
    });
  }
}

/** Validates `spec` and returns it with defaults applied; throws DatasetImportError if it cannot be read as asked. */
export function checkSpec(spec: ImportSpec): CheckedSpec {
  const parsed = importSpecSchema.safeParse(spec);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DatasetImportError({
      file: '',
      problem: `Import settings are invalid (${issue.path.join('.') || 'spec'}: ${issue.message})`,
      hint: 'Choose the format, task kind and files again',
    });
  }
  const value = parsed.data;
  const maxBytes = value.maxBytes ?? DEFAULT_MAX_BYTES;
  if (value.format === 'text') {
    if (!value.sourceFile) {
      throw new DatasetImportError({
        file: '',
        problem: 'No source file was given for the text import',
        hint: `Choose the file with the ${SOURCE_NAME[value.kind]}, one per line`,
      });
    }
    const referenceFiles = value.referenceFiles ?? [];
    checkReferenceCount(value.kind, referenceFiles.length, value.sourceFile, 'file');
    return {
      format: 'text',
      kind: value.kind,
      sourceFile: value.sourceFile,
      referenceFiles,
      maxBytes,
    };
  }
  if (!value.file) {
    throw new DatasetImportError({
      file: '',
      problem: `No file was given for the ${value.format} import`,
      hint: 'Choose the file to import',
    });
  }
  if (!value.mapping) {
    throw new DatasetImportError({
      file: value.file,
      problem: 'no column mapping was given',
      hint: `Choose which column holds the ${SOURCE_NAME[value.kind]}${NEEDS_REFERENCES[value.kind] ? ' and which hold the references' : ''}`,
    });
  }
  checkReferenceCount(value.kind, value.mapping.references.length, value.file, 'column');
  return {
    format: value.format,
    kind: value.kind,
    file: value.file,
    mapping: value.mapping,
    maxBytes,
    quoting: value.quoting ?? 'csv',
  };
}
