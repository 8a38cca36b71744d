/**
 * The error raised for bad user files (wall-meter logs, CodeCarbon CSVs): one line naming the
 * file, the line and what to do, so the CLI and the UI can show it verbatim.
 */

/** A problem in a user's file. `message` is `FILE:LINE: what is wrong. What to do.` */
export class EnergyInputError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    problem: string,
    fix?: string,
  ) {
    super(`${file}${line !== undefined ? `:${line}` : ''}: ${problem}${fix ? `. ${fix}` : ''}`);
    this.name = 'EnergyInputError';
  }
}

/** A value from the file for a message: quoted and escaped (no raw CR or tab), at most 60 characters. */
export function quoted(value: string): string {
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
}

/** Largest figure accepted (kWh, s, W): far above any real one, and its joules stay finite. */
export const MAX_FIGURE = 1e12;
