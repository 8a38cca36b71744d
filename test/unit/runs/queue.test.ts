// The measured queue with a scripted executor: one job at a time in order, positions, events,
// cancelling a waiting and a running job, queue.json kept up to date, jobs a previous process
// left behind coming back as interrupted (and restarted with the same settings), a live
// process's jobs left alone, and a damaged queue.json moved aside.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CancelledError } from '../../../main/services/jobs/jobs';
import { MeasuredQueue } from '../../../main/services/runs/queue';
import type { MeasuredJobContext } from '../../../main/services/runs/queue';
import { Workspace } from '../../../main/services/workspace/workspace';
import type { JobProgress, QueuedJob } from '../../../shared/api/types';
import { tempDir } from '../../helpers/temp';

interface Script {
  started: string[];
  running: number;
  most: number;
  release: Map<string, () => void>;
}

/** A queue whose `evaluate` executor waits until the test releases each job by name. */
async function scriptedQueue(root?: string) {
  const workspace = await Workspace.open(root ?? (await tempDir('ecoeval-queue-')));
  const changes: QueuedJob[][] = [];
  const progress: JobProgress[] = [];
  const queue = await MeasuredQueue.open(
    workspace,
    { queue: (jobs) => changes.push(jobs), progress: (p) => progress.push(p) },
    { throttleMs: 0 },
  );
  const script: Script = { started: [], running: 0, most: 0, release: new Map() };
  const contexts = new Map<string, MeasuredJobContext>();
  queue.register(
    'evaluate',
    async (payload, context) => {
      const { name } = payload as { name: string };
      contexts.set(name, context);
      script.started.push(name);
      script.running++;
      script.most = Math.max(script.most, script.running);
      try {
        await new Promise<void>((resolve, reject) => {
          script.release.set(name, resolve);
          context.signal.addEventListener('abort', () => reject(new CancelledError(name)));
        });
        context.progress(3, 3, 1.5);
        return { runId: context.runId };
      } finally {
        script.running--;
      }
    },
    { unit: 'segments', planRunId: (p) => `run-${(p as { name: string }).name}` },
  );
  const settle = async (name: string) => {
    for (let i = 0; i < 200 && !script.release.has(name); i++)
      await new Promise((r) => setTimeout(r, 5));
    script.release.get(name)!();
  };
  return { workspace, queue, changes, progress, script, contexts, settle };
}

function fileJobs(
  workspace: Workspace,
): { jobId: string; state: string; owner?: { pid: number } }[] {
  return JSON.parse(readFileSync(join(workspace.runsDir, 'queue.json'), 'utf8')).jobs;
}

describe('the measured queue', () => {
  it('runs one job at a time, in order, with positions 0, 1, 2…', async () => {
    const { queue, changes, progress, script, settle } = await scriptedQueue();
    const a = queue.enqueue('evaluate', 'A', { name: 'a' });
    const b = queue.enqueue('evaluate', 'B', { name: 'b' });
    const c = queue.enqueue('evaluate', 'C', { name: 'c' });
    expect([a.state, a.position]).toEqual(['running', 0]);
    expect(queue.list().map((j) => [j.label, j.state, j.position])).toEqual([
      ['A', 'running', 0],
      ['B', 'queued', 1],
      ['C', 'queued', 2],
    ]);
    expect(changes.length).toBeGreaterThanOrEqual(3);
    expect(changes.at(-1)!.map((j) => j.label)).toEqual(['A', 'B', 'C']);

    await settle('a');
    expect(await queue.wait(a.jobId)).toEqual({ runId: 'run-a' });
    expect(queue.list().map((j) => [j.label, j.state, j.position])).toEqual([
      ['B', 'running', 0],
      ['C', 'queued', 1],
      ['A', 'done', null],
    ]);
    await settle('b');
    await settle('c');
    await Promise.all([queue.wait(b.jobId), queue.wait(c.jobId)]);
    expect(script.started).toEqual(['a', 'b', 'c']);
    expect(script.most).toBe(1);
    expect(queue.get(c.jobId)).toMatchObject({ state: 'done', runId: 'run-c', position: null });

    // Progress of the running job: kind, units, joules so far and the run it writes.
    const last = progress.filter((p) => p.jobId === a.jobId).at(-1)!;
    expect(last).toMatchObject({
      kind: 'evaluate',
      state: 'done',
      done: 3,
      total: 3,
      unit: 'segments',
      joules: 1.5,
      runId: 'run-a',
    });
    await queue.close();
  });

  it('cancels a waiting job (it leaves the line) and the running one (it stops)', async () => {
    const { queue, script } = await scriptedQueue();
    const a = queue.enqueue('evaluate', 'A', { name: 'a' });
    const b = queue.enqueue('evaluate', 'B', { name: 'b' });
    const c = queue.enqueue('evaluate', 'C', { name: 'c' });
    expect(queue.cancel(b.jobId)).toBe(true);
    await expect(queue.wait(b.jobId)).rejects.toBeInstanceOf(CancelledError);
    expect(queue.list().map((j) => j.label)).toEqual(['A', 'C']);
    expect(queue.get(c.jobId)?.position).toBe(1);

    expect(queue.cancel(a.jobId)).toBe(true);
    await expect(queue.wait(a.jobId)).rejects.toBeInstanceOf(CancelledError);
    expect(queue.get(a.jobId)).toMatchObject({ state: 'cancelled', position: null });
    expect(queue.get(a.jobId)?.message).toMatch(/cancelled; nothing was saved/);
    // The next one starts; a job that has ended cannot be cancelled again.
    expect(queue.get(c.jobId)).toMatchObject({ state: 'running', position: 0 });
    expect(queue.cancel(a.jobId)).toBe(false);
    expect(queue.cancel('evaluate-000000000000')).toBe(false);
    expect(script.started).toEqual(['a', 'c']);
    await queue.close();
  });

  it('keeps queue.json up to date, written atomically', async () => {
    const { workspace, queue, settle } = await scriptedQueue();
    const a = queue.enqueue('evaluate', 'A', { name: 'a' });
    queue.enqueue('evaluate', 'B', { name: 'b' });
    await queue.flushed();
    expect(fileJobs(workspace).map((j) => [j.jobId === a.jobId, j.state, j.owner?.pid])).toEqual([
      [true, 'running', process.pid],
      [false, 'queued', process.pid],
    ]);
    // A second queue on the workspace in this process leaves the open one's jobs alone.
    const other = await MeasuredQueue.open(workspace, { queue: () => {}, progress: () => {} });
    expect(other.list()).toEqual([]);
    await other.close();
    await settle('a');
    await queue.wait(a.jobId);
    await queue.flushed();
    expect(fileJobs(workspace).find((j) => j.jobId === a.jobId)?.state).toBe('done');
    expect(readdirSync(workspace.runsDir).filter((f) => f.startsWith('.tmp-'))).toEqual([]);
    await queue.close();
  });

  it('shows what a previous process left queued or running as interrupted, and restarts it', async () => {
    const root = await tempDir('ecoeval-queue-');
    const workspace = await Workspace.open(root);
    // A process that has exited: its pid is free.
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    const live = { pid: process.ppid, host: hostname() };
    const entry = (jobId: string, state: string, owner: object, name: string) => ({
      jobId,
      kind: 'evaluate',
      label: `Job ${name}`,
      state,
      runId: state === 'done' ? 'run-old' : null,
      plannedRunId: `run-${name}`,
      queuedAt: '2026-01-01T00:00:00.000Z',
      owner,
      payload: { name },
    });
    const me = { pid: dead, host: hostname() };
    writeFileSync(
      join(workspace.runsDir, 'queue.json'),
      JSON.stringify({
        schema: 1,
        jobs: [
          entry('evaluate-aaaaaaaaaaaa', 'running', me, 'a'),
          entry('evaluate-bbbbbbbbbbbb', 'queued', me, 'b'),
          entry('evaluate-cccccccccccc', 'done', me, 'c'),
          entry('evaluate-dddddddddddd', 'running', live, 'd'),
        ],
      }),
    );
    const { queue, script, settle } = await scriptedQueue(root);
    const jobs = queue.list();
    expect(jobs.map((j) => [j.jobId, j.state, j.position])).toEqual([
      ['evaluate-aaaaaaaaaaaa', 'interrupted', null],
      ['evaluate-bbbbbbbbbbbb', 'interrupted', null],
      ['evaluate-cccccccccccc', 'done', null],
    ]);
    expect(jobs[0].message).toMatch(/stopped before this job finished .*Restart it/);
    expect(jobs[1].message).toMatch(/stopped before this job started/);
    expect(script.started).toEqual([]);
    await queue.flushed();
    // The live process's job is left to it, in the file too.
    expect(fileJobs(workspace).find((j) => j.jobId === 'evaluate-dddddddddddd')?.state).toBe(
      'running',
    );

    const restarted = queue.restart('evaluate-bbbbbbbbbbbb');
    expect(restarted).toMatchObject({ state: 'running', position: 0 });
    expect(() => queue.restart('evaluate-bbbbbbbbbbbb')).toThrow(/already running/);
    expect(() => queue.restart('evaluate-cccccccccccc')).toThrow(/finished/);
    await settle('b');
    expect(await queue.wait('evaluate-bbbbbbbbbbbb')).toEqual({ runId: 'run-b' });
    expect(script.started).toEqual(['b']);
    await queue.close();
  });

  it('moves a damaged queue.json aside and starts empty', async () => {
    const root = await tempDir('ecoeval-queue-');
    const workspace = await Workspace.open(root);
    writeFileSync(join(workspace.runsDir, 'queue.json'), '{"schema": 1, "jobs": [');
    const { queue } = await scriptedQueue(root);
    expect(queue.list()).toEqual([]);
    const aside = readdirSync(workspace.runsDir).filter((f) => f.startsWith('queue.broken-'));
    expect(aside).toHaveLength(1);
    expect(existsSync(join(workspace.runsDir, 'queue.json'))).toBe(false);
    await queue.close();
  });
});
