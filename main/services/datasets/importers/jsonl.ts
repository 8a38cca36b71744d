/**
 * Reads JSON Lines: one JSON object per line (blank lines are skipped). Fields are mapped by name
 * or dotted path, so Hugging Face exports such as {"translation": {"en": …, "de": …}} work as they
 * are. The mapping is checked against the first record, so a typo fails at once with the list of
 * fields the file has.
 */
import { EmptySegmentTally } from './empty-segments.js';
import { compileMapping, hasPath, leafPaths, rowFromRecord, unknownFieldsError } from './fields.js';
import { LineSource } from './line-source.js';
import type { TableSpec } from './spec.js';
import { DEFAULT_MAX_BYTES, DatasetImportError, IMPORT_BATCH_ROWS } from './types.js';
import type { ImportedBatch, ImportedRow, ImportReport } from './types.js';

function isBlank(line: string): boolean {
  // JSON whitespace only; most lines start with '{', so this is cheap.
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
}

function parseRecord(line: string, file: string, lineNumber: number): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const looksLikeArray = lineNumber === 1 && line.trimStart().startsWith('[');
    throw new DatasetImportError({
      file,
      line: lineNumber,
      problem: `not valid JSON (${reason})`,
      hint: looksLikeArray
        ? 'This looks like one JSON array; JSON Lines needs one object per line (e.g. `jq -c ".[]" in.json > out.jsonl`)'
        : 'Each line must be one complete JSON object; fix or remove this line',
    });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DatasetImportError({
      file,
      line: lineNumber,
      problem: `line is ${Array.isArray(value) ? 'a JSON array' : `a JSON ${value === null ? 'null' : typeof value}`}, not an object`,
      hint: 'Each line must be one JSON object with named fields, e.g. {"source": "…", "reference": "…"}',
    });
  }
  return value as Record<string, unknown>;
}

/** Streams rows from a JSON Lines file; returns the report when done. */
export async function* readJsonl(
  spec: TableSpec,
  signal?: AbortSignal,
): AsyncGenerator<ImportedBatch, ImportReport> {
  const source = await LineSource.open(spec.file, spec.maxBytes);
  try {
    const mapping = compileMapping(spec.mapping);
    const tally = new EmptySegmentTally();
    for (const field of [spec.mapping.source, ...spec.mapping.references]) tally.add(field);
    const mapped = [spec.mapping.source, ...spec.mapping.references];
    const place = { file: spec.file, line: 0, unit: 'line' as const };
    let checked = false;
    let rowCount = 0;
    for (;;) {
      signal?.throwIfAborted();
      const firstLine = source.linesRead + 1;
      const lines = await source.take(IMPORT_BATCH_ROWS);
      if (lines.length === 0) break;
      const rows: ImportedRow[] = [];
      for (let i = 0; i < lines.length; i++) {
        if (isBlank(lines[i])) continue;
        place.line = firstLine + i;
        const record = parseRecord(lines[i], spec.file, place.line);
        if (!checked) {
          const missing = mapped.filter((field) => !hasPath(record, field));
          if (missing.length > 0) throw unknownFieldsError(place, missing, leafPaths(record));
          checked = true;
        }
        rows.push(rowFromRecord(record, mapping, place, tally));
      }
      rowCount += rows.length;
      if (rows.length > 0) yield { rows };
    }
    if (rowCount === 0) {
      throw new DatasetImportError({
        file: spec.file,
        problem: 'file has no JSON records (only blank lines)',
        hint: 'Choose the file that holds the data, one JSON object per line',
      });
    }
    return {
      rows: rowCount,
      emptySegments: tally.report(),
      normalisation: [{ ...source.normalisation }],
      sourceBytes: source.size,
    };
  } finally {
    await source.close();
  }
}

/** Field paths of the first record, for the column-mapping UI. */
export async function listJsonlFields(
  file: string,
  maxBytes = DEFAULT_MAX_BYTES,
): Promise<string[]> {
  const source = await LineSource.open(file, maxBytes);
  try {
    for (;;) {
      const [line] = await source.take(1);
      if (line === undefined) return [];
      if (!isBlank(line)) return leafPaths(parseRecord(line, file, source.linesRead));
    }
  } finally {
    await source.close();
  }
}
