/**
 * Reads Parquet files as Hugging Face `datasets` exports them: string columns, struct columns
 * such as `translation: {en, de}` (mapped as 'translation.en'), and list<string> columns for
 * several references per row. Reads one row group at a time with hyparquet (snappy, zstd, gzip,
 * brotli, lz4 via hyparquet-compressors) and only the mapped columns. "Line" in messages is the
 * 1-based row number.
 */
import { parquetMetadataAsync, parquetReadObjects, parquetSchema } from 'hyparquet';
import type {
  AsyncBuffer,
  Compressors,
  FileMetaData,
  PageHeader,
  RowGroup,
  SchemaTree,
} from 'hyparquet';
import { parquetHeader } from 'hyparquet/src/column.js';
import { compressors } from 'hyparquet-compressors';
import { EmptySegmentTally } from './empty-segments.js';
import { INVALID_UTF8, compileMapping, rowFromRecord, unknownFieldsError } from './fields.js';
import { openInputFile } from './open-file.js';
import type { OpenedFile } from './open-file.js';
import type { TableSpec } from './spec.js';
import { DEFAULT_MAX_BYTES, DatasetImportError, IMPORT_BATCH_ROWS } from './types.js';
import type { ImportedBatch, ImportReport } from './types.js';

const strictDecoder = new TextDecoder('utf-8', { fatal: true });

/** Largest decompressed page accepted; real pages are a few MiB (one huge value: more). */
const MAX_PAGE_BYTES = 256 << 20;

/**
 * The decompressors, refusing a page size a damaged page header makes up (NaN, negative,
 * absurd): hyparquet hands it on unchecked and a decompressor can then loop forever.
 */
const guardedCompressors: Compressors = Object.fromEntries(
  Object.entries(compressors).map(([codec, decompress]) => [
    codec,
    (input: Uint8Array, outputLength: number) => {
      if (
        !Number.isSafeInteger(outputLength) ||
        outputLength < 0 ||
        outputLength > MAX_PAGE_BYTES
      ) {
        throw new Error('a page header gives an impossible uncompressed size');
      }
      return decompress(input, outputLength);
    },
  ]),
);

/** Strict replacement for hyparquet's lenient string decoding; bad bytes become INVALID_UTF8. */
function stringFromBytes(bytes: Uint8Array | undefined): string | undefined {
  if (!bytes) return undefined;
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return INVALID_UTF8 as unknown as string;
  }
}

function fileBuffer(opened: OpenedFile): AsyncBuffer {
  return {
    byteLength: opened.size,
    async slice(start: number, end?: number): Promise<ArrayBuffer> {
      const stop = end ?? opened.size;
      const bytes = new Uint8Array(Math.max(0, stop - start));
      let done = 0;
      while (done < bytes.length) {
        const { bytesRead } = await opened.handle.read(
          bytes,
          done,
          bytes.length - done,
          start + done,
        );
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return bytes.buffer;
    },
  };
}

/** The footer metadata and the schema tree built from it (a damaged schema fails here too). */
async function readMetadata(
  opened: OpenedFile,
): Promise<{ metadata: FileMetaData; tree: SchemaTree }> {
  try {
    const metadata = await parquetMetadataAsync(fileBuffer(opened));
    return { metadata, tree: parquetSchema(metadata) };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new DatasetImportError({
      file: opened.file,
      problem: `not a readable Parquet file (${reason})`,
      hint: 'Choose a .parquet file (e.g. from Dataset.to_parquet), or pick the format that matches the file',
    });
  }
}

function isLeafGroup(node: SchemaTree): boolean {
  const element = node.element;
  const logical = element.logical_type?.type;
  return (
    element.converted_type === 'LIST' ||
    element.converted_type === 'MAP' ||
    element.converted_type === 'MAP_KEY_VALUE' ||
    logical === 'LIST' ||
    logical === 'MAP'
  );
}

/** Mappable column paths: primitive and list columns, with struct fields as dotted paths. */
function columnPaths(tree: SchemaTree): string[] {
  const paths: string[] = [];
  const walk = (node: SchemaTree, prefix: string): void => {
    const path = prefix + node.element.name;
    if (node.children.length === 0 || isLeafGroup(node)) paths.push(path);
    else for (const child of node.children) walk(child, `${path}.`);
  };
  for (const child of tree.children) walk(child, '');
  return paths;
}

/** Top-level column that holds `path` (a top-level name may itself contain dots). */
function topColumn(tree: SchemaTree, path: string): string {
  const names = tree.children.map((child) => child.element.name);
  if (names.includes(path)) return path;
  return names.find((name) => path.startsWith(`${name}.`)) ?? path.split('.')[0];
}

function isCount(value: unknown): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * What makes a page header unsafe to decode, or null. hyparquet trusts the header: a field a
 * damaged header lacks becomes NaN offsets, and its level decoder then loops forever.
 */
function pageHeaderProblem(header: PageHeader, room: number): string | null {
  if (!isCount(header.compressed_page_size) || !isCount(header.uncompressed_page_size)) {
    return 'a page header has no valid page size';
  }
  if (header.compressed_page_size > room) return 'a page runs past the end of its column chunk';
  switch (header.type) {
    case 'DATA_PAGE': {
      const h = header.data_page_header;
      const ok =
        h &&
        isCount(h.num_values) &&
        h.encoding &&
        h.definition_level_encoding &&
        h.repetition_level_encoding;
      return ok ? null : 'a data page header is incomplete';
    }
    case 'DATA_PAGE_V2': {
      const h = header.data_page_header_v2;
      const ok =
        h &&
        isCount(h.num_values) &&
        isCount(h.num_nulls) &&
        isCount(h.num_rows) &&
        h.num_nulls <= h.num_values &&
        h.encoding &&
        isCount(h.definition_levels_byte_length) &&
        isCount(h.repetition_levels_byte_length) &&
        h.definition_levels_byte_length + h.repetition_levels_byte_length <=
          header.compressed_page_size;
      return ok ? null : 'a data page header is incomplete';
    }
    case 'DICTIONARY_PAGE': {
      const h = header.dictionary_page_header;
      return h && isCount(h.num_values) && h.encoding
        ? null
        : 'a dictionary page header is incomplete';
    }
    case 'INDEX_PAGE':
      return null;
    default:
      return 'a page has an unknown type';
  }
}

/**
 * Reads the column chunks of `group` that `columns` need and checks every page header hyparquet
 * will decode; returns a buffer that serves hyparquet's reads from those bytes (no second read).
 */
async function checkedGroupBuffer(
  file: AsyncBuffer,
  group: RowGroup,
  columns: string[],
): Promise<AsyncBuffer> {
  const spans: { start: number; bytes: Uint8Array }[] = [];
  for (const chunk of group.columns) {
    const meta = chunk.meta_data;
    if (!meta || !columns.includes(meta.path_in_schema[0])) continue;
    const name = meta.path_in_schema.join('.');
    const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
    const end = start + Number(meta.total_compressed_size);
    if (!(Number.isSafeInteger(start) && start >= 0 && end >= start && end <= file.byteLength)) {
      throw new Error(`column "${name}" lies outside the file`);
    }
    const bytes = new Uint8Array(await file.slice(start, end));
    const reader = {
      view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      offset: 0,
    };
    const total = Number(meta.num_values);
    let values = 0;
    while (values < total && reader.offset < bytes.length - 1) {
      const header = parquetHeader(reader);
      const problem = pageHeaderProblem(header, bytes.length - reader.offset);
      if (problem) throw new Error(`column "${name}": ${problem}`);
      reader.offset += header.compressed_page_size;
      values += header.data_page_header?.num_values ?? header.data_page_header_v2?.num_values ?? 0;
    }
    spans.push({ start, bytes });
  }
  return {
    byteLength: file.byteLength,
    slice(start: number, end?: number) {
      const stop = end ?? file.byteLength;
      const span = spans.find((s) => start >= s.start && stop <= s.start + s.bytes.length);
      if (!span) return file.slice(start, end);
      return span.bytes.slice(start - span.start, stop - span.start).buffer;
    },
  };
}

async function readGroup(
  fileName: string,
  group: RowGroup,
  options: {
    file: AsyncBuffer;
    metadata: FileMetaData;
    columns: string[];
    rowStart: number;
    rowEnd: number;
  },
): Promise<Record<string, unknown>[]> {
  try {
    return await parquetReadObjects({
      ...options,
      file: await checkedGroupBuffer(options.file, group, options.columns),
      compressors: guardedCompressors,
      parsers: { stringFromBytes },
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new DatasetImportError({
      file: fileName,
      line: options.rowStart + 1,
      problem: `rows ${options.rowStart + 1}–${options.rowEnd} cannot be read (${reason})`,
      hint: 'The file may be damaged or use an unsupported encoding; export it again',
    });
  }
}

/** Streams rows from a Parquet file, one row group at a time; returns the report when done. */
export async function* readParquet(
  spec: TableSpec,
  signal?: AbortSignal,
): AsyncGenerator<ImportedBatch, ImportReport> {
  const opened = await openInputFile(spec.file, spec.maxBytes);
  try {
    const { metadata, tree } = await readMetadata(opened);
    const fields = [spec.mapping.source, ...spec.mapping.references];
    const available = columnPaths(tree);
    const missing = fields.filter((field) => !available.includes(field));
    if (missing.length > 0) {
      throw unknownFieldsError({ file: spec.file, line: 1, unit: 'row' }, missing, available);
    }
    const columns = [...new Set(fields.map((field) => topColumn(tree, field)))];
    const file = fileBuffer(opened);
    const mapping = compileMapping(spec.mapping);
    const tally = new EmptySegmentTally();
    for (const field of fields) tally.add(field);
    const place = { file: spec.file, line: 0, unit: 'row' as const };
    let groupStart = 0;
    let rowCount = 0;
    for (const group of metadata.row_groups) {
      const groupRows = Number(group.num_rows);
      signal?.throwIfAborted();
      const records = await readGroup(spec.file, group, {
        file,
        metadata,
        columns,
        rowStart: groupStart,
        rowEnd: groupStart + groupRows,
      });
      for (let start = 0; start < records.length; start += IMPORT_BATCH_ROWS) {
        signal?.throwIfAborted();
        const end = Math.min(records.length, start + IMPORT_BATCH_ROWS);
        const rows = new Array(end - start);
        for (let i = start; i < end; i++) {
          place.line = groupStart + i + 1;
          rows[i - start] = rowFromRecord(records[i], mapping, place, tally);
        }
        rowCount += rows.length;
        yield { rows };
      }
      groupStart += groupRows;
    }
    if (rowCount === 0) {
      throw new DatasetImportError({
        file: spec.file,
        problem: 'file has no rows',
        hint: 'Choose the Parquet file that holds the data',
      });
    }
    return {
      rows: rowCount,
      emptySegments: tally.report(),
      normalisation: [],
      sourceBytes: opened.size,
    };
  } finally {
    await opened.handle.close();
  }
}

/** Mappable column paths of a Parquet file's schema, for the column-mapping UI. */
export async function listParquetColumns(
  file: string,
  maxBytes = DEFAULT_MAX_BYTES,
): Promise<string[]> {
  const opened = await openInputFile(file, maxBytes);
  try {
    return columnPaths((await readMetadata(opened)).tree);
  } finally {
    await opened.handle.close();
  }
}
