/**
 * Reads Parquet files as Hugging Face `datasets` exports them: string columns, struct columns
 * such as `translation: {en, de}` (mapped as 'translation.en'), and list<string> columns for
 * several references per row. Reads one row group at a time with hyparquet (snappy, zstd, gzip,
 * brotli, lz4 via hyparquet-compressors) and only the mapped columns. "Line" in messages is the
 * 1-based row number.
 */
import { parquetMetadataAsync, parquetReadObjects, parquetSchema } from 'hyparquet';
import type { AsyncBuffer, FileMetaData, SchemaTree } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { EmptySegmentTally } from './empty-segments.js';
import { INVALID_UTF8, compileMapping, rowFromRecord, unknownFieldsError } from './fields.js';
import { openInputFile } from './open-file.js';
import type { OpenedFile } from './open-file.js';
import type { TableSpec } from './spec.js';
import { DEFAULT_MAX_BYTES, DatasetImportError, IMPORT_BATCH_ROWS } from './types.js';
import type { ImportedBatch, ImportReport } from './types.js';

const strictDecoder = new TextDecoder('utf-8', { fatal: true });

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

async function readMetadata(opened: OpenedFile): Promise<FileMetaData> {
  try {
    return await parquetMetadataAsync(fileBuffer(opened));
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

async function readGroup(
  fileName: string,
  options: {
    file: AsyncBuffer;
    metadata: FileMetaData;
    columns: string[];
    rowStart: number;
    rowEnd: number;
  },
): Promise<Record<string, unknown>[]> {
  try {
    return await parquetReadObjects({ ...options, compressors, parsers: { stringFromBytes } });
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
    const metadata = await readMetadata(opened);
    const tree = parquetSchema(metadata);
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
      const records = await readGroup(spec.file, {
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
    return columnPaths(parquetSchema(await readMetadata(opened)));
  } finally {
    await opened.handle.close();
  }
}
