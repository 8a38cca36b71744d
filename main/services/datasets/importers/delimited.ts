/**
 * Reads CSV and TSV files with a header row.
 *
 * Parsing: csv-parse is the reference. Lines that are complete, regular records (the vast
 * majority) are split directly, which is several times faster; any line with a multi-line or
 * irregular quoted field is handed to csv-parse (sync API) together with as many following lines
 * as the record needs. A property test checks that both give the same records.
 *
 * Quoting (spec.quoting, default 'csv'): fields may be double-quoted with "" for a quote, as
 * pandas and Hugging Face `datasets` write them (also in TSV, where pandas quotes any field with
 * a tab, quote or newline). In TSV a quote inside an unquoted field stays literal text
 * (csv-parse's relax_quotes), so most raw `paste`-made files read correctly too; 'none' makes
 * every quote literal for the rest.
 *
 * Lines come from LineSource (strict UTF-8, BOM, CR LF → LF, also inside quoted fields). Line
 * numbers are where a record starts. A blank line in a file with several columns is skipped, as
 * pandas does.
 */
import { CsvError } from 'csv-parse';
import type { Options } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { EmptySegmentTally } from './empty-segments.js';
import { quotedNames } from './fields.js';
import { LineSource } from './line-source.js';
import type { TableSpec } from './spec.js';
import { DEFAULT_MAX_BYTES, DatasetImportError, IMPORT_BATCH_ROWS } from './types.js';
import type { ImportedBatch, ImportedRow, ImportReport } from './types.js';

/**
 * Longest record accepted (8 Mi characters, several books); longer almost always means an
 * unclosed quote swallowing the file. Also bounds the work of growing a csv-parse block.
 */
const MAX_RECORD_CHARS = 8 << 20;

type DelimitedFormat = 'csv' | 'tsv';

/** Options of the csv-parse reference parser; the fast path below must agree with it. */
function parserOptions(format: DelimitedFormat, quoting: 'csv' | 'none'): Options {
  return {
    delimiter: format === 'tsv' ? '\t' : ',',
    record_delimiter: '\n',
    quote: quoting === 'none' ? false : '"',
    relax_quotes: format === 'tsv',
    relax_column_count: true,
    max_record_size: MAX_RECORD_CHARS,
  };
}

/**
 * Splits one line that is a complete, regular record: unquoted fields, and quoted fields closed
 * on the same line and followed by a delimiter or the line end. Returns undefined for anything
 * else (multi-line fields, misplaced quotes), which then goes to csv-parse.
 */
export function splitSimpleLine(
  line: string,
  delimiter: string,
  quoting: boolean,
  literalQuotes: boolean,
): string[] | undefined {
  if (!quoting || line.indexOf('"') === -1) return line.split(delimiter);
  const fields: string[] = [];
  const n = line.length;
  let i = 0;
  for (;;) {
    let next: number;
    if (line.charCodeAt(i) === 0x22) {
      let value = '';
      let from = i + 1;
      for (;;) {
        const q = line.indexOf('"', from);
        if (q === -1) return undefined;
        if (line.charCodeAt(q + 1) === 0x22) {
          value += line.slice(from, q + 1);
          from = q + 2;
          continue;
        }
        value += line.slice(from, q);
        next = q + 1;
        break;
      }
      fields.push(value);
      if (next === n) return fields;
      if (line[next] !== delimiter) return undefined;
    } else {
      const d = line.indexOf(delimiter, i);
      next = d === -1 ? n : d;
      const value = line.slice(i, next);
      if (!literalQuotes && value.indexOf('"') !== -1) return undefined;
      fields.push(value);
      if (next === n) return fields;
    }
    i = next + 1;
    if (i === n) {
      fields.push('');
      return fields;
    }
  }
}

function countNewlines(fields: string[]): number {
  let count = 0;
  for (const field of fields) {
    let at = field.indexOf('\n');
    while (at !== -1) {
      count++;
      at = field.indexOf('\n', at + 1);
    }
  }
  return count;
}

function parserError(
  error: CsvError,
  file: string,
  format: DelimitedFormat,
  line?: number,
): DatasetImportError {
  const rawQuotes =
    format === 'tsv'
      ? ' If the quotes are part of the text (a raw tab-separated file), import with quoting "none"'
      : '';
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return new DatasetImportError({
        file,
        line,
        problem: 'a quoted field is never closed (the file ends inside quotes)',
        hint: `Close the quote that opens the field, or write a quote inside a quoted field as "".${rawQuotes}`,
      });
    case 'CSV_MAX_RECORD_SIZE':
      return new DatasetImportError({
        file,
        line,
        problem: `a field runs past ${MAX_RECORD_CHARS.toLocaleString('en-US')} characters, probably from an unclosed quote`,
        hint: `Check the quotes on and before this line.${rawQuotes}`,
      });
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'INVALID_OPENING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return new DatasetImportError({
        file,
        line,
        problem: 'a quote is in the wrong place (quoted fields must be quoted as a whole)',
        hint: `Quote the whole field and write quotes inside it as "", e.g. "She said ""hi""".${rawQuotes}`,
      });
    default:
      return new DatasetImportError({
        file,
        line,
        problem: `the file cannot be parsed as ${format.toUpperCase()} (${error.message})`,
        hint: `Check that the file is ${format === 'tsv' ? 'tab' : 'comma'}-separated with a header row`,
      });
  }
}

/** One parsed record and the 1-based line it starts on. */
export interface DelimitedRecord {
  fields: string[];
  line: number;
}

/**
 * Parses the file into records, yielded in arrays (one per chunk of input lines). Regular lines
 * are split directly; a line the fast path declines starts a block that csv-parse parses. The
 * block grows (doubling) until it ends outside quotes, so multi-line fields cost linear time and
 * an unclosed quote ends in csv-parse's own error at the end of the file.
 */
export async function* parseRecords(
  source: LineSource,
  format: DelimitedFormat,
  quoting: 'csv' | 'none',
): AsyncGenerator<DelimitedRecord[]> {
  const options = parserOptions(format, quoting);
  const delimiter = format === 'tsv' ? '\t' : ',';
  let lines: string[] = [];
  let pos = 0;
  let lineNumber = 1;
  let eof = false;
  const more = async (): Promise<boolean> => {
    if (eof) return false;
    const got = await source.take(IMPORT_BATCH_ROWS);
    if (got.length === 0) {
      eof = true;
      return false;
    }
    lines = pos < lines.length ? lines.slice(pos).concat(got) : got;
    pos = 0;
    return true;
  };
  for (;;) {
    if (pos === lines.length && !(await more())) return;
    const out: DelimitedRecord[] = [];
    while (pos < lines.length) {
      const fields = splitSimpleLine(lines[pos], delimiter, quoting === 'csv', format === 'tsv');
      if (fields) {
        out.push({ fields, line: lineNumber });
        pos++;
        lineNumber++;
        continue;
      }
      let count = 1;
      let parsed: string[][] | undefined;
      while (!parsed) {
        let growing = true;
        while (growing && pos + count > lines.length) growing = await more();
        const available = Math.min(count, lines.length - pos);
        const block = lines.slice(pos, pos + available);
        try {
          parsed = parseSync(block.join('\n') + '\n', options) as string[][];
          count = available;
        } catch (error) {
          if (!(error instanceof CsvError)) throw error;
          const blockChars = block.reduce((sum, line) => sum + line.length + 1, 0);
          const canGrow = !(eof && pos + available >= lines.length);
          if (error.code === 'CSV_QUOTE_NOT_CLOSED' && canGrow && blockChars <= MAX_RECORD_CHARS) {
            count *= 2;
            continue;
          }
          const relative = typeof error.lines === 'number' && error.lines > 0 ? error.lines : 1;
          const line =
            error.code === 'CSV_QUOTE_NOT_CLOSED' ? lineNumber : lineNumber + relative - 1;
          throw parserError(error, source.file, format, line);
        }
      }
      let recordLine = lineNumber;
      for (const record of parsed) {
        out.push({ fields: record, line: recordLine });
        recordLine += 1 + countNewlines(record);
      }
      pos += count;
      lineNumber += count;
    }
    yield out;
  }
}

function headerError(file: string, missing: string[], header: string[]): DatasetImportError {
  const names = (list: string[]): string => quotedNames(list);
  return new DatasetImportError({
    file,
    line: 1,
    column: missing[0],
    problem: `no column${missing.length > 1 ? 's' : ''} named ${names(missing)}; the header has ${names(header)}`,
    hint: 'Map columns that exist in the header row (names must match exactly, including case)',
  });
}

/** Finds the index of each mapped column in the header; throws if one is missing or ambiguous. */
function columnIndexes(file: string, header: string[], names: string[]): number[] {
  const missing = names.filter((name) => !header.includes(name));
  if (missing.length > 0) throw headerError(file, missing, header);
  return names.map((name) => {
    const index = header.indexOf(name);
    if (header.indexOf(name, index + 1) !== -1) {
      throw new DatasetImportError({
        file,
        line: 1,
        column: name,
        problem: `the header has more than one column named "${name}"`,
        hint: 'Rename the duplicate columns so each name is unique',
      });
    }
    return index;
  });
}

/** Streams rows from a CSV or TSV file; returns the report when done. */
export async function* readDelimited(
  spec: TableSpec & { format: DelimitedFormat },
  signal?: AbortSignal,
): AsyncGenerator<ImportedBatch, ImportReport> {
  const source = await LineSource.open(spec.file, spec.maxBytes);
  try {
    const names = [spec.mapping.source, ...spec.mapping.references];
    const tally = new EmptySegmentTally();
    for (const name of names) tally.add(name);
    let header: string[] | undefined;
    let indexes: number[] = [];
    let rows: ImportedRow[] = [];
    let rowCount = 0;
    signal?.throwIfAborted();
    for await (const chunk of parseRecords(source, spec.format, spec.quoting)) {
      for (const { fields, line } of chunk) {
        if (!header) {
          header = fields;
          indexes = columnIndexes(spec.file, header, names);
          continue;
        }
        if (fields.length !== header.length) {
          if (fields.length === 1 && fields[0] === '' && header.length > 1) continue;
          throw new DatasetImportError({
            file: spec.file,
            line,
            problem: `row has ${fields.length} column${fields.length === 1 ? '' : 's'} but the header has ${header.length}`,
            hint:
              spec.format === 'tsv'
                ? 'Every row needs one field per header column, separated by tabs; check for missing or extra tabs'
                : 'Every row needs one field per header column; quote fields that contain commas, e.g. "a, b"',
          });
        }
        const segment = fields[indexes[0]];
        if (segment.length === 0) tally.record(names[0], line);
        const references: string[] = new Array(indexes.length - 1);
        for (let r = 1; r < indexes.length; r++) {
          const ref = fields[indexes[r]];
          if (ref.length === 0) tally.record(names[r], line);
          references[r - 1] = ref;
        }
        rows.push({ source: segment, references });
        if (rows.length === IMPORT_BATCH_ROWS) {
          rowCount += rows.length;
          yield { rows };
          rows = [];
          signal?.throwIfAborted();
        }
      }
    }
    if (rows.length > 0) {
      rowCount += rows.length;
      yield { rows };
    }
    if (rowCount === 0) {
      throw new DatasetImportError({
        file: spec.file,
        problem: header ? 'file has a header row but no data rows' : 'file has no rows',
        hint: 'Choose the file that holds the data, with a header row first',
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

/** Header row of a CSV or TSV file, for the column-mapping UI. */
export async function listDelimitedColumns(
  file: string,
  format: DelimitedFormat,
  maxBytes = DEFAULT_MAX_BYTES,
  quoting: 'csv' | 'none' = 'csv',
): Promise<string[]> {
  const source = await LineSource.open(file, maxBytes);
  try {
    for await (const chunk of parseRecords(source, format, quoting)) {
      if (chunk.length > 0) return chunk[0].fields;
    }
    return [];
  } finally {
    await source.close();
  }
}
