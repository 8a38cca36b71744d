/**
 * The UI's door to the metrics worker: one lazily started Web Worker, promise per job.
 * Scoring never runs on the UI thread.
 */
import type { ScoreJob, ScoreReply, ScoreResult } from './metrics.worker';

let worker: Worker | null = null;
let nextId = 1;
const waiting = new Map<
  number,
  { resolve: (r: ScoreResult[]) => void; reject: (e: Error) => void }
>();

function ensureWorker(): Worker {
  if (worker) return worker;
  worker = new Worker(new URL('./metrics.worker.ts', import.meta.url), {
    type: 'module',
    name: 'ecoeval-metrics',
  });
  worker.onmessage = (event: MessageEvent<ScoreReply>) => {
    const reply = event.data;
    const waiter = waiting.get(reply.id);
    if (!waiter) return;
    waiting.delete(reply.id);
    if (reply.ok) waiter.resolve(reply.results);
    else waiter.reject(new Error(reply.message));
  };
  worker.onerror = (event) => {
    for (const waiter of waiting.values())
      waiter.reject(new Error(`metrics worker failed: ${event.message}`));
    waiting.clear();
    worker = null;
  };
  return worker;
}

export function scoreInWorker(job: Omit<ScoreJob, 'id'>): Promise<ScoreResult[]> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    ensureWorker().postMessage({ ...job, id });
  });
}
