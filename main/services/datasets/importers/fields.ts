/**
 * Maps records with named, possibly nested fields (JSON Lines objects, Parquet rows) onto
 * imported rows: dotted paths into nested objects, list-of-string references, and errors that
 * name the line and the field when a value is missing or not text.
 */
import type { EmptySegmentTally } from './empty-segments.js';
import { DatasetImportError } from './types.js';
import type { ImportedRow } from './types.js';

/** Marks a value that was present but could not be decoded as UTF-8 (Parquet). */
export const INVALID_UTF8: unique symbol = Symbol('invalid UTF-8');

const MISSING: unique symbol = Symbol('missing');

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Looks up `path` in `record`: an exact key first (keys may contain dots), then dotted steps
 * into nested objects ('translation.en').
 */
export function resolvePath(record: Record<string, unknown>, path: string): unknown {
  if (Object.hasOwn(record, path)) return record[path];
  let value: unknown = record;
  for (const step of path.split('.')) {
    if (!isPlainObject(value) || !Object.hasOwn(value, step)) return MISSING;
    value = value[step];
  }
  return value;
}

/** Whether `path` resolves to something (of any type) in `record`. */
export function hasPath(record: Record<string, unknown>, path: string): boolean {
  return resolvePath(record, path) !== MISSING;
}

/** Nesting levels leafPaths descends; deeper objects are listed as one path (no stack overflow). */
const MAX_PATH_DEPTH = 16;

/** Dotted paths of all non-object values in `record` ('translation.en', 'id'), in key order. */
export function leafPaths(record: Record<string, unknown>, prefix = '', depth = 1): string[] {
  const paths: string[] = [];
  for (const [key, value] of Object.entries(record)) {
    const path = prefix + key;
    if (isPlainObject(value) && Object.keys(value).length > 0 && depth < MAX_PATH_DEPTH)
      paths.push(...leafPaths(value, `${path}.`, depth + 1));
    else paths.push(path);
  }
  return paths;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Uint8Array) return 'binary data';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value} (${String(value).slice(0, 40)})`;
}

/** Where a record came from, for messages: file, its 1-based line (row for Parquet) and a noun for it. */
export interface RecordPlace {
  file: string;
  line: number;
  unit: 'line' | 'row';
}

function valueError(
  place: RecordPlace,
  field: string,
  problem: string,
  hint: string,
): DatasetImportError {
  return new DatasetImportError({
    file: place.file,
    line: place.line,
    column: field,
    problem,
    hint,
  });
}

function textValue(value: unknown, place: RecordPlace, field: string, asElement: boolean): string {
  if (typeof value === 'string') return value;
  if (value === INVALID_UTF8) {
    throw valueError(
      place,
      field,
      `field "${field}" is not valid UTF-8 text`,
      'Re-export the data with UTF-8 string columns',
    );
  }
  const what = asElement ? `a list element of field "${field}"` : `field "${field}"`;
  throw valueError(
    place,
    field,
    `${what} is ${describe(value)}, not text`,
    asElement
      ? 'Every reference in the list must be a string'
      : `Map a field that holds text, or fix this ${place.unit}`,
  );
}

/** A mapped field name with its dotted steps split once, not per record. */
export interface FieldPath {
  name: string;
  steps: string[];
}

/** The mapping with each name prepared for fast lookup. */
export interface CompiledMapping {
  source: FieldPath;
  references: FieldPath[];
}

/** Prepares a mapping for rowFromRecord. */
export function compileMapping(mapping: { source: string; references: string[] }): CompiledMapping {
  const compile = (name: string): FieldPath => ({ name, steps: name.split('.') });
  return { source: compile(mapping.source), references: mapping.references.map(compile) };
}

function lookup(record: Record<string, unknown>, field: FieldPath, place: RecordPlace): unknown {
  let value: unknown;
  if (Object.hasOwn(record, field.name)) value = record[field.name];
  else {
    value = record;
    for (const step of field.steps) {
      if (!isPlainObject(value) || !Object.hasOwn(value, step)) {
        value = undefined;
        break;
      }
      value = value[step];
    }
  }
  if (value === undefined) {
    throw valueError(
      place,
      field.name,
      `${place.unit} has no field "${field.name}"`,
      `Add the field to every ${place.unit}, or map a field that every ${place.unit} has`,
    );
  }
  return value;
}

/**
 * Builds one row from `record`; empty segments are tallied under the field name. Throws if a
 * mapped field is missing or holds something other than text (or, for references, a list of text).
 */
export function rowFromRecord(
  record: Record<string, unknown>,
  mapping: CompiledMapping,
  place: RecordPlace,
  tally: EmptySegmentTally,
): ImportedRow {
  const sourceField = mapping.source.name;
  const source = textValue(lookup(record, mapping.source, place), place, sourceField, false);
  if (source.length === 0) tally.record(sourceField, place.line);
  const references: string[] = [];
  for (const field of mapping.references) {
    const value = lookup(record, field, place);
    if (Array.isArray(value)) {
      for (const element of value) {
        const ref = textValue(element, place, field.name, true);
        if (ref.length === 0) tally.record(field.name, place.line);
        references.push(ref);
      }
    } else {
      const ref = textValue(value, place, field.name, false);
      if (ref.length === 0) tally.record(field.name, place.line);
      references.push(ref);
    }
  }
  if (mapping.references.length > 0 && references.length === 0) {
    throw valueError(
      place,
      mapping.references.map((field) => field.name).join(', '),
      `${place.unit} has no references (the reference list is empty)`,
      `Give every ${place.unit} at least one reference, or leave such ${place.unit}s out`,
    );
  }
  return { source, references };
}

/**
 * Names for a message, quoted: at most `max` of them and each cut to 60 characters, so a file
 * with a huge header or record does not make a huge message.
 */
export function quotedNames(list: string[], max = 20): string {
  const shown = list
    .slice(0, max)
    .map((name) => `"${name.length > 60 ? `${name.slice(0, 60)}…` : name}"`)
    .join(', ');
  return list.length > max ? `${shown} and ${list.length - max} more` : shown;
}

/** Error for mapped fields that the first record does not have, listing the ones it has. */
export function unknownFieldsError(
  place: RecordPlace,
  missing: string[],
  available: string[],
): DatasetImportError {
  const names = (list: string[]): string => quotedNames(list);
  const noun = place.unit === 'row' ? 'column' : 'field';
  return new DatasetImportError({
    file: place.file,
    line: place.line,
    column: missing[0],
    problem: `no ${noun}${missing.length > 1 ? 's' : ''} named ${names(missing)}; the file has ${available.length > 0 ? names(available) : `no ${noun}s`}`,
    hint: `Map one of the existing ${noun}s (nested fields as dotted paths, e.g. "translation.en")`,
  });
}
