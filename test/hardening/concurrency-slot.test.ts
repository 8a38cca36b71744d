// The cross-process measurement slot and the shared state beside it, in one process: the slot's
// lock file is taken over from a dead holder, from an earlier process that had this pid, from a
// holder whose pid now belongs to another process, and from a holder killed while writing it (or a
// file that is no owner record) — never from a live holder or one on another machine, and never
// by removing a fresh lock another waiter created meanwhile; opening the workspace clears a dead
// holder's. Two measured queues on one workspace (as two processes have) run one
// job at a time: the second waits, queued, saying who it waits for, and can be cancelled while it
// waits. Regressions of the cross-process defects fixed with it: a killed process's queue entry
// dropped by a queue that was already open, a dataset split by two processes at once (one deleted
// the other's files), a built-in dataset installed twice (a second copy "<id>-2"), an export
// taken half-way through another process's write, and two reports written into one folder. A
// name imported twice (at once, or one after the other) gets a second id, and the CLI says so.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { createAppServices } from '../../main/app';
import { validatedApi } from '../../main/bridge/direct';
import { CancelledError } from '../../main/services/jobs/jobs';
import { processStartTime } from '../../main/services/process-alive';
import { MeasuredQueue } from '../../main/services/runs/queue';
import { scoreSavedRun } from '../../main/services/runs/scoring';
import { breakStaleLock, readLock, type LockOwner } from '../../main/services/workspace/lock';
import { WorkspaceLock } from '../../main/services/workspace/lock';
import {
  MEASURE_LOCK,
  MeasurementSlot,
  waitingMessage,
} from '../../main/services/workspace/measure-slot';
import { Workspace } from '../../main/services/workspace/workspace';
import type { QueuedJob } from '../../shared/api/types';
import { pathHost } from '../helpers/services';
import { tempDir } from '../helpers/temp';
import { importTinyDataset, runServices } from '../unit/runs/helpers';
import { evaluateCommand } from '../../main/cli/evaluate';
import { captureIO } from '../../main/cli/io';
import type { CliCommand } from '../../main/cli/io';
import { trainCommand } from '../../main/cli/train';
import { waitFor } from './crash-helpers';
import { cli } from './harness';

vi.setConfig({ testTimeout: 60_000 });

/** A pid no process has now (a process that ran and exited). */
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid!;

function owner(extra: Partial<LockOwner> = {}): LockOwner {
  return {
    pid: deadPid(),
    host: hostname(),
    purpose: 'Evaluate old on data/test',
    since: '2026-01-01T00:00:00.000Z',
    token: 'feedfacefeedface',
    ...extra,
  };
}

async function slotIn(): Promise<{ root: string; slot: MeasurementSlot }> {
  const root = await tempDir('ecoeval-slot-');
  return { root, slot: new MeasurementSlot(root, { pollMs: 20 }) };
}

const lockFile = (root: string) => join(root, MEASURE_LOCK);
const writeOwner = (root: string, o: LockOwner | string) =>
  writeFileSync(lockFile(root), typeof o === 'string' ? o : JSON.stringify(o));

/** One saved outputs-only run (4 segments, BLEU) in a fresh workspace; returns its id. */
async function evaluateTinyOutputs(services: Awaited<ReturnType<typeof runServices>>) {
  const dataset = await importTinyDataset(services, 'tiny', 4);
  const hyp = join(services.root, 'hyp.txt');
  await writeFile(hyp, 'a\nb\nc\nd\n');
  const [job] = await services.api.evaluate({
    systems: [{ type: 'outputs', name: 'hyp', hypotheses: { path: hyp } }],
    datasets: [{ dataset, split: 'test' }],
    metrics: ['bleu'],
    tags: [],
    force: false,
  });
  return ((await services.queue.wait(job.jobId)) as { runId: string }).runId;
}

describe('the measurement slot', () => {
  it('is held by one holder at a time, with who holds it on record, until released', async () => {
    const { root, slot } = await slotIn();
    const first = slot.tryAcquire({ purpose: 'Evaluate a', jobId: 'evaluate-aaaa' });
    expect('hold' in first).toBe(true);
    // Another slot object (another queue of this process) sees it held, and by whom.
    const other = new MeasurementSlot(root).tryAcquire({ purpose: 'Evaluate b' });
    expect(other).toEqual({
      busy: expect.objectContaining({
        pid: process.pid,
        host: hostname(),
        purpose: 'Evaluate a',
        jobId: 'evaluate-aaaa',
        started: processStartTime(process.pid) ?? undefined,
      }),
    });
    if ('hold' in first) first.hold.release();
    expect(existsSync(lockFile(root))).toBe(false);
    const again = slot.tryAcquire({ purpose: 'Evaluate b' });
    expect('hold' in again && again.hold.tookOver).toBe(null);
  });

  it('is taken over from a holder that died, saying from whom', async () => {
    const { root, slot } = await slotIn();
    const dead = owner();
    writeOwner(root, dead);
    const claim = slot.tryAcquire({ purpose: 'Evaluate new' });
    expect(claim).toEqual({ hold: expect.objectContaining({ tookOver: { from: dead } }) });
  });

  it('is taken over from an earlier process that had this pid (a restarted container)', async () => {
    const { root, slot } = await slotIn();
    writeOwner(root, owner({ pid: process.pid, token: 'notoneofours000' }));
    expect('hold' in slot.tryAcquire({ purpose: 'Evaluate new' })).toBe(true);
  });

  it('is taken over from a holder whose pid now belongs to a process started later', async (ctx) => {
    const started = processStartTime(process.ppid);
    if (started === null) return ctx.skip('process start times are read from /proc (Linux only)');
    const { root, slot } = await slotIn();
    // The parent is alive: with its real start time it is a live holder…
    writeOwner(root, owner({ pid: process.ppid, started }));
    expect(slot.tryAcquire({ purpose: 'Evaluate new' })).toEqual({
      busy: expect.objectContaining({ pid: process.ppid }),
    });
    // …with another one, the holder died and its pid was given to the parent.
    writeOwner(root, owner({ pid: process.ppid, started: String(Number(started) - 1) }));
    expect('hold' in slot.tryAcquire({ purpose: 'Evaluate new' })).toBe(true);
  });

  it('waits for a holder still writing its lock file, and takes over one killed doing so', async () => {
    const { root, slot } = await slotIn();
    writeOwner(root, '');
    expect(slot.tryAcquire({ purpose: 'Evaluate new' })).toEqual({ busy: null });
    const old = (Date.now() - 10_000) / 1000;
    utimesSync(lockFile(root), old, old);
    expect('hold' in slot.tryAcquire({ purpose: 'Evaluate new' })).toBe(true);
    // JSON that is no owner record (it once passed for a live holder on another machine, forever).
    writeOwner(root, '{}');
    utimesSync(lockFile(root), old, old);
    expect('hold' in new MeasurementSlot(root).tryAcquire({ purpose: 'Evaluate new' })).toBe(true);
  });

  it('is never taken from a holder on another machine; the message says what to do', async () => {
    const { root, slot } = await slotIn();
    const remote = owner({ host: 'other-machine.example', pid: 1 });
    writeOwner(root, remote);
    const claim = slot.tryAcquire({ purpose: 'Evaluate new' });
    expect(claim).toEqual({ busy: remote });
    expect(waitingMessage(remote)).toMatch(
      /Waiting for another EcoEval process: Evaluate old on data\/test \(pid 1 on other-machine\.example, since .*\) is measuring; this job starts when it ends\. .*delete \.measure\.lock/,
    );
  });

  it('never removes a fresh lock that another waiter took after the stale one was read', async () => {
    const { root } = await slotIn();
    writeOwner(root, owner());
    const seen = readLock(lockFile(root))!;
    // Another waiter broke the stale lock first and took the slot.
    expect(breakStaleLock(lockFile(root), seen)).toBe(true);
    const fresh = new MeasurementSlot(root).tryAcquire({ purpose: 'Evaluate fresh' });
    expect('hold' in fresh).toBe(true);
    // This waiter acts on what it read before: the fresh lock stays.
    expect(breakStaleLock(lockFile(root), seen)).toBe(false);
    expect(readLock(lockFile(root))!.owner!.purpose).toBe('Evaluate fresh');
  });

  it('is cleared when the workspace is opened after its holder died, kept while it lives', async () => {
    const { root } = await slotIn();
    writeOwner(root, owner());
    await Workspace.open(root);
    expect(existsSync(lockFile(root))).toBe(false);
    const live = new MeasurementSlot(root).tryAcquire({ purpose: 'Evaluate live' });
    await Workspace.open(root);
    expect(readLock(lockFile(root))!.owner!.purpose).toBe('Evaluate live');
    if ('hold' in live) live.hold.release();
  });

  it('waits without a limit, naming the holder, and gets the slot once it is released', async () => {
    const { root, slot } = await slotIn();
    const held = slot.tryAcquire({ purpose: 'Evaluate a' });
    if (!('hold' in held)) throw new Error('not held');
    const waits: (LockOwner | null)[] = [];
    const waiting = new MeasurementSlot(root, { pollMs: 20 }).acquire(
      { purpose: 'Evaluate b' },
      { onWait: (holder) => waits.push(holder) },
    );
    await new Promise((r) => setTimeout(r, 200));
    expect(waits.map((w) => w?.purpose)).toEqual(['Evaluate a']);
    held.hold.release();
    const hold = await waiting;
    expect(hold.owner.purpose).toBe('Evaluate b');
    hold.release();
  });

  it('stops waiting at once when cancelled, leaving the holder alone', async () => {
    const { root, slot } = await slotIn();
    const held = slot.tryAcquire({ purpose: 'Evaluate a' });
    const controller = new AbortController();
    const waiting = new MeasurementSlot(root, { pollMs: 60_000 }).acquire(
      { purpose: 'Evaluate b' },
      { signal: controller.signal },
    );
    await new Promise((r) => setTimeout(r, 50));
    const started = performance.now();
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(CancelledError);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(readLock(lockFile(root))!.owner!.purpose).toBe('Evaluate a');
    if ('hold' in held) held.hold.release();
  });
});

/** A measured queue whose `evaluate` jobs run until the test releases them by name. */
async function scriptedQueue(root: string) {
  const workspace = await Workspace.open(root);
  const changes: QueuedJob[][] = [];
  const queue = await MeasuredQueue.open(
    workspace,
    { queue: (jobs) => changes.push(jobs), progress: () => undefined },
    { throttleMs: 0 },
  );
  const release = new Map<string, () => void>();
  const started: string[] = [];
  queue.register(
    'evaluate',
    async (payload, context) => {
      const { name } = payload as { name: string };
      started.push(name);
      await new Promise<void>((resolve, reject) => {
        release.set(name, resolve);
        context.signal.addEventListener('abort', () => reject(new CancelledError(name)));
      });
      return { runId: null };
    },
    { unit: 'segments' },
  );
  const settle = async (name: string) => {
    for (let i = 0; i < 400 && !release.has(name); i++) await new Promise((r) => setTimeout(r, 5));
    release.get(name)!();
  };
  return { workspace, queue, changes, started, settle };
}

describe('two measured queues on one workspace (two processes)', () => {
  it('run one job at a time: the second waits queued, says for whom, then runs', async () => {
    const root = await tempDir('ecoeval-slot-queue-');
    const app = await scriptedQueue(root);
    const cli = await scriptedQueue(root);
    const a = app.queue.enqueue('evaluate', 'Evaluate a', { name: 'a' });
    expect(a.state).toBe('running');
    const b = cli.queue.enqueue('evaluate', 'Evaluate b', { name: 'b' });
    expect(b).toMatchObject({ state: 'queued', position: 1 });
    expect(b.message).toMatch(
      /^Waiting for another EcoEval process: Evaluate a \(pid \d+, since .*\) is measuring; this job starts when it ends\.$/,
    );
    // Pushed as queue:changed, and kept in queue.json beside the other queue's running job.
    expect(cli.changes.at(-1)!.find((j) => j.jobId === b.jobId)?.message).toBe(b.message);
    await cli.queue.flushed();
    await app.queue.flushed();
    const onDisk = JSON.parse(readFileSync(join(root, 'runs', 'queue.json'), 'utf8')) as {
      jobs: { jobId: string; state: string }[];
    };
    expect(onDisk.jobs.map((j) => [j.jobId, j.state]).sort()).toEqual(
      [
        [a.jobId, 'running'],
        [b.jobId, 'queued'],
      ].sort(),
    );
    expect(cli.started).toEqual([]);
    await app.settle('a');
    await app.queue.wait(a.jobId);
    await cli.settle('b');
    await cli.queue.wait(b.jobId);
    expect(cli.queue.get(b.jobId)).toMatchObject({ state: 'done' });
    expect(cli.queue.get(b.jobId)?.message).toBeUndefined();
    expect(existsSync(join(root, MEASURE_LOCK))).toBe(false);
    await app.queue.close();
    await cli.queue.close();
  });

  it('cancels a job while it waits: it leaves the line, the other job runs on', async () => {
    const root = await tempDir('ecoeval-slot-queue-');
    const app = await scriptedQueue(root);
    const cli = await scriptedQueue(root);
    const a = app.queue.enqueue('evaluate', 'Evaluate a', { name: 'a' });
    const b = cli.queue.enqueue('evaluate', 'Evaluate b', { name: 'b' });
    const c = cli.queue.enqueue('evaluate', 'Evaluate c', { name: 'c' });
    expect(cli.queue.cancel(b.jobId)).toBe(true);
    await expect(cli.queue.wait(b.jobId)).rejects.toBeInstanceOf(CancelledError);
    // The next one takes its place in line, and waits in turn.
    expect(cli.queue.list().map((j) => [j.label, j.state, j.position])).toEqual([
      ['Evaluate c', 'queued', 1],
    ]);
    expect(cli.queue.get(c.jobId)?.message).toMatch(/Waiting for another EcoEval process/);
    expect(app.queue.get(a.jobId)?.state).toBe('running');
    // Closing while it waits leaves it queued in queue.json, as the process's other waiting jobs:
    // the queue still open adopts it at its next write, as interrupted (restartable there).
    await cli.queue.close();
    await app.settle('a');
    await app.queue.wait(a.jobId);
    expect(cli.started).toEqual([]);
    await app.queue.flushed();
    expect(app.queue.get(c.jobId)).toMatchObject({ state: 'interrupted' });
    expect(app.queue.get(c.jobId)?.message).toMatch(/before this job started/);
    await app.queue.close();
  });

  it('keeps the job of a process killed while this queue is open (it was dropped)', async () => {
    const root = await tempDir('ecoeval-slot-queue-');
    const app = await scriptedQueue(root);
    // A CLI process wrote its running job, then was killed.
    const killed = deadPid();
    const { runsDir } = app.workspace;
    await app.queue.flushed();
    writeFileSync(
      join(runsDir, 'queue.json'),
      JSON.stringify({
        schema: 1,
        jobs: [
          {
            jobId: 'evaluate-0123456789ab',
            kind: 'evaluate',
            label: 'Evaluate cli',
            state: 'running',
            runId: null,
            plannedRunId: null,
            queuedAt: new Date().toISOString(),
            owner: { pid: killed, host: hostname(), instance: 'c1c1c1c1' },
            payload: { name: 'cli' },
          },
        ],
      }),
    );
    // The app writes queue.json for a job of its own: the killed process's job is adopted.
    const a = app.queue.enqueue('evaluate', 'Evaluate a', { name: 'a' });
    await app.queue.flushed();
    expect(app.queue.get('evaluate-0123456789ab')).toMatchObject({ state: 'interrupted' });
    expect(app.queue.get('evaluate-0123456789ab')?.message).toMatch(
      new RegExp(`process ${killed} ended\\); nothing was saved`),
    );
    const onDisk = JSON.parse(readFileSync(join(runsDir, 'queue.json'), 'utf8')) as {
      jobs: { jobId: string }[];
    };
    expect(onDisk.jobs.map((j) => j.jobId).sort()).toEqual(
      ['evaluate-0123456789ab', a.jobId].sort(),
    );
    await app.settle('a');
    await app.queue.wait(a.jobId);
    await app.queue.close();
  });
});

/** Holds the workspace lock (as another process mid-write would) until `release` is called. */
async function holdLock(root: string): Promise<{ release(): void; done: Promise<void> }> {
  let release!: () => void;
  let holding!: () => void;
  const held = new Promise<void>((r) => (holding = r));
  const done = new WorkspaceLock(root).withLock('test', async () => {
    holding();
    await new Promise<void>((r) => (release = r));
  });
  await held;
  return { release, done };
}

/** `ecoeval ARGV` in this process, with a Ctrl-C the test can press. */
function cliWithCtrlC(command: CliCommand, argv: string[], cwd: string, workspace: string) {
  const io = captureIO({ cwd, env: { ECOEVAL_WORKSPACE: workspace } });
  const controller = new AbortController();
  const code = command(argv, { ...io, signal: controller.signal });
  const said = (pattern: RegExp) =>
    waitFor(() => pattern.test(io.err()), `stderr to match ${pattern}`, 30_000, 10);
  return { io, code, said, ctrlC: () => controller.abort() };
}

describe('CLI commands waiting for another process measuring', () => {
  const waitLine = (what: string) =>
    new RegExp(
      `^Waiting for another EcoEval process: Evaluate in the app \\(pid ${process.pid}, since [^)]+\\) is measuring; ${what} starts when it ends\\.$`,
      'm',
    );

  it('ecoeval evaluate says so on one line, then proceeds once the slot is free', async () => {
    const s = await runServices();
    await importTinyDataset(s, 'tiny', 4);
    await writeFile(join(s.root, 'hyp.txt'), 'a\nb\nc\nd\n');
    const app = new MeasurementSlot(s.root).tryAcquire({ purpose: 'Evaluate in the app' });
    const argv = ['--outputs', 'hyp.txt', '--name', 'h', '--dataset', 'tiny', '--bootstrap', '0'];
    const run = cliWithCtrlC(evaluateCommand, argv, s.root, s.root);
    await run.said(waitLine('this job'));
    // It waits as long as the other process measures.
    await new Promise((r) => setTimeout(r, 500));
    expect((await s.api.listRuns()).runs).toEqual([]);
    if ('hold' in app) app.hold.release();
    expect(await run.code, run.io.err()).toBe(0);
    expect(run.io.err().match(/Waiting for/g)).toHaveLength(1);
    expect(run.io.err().indexOf('Evaluate h on tiny/test (queued, position 1)…')).toBeLessThan(
      run.io.err().indexOf('Waiting for'),
    );
    expect((await s.api.listRuns()).runs).toHaveLength(1);
    await s.queue.close();
  });

  it('Ctrl-C while ecoeval evaluate or ecoeval train waits cancels it: exit 130, nothing saved', async () => {
    const s = await runServices();
    await importTinyDataset(s, 'tiny', 4);
    await writeFile(join(s.root, 'hyp.txt'), 'a\nb\nc\nd\n');
    const app = new MeasurementSlot(s.root).tryAcquire({ purpose: 'Evaluate in the app' });
    const argv = ['--outputs', 'hyp.txt', '--name', 'h', '--dataset', 'tiny', '--bootstrap', '0'];
    const evaluation = cliWithCtrlC(evaluateCommand, argv, s.root, s.root);
    await evaluation.said(waitLine('this job'));
    evaluation.ctrlC();
    expect(await evaluation.code).toBe(130);
    expect(evaluation.io.err()).toMatch(/ecoeval evaluate: cancelled\.\n$/);

    const training = cliWithCtrlC(
      trainCommand,
      ['--dataset', 'tiny', '--preset', 'tiny', '--steps', '1'],
      s.root,
      s.root,
    );
    await training.said(waitLine('training'));
    training.ctrlC();
    expect(await training.code).toBe(130);
    expect(training.io.err()).toMatch(/cancelled while waiting; nothing was trained\.\n$/);

    expect((await s.api.listRuns()).runs).toEqual([]);
    expect(await s.api.listModels()).toEqual([]);
    // The other process's hold is untouched.
    expect(readLock(join(s.root, MEASURE_LOCK))!.owner!.purpose).toBe('Evaluate in the app');
    if ('hold' in app) app.hold.release();
    await s.queue.close();
  });
});

/** A second service graph on `root`, as another process has it. */
async function otherProcess(root: string, builtinDir: string) {
  const services = await createAppServices({
    workspaceDir: root,
    host: pathHost(root),
    builtinDir,
    evaluation: { energy: 'off' },
  });
  return { ...services, api: validatedApi(services.handlers) };
}

describe('shared workspace state written by two processes', () => {
  it('a dataset split by both at once: one split wins whole, the other is refused clearly', async () => {
    const first = await runServices();
    const id = await importTinyDataset(first, 'split me', 60);
    const second = await otherProcess(first.root, join(first.root, 'no-builtins'));
    // Both write their split files, then meet at the commit (the workspace lock, held here).
    const blocker = await holdLock(first.root);
    const request = {
      dataset: id,
      from: 'test',
      seed: 1,
      ratios: { train: 0.8, valid: 0.1, test: 0.1 },
    };
    const results = [
      first.api.splitDataset({ ...request, seed: 1 }).catch((e: unknown) => e as Error),
      second.api.splitDataset({ ...request, seed: 2 }).catch((e: unknown) => e as Error),
    ];
    const staged = async () =>
      (await readdir(join(first.root, '.staging'))).filter((d) => d.includes('-split-'));
    for (let i = 0; i < 500 && (await staged()).length < 2; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(await staged()).toHaveLength(2);
    await new Promise((r) => setTimeout(r, 100));
    blocker.release();
    await blocker.done;
    const [a, b] = await Promise.all(results);
    const failures = [a, b].filter((r) => r instanceof Error);
    expect(failures).toHaveLength(1);
    expect(failures[0].message).toMatch(
      /was changed by another EcoEval process while it was being split.*nothing was changed by this split/,
    );
    // The winner's splits load, every row of them.
    const manifest = await first.api.getDataset(id);
    expect(manifest.splits.map((s) => s.name).sort()).toEqual(['test', 'train', 'valid']);
    for (const s of manifest.splits) {
      const page = await first.api.previewDataset({
        dataset: id,
        split: s.name,
        offset: 0,
        limit: 100,
      });
      expect(page.total).toBe(s.rows);
    }
    expect(await staged()).toEqual([]);
    await first.queue.close();
    await second.queue.close();
  });

  it('a built-in dataset installed by both at once is installed once (no "<id>-2")', async () => {
    const builtins = await tempDir('ecoeval-builtins-');
    const card = join(builtins, 'mini');
    mkdirSync(card);
    await writeFile(join(card, 'test.src'), 'a b\nc d\n');
    await writeFile(join(card, 'test.ref'), 'b a\nd c\n');
    await writeFile(
      join(card, 'dataset.json'),
      JSON.stringify({
        schema: 1,
        id: 'mini',
        name: 'Mini',
        kind: 'translation',
        description: 'Two pairs.',
        format: 'text',
        splits: { test: { source: 'test.src', references: ['test.ref'] } },
        license: 'CC0-1.0',
      }),
    );
    const root = await tempDir('ecoeval-builtin-race-');
    const one = await otherProcess(root, builtins);
    const two = await otherProcess(root, builtins);
    // Both find it missing and stage a copy, then meet at the commit (the lock, held here).
    const blocker = await holdLock(root);
    const installs = Promise.all([
      one.api.installBuiltinDatasets(['mini']),
      two.api.installBuiltinDatasets(['mini']),
    ]);
    for (let i = 0; i < 500 && (await readdir(join(root, '.staging'))).length < 2; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(await readdir(join(root, '.staging'))).toHaveLength(2);
    blocker.release();
    await blocker.done;
    await installs;
    expect((await one.api.listDatasets()).datasets.map((d) => d.id)).toEqual(['mini']);
    expect(await readdir(join(root, '.staging'))).toEqual([]);
    await one.queue.close();
    await two.queue.close();
  });

  it('a name imported twice gets a second id, and the CLI says which one to use', async () => {
    const root = await tempDir('ecoeval-names-');
    const cwd = await tempDir('ecoeval-names-files-');
    await writeFile(join(cwd, 'a.src'), 'a b\n');
    await writeFile(join(cwd, 'a.ref'), 'b a\n');
    const argv = [
      'datasets',
      'import',
      'a.src',
      'a.ref',
      '--name',
      'News',
      '--kind',
      'translation',
    ];
    const first = await cli(argv, { cwd, workspace: root });
    expect(first.out).toMatch(/^Imported 1 rows as "news"\.$/m);
    const second = await cli(argv, { cwd, workspace: root });
    expect(second.code, second.err).toBe(0);
    expect(second.out).toMatch(
      /^Imported 1 rows as "news-2" \("news" is another dataset's id; use "news-2" for this one\)\.$/m,
    );
  });

  it('an export waits for another process writing the run, never mixing its files', async () => {
    const first = await runServices();
    const runId = await evaluateTinyOutputs(first);
    const dir = join(first.root, 'runs', runId);
    // Another process is saving scores: segments.json written, run.json not yet (its commit).
    const other = new WorkspaceLock(first.root);
    let commit!: () => void;
    let holding!: () => void;
    const held = new Promise<void>((r) => (holding = r));
    const writing = other.withLock('saving scores', async () => {
      writeFileSync(join(dir, 'segments.json'), '[{"name":"bleu","values":[1,2,3,4]}]\n');
      holding();
      await new Promise<void>((r) => (commit = r));
      const record = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as object;
      writeFileSync(join(dir, 'run.json'), JSON.stringify({ ...record, state: 'complete' }));
    });
    await held;
    const out = join(first.root, 'exported');
    const exported = first.api.exportRun({ run: runId, directory: out });
    await new Promise((r) => setTimeout(r, 200));
    commit();
    await writing;
    await exported;
    const record = JSON.parse(readFileSync(join(out, `${runId}.run.json`), 'utf8')) as {
      state: string;
    };
    expect(record.state).toBe('complete');
    expect(readFileSync(join(out, `${runId}.segments.json`), 'utf8')).toContain('"bleu"');
    await first.queue.close();
  });

  it('a report folder another live process is writing is refused at once', async () => {
    const first = await runServices();
    const runId = await evaluateTinyOutputs(first);
    await scoreSavedRun(first.runs, runId, { bootstrap: 0 });
    await first.queue.close();
    const cwd = await tempDir('ecoeval-report-lock-');
    const out = join(cwd, 'report');
    mkdirSync(out);
    const started = processStartTime(process.ppid);
    writeFileSync(
      join(out, '.report.lock'),
      JSON.stringify(
        owner({
          pid: process.ppid,
          purpose: 'report run of plan.yaml',
          ...(started ? { started } : {}),
        }),
      ),
    );
    const refused = await cli(['report', 'render', '--all', '--out', out], {
      cwd,
      workspace: first.root,
    });
    expect(refused.code, refused.err).toBe(1);
    expect(refused.err).toMatch(
      new RegExp(
        `is being written by another EcoEval process: report run of plan\\.yaml \\(pid ${process.ppid}, since .*\\)\\. Wait for it to finish, or choose another --out folder\\.`,
      ),
    );
    expect(existsSync(join(out, 'report.html'))).toBe(false);
    // Once that process is gone, its lock is taken over and the report written.
    writeFileSync(join(out, '.report.lock'), JSON.stringify(owner()));
    const written = await cli(['report', 'render', '--all', '--out', out], {
      cwd,
      workspace: first.root,
    });
    expect(written.code, written.err).toBe(0);
    expect(existsSync(join(out, 'report.html'))).toBe(true);
    expect(existsSync(join(out, '.report.lock'))).toBe(false);
  });
});
