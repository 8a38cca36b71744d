/**
 * A plan file's text with positions: parses YAML (JSON is read the same way, so both get line
 * numbers), finds the line and column of any value by its path, and formats problems as
 * `file:line:col: where: what` with the offending line underneath, the way compilers do.
 */
import { LineCounter, isMap, isPair, isScalar, parseDocument } from 'yaml';
import type { Document } from 'yaml';

export type PlanPath = readonly (string | number)[];

/** One thing wrong with a plan, located in its file. */
export interface PlanProblem {
  line: number;
  col: number;
  /** `systems[1].precision`; empty for the whole file. */
  where: string;
  message: string;
}

/** A plan that cannot be run as written; every problem names its line (exit code 2). */
export class PlanError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly PlanProblem[],
    /** The file's text, for the code frames. */
    readonly text: string,
  ) {
    super(
      problems
        .map((p) => `${file}:${p.line}:${p.col}: ${p.where ? `${p.where}: ` : ''}${p.message}`)
        .join('\n'),
    );
    this.name = 'PlanError';
  }

  /** Each problem with its source line and a caret under the column. */
  describe(maxProblems = 10): string {
    const lines = this.text.split(/\r?\n/);
    const out: string[] = [];
    for (const p of this.problems.slice(0, maxProblems)) {
      out.push(`${this.file}:${p.line}:${p.col}: ${p.where ? `${p.where}: ` : ''}${p.message}`);
      const source = lines[p.line - 1];
      if (source !== undefined && source.trim() !== '') {
        const number = String(p.line);
        // A long line (minified JSON) is shown as 100 characters around the column.
        const from = source.length > 120 ? Math.max(0, p.col - 1 - 50) : 0;
        const shown = source.length > 120 ? source.slice(from, from + 100) : source;
        const lead = from > 0 ? '…' : '';
        const tail = from + shown.length < source.length ? '…' : '';
        out.push(`  ${number} | ${lead}${shown}${tail}`);
        out.push(
          `  ${' '.repeat(number.length)} | ${' '.repeat(Math.max(0, p.col - 1 - from + lead.length))}^`,
        );
      }
    }
    const more = this.problems.length - maxProblems;
    if (more > 0) out.push(`… and ${more} more problem${more === 1 ? '' : 's'}`);
    return out.join('\n');
  }
}

/** `systems[1].precision[0]` */
export function formatPath(path: PlanPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${part}` : part;
  }
  return out;
}

export interface PlanSource {
  file: string;
  text: string;
  /** The parsed value (plain JSON types). */
  value: unknown;
  /** Line and column (1-based) of the value at `path`, or of its nearest ancestor that exists. */
  locate(path: PlanPath): { line: number; col: number };
  /** Line and column of the key `key` inside the mapping at `path` (misspelt keys). */
  locateKey(path: PlanPath, key: string): { line: number; col: number };
  problem(path: PlanPath, message: string): PlanProblem;
}

const TOO_DEEP = 'nested too deeply to read; a plan needs only a few levels of nesting';

/**
 * Parses `text`; a syntax error becomes a PlanError at its line. `file` is how messages name the
 * file (as the user typed it).
 */
export function parsePlanSource(file: string, text: string): PlanSource {
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => {
    const pos = lineCounter.linePos(Math.max(0, Math.min(offset, text.length)));
    return { line: pos.line, col: pos.col };
  };
  if (doc.errors.length) {
    throw new PlanError(
      file,
      doc.errors.map((e) => ({
        ...at(e.pos[0]),
        where: '',
        message: /call stack/i.test(e.message)
          ? TOO_DEEP
          : `not valid YAML or JSON: ${e.message.replace(/ at line \d+, column \d+.*$/s, '')}`,
      })),
      text,
    );
  }
  const locate = (path: PlanPath) => {
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
      const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
      if (range) return at(range[0]);
    }
    return { line: 1, col: 1 };
  };
  const locateKey = (path: PlanPath, key: string) => {
    const node = path.length === 0 ? doc.contents : doc.getIn(path, true);
    if (isMap(node)) {
      for (const item of node.items) {
        if (
          isPair(item) &&
          isScalar(item.key) &&
          String(item.key.value) === key &&
          item.key.range
        ) {
          return at(item.key.range[0]);
        }
      }
    }
    return locate(path);
  };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const message =
      error instanceof RangeError
        ? TOO_DEEP
        : /alias/i.test(reason)
          ? 'its YAML aliases (*name) expand to too many values; write the values out instead'
          : `cannot be read (${reason})`;
    throw new PlanError(file, [{ line: 1, col: 1, where: '', message }], text);
  }
  return {
    file,
    text,
    value,
    locate,
    locateKey,
    problem: (path, message) => ({ ...locate(path), where: formatPath(path), message }),
  };
}
