/**
 * Long work as cancellable jobs: each job gets an id, an AbortSignal and a progress reporter
 * that computes rate and ETA and pushes `job:progress` events (throttled so the bridge is not
 * flooded). One registry per host process.
 */
import { randomBytes } from 'node:crypto';
import type { JobProgress } from '../../../shared/api/types';

export type ProgressSink = (progress: JobProgress) => void;

export class CancelledError extends Error {
  constructor(label: string) {
    super(`${label} was cancelled; nothing was saved.`);
    this.name = 'CancelledError';
  }
}

export interface JobContext {
  id: string;
  signal: AbortSignal;
  /** Report `done` units (of `total`, when known). Throttled; the final state is always sent. */
  progress(done: number, total?: number | null): void;
  throwIfCancelled(): void;
}

export class JobRegistry {
  #running = new Map<string, AbortController>();

  constructor(
    private readonly sink: ProgressSink,
    private readonly throttleMs = 200,
  ) {}

  get runningCount(): number {
    return this.#running.size;
  }

  cancel(id: string): boolean {
    const controller = this.#running.get(id);
    if (!controller) return false;
    controller.abort();
    return true;
  }

  /** Runs `work` as a job; the returned promise settles with the work's result. */
  async run<T>(
    kind: JobProgress['kind'],
    label: string,
    unit: string,
    work: (job: JobContext) => Promise<T>,
    options: {
      signal?: AbortSignal;
      onStart?: (id: string) => void;
      id?: string;
      /**
       * Work that returns normally on a cancel (training keeps its last checkpoint) ends
       * `cancelled`, not `done`, with this message.
       */
      keptOnCancel?: (result: T) => string;
    } = {},
  ): Promise<T> {
    // A caller may bring its own id (the measured queue's), so progress and cancel use one id.
    const id = options.id ?? `${kind}-${randomBytes(6).toString('hex')}`;
    const controller = new AbortController();
    options.signal?.addEventListener('abort', () => controller.abort(), { once: true });
    this.#running.set(id, controller);
    const started = performance.now();
    let lastSent = 0;
    let done = 0;
    let total: number | null = null;
    const snapshot = (state: JobProgress['state'], message?: string): JobProgress => {
      const seconds = (performance.now() - started) / 1000;
      const rate = seconds > 0 ? done / seconds : 0;
      const eta = total !== null && rate > 0 ? Math.max(0, (total - done) / rate) : null;
      return {
        jobId: id,
        kind,
        label,
        done,
        total,
        unit,
        ratePerSecond: rate,
        etaSeconds: state === 'running' ? eta : 0,
        state,
        ...(message ? { message } : {}),
      };
    };
    const context: JobContext = {
      id,
      signal: controller.signal,
      progress: (value, totalValue) => {
        done = value;
        if (totalValue !== undefined) total = totalValue;
        const now = performance.now();
        if (now - lastSent >= this.throttleMs) {
          lastSent = now;
          this.sink(snapshot('running'));
        }
      },
      throwIfCancelled: () => {
        if (controller.signal.aborted) throw new CancelledError(label);
      },
    };
    options.onStart?.(id);
    this.sink(snapshot('running'));
    try {
      const result = await work(context);
      // Whatever the work returned, a cancelled job must not be reported as done: the UI would
      // say "finished" where the queue and the model list say "cancelled".
      if (controller.signal.aborted) {
        const message = options.keptOnCancel?.(result) ?? `${label} was cancelled.`;
        this.sink(snapshot('cancelled', message));
      } else {
        this.sink(snapshot('done'));
      }
      return result;
    } catch (error) {
      const cancelled = controller.signal.aborted;
      const failure = cancelled ? new CancelledError(label) : error;
      this.sink(snapshot(cancelled ? 'cancelled' : 'failed', (failure as Error).message));
      throw failure;
    } finally {
      this.#running.delete(id);
    }
  }
}
