/**
 * Reads sacreBLEU-style plain text: a source file and zero or more parallel reference files,
 * one segment per line. Segments are kept exactly as written (no trimming); only a BOM and
 * CR LF line ends are normalised. All files must have the same number of lines.
 */
import { EmptySegmentTally } from './empty-segments.js';
import { LineSource } from './line-source.js';
import type { TextSpec } from './spec.js';
import { DatasetImportError, IMPORT_BATCH_ROWS } from './types.js';
import type { ImportedBatch, ImportedRow, ImportReport } from './types.js';

function lineCountError(
  shorter: LineSource,
  shorterCount: number,
  longer: LineSource,
  longerCount: number,
): DatasetImportError {
  return new DatasetImportError({
    file: shorter.file,
    line: shorterCount > 0 ? shorterCount : undefined,
    problem:
      `${shorter.file} has ${shorterCount.toLocaleString('en-US')} lines but ${longer.file} has ` +
      `${longerCount.toLocaleString('en-US')}; ${shorter.file} ends at line ${shorterCount.toLocaleString('en-US')}`,
    hint: 'Parallel files need one segment per line and the same number of lines; check that both belong to the same test set and none was cut short',
  });
}

/** Streams rows from a text import; returns the report when done. */
export async function* readText(
  spec: TextSpec,
  signal?: AbortSignal,
): AsyncGenerator<ImportedBatch, ImportReport> {
  const sources: LineSource[] = [];
  try {
    for (const file of [spec.sourceFile, ...spec.referenceFiles]) {
      sources.push(await LineSource.open(file, spec.maxBytes));
    }
    const tally = new EmptySegmentTally();
    const fieldNames = sources.map((source) => source.file);
    for (const name of fieldNames) tally.add(name);
    const [source, ...references] = sources;
    let rowCount = 0;
    for (;;) {
      signal?.throwIfAborted();
      const columns = await Promise.all(sources.map((s) => s.take(IMPORT_BATCH_ROWS)));
      const length = columns[0].length;
      const mismatch = columns.findIndex((column) => column.length !== length);
      if (mismatch !== -1) {
        const counts = await Promise.all(sources.map((s) => s.countRest()));
        const [a, b] = counts[0] < counts[mismatch] ? [0, mismatch] : [mismatch, 0];
        throw lineCountError(sources[a], counts[a], sources[b], counts[b]);
      }
      if (length === 0) break;
      const rows: ImportedRow[] = new Array(length);
      const [sourceLines, ...referenceLines] = columns;
      for (let i = 0; i < length; i++) {
        const segment = sourceLines[i];
        if (segment.length === 0) tally.record(fieldNames[0], rowCount + i + 1);
        const refs: string[] = new Array(references.length);
        for (let r = 0; r < references.length; r++) {
          const ref = referenceLines[r][i];
          if (ref.length === 0) tally.record(fieldNames[r + 1], rowCount + i + 1);
          refs[r] = ref;
        }
        rows[i] = { source: segment, references: refs };
      }
      rowCount += length;
      yield { rows };
    }
    if (rowCount === 0) {
      throw new DatasetImportError({
        file: source.file,
        problem: 'file has no lines (only a byte order mark)',
        hint: 'Choose the file that holds the segments',
      });
    }
    return {
      rows: rowCount,
      emptySegments: tally.report(),
      normalisation: sources.map((s) => ({ ...s.normalisation })),
      sourceBytes: sources.reduce((sum, s) => sum + s.size, 0),
    };
  } finally {
    await Promise.all(sources.map((s) => s.close()));
  }
}
