/**
 * The measurement slot: one measured job (an evaluation or a training) at a time per workspace,
 * across every EcoEval process on it — the desktop app, the browser host and CLI commands — so
 * two energy windows never overlap and each joule belongs to one job. A long-held lock file
 * (`<workspace>/.measure.lock`, O_EXCL, the owner's pid, host, job label and id, start time and
 * token) held for the whole job; the same stale-holder recovery as the workspace lock (lock.ts),
 * so a process killed mid-job never wedges it. Waiting is the norm here (jobs run for minutes), so
 * `acquire` waits without a time limit, says who it waits for, and stops at once on a cancel.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { CancelledError } from '../jobs/jobs';
import { describeOwner, tryHoldLock } from './lock';
import type { HeldLock, LockOwner } from './lock';

export const MEASURE_LOCK = '.measure.lock';

export interface SlotHolder {
  /** What is measured, as the user knows it (the job's label). */
  purpose: string;
  jobId?: string;
}

/** The slot, held: `release` gives it up (idempotent); `tookOver` when its holder had died. */
export type SlotHold = HeldLock;

export type SlotClaim = { hold: SlotHold } | { busy: LockOwner | null };

export interface AcquireOptions {
  signal?: AbortSignal;
  /** Called when it has to wait, and again whenever the holder it waits for changes. */
  onWait?: (holder: LockOwner | null) => void;
}

/** The line a waiting job shows (queue message, CLI notice). */
export function waitingMessage(holder: LockOwner | null, what = 'this job'): string {
  if (!holder) {
    return `Waiting for another EcoEval process that is starting a measured job; ${what} starts when it ends.`;
  }
  const remote =
    holder.host !== hostname()
      ? ` EcoEval cannot check a process on another machine; if it is no longer running, delete ${MEASURE_LOCK} in the workspace.`
      : '';
  return `Waiting for another EcoEval process: ${describeOwner(holder)} is measuring; ${what} starts when it ends.${remote}`;
}

/** The line a job shows after it took the slot over from a holder that died. */
export function takeoverMessage(from: LockOwner | null): string {
  const who = from ? describeOwner(from) : 'an EcoEval process';
  return `The measurement of ${who} ended without releasing the measurement slot (the process is gone); this job took the slot over.`;
}

const abortableSleep = (ms: number, signal: AbortSignal | undefined) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });

export class MeasurementSlot {
  readonly file: string;

  constructor(
    root: string,
    private readonly options: { pollMs?: number } = {},
  ) {
    this.file = join(root, MEASURE_LOCK);
  }

  /**
   * Takes the slot now if it is free or its holder is gone; otherwise says who holds it (null
   * while a new holder is still writing the file). Synchronous, so a queue with nothing to wait
   * for starts its job at once.
   */
  tryAcquire(holder: SlotHolder): SlotClaim {
    const claim = tryHoldLock(
      this.file,
      holder.purpose,
      holder.jobId ? { jobId: holder.jobId } : {},
    );
    return 'held' in claim ? { hold: claim.held } : claim;
  }

  /**
   * Waits for the slot (no time limit: the holder's job may run for minutes). Rejects with a
   * CancelledError as soon as `signal` aborts.
   */
  async acquire(holder: SlotHolder, options: AcquireOptions = {}): Promise<SlotHold> {
    const pollMs = this.options.pollMs ?? 200;
    let reported: string | undefined;
    for (;;) {
      if (options.signal?.aborted) throw new CancelledError(holder.purpose);
      const claim = this.tryAcquire(holder);
      if ('hold' in claim) return claim.hold;
      const key = claim.busy?.token ?? '';
      if (key !== reported) {
        reported = key;
        options.onWait?.(claim.busy);
      }
      await abortableSleep(pollMs, options.signal);
    }
  }
}
