/**
 * Writes a report folder: `runs/<id>/` (run.json, outputs.txt, segments.csv) assembled out of
 * sight and swapped in with renames, then results.json, results.csv, report.md and report.html,
 * each written atomically (report.html last: it is what people open). A killed writer leaves the
 * previous report's files whole; its hidden temporary folder and files are swept by the next
 * write. Other files in the folder are never touched, and a `runs/` folder that is not a report's
 * is refused.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { BadRequestError } from '../errors';
import { isProcessAlive } from '../process-alive';
import { OUTPUTS_TXT, RUN_JSON } from '../runs/record';
import { TEMP_PREFIX, fsyncDirectory, writeFileAtomic } from '../workspace/atomic';
import type { RunFiles } from './collect';
import { STATE_FILE } from './state';
import { renderResultsCsv } from './render/csv';
import { renderHtml } from './render/html';
import { renderMarkdown } from './render/markdown';
import type { ReportResults, ReportRun } from './results-schema';

export const REPORT_HTML = 'report.html';
export const REPORT_MD = 'report.md';
export const RESULTS_JSON = 'results.json';
export const RESULTS_CSV = 'results.csv';
export const RUNS_DIR = 'runs';
export const SEGMENTS_CSV = 'segments.csv';
/** Marks a `runs/` folder as a report's, so replacing it can never hit a workspace's runs. */
const MARKER = '.ecoeval-report-runs';

/** The paths results.json gives for a run's files (relative to the report folder). */
export function runFilePaths(
  files: Pick<RunFiles, 'outputs' | 'segmentsCsv'> & { id: string },
): ReportRun['files'] {
  const base = `${RUNS_DIR}/${files.id}`;
  return {
    record: `${base}/${RUN_JSON}`,
    outputs: files.outputs !== null ? `${base}/${OUTPUTS_TXT}` : null,
    segments: files.segmentsCsv !== null ? `${base}/${SEGMENTS_CSV}` : null,
  };
}

/** Refuses report folders inside the workspace (a report must never replace workspace files). */
export function checkOutDir(outDir: string, workspaceRoot: string): void {
  const rel = relative(resolve(workspaceRoot), resolve(outDir));
  if (rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && !/^[a-zA-Z]:/.test(rel))) {
    throw new BadRequestError(
      `${outDir} is inside the workspace (${workspaceRoot}); write the report to a folder outside it.`,
    );
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Temp names of the report's own files (writeFileAtomic: `.tmp-<name>-<pid>-<hex>`). */
const TEMP_FILE = new RegExp(
  `^${TEMP_PREFIX.replace('.', '\\.')}(?:${[REPORT_HTML, REPORT_MD, RESULTS_JSON, RESULTS_CSV, STATE_FILE].map((n) => n.replace(/\./g, '\\.')).join('|')})-(\\d+)-[0-9a-f]{8}$`,
);

/** Temporary folders and files a killed writer left behind. */
async function sweep(outDir: string): Promise<void> {
  for (const name of await readdir(outDir).catch(() => [] as string[])) {
    const m =
      new RegExp(`^${TEMP_PREFIX.replace('.', '\\.')}runs-(?:old-)?(\\d+)-[0-9a-f]+$`).exec(name) ??
      TEMP_FILE.exec(name);
    if (m && !isProcessAlive(Number(m[1])))
      await rm(join(outDir, name), { recursive: true, force: true });
  }
}

async function writeRuns(outDir: string, files: readonly RunFiles[]): Promise<void> {
  const stamp = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const staged = join(outDir, `${TEMP_PREFIX}runs-${stamp}`);
  await mkdir(staged, { recursive: true });
  try {
    await writeFile(
      join(staged, MARKER),
      'Run files of an EcoEval report; replaced when the report is written again.\n',
    );
    for (const f of files) {
      const dir = join(staged, f.record.id);
      await mkdir(dir);
      await writeFile(join(dir, RUN_JSON), `${JSON.stringify(f.record, null, 2)}\n`);
      if (f.outputs !== null) await writeFile(join(dir, OUTPUTS_TXT), f.outputs);
      if (f.segmentsCsv !== null) await writeFile(join(dir, SEGMENTS_CSV), f.segmentsCsv);
      await fsyncDirectory(dir);
    }
    await fsyncDirectory(staged);
    const target = join(outDir, RUNS_DIR);
    let old: string | null = null;
    if (await exists(target)) {
      const entries = await readdir(target);
      if (entries.length && !entries.includes(MARKER)) {
        throw new BadRequestError(
          `${target} exists and is not an EcoEval report's runs folder; choose another --out folder, or move it away.`,
        );
      }
      old = join(outDir, `${TEMP_PREFIX}runs-old-${stamp}`);
      await rename(target, old);
    }
    await rename(staged, target);
    await fsyncDirectory(outDir);
    if (old) await rm(old, { recursive: true, force: true });
  } catch (error) {
    await rm(staged, { recursive: true, force: true });
    throw error;
  }
}

/** Writes every output of the report into `outDir`; returns the files written. */
export async function writeReportFolder(
  outDir: string,
  results: ReportResults,
  files: readonly RunFiles[],
): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  await sweep(outDir);
  await writeRuns(outDir, files);
  const written = [join(outDir, RUNS_DIR)];
  const outputs: [string, string][] = [
    [RESULTS_JSON, `${JSON.stringify(results, null, 2)}\n`],
    [RESULTS_CSV, renderResultsCsv(results)],
    [REPORT_MD, renderMarkdown(results)],
    [REPORT_HTML, renderHtml(results)],
  ];
  for (const [name, text] of outputs) {
    await writeFileAtomic(join(outDir, name), text);
    written.push(join(outDir, name));
  }
  return written;
}
