/**
 * The state file of `ecoeval report run` (`<out>/report-state.json`, schema 1): which plan tasks
 * have finished and with which run, rewritten atomically after each one, so `--resume` after an
 * interruption (Ctrl-C, a crash, a killed CI job) redoes nothing that finished.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { BadRequestError } from '../errors';
import { writeJsonAtomic } from '../workspace/atomic';

export const STATE_FILE = 'report-state.json';

const taskRecord = z.object({
  key: z.string().min(1),
  label: z.string(),
  state: z.enum(['done', 'failed']),
  runId: z.string().nullable(),
  /** How a done task got its run: evaluated now, an identical earlier run, or a resumed one. */
  how: z.enum(['ran', 'identical', 'resumed']).optional(),
  message: z.string().optional(),
  finishedAt: z.string(),
});

export const stateSchema = z.object({
  schema: z.literal(1),
  plan: z.object({ file: z.string(), sha256: z.string() }),
  workspace: z.string(),
  startedAt: z.string(),
  updatedAt: z.string(),
  status: z.enum(['running', 'interrupted', 'finished']),
  tasks: z.array(taskRecord),
});

export type ReportState = z.infer<typeof stateSchema>;
export type TaskRecord = z.infer<typeof taskRecord>;

/** The state in `dir`, null when there is none; a damaged file is an error naming it. */
export async function readState(dir: string): Promise<ReportState | null> {
  const file = join(dir, STATE_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return null;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new BadRequestError(
      `${file} is not valid JSON (${(error as Error).message}); delete it and run the plan without --resume.`,
    );
  }
  const parsed = stateSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BadRequestError(
      `${file} is not a report state file (${issue.path.join('.') || 'root'}: ${issue.message}); delete it and run the plan without --resume.`,
    );
  }
  return parsed.data;
}

export async function writeState(dir: string, state: ReportState): Promise<void> {
  await writeJsonAtomic(join(dir, STATE_FILE), { ...state, updatedAt: new Date().toISOString() });
}
