/**
 * Reference layout of a run's outputs. `RunOutputs.references` is per segment (row i holds the
 * references of segment i, as the dataset rows and segment pages are), while the metrics take
 * sacreBLEU-style streams (stream r holds every segment's r-th reference, `null` where a
 * segment has fewer). These helpers convert between the two and check runs can be compared.
 */
import type { RunOutputs } from '../api/types';
import type { ReferenceStream } from '../metrics/base';

/**
 * Checks that a run's outputs are aligned segment by segment.
 * @throws Error naming the run when hypotheses, references, sources or log-probabilities differ
 *   in length, or when there is nothing to score.
 */
export function checkAligned(outputs: RunOutputs): void {
  const n = outputs.hypotheses.length;
  if (n === 0) throw new Error(`run ${outputs.run} has no hypotheses to score`);
  if (outputs.references.length !== n) {
    throw new Error(
      `run ${outputs.run} has ${n} hypotheses but ${outputs.references.length} reference rows; ` +
        'references must hold one row (a list of references) per segment',
    );
  }
  if (outputs.sources.length !== 0 && outputs.sources.length !== n) {
    throw new Error(`run ${outputs.run} has ${n} hypotheses but ${outputs.sources.length} sources`);
  }
  if (outputs.logprobs !== null && outputs.logprobs.length !== n) {
    throw new Error(
      `run ${outputs.run} has ${n} hypotheses but ${outputs.logprobs.length} log-probability rows`,
    );
  }
}

/** Per-segment reference rows → metric streams; short rows are padded with `null`. */
export function referenceStreams(rows: readonly (readonly string[])[]): ReferenceStream[] {
  let width = 0;
  for (const row of rows) width = Math.max(width, row.length);
  const streams: (string | null)[][] = [];
  for (let r = 0; r < width; r++) streams.push(rows.map((row) => row[r] ?? null));
  return streams;
}

/** True when two runs were scored against exactly the same references, segment by segment. */
export function sameReferences(a: RunOutputs, b: RunOutputs): boolean {
  if (a.references.length !== b.references.length) return false;
  for (let i = 0; i < a.references.length; i++) {
    const x = a.references[i];
    const y = b.references[i];
    if (x.length !== y.length) return false;
    for (let r = 0; r < x.length; r++) if (x[r] !== y[r]) return false;
  }
  return true;
}
