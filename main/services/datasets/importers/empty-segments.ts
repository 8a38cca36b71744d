/**
 * Counts empty segments per field. Empty segments are kept (a system may legitimately output
 * nothing for a sentence) but reported, since a run of them often means a misaligned file.
 */
import type { EmptySegments } from './types.js';

const FIRST_LINES_KEPT = 10;

/** Tally of empty segments for several fields, in the order the fields were added. */
export class EmptySegmentTally {
  private readonly fields = new Map<string, EmptySegments>();

  /** Registers a field up front so it is reported in a stable order. */
  add(field: string): EmptySegments {
    let entry = this.fields.get(field);
    if (!entry) {
      entry = { field, count: 0, firstLines: [] };
      this.fields.set(field, entry);
    }
    return entry;
  }

  /** Records an empty segment of `field` on `line`. */
  record(field: string, line: number): void {
    const entry = this.add(field);
    entry.count++;
    const last = entry.firstLines[entry.firstLines.length - 1];
    if (entry.firstLines.length < FIRST_LINES_KEPT && last !== line) entry.firstLines.push(line);
  }

  /** Fields that had at least one empty segment. */
  report(): EmptySegments[] {
    return [...this.fields.values()].filter((entry) => entry.count > 0);
  }
}
