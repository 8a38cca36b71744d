/**
 * Report tests: plan files in a temporary folder, `ecoeval report` run in-process with captured
 * output (and a Ctrl-C that a test can trigger on a line of the log), and the run folders of a
 * workspace.
 */
import { existsSync, readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { captureIO } from '../../../main/cli/io';
import { reportCommand } from '../../../main/cli/report';

export interface ReportCall {
  code: number;
  out: string;
  err: string;
}

/** Runs `ecoeval report ARGV` in `cwd`; `abortOn` aborts (Ctrl-C) once stderr shows a match. */
export async function report(
  argv: string[],
  options: { cwd: string; abortOn?: RegExp } = { cwd: '.' },
): Promise<ReportCall> {
  const io = captureIO({ cwd: options.cwd });
  const controller = new AbortController();
  if (options.abortOn) {
    const stderr = io.stderr;
    const pattern = options.abortOn;
    io.stderr = (text) => {
      stderr(text);
      if (pattern.test(text)) controller.abort();
    };
  }
  const code = await reportCommand(argv, { ...io, signal: controller.signal });
  return { code, out: io.out(), err: io.err() };
}

export async function writePlan(dir: string, name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

/** Run folders of a workspace (not queue.json, not hidden folders). */
export function runFolders(workspace: string): string[] {
  const dir = join(workspace, 'runs');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => !f.endsWith('.json') && !f.startsWith('.'))
    .sort();
}
