/**
 * The measured queue: evaluation and training jobs run one at a time, so the energy a window
 * records belongs to one job. Each waiting job has a place in the line (0 = running, 1 = next…).
 * The queue is kept in `runs/queue.json` (written atomically on every change); entries a previous
 * process left queued or running come back as `interrupted` and can be queued again with the
 * same settings. Every change is pushed as `queue:changed`; jobs of kinds that do not report
 * their own progress get `job:progress` events (segments, rate, ETA, joules so far, run id).
 *
 * Across processes (the app or browser host and CLI commands on one workspace) each job also holds
 * the workspace's measurement slot (workspace/measure-slot.ts) while it runs: a job whose turn has
 * come waits, still `queued`, with a message naming the process it waits for, until the slot is
 * free. Entries other processes left in queue.json are kept while those processes live and adopted
 * (as on open) once they have ended.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { JobProgress, QueuedJob } from '../../../shared/api/types';
import { BadRequestError, NotFoundError, ServiceError, systemError } from '../errors';
import { CancelledError } from '../jobs/jobs';
import { writeJsonAtomic } from '../workspace/atomic';
import { takeoverMessage, waitingMessage } from '../workspace/measure-slot';
import type { SlotClaim, SlotHold } from '../workspace/measure-slot';
import type { Workspace } from '../workspace/workspace';
import { isProcessAlive } from '../process-alive';
import { RUN_ID_PATTERN, RUN_JSON } from './record';

export type MeasuredKind = QueuedJob['kind'];

export const QUEUE_FILE = 'queue.json';
/** Ended jobs kept in the list (interrupted ones are kept until restarted). */
const KEEP_ENDED = 20;

export interface MeasuredJobContext {
  readonly jobId: string;
  /** The run this job will write (evaluations), known before it starts. */
  readonly runId: string | null;
  readonly signal: AbortSignal;
  /** Units done of `total`, and the energy so far when measured. Throttled; ends are always sent. */
  progress(done: number, total: number | null, joules?: number | null): void;
}

export interface ExecutorResult {
  runId?: string | null;
  value?: unknown;
  /**
   * The job stopped early on a cancel but still produced its result (training keeps its last
   * checkpoint): the entry ends `cancelled`, waiters still get the value.
   */
  cancelled?: boolean;
  message?: string;
}

export type Executor = (payload: unknown, context: MeasuredJobContext) => Promise<ExecutorResult>;

export interface ExecutorOptions {
  /** Unit of `progress` (e.g. 'segments'). */
  unit: string;
  /** True when the executor pushes its own `job:progress` events (training does, via JobRegistry). */
  reportsProgress?: boolean;
  /** The id of the run a job will write; asked again when an interrupted job is restarted. */
  planRunId?: (payload: unknown) => string;
}

interface Owner {
  pid: number;
  host: string;
  /** Which queue of that process (a process may open its workspace more than once: CLI, tests). */
  instance?: string;
}

/** Queues open in this process; an entry of a closed one is as good as a dead process's. */
const OPEN_INSTANCES = new Set<string>();

/** One job as queue.json keeps it: the public fields plus what a restart needs. */
interface Entry {
  jobId: string;
  kind: MeasuredKind;
  label: string;
  state: QueuedJob['state'];
  runId: string | null;
  plannedRunId: string | null;
  message?: string;
  queuedAt: string;
  startedAt?: string;
  endedAt?: string;
  owner?: Owner;
  payload: unknown;
}

interface Waiter {
  promise: Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

function waiter(): Waiter {
  let resolve!: (value: unknown) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<unknown>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Nobody may be waiting (the UI learns outcomes from events): never an unhandled rejection.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/** Entries of another process that is still running are left to it. */
function ownedElsewhere(entry: Entry, me: Owner): boolean {
  const owner = entry.owner;
  if (!owner || typeof owner.pid !== 'number') return false;
  if (owner.pid === me.pid && owner.host === me.host) {
    return owner.instance !== me.instance && OPEN_INSTANCES.has(owner.instance ?? '');
  }
  // Another machine sharing the folder: its processes cannot be checked from here.
  if (owner.host !== me.host) return true;
  return isProcessAlive(owner.pid);
}

function isEntry(value: unknown): value is Entry {
  const e = value as Entry;
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof e.jobId === 'string' &&
    /^[a-z0-9-]{1,64}$/.test(e.jobId) &&
    (e.kind === 'evaluate' || e.kind === 'train') &&
    typeof e.label === 'string' &&
    typeof e.state === 'string' &&
    typeof e.queuedAt === 'string'
  );
}

export class MeasuredQueue {
  readonly file: string;
  readonly #me: Owner = {
    pid: process.pid,
    host: hostname(),
    instance: randomBytes(4).toString('hex'),
  };
  readonly #entries: Entry[] = [];
  readonly #executors = new Map<MeasuredKind, { run: Executor; options: ExecutorOptions }>();
  readonly #waiters = new Map<string, Waiter>();
  #running: { entry: Entry; controller: AbortController; settled: Promise<void> } | null = null;
  #writes: Promise<void> = Promise.resolve();
  #closed = false;

  private constructor(
    private readonly workspace: Workspace,
    private readonly emit: {
      queue(jobs: QueuedJob[]): void;
      progress(progress: JobProgress): void;
    },
    private readonly throttleMs: number,
  ) {
    this.file = join(workspace.runsDir, QUEUE_FILE);
  }

  /**
   * Opens the workspace's queue: jobs a previous process left queued or running are marked
   * `interrupted` (and adopted, with that process's recent history) — or `done`, when the run a
   * running job planned is already committed; a live process's jobs are left alone.
   */
  static async open(
    workspace: Workspace,
    emit: { queue(jobs: QueuedJob[]): void; progress(progress: JobProgress): void },
    options: { throttleMs?: number } = {},
  ): Promise<MeasuredQueue> {
    const queue = new MeasuredQueue(workspace, emit, options.throttleMs ?? 200);
    OPEN_INSTANCES.add(queue.#me.instance!);
    // Most starts find nothing to adopt: no lock taken for them (every CLI command opens this).
    const onDisk = await queue.#readFile();
    if (onDisk.some((e) => !ownedElsewhere(e, queue.#me))) {
      // Adopted under the lock, so two processes opening at once do not both adopt an entry.
      await queue.#sync(false).catch(async () => {
        // A read-only workspace (or a full disk): still show what was left behind.
        await queue.#adopt(await queue.#readFile());
      });
    }
    return queue;
  }

  /**
   * Takes over the entries of processes that have ended (and of queues of this process that
   * were closed): their queued or running jobs become `interrupted` (or `done` when the run was
   * committed), ended ones join this queue's history. True when any entry was adopted.
   */
  async #adopt(onDisk: readonly Entry[]): Promise<boolean> {
    let adopted = false;
    // One time for the pass, so the list keeps their order (it sorts ended jobs by end time).
    const now = new Date().toISOString();
    for (const entry of onDisk) {
      if (ownedElsewhere(entry, this.#me) || this.#entries.some((e) => e.jobId === entry.jobId))
        continue;
      const ended = entry.owner ? ` (process ${entry.owner.pid} ended)` : '';
      if (entry.state === 'running' && (await this.#committed(entry.plannedRunId))) {
        // Killed after its run was committed, before the queue heard: the run is whole and kept.
        entry.state = 'done';
        entry.runId = entry.plannedRunId;
        entry.message = `EcoEval stopped${ended} after this job saved run ${entry.runId}; the run is kept.`;
        entry.endedAt = now;
      } else if (entry.state === 'queued' || entry.state === 'running') {
        const was = entry.state === 'running' ? 'finished' : 'started';
        entry.state = 'interrupted';
        entry.message = `EcoEval stopped before this job ${was}${ended}; nothing was saved. Restart it to run it again.`;
        entry.endedAt = now;
      }
      entry.owner = this.#me;
      this.#entries.push(entry);
      adopted = true;
    }
    if (adopted) this.#trim();
    return adopted;
  }

  /** Whether the run a job planned to write exists (committed: run.json is in its folder). */
  async #committed(runId: string | null): Promise<boolean> {
    if (!runId || !RUN_ID_PATTERN.test(runId)) return false;
    return stat(join(this.workspace.runsDir, runId, RUN_JSON)).then(
      (info) => info.isFile(),
      () => false,
    );
  }

  /** Reads queue.json; a damaged file is moved aside (kept for the user) and the queue starts empty. */
  async #readFile(): Promise<Entry[]> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch {
      return [];
    }
    try {
      const json = JSON.parse(text) as { schema?: unknown; jobs?: unknown };
      if (json.schema !== 1 || !Array.isArray(json.jobs)) throw new Error('not schema 1');
      return json.jobs.filter(isEntry);
    } catch {
      const aside = join(
        this.workspace.runsDir,
        `queue.broken-${new Date().toISOString().replace(/[:.]/g, '-')}.json`,
      );
      await rename(this.file, aside).catch(() => undefined);
      return [];
    }
  }

  register(kind: MeasuredKind, run: Executor, options: ExecutorOptions): void {
    this.#executors.set(kind, { run, options });
  }

  /** The list as the UI shows it: running, waiting in order, then ended (newest first). */
  list(): QueuedJob[] {
    const running = this.#entries.filter((e) => e.state === 'running');
    const queued = this.#entries.filter((e) => e.state === 'queued');
    const ended = this.#entries
      .filter((e) => e.state !== 'running' && e.state !== 'queued')
      .sort((a, b) => (b.endedAt ?? b.queuedAt).localeCompare(a.endedAt ?? a.queuedAt));
    return [
      ...running.map((e) => this.#public(e, 0)),
      ...queued.map((e, i) => this.#public(e, i + 1)),
      ...ended.map((e) => this.#public(e, null)),
    ];
  }

  get(jobId: string): QueuedJob | undefined {
    return this.list().find((j) => j.jobId === jobId);
  }

  #public(e: Entry, position: number | null): QueuedJob {
    return {
      jobId: e.jobId,
      kind: e.kind,
      label: e.label,
      position,
      state: e.state,
      runId: e.runId,
      ...(e.message ? { message: e.message } : {}),
      queuedAt: e.queuedAt,
    };
  }

  /** Puts a job at the end of the line; returns it at once (with its position). */
  enqueue(kind: MeasuredKind, label: string, payload: unknown): QueuedJob {
    const executor = this.#executors.get(kind);
    if (!executor) throw new Error(`internal: no executor for ${kind} jobs`);
    if (this.#closed) throw new BadRequestError('EcoEval is shutting down; no new jobs start.');
    const entry: Entry = {
      jobId: `${kind}-${randomBytes(6).toString('hex')}`,
      kind,
      label,
      state: 'queued',
      runId: null,
      plannedRunId: executor.options.planRunId?.(payload) ?? null,
      queuedAt: new Date().toISOString(),
      owner: this.#me,
      payload,
    };
    this.#entries.push(entry);
    this.#waiters.set(entry.jobId, waiter());
    this.#changed();
    this.#pump();
    return this.get(entry.jobId)!;
  }

  /**
   * Settles with the job's result: resolves when it is done, rejects with the executor's error
   * when it failed and with a CancelledError when it was cancelled or interrupted.
   */
  wait(jobId: string): Promise<unknown> {
    const w = this.#waiters.get(jobId);
    if (w) return w.promise;
    const entry = this.#entries.find((e) => e.jobId === jobId);
    if (!entry) return Promise.reject(new NotFoundError(`No job "${jobId}" in the queue.`));
    if (entry.state === 'done') return Promise.resolve({ runId: entry.runId });
    return Promise.reject(
      entry.state === 'failed'
        ? new BadRequestError(entry.message ?? `${entry.label} failed.`)
        : new CancelledError(entry.label),
    );
  }

  /** Cancels a job: a waiting one leaves the line, the running one is stopped (nothing saved). */
  cancel(jobId: string): boolean {
    const index = this.#entries.findIndex((e) => e.jobId === jobId);
    if (index < 0) return false;
    const entry = this.#entries[index];
    if (entry.state === 'queued' && this.#running?.entry === entry) {
      // Its turn has come and it waits for another process's measurement: stop waiting.
      this.#running.controller.abort();
      return true;
    }
    if (entry.state === 'queued') {
      this.#entries.splice(index, 1);
      this.#waiters.get(jobId)?.reject(new CancelledError(entry.label));
      this.#changed();
      return true;
    }
    if (entry.state === 'running' && this.#running?.entry === entry) {
      this.#running.controller.abort();
      return true;
    }
    return false;
  }

  /** Queues an interrupted, failed or cancelled job again with the same settings. */
  restart(jobId: string): QueuedJob {
    const entry = this.#entries.find((e) => e.jobId === jobId);
    if (!entry) throw new NotFoundError(`No job "${jobId}" in the queue.`);
    if (entry.state === 'queued' || entry.state === 'running') {
      throw new BadRequestError(`${entry.label} is already ${entry.state}.`);
    }
    if (entry.state === 'done') {
      throw new BadRequestError(`${entry.label} finished; start a new evaluation to redo it.`);
    }
    const executor = this.#executors.get(entry.kind);
    if (!executor) throw new BadRequestError(`This host cannot run ${entry.kind} jobs.`);
    // Back to the end of the line, as a fresh job with the same settings.
    this.#entries.splice(this.#entries.indexOf(entry), 1);
    Object.assign(entry, {
      state: 'queued',
      runId: null,
      plannedRunId: executor.options.planRunId?.(entry.payload) ?? null,
      queuedAt: new Date().toISOString(),
      owner: this.#me,
    } satisfies Partial<Entry>);
    delete entry.message;
    delete entry.startedAt;
    delete entry.endedAt;
    this.#entries.push(entry);
    this.#waiters.set(entry.jobId, waiter());
    this.#changed();
    this.#pump();
    return this.get(entry.jobId)!;
  }

  /** Stops starting jobs and cancels the running one; waiting jobs stay in queue.json. */
  async close(): Promise<void> {
    this.#closed = true;
    OPEN_INSTANCES.delete(this.#me.instance!);
    const running = this.#running;
    running?.controller.abort();
    await running?.settled;
    await this.#writes;
  }

  /** Resolves once every write of queue.json so far has landed (tests, shutdown). */
  flushed(): Promise<void> {
    return this.#writes;
  }

  #changed(): void {
    this.emit.queue(this.list());
    void this.#persist();
  }

  /** Writes our entries into queue.json, keeping those of other live processes. */
  #persist(): Promise<void> {
    const write = () => this.#sync(true);
    // Serialised, and a failed write (disk full) does not stop later ones.
    this.#writes = this.#writes.then(write, write).catch(() => undefined);
    return this.#writes;
  }

  /**
   * Under the workspace lock: reads queue.json, adopts what ended processes left there (a CLI
   * killed while this app runs must not have its job silently dropped), and writes our entries
   * beside those of live processes — always when `force`, else only when something was adopted.
   */
  async #sync(force: boolean): Promise<void> {
    let adopted = false;
    await this.workspace.lock.withLock('queue update', async () => {
      const onDisk = await this.#readFile();
      adopted = await this.#adopt(onDisk);
      if (!force && !adopted) return;
      const foreign = onDisk.filter(
        (e) => ownedElsewhere(e, this.#me) && !this.#entries.some((m) => m.jobId === e.jobId),
      );
      await writeJsonAtomic(this.file, { schema: 1, jobs: [...foreign, ...this.#entries] });
    });
    if (adopted) this.emit.queue(this.list());
  }

  #pump(): void {
    if (this.#running || this.#closed) return;
    const next = this.#entries.find((e) => e.state === 'queued');
    if (!next) return;
    const executor = this.#executors.get(next.kind)!;
    const controller = new AbortController();
    // The slot is tried at once, so a job with nothing to wait for is `running` on return.
    let claim: SlotClaim | { error: unknown };
    try {
      claim = this.workspace.measureSlot.tryAcquire({ purpose: next.label, jobId: next.jobId });
    } catch (error) {
      claim = { error };
    }
    if ('hold' in claim) this.#started(next, claim.hold);
    const settled = this.#run(next, executor, controller, claim).then((outcome) => {
      this.#running = null;
      const w = this.#waiters.get(next.jobId);
      const withdrawn = !outcome.ok && outcome.withdrawn === true;
      if (withdrawn) {
        delete next.message;
        // Cancelled while waiting for the slot: it leaves the line, as any waiting job does. On
        // close it stays queued in queue.json, as the others waiting do (whichever queue opens or
        // writes next shows it interrupted).
        if (!this.#closed) this.#entries.splice(this.#entries.indexOf(next), 1);
      } else {
        this.#trim();
      }
      this.#changed();
      this.#pump();
      // Waiters hear last, so they see the queue (and queue.json's write) already moved on.
      if (outcome.ok) w?.resolve(outcome.value);
      else if (!(withdrawn && this.#closed)) w?.reject(outcome.error);
    });
    this.#running = { entry: next, controller, settled };
    this.#changed();
  }

  /** Marks a job running once it holds the measurement slot. */
  #started(entry: Entry, hold: SlotHold): void {
    entry.state = 'running';
    entry.startedAt = new Date().toISOString();
    if (hold.tookOver) {
      entry.message = takeoverMessage(hold.tookOver.from);
      // What the dead holder was writing (its staging folder) goes now, not at the next start.
      void this.workspace.sweep().catch(() => undefined);
    } else {
      delete entry.message;
    }
  }

  /** Waits for the measurement slot when another process holds it, runs the job, releases it. */
  async #run(
    entry: Entry,
    executor: { run: Executor; options: ExecutorOptions },
    controller: AbortController,
    claim: SlotClaim | { error: unknown },
  ): Promise<{ ok: true; value: unknown } | { ok: false; error: unknown; withdrawn?: boolean }> {
    let hold: SlotHold;
    if ('error' in claim) return this.#failed(entry, claim.error);
    if ('hold' in claim) {
      hold = claim.hold;
    } else {
      entry.message = waitingMessage(claim.busy);
      try {
        hold = await this.workspace.measureSlot.acquire(
          { purpose: entry.label, jobId: entry.jobId },
          {
            signal: controller.signal,
            onWait: (holder) => {
              const message = waitingMessage(holder);
              if (entry.message === message) return;
              entry.message = message;
              this.#changed();
            },
          },
        );
      } catch (error) {
        if (controller.signal.aborted || error instanceof CancelledError) {
          return { ok: false, error: new CancelledError(entry.label), withdrawn: true };
        }
        return this.#failed(entry, error);
      }
      this.#started(entry, hold);
      this.#changed();
    }
    try {
      return await this.#execute(entry, executor, controller);
    } finally {
      hold.release();
    }
  }

  /** The slot could not be taken (a read-only workspace, a full disk): the job fails. */
  #failed(entry: Entry, error: unknown): { ok: false; error: unknown } {
    const failure = systemError(error) ?? error;
    entry.state = 'failed';
    entry.message = userMessage(failure);
    entry.endedAt = new Date().toISOString();
    return { ok: false, error: failure };
  }

  async #execute(
    entry: Entry,
    executor: { run: Executor; options: ExecutorOptions },
    controller: AbortController,
  ): Promise<{ ok: true; value: unknown } | { ok: false; error: unknown }> {
    const started = performance.now();
    let lastSent = -Infinity;
    let done = 0;
    let total: number | null = null;
    let joules: number | null = null;
    const report = !executor.options.reportsProgress;
    const snapshot = (state: JobProgress['state'], message?: string): JobProgress => {
      const seconds = (performance.now() - started) / 1000;
      const rate = seconds > 0 ? done / seconds : 0;
      const eta = total !== null && rate > 0 ? Math.max(0, (total - done) / rate) : null;
      return {
        jobId: entry.jobId,
        kind: entry.kind,
        label: entry.label,
        done,
        total,
        unit: executor.options.unit,
        ratePerSecond: rate,
        etaSeconds: state === 'running' ? eta : 0,
        state,
        ...(message ? { message } : {}),
        joules,
        ...(entry.plannedRunId ? { runId: entry.plannedRunId } : {}),
      };
    };
    const context: MeasuredJobContext = {
      jobId: entry.jobId,
      runId: entry.plannedRunId,
      signal: controller.signal,
      progress: (value, totalValue, joulesValue) => {
        done = value;
        total = totalValue;
        if (joulesValue !== undefined) joules = joulesValue;
        const now = performance.now();
        if (report && (now - lastSent >= this.throttleMs || (total !== null && done >= total))) {
          lastSent = now;
          this.emit.progress(snapshot('running'));
        }
      },
    };
    if (report) this.emit.progress(snapshot('running'));
    try {
      const result = await executor.run(entry.payload, context);
      // A result that arrived is kept even if a cancel raced it: the run was already committed.
      entry.state = result.cancelled ? 'cancelled' : 'done';
      entry.runId = result.runId ?? null;
      if (result.message) entry.message = result.message;
      else delete entry.message;
      if (report) this.emit.progress(snapshot(result.cancelled ? 'cancelled' : 'done'));
      return { ok: true, value: result.value ?? { runId: entry.runId } };
    } catch (error) {
      const cancelled = controller.signal.aborted || error instanceof CancelledError;
      const failure = cancelled ? new CancelledError(entry.label) : error;
      const message = cancelled
        ? `${entry.label} was cancelled; nothing was saved.`
        : userMessage(error);
      entry.state = cancelled ? 'cancelled' : 'failed';
      entry.message = message;
      if (report) this.emit.progress(snapshot(cancelled ? 'cancelled' : 'failed', message));
      return { ok: false, error: failure };
    } finally {
      entry.endedAt = new Date().toISOString();
    }
  }

  /** Keeps the last few ended jobs; interrupted ones stay until restarted. */
  #trim(): void {
    const ended = this.#entries
      .filter((e) => e.state === 'done' || e.state === 'failed' || e.state === 'cancelled')
      .sort((a, b) => (b.endedAt ?? '').localeCompare(a.endedAt ?? ''));
    for (const old of ended.slice(KEEP_ENDED)) {
      this.#entries.splice(this.#entries.indexOf(old), 1);
      this.#waiters.delete(old.jobId);
    }
  }
}

/** A failure as the user sees it: service errors verbatim, anything else marked internal. */
function userMessage(error: unknown): string {
  if (error instanceof ServiceError) return error.message;
  const text = error instanceof Error ? error.message : String(error);
  return `Internal error: ${text}`;
}
