/**
 * The narrow I/O surface every `ecoeval` subcommand receives, so commands run the same from the
 * real terminal (`main/cli/index.ts`) and from tests (captured strings, fake stdin).
 */
export interface CliIO {
  /** Write to standard output (no newline added). */
  stdout(text: string): void;
  /** Write to standard error (no newline added). */
  stderr(text: string): void;
  /** Read all of standard input as UTF-8 (used when a command's input file is omitted). */
  readStdin(): Promise<string>;
  /** Directory relative paths resolve against. */
  cwd: string;
  /** True when stdout is an interactive terminal (progress bars); false in CI and tests. */
  isTTY: boolean;
  /** Environment variables (ECOEVAL_WORKSPACE, CI, ...). */
  env: Record<string, string | undefined>;
  /** Aborted on Ctrl-C; long commands stop cleanly and exit 130. */
  signal: AbortSignal;
}

/** A subcommand: takes the arguments after its name, returns the process exit code. */
export type CliCommand = (argv: string[], io: CliIO) => Promise<number>;

/** Exit codes shared by all commands (sacreBLEU-compatible for `score`). */
export const EXIT_OK = 0;
export const EXIT_BAD_INPUT = 1;
export const EXIT_USAGE = 2;

/** An error meant for the user: printed as one line, never with a stack trace. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_BAD_INPUT,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** Capturing CliIO for tests. */
export function captureIO(
  options: { stdin?: string; cwd?: string; env?: Record<string, string | undefined> } = {},
): CliIO & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
    readStdin: async () => options.stdin ?? '',
    cwd: options.cwd ?? '.',
    isTTY: false,
    env: options.env ?? {},
    signal: new AbortController().signal,
    out: () => out,
    err: () => err,
  };
}
