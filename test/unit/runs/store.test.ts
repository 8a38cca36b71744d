// The run store on real folders: a run appears only complete (staged, then one rename); an
// evaluation whose child process is killed, or that is cancelled, leaves no run and no staging
// folder; a staging folder of a dead process is swept at open; broken run.json files are
// reported and never touched; rename, tag, export and delete.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../../main/services/workspace/workspace';
import type { RunRecord } from '../../../shared/api/types';
import { addTinyModel, eventWhere, importTinyDataset, runServices } from './helpers';
import type { RunServices } from './helpers';

let s: RunServices;
let dataset: string;
let killNext = false;
let cancelNext = false;

beforeAll(async () => {
  s = await runServices({
    onEvaluatorSpawn: (pid) => {
      if (cancelNext) {
        cancelNext = false;
        // The child is running: cancel reaches it as a message, and it stops between batches.
        const running = s.queue.list().find((j) => j.state === 'running')!;
        setTimeout(() => void s.api.cancelJob(running.jobId), 300);
      }
      if (!killNext) return;
      killNext = false;
      // Mid-way: the run's staging folder exists and the child is starting its work.
      const staged = readdirSync(join(s.root, '.staging'));
      expect(staged.some((f) => f.includes('-run-'))).toBe(true);
      setTimeout(() => process.kill(pid, 'SIGKILL'), 300);
    },
  });
  dataset = await importTinyDataset(s);
  await addTinyModel(s.root);
});
afterAll(() => s.queue.close());

const runFolders = () =>
  readdirSync(join(s.root, 'runs')).filter((f) => !f.endsWith('.json') && !f.startsWith('.'));
const MODEL = { type: 'model' as const, model: 'tiny', batchSize: 4 };

describe('run folders appear only complete', () => {
  it('leaves no run when the evaluation process is killed mid-way', async () => {
    killNext = true;
    const [job] = await s.api.evaluate({
      systems: [MODEL],
      datasets: [{ dataset }],
      metrics: ['bleu'],
    });
    await expect(s.queue.wait(job.jobId)).rejects.toThrow(
      /stopped \(SIGKILL\) before it finished; nothing was saved/,
    );
    expect(s.queue.get(job.jobId)).toMatchObject({ state: 'failed', runId: null });
    expect(runFolders()).toEqual([]);
    expect(readdirSync(join(s.root, '.staging'))).toEqual([]);
  });

  it('leaves no run when the job is cancelled while its child process runs', async () => {
    cancelNext = true;
    const [job] = await s.api.evaluate({
      systems: [MODEL],
      datasets: [{ dataset }],
      metrics: ['bleu'],
    });
    await expect(s.queue.wait(job.jobId)).rejects.toThrow(/cancelled/);
    expect(s.queue.get(job.jobId)).toMatchObject({ state: 'cancelled', runId: null });
    expect(runFolders()).toEqual([]);
    expect(readdirSync(join(s.root, '.staging'))).toEqual([]);
  });

  it('leaves no run when the job is cancelled as it starts', async () => {
    const [job] = await s.api.evaluate({
      systems: [MODEL],
      datasets: [{ dataset }],
      metrics: ['bleu'],
    });
    await eventWhere(
      s,
      (e) =>
        e.event === 'job:progress' &&
        e.payload.jobId === job.jobId &&
        e.payload.state === 'running',
    );
    expect(await s.api.cancelJob(job.jobId)).toEqual({ cancelled: true });
    await expect(s.queue.wait(job.jobId)).rejects.toThrow(/cancelled/);
    expect((await s.api.listJobs()).find((j) => j.jobId === job.jobId)?.state).toBe('cancelled');
    expect(runFolders()).toEqual([]);
    expect(readdirSync(join(s.root, '.staging'))).toEqual([]);
  });

  it('stages into a folder of its own and commits with one rename', async () => {
    const staged = await s.runs.stage();
    writeFileSync(join(staged.dir, 'outputs.txt'), 'a\n');
    expect(runFolders()).toEqual([]);
    await staged.abort();
    expect(existsSync(staged.dir)).toBe(false);
  });

  it('sweeps the staging folder a dead process left, at open', async () => {
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    const leftover = join(s.root, '.staging', `${dead}-run-abcdef123456`);
    mkdirSync(leftover, { recursive: true });
    writeFileSync(join(leftover, 'outputs.txt'), 'half\n');
    await Workspace.open(s.root);
    expect(existsSync(leftover)).toBe(false);
    expect((await s.api.listRuns()).runs).toEqual([]);
  });
});

describe('a saved run', () => {
  let run: RunRecord;
  beforeAll(async () => {
    const [job] = await s.api.evaluate({
      systems: [MODEL],
      datasets: [{ dataset }],
      metrics: ['bleu'],
      tags: ['first'],
    });
    const { runId } = (await s.queue.wait(job.jobId)) as { runId: string };
    run = await s.api.getRun(runId);
  });

  it('is renamed and tagged through run.json, atomically', async () => {
    const renamed = await s.api.renameRun({ run: run.id, name: '  Baseline  ' });
    expect(renamed.name).toBe('Baseline');
    const tagged = await s.api.tagRun({ run: run.id, tags: ['b', 'a', 'b'] });
    expect(tagged.tags).toEqual(['b', 'a']);
    const onDisk = JSON.parse(readFileSync(join(s.root, 'runs', run.id, 'run.json'), 'utf8'));
    expect(onDisk).toMatchObject({ name: 'Baseline', tags: ['b', 'a'] });
    expect(readdirSync(join(s.root, 'runs', run.id)).filter((f) => f.startsWith('.tmp-'))).toEqual(
      [],
    );
    const changed = s.events.filter((e) => e.event === 'runs:changed' && e.payload.run === run.id);
    expect(changed.map((e) => e.event === 'runs:changed' && e.payload.reason)).toEqual([
      'created',
      'renamed',
      'tagged',
    ]);
  });

  it('is exported as flat files named by the run', async () => {
    const { files } = await s.api.exportRun({ run: run.id, directory: join(s.root, 'out') });
    expect(files.map((f) => f.slice(f.lastIndexOf('/') + 1)).sort()).toEqual(
      [`${run.id}.outputs.txt`, `${run.id}.run.json`, `${run.id}.segments.json`].sort(),
    );
    expect(JSON.parse(readFileSync(join(s.root, 'out', `${run.id}.run.json`), 'utf8')).id).toBe(
      run.id,
    );
  });

  it('lists broken run.json files without touching them, next to the good runs', async () => {
    const bad = join(s.root, 'runs', '20200101-000000-bad-json-000001');
    const wrong = join(s.root, 'runs', '20200101-000000-wrong-schema-000002');
    mkdirSync(bad);
    mkdirSync(wrong);
    writeFileSync(join(bad, 'run.json'), '{ "schema": 1, ');
    writeFileSync(join(wrong, 'run.json'), JSON.stringify({ ...run, schema: 2, id: 'x' }));
    const { runs, broken } = await s.api.listRuns();
    expect(runs.map((r) => r.id)).toEqual([run.id]);
    expect(runs[0]).not.toHaveProperty('provenance.settings');
    expect(broken).toEqual([
      {
        folder: '20200101-000000-bad-json-000001',
        problem: expect.stringMatching(/run\.json is not valid JSON .*will not overwrite it/),
      },
      {
        folder: '20200101-000000-wrong-schema-000002',
        problem: expect.stringMatching(/does not match schema 1 \(schema: /),
      },
    ]);
    await expect(s.api.getRun('20200101-000000-bad-json-000001')).rejects.toThrow(/not valid JSON/);
    expect(readFileSync(join(bad, 'run.json'), 'utf8')).toBe('{ "schema": 1, ');
  });

  it('is deleted only with confirm, and then completely', async () => {
    await expect(s.api.deleteRun({ run: run.id } as never)).rejects.toThrow(/confirm/);
    expect(await s.api.deleteRun({ run: run.id, confirm: true })).toEqual({ deleted: run.id });
    expect(existsSync(join(s.root, 'runs', run.id))).toBe(false);
    await expect(s.api.getRun(run.id)).rejects.toThrow(/No run with id/);
    // Nothing half-written is left once the queue's last write has landed.
    await s.queue.flushed();
    expect(readdirSync(join(s.root, 'runs')).filter((f) => f.startsWith('.'))).toEqual([]);
  });
});
