/**
 * Gathers what a report shows from the run store: the runs chosen (by id, by tag, or all), and
 * each run's files for the report folder — run.json, outputs.txt, and the per-segment scores as
 * CSV. A run whose dataset left the workspace still appears (from its run.json); what cannot be
 * read is named in a warning instead of failing the report.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunRecord, RunSegmentsPage } from '../../../shared/api/types';
import { BadRequestError, NotFoundError } from '../errors';
import { OUTPUTS_TXT } from '../runs/record';
import type { RunStore } from '../runs/store';
import { renderSegmentsCsv } from './render/csv';

export type RunSelection = { runs: string[] } | { tag: string } | { all: true };

/** One run's files as the report folder holds them (`runs/<id>/`). */
export interface RunFiles {
  record: RunRecord;
  outputs: string | null;
  segmentsCsv: string | null;
}

export const SEGMENT_PAGE = 1000;

/**
 * The scored runs a selection names, oldest first (ids: in the order given). Runs still awaiting
 * scores are left out with a warning; an unknown id is an error.
 */
export async function selectRuns(
  store: RunStore,
  selection: RunSelection,
): Promise<{ records: RunRecord[]; warnings: string[] }> {
  const warnings: string[] = [];
  let records: RunRecord[];
  if ('runs' in selection) {
    records = [];
    for (const id of selection.runs) {
      try {
        records.push(await store.get(id));
      } catch (error) {
        if (error instanceof NotFoundError) {
          throw new NotFoundError(`No run with id "${id}"; see \`ecoeval runs list\`.`);
        }
        throw error;
      }
    }
  } else {
    const list = await store.list();
    for (const b of list.broken)
      warnings.push(`run folder ${b.folder} is unreadable and left out: ${b.problem}`);
    const chosen =
      'tag' in selection ? list.runs.filter((r) => r.tags.includes(selection.tag)) : list.runs;
    records = [];
    for (const summary of [...chosen].reverse()) records.push(await store.get(summary.id));
  }
  const scored = records.filter((r) => {
    if (r.state === 'complete') return true;
    warnings.push(
      `run ${r.id} (${r.system.label}) is awaiting scores and is left out; open it in the app, or run \`ecoeval report run\` on its plan, to score it`,
    );
    return false;
  });
  if (!scored.length) {
    const what =
      'runs' in selection
        ? 'the runs given'
        : 'tag' in selection
          ? `tag "${selection.tag}"`
          : 'the workspace';
    throw new BadRequestError(`No scored run in ${what}; nothing to report.`);
  }
  return { records: scored, warnings };
}

/** Every segment of a run with its scores (the Run details table, all pages). */
async function allSegments(store: RunStore, id: string): Promise<RunSegmentsPage[]> {
  const pages: RunSegmentsPage[] = [];
  for (let offset = 0; ; offset += SEGMENT_PAGE) {
    const page = await store.segments({ run: id, offset, limit: SEGMENT_PAGE });
    pages.push(page);
    if (offset + SEGMENT_PAGE >= page.total) return pages;
  }
}

export async function readRunFiles(
  store: RunStore,
  record: RunRecord,
  warnings: string[],
): Promise<RunFiles> {
  const outputs = await readFile(join(store.dir(record.id), OUTPUTS_TXT), 'utf8').catch(() => null);
  if (outputs === null)
    warnings.push(`run ${record.id} has no readable outputs.txt; the report has its record only`);
  let segmentsCsv: string | null = null;
  try {
    segmentsCsv = renderSegmentsCsv(await allSegments(store, record.id));
  } catch (error) {
    warnings.push(
      `per-segment scores of run ${record.id} are left out: ${(error as Error).message}`,
    );
  }
  return { record, outputs, segmentsCsv };
}
