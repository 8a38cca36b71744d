/**
 * Executes a prepared plan through the measured queue, one job at a time: each task is handed to
 * the evaluation service and waited for, scored in Node with the shared scoring code, tagged, and
 * recorded in the state file before the next starts. A task whose identical run exists is answered
 * with that run (unless forced); with repeats each repeat gets a run of its own. On an abort the
 * running job is cancelled (it leaves no run) and the state file keeps only finished tasks, so
 * `resume` redoes nothing that finished.
 */
import type { WorkbenchApi } from '../../../shared/api/contract';
import type { JobProgress, QueuedJob, RunRecord } from '../../../shared/api/types';
import type { AppServices } from '../../app';
import { ServiceError } from '../errors';
import { CancelledError } from '../jobs/jobs';
import { scoreSavedRun } from '../runs/scoring';
import { sameRun } from '../runs/system';
import type { RunIdentity } from '../runs/system';
import type { ReportPlan } from './plan';
import type { PlanTask, PreparedPlan } from './prepare';
import { readState, writeState } from './state';
import type { ReportState, TaskRecord } from './state';

/** What the runner reports as it goes (the CLI turns these into log lines). */
export type RunnerEvent =
  | { type: 'note'; message: string }
  | { type: 'start'; task: PlanTask; index: number; total: number }
  | { type: 'progress'; task: PlanTask; index: number; total: number; progress: JobProgress }
  | {
      type: 'done';
      task: PlanTask;
      index: number;
      total: number;
      record: RunRecord;
      how: 'ran' | 'identical' | 'resumed';
      seconds: number;
    }
  | { type: 'failed'; task: PlanTask; index: number; total: number; message: string };

export interface TaskOutcome {
  task: PlanTask;
  state: 'done' | 'failed';
  runId: string | null;
  how?: 'ran' | 'identical' | 'resumed';
  message?: string;
}

export interface PlanOutcome {
  outcomes: TaskOutcome[];
  /** Stopped by the signal before every task finished. */
  cancelled: boolean;
  state: ReportState;
}

export interface RunnerOptions {
  plan: ReportPlan;
  prepared: PreparedPlan;
  services: AppServices;
  api: WorkbenchApi;
  /** Where the state file lives (the report's output folder). */
  outDir: string;
  force: boolean;
  resume: boolean;
  signal: AbortSignal;
  onEvent?: (event: RunnerEvent) => void;
}

const ENERGY_OFF_NOTE = 'energy measurement turned off for this run';

/** What makes another run the same evaluation as `record` (RunIdentity, from its provenance). */
function identityOf(record: RunRecord): RunIdentity {
  return {
    spec: record.system.spec,
    dataset: record.dataset.id,
    split: record.dataset.split,
    datasetSha256: record.provenance.dataset.sha256,
    modelSha256: record.provenance.model?.sha256 ?? null,
    outputsSha256: record.system.spec.type === 'outputs' ? record.provenance.outputsSha256 : null,
    metrics: record.metrics,
  };
}

function messageOf(error: unknown): string {
  if (error instanceof ServiceError || error instanceof CancelledError) return error.message;
  return `Internal error: ${error instanceof Error ? error.message : String(error)}`;
}

export async function runPlan(options: RunnerOptions): Promise<PlanOutcome> {
  const { plan, prepared, services, api, signal } = options;
  const emit = options.onEvent ?? (() => undefined);
  const tasks = prepared.tasks;
  const total = tasks.length;
  const now = () => new Date().toISOString();

  const previous = await readState(options.outDir);
  const resumed = new Map<string, TaskRecord>();
  if (options.resume) {
    if (!previous) {
      emit({
        type: 'note',
        message: `nothing to resume in ${options.outDir}: running the whole plan`,
      });
    } else {
      if (previous.plan.sha256 !== plan.sha256) {
        emit({
          type: 'note',
          message:
            'the plan changed since the interrupted run; its finished tasks that are still in the plan are kept',
        });
      }
      for (const t of previous.tasks) if (t.state === 'done' && t.runId) resumed.set(t.key, t);
    }
  } else if (previous && previous.status !== 'finished') {
    emit({
      type: 'note',
      message: `${options.outDir} holds an unfinished report (${previous.tasks.filter((t) => t.state === 'done').length} of its tasks done); starting over. Use --resume to keep them.`,
    });
  }
  const state: ReportState = {
    schema: 1,
    plan: { file: plan.file, sha256: plan.sha256 },
    workspace: services.workspace.root,
    startedAt: options.resume && previous ? previous.startedAt : now(),
    updatedAt: now(),
    status: 'running',
    tasks: [],
  };
  await writeState(options.outDir, state);

  /** Runs this invocation already gave a task: a repeat needs a run of its own. */
  const used = new Set<string>();
  const acceptable = (record: RunRecord): boolean =>
    record.state === 'complete' &&
    !used.has(record.id) &&
    // A run made with energy measurement off is no answer to a plan that measures.
    (!plan.energy.measure ||
      record.energy !== null ||
      record.provenance.settings.energyNote !== ENERGY_OFF_NOTE);

  let job: QueuedJob | null = null;
  const onAbort = () => {
    if (job) services.queue.cancel(job.jobId);
  };
  signal.addEventListener('abort', onAbort);
  const outcomes: TaskOutcome[] = [];
  let cancelled = false;
  try {
    for (const [i, task] of tasks.entries()) {
      if (signal.aborted) {
        cancelled = true;
        break;
      }
      const index = i + 1;
      const started = performance.now();
      const finish = async (outcome: TaskOutcome) => {
        outcomes.push(outcome);
        if (outcome.runId) used.add(outcome.runId);
        state.tasks.push({
          key: task.key,
          label: task.label,
          state: outcome.state,
          runId: outcome.runId,
          ...(outcome.how ? { how: outcome.how } : {}),
          ...(outcome.message ? { message: outcome.message } : {}),
          finishedAt: now(),
        });
        await writeState(options.outDir, state);
      };

      const earlier = resumed.get(task.key);
      if (earlier?.runId) {
        const record = await services.runs.get(earlier.runId).catch(() => null);
        if (record && record.state === 'complete' && !used.has(record.id)) {
          await finish({ task, state: 'done', runId: record.id, how: 'resumed' });
          emit({ type: 'done', task, index, total, record, how: 'resumed', seconds: 0 });
          continue;
        }
      }

      emit({ type: 'start', task, index, total });
      let runId: string;
      let how: 'ran' | 'identical' = 'ran';
      try {
        const request = (force: boolean) =>
          api.evaluate({
            systems: [task.spec],
            datasets: [{ dataset: task.dataset.id, split: task.dataset.split }],
            metrics: task.metrics,
            tags: plan.tags,
            force,
          });
        [job] = await request(options.force);
        if (job.state === 'done' && job.runId) {
          const same = await services.runs.get(job.runId);
          let reuse: RunRecord | undefined = acceptable(same) ? same : undefined;
          if (!reuse) {
            const identity = identityOf(same);
            reuse = (await services.runs.records())
              .filter((r) => sameRun(r, identity) && acceptable(r))
              .sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
          }
          if (reuse) {
            runId = reuse.id;
            how = 'identical';
          } else {
            [job] = await request(true);
          }
        }
        if (how === 'ran') {
          if (signal.aborted) onAbort();
          const current = job!;
          const off = services.subscribe((event, payload) => {
            const p = payload as JobProgress;
            if (event === 'job:progress' && p.jobId === current.jobId) {
              emit({ type: 'progress', task, index, total, progress: p });
            }
          });
          try {
            ({ runId } = (await services.queue.wait(current.jobId)) as { runId: string });
          } finally {
            off();
          }
        }
      } catch (error) {
        job = null;
        if (signal.aborted) {
          cancelled = true;
          break;
        }
        const message = messageOf(error);
        await finish({ task, state: 'failed', runId: null, message });
        emit({ type: 'failed', task, index, total, message });
        continue;
      }
      job = null;
      // The run exists from here on: it is scored and recorded even if an abort arrives meanwhile.
      try {
        let record = await scoreSavedRun(services.runs, runId!, {
          bootstrap: plan.scoring.bootstrap,
          seed: plan.scoring.seed,
        });
        const missing = plan.tags.filter((t) => !record.tags.includes(t));
        if (missing.length)
          record = await services.runs.tag(record.id, [...record.tags, ...missing]);
        await finish({ task, state: 'done', runId: record.id, how });
        emit({
          type: 'done',
          task,
          index,
          total,
          record,
          how,
          seconds: (performance.now() - started) / 1000,
        });
      } catch (error) {
        const message = messageOf(error);
        await finish({ task, state: 'failed', runId: runId!, message });
        emit({ type: 'failed', task, index, total, message });
      }
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  if (signal.aborted && outcomes.length < total) cancelled = true;
  state.status = cancelled ? 'interrupted' : 'finished';
  await writeState(options.outDir, state);
  return { outcomes, cancelled, state };
}
