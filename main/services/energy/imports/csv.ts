/**
 * CSV reading for imports with the physical line number of every record, so errors can name it.
 */
import { parse } from 'csv-parse/sync';
import { EnergyInputError } from './errors';

/** A record with its 1-based line number in the file. */
export interface LinedRecord {
  line: number;
  values: Record<string, string>;
}

/** Parse `text` with a header row; header names are lower-cased and trimmed. */
export function parseCsvWithLines(text: string, file: string): LinedRecord[] {
  let rows: Array<{ record: string[]; info: { lines: number } }>;
  try {
    rows = parse(text, {
      info: true,
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
      bom: true,
    }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
  } catch (e) {
    const line = (e as { lines?: number }).lines;
    throw new EnergyInputError(file, line, `not valid CSV (${(e as Error).message})`);
  }
  if (rows.length === 0) throw new EnergyInputError(file, undefined, 'the file is empty');
  const header = rows[0].record.map((h) => h.trim().toLowerCase());
  return rows.slice(1).map((r) => ({
    line: r.info.lines,
    values: Object.fromEntries(header.map((h, i) => [h, r.record[i] ?? ''])),
  }));
}
