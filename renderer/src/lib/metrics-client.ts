/**
 * The UI's door to the metrics worker: one lazily started Web Worker, promise per job.
 * Scoring and comparing never run on the UI thread.
 */
import type {
  CompareJob,
  RunScores,
  ScoreJob,
  ScoreResult,
  WorkerJob,
  WorkerReply,
} from './metrics.worker';
import type { ComparisonResult } from '../../../shared/evaluation/compare';
import type { RunMetric, RunOutputs } from '../../../shared/api/types';

export type { RunScores } from './metrics.worker';

/** sacreBLEU's defaults, so intervals match `sacrebleu --confidence` on the same outputs. */
export const DEFAULT_BOOTSTRAP = 1000;
export const DEFAULT_SEED = 12345;

let worker: Worker | null = null;
let nextId = 1;
const waiting = new Map<number, { resolve: (r: unknown) => void; reject: (e: Error) => void }>();

function ensureWorker(): Worker {
  if (worker) return worker;
  worker = new Worker(new URL('./metrics.worker.ts', import.meta.url), {
    type: 'module',
    name: 'ecoeval-metrics',
  });
  worker.onmessage = (event: MessageEvent<WorkerReply>) => {
    const reply = event.data;
    const waiter = waiting.get(reply.id);
    if (!waiter) return;
    waiting.delete(reply.id);
    if (!reply.ok) waiter.reject(new Error(reply.message));
    else waiter.resolve('results' in reply ? reply.results : reply.value);
  };
  worker.onerror = (event) => {
    for (const waiter of waiting.values())
      waiter.reject(new Error(`metrics worker failed: ${event.message}`));
    waiting.clear();
    worker = null;
  };
  return worker;
}

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

function post<T>(job: WithoutId<WorkerJob>): Promise<T> {
  const id = nextId++;
  return new Promise<T>((resolve, reject) => {
    waiting.set(id, { resolve: resolve as (r: unknown) => void, reject });
    ensureWorker().postMessage({ ...job, id });
  });
}

export function scoreInWorker(job: Omit<ScoreJob, 'id'>): Promise<ScoreResult[]> {
  return post<ScoreResult[]>({ ...job, type: 'score' });
}

/** Corpus scores with bootstrap intervals and per-segment scores, ready for `saveRunScores`. */
export function scoreRunInWorker(
  outputs: RunOutputs,
  metrics: readonly RunMetric[],
  options: { bootstrap?: number; seed?: number } = {
    bootstrap: DEFAULT_BOOTSTRAP,
    seed: DEFAULT_SEED,
  },
): Promise<RunScores> {
  return post<RunScores>({ type: 'score-run', outputs, metrics: [...metrics], options });
}

/** Paired significance of each system against the baseline (the Compare page). */
export function compareRunsInWorker(
  baseline: RunOutputs,
  systems: readonly RunOutputs[],
  metric: CompareJob['metric'],
  options: CompareJob['options'] = { seed: DEFAULT_SEED },
): Promise<ComparisonResult> {
  return post<ComparisonResult>({
    type: 'compare',
    baseline,
    systems: [...systems],
    metric,
    options,
  });
}
