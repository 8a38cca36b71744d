/**
 * One report from scored runs, end to end: reads each run's files, builds the content
 * (results.json), checks it against its published schema, and writes the folder. Used by
 * `ecoeval report run` after the plan's runs and by `ecoeval report render` on existing runs.
 */
import type { RunRecord } from '../../../shared/api/types';
import type { RunStore } from '../runs/store';
import { readRunFiles } from './collect';
import { buildReportData } from './report-data';
import type { ReportInput } from './report-data';
import { resultsSchema } from './results-schema';
import type { ReportResults } from './results-schema';
import { runFilePaths, writeReportFolder } from './write';

export type ReportOptions = Omit<ReportInput, 'records' | 'files' | 'outputs'> & {
  store: RunStore;
  records: readonly RunRecord[];
};

export async function writeReport(
  outDir: string,
  options: ReportOptions,
): Promise<{ results: ReportResults; written: string[] }> {
  const warnings = [...(options.warnings ?? [])];
  const files = [];
  for (const record of options.records)
    files.push(await readRunFiles(options.store, record, warnings));
  const byId = new Map(files.map((f) => [f.record.id, f]));
  const results = await buildReportData({
    ...options,
    warnings,
    records: options.records,
    files: (record) => {
      const f = byId.get(record.id)!;
      return runFilePaths({ id: record.id, outputs: f.outputs, segmentsCsv: f.segmentsCsv });
    },
    outputs: (id) => options.store.outputs(id),
  });
  // What is written is what the published schema describes; a mismatch is a bug of ours.
  const checked = resultsSchema.safeParse(JSON.parse(JSON.stringify(results)));
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new Error(
      `results.json does not match its schema at ${issue.path.join('.')}: ${issue.message}`,
    );
  }
  const written = await writeReportFolder(outDir, results, files);
  return { results, written };
}
