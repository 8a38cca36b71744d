// `ecoeval evaluate` (the built CLI, a model run in the evaluator child process) killed with
// SIGKILL mid-evaluation (the whole process group, and the evaluator child alone), at the run's
// commit rename holding the workspace lock, and just after that commit; then the workspace is
// reopened the way the app opens it. A killed evaluation leaves no partial run; the queue shows
// the job interrupted (or failed, when the CLI lived to record it) and it can be restarted; a run
// that was committed before the kill is whole and the queue says so instead of "nothing saved".
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { TINY_SEQ2SEQ, writeFixtureCheckpoint } from '../fixtures/model/checkpoints';
import {
  childrenOf,
  crashSupported,
  ensureBuilt,
  entries,
  leftovers,
  openApp,
  runCli,
  scratch,
  spawnCli,
  waitFor,
} from './crash-helpers';

// Real processes on a shared 2-core machine: allow well over the default 5 s per test.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const ROWS = 250;
let dir: string;
let base: string;
const opened: { queue: { close(): Promise<void> } }[] = [];

const evaluateArgs = (ws: string, batch = 1) => [
  'evaluate',
  '--model',
  'tiny',
  '--dataset',
  'tiny',
  '--metrics',
  'bleu',
  '--bootstrap',
  '0',
  '--batch',
  String(batch),
  '--workspace',
  ws,
];

/** A copy of the prepared workspace (a model and a dataset). */
function workspace(name: string): string {
  const ws = join(dir, name);
  cpSync(base, ws, { recursive: true });
  return ws;
}

const runFolders = (ws: string) =>
  entries(join(ws, 'runs')).filter((f) => !f.endsWith('.json') && !f.startsWith('.'));

/** The queue entries as queue.json holds them. */
function queueFile(ws: string): { jobId: string; state: string; owner?: { pid: number } }[] {
  const path = join(ws, 'runs', 'queue.json');
  if (!existsSync(path)) return [];
  return (JSON.parse(readFileSync(path, 'utf8')) as { jobs: never[] }).jobs;
}

async function reopen(ws: string) {
  const app = await openApp(ws);
  opened.push(app);
  return app;
}

const describeCrash = crashSupported ? describe : describe.skip;

beforeAll(async () => {
  await ensureBuilt();
  dir = await scratch('evaluate');
  base = join(dir, 'base');
  await writeFixtureCheckpoint(join(base, 'models', 'tiny'), TINY_SEQ2SEQ, 7);
  const sources: string[] = [];
  const references: string[] = [];
  for (let i = 0; i < ROWS; i++) {
    const words = Array.from({ length: 2 + (i % 5) }, (_, j) => `w${(i * 7 + j * 3) % 56}`);
    sources.push(words.join(' '));
    references.push([...words].reverse().join(' '));
  }
  await writeFile(join(dir, 'tiny.src'), sources.join('\n') + '\n');
  await writeFile(join(dir, 'tiny.ref'), references.join('\n') + '\n');
  const imported = await runCli(
    [
      'datasets',
      'import',
      'tiny.src',
      'tiny.ref',
      '--name',
      'tiny',
      '--kind',
      'translation',
      '--workspace',
      base,
    ],
    { cwd: dir },
  );
  expect(imported.code, imported.stderr).toBe(0);
}, 120_000);

afterEach(async () => {
  for (const app of opened.splice(0)) await app.queue.close();
});

describeCrash('an evaluation killed with SIGKILL', () => {
  it('mid-evaluation (CLI and evaluator): no partial run; the app shows the job interrupted and restarts it', async () => {
    const ws = workspace('ws-mid');
    const cli = spawnCli(evaluateArgs(ws), { cwd: dir });
    await waitFor(
      () => / [1-9]\d* of \d+ segments/.test(cli.stderr),
      'segments to be evaluated',
      60_000,
      20,
      cli,
    );
    const evaluator = childrenOf(cli.pid);
    expect(evaluator.length).toBeGreaterThan(0);
    expect(queueFile(ws)).toEqual([
      expect.objectContaining({
        state: 'running',
        owner: expect.objectContaining({ pid: cli.pid }),
      }),
    ]);
    expect(entries(join(ws, '.staging')).some((f) => f.startsWith(`${cli.pid}-run-`))).toBe(true);
    await cli.killGroup();

    const app = await reopen(ws);
    const [job] = await app.api.listJobs();
    expect(job).toMatchObject({ kind: 'evaluate', state: 'interrupted', runId: null });
    expect(job.message).toMatch(new RegExp(`process ${cli.pid} ended\\); nothing was saved`));
    expect(await app.api.listRuns()).toEqual({ runs: [], broken: [] });
    expect(leftovers(ws)).toEqual([]);
    // The same settings run again to completion.
    const restarted = await app.api.restartJob(job.jobId);
    const { runId } = (await app.queue.wait(restarted.jobId)) as { runId: string };
    expect(runFolders(ws)).toEqual([runId]);
    await app.queue.flushed();
    expect(leftovers(ws)).toEqual([]);
  });

  it('the evaluator child alone: the CLI reports it, saves nothing, and records the job failed', async () => {
    const ws = workspace('ws-child');
    const cli = spawnCli(evaluateArgs(ws), { cwd: dir });
    await waitFor(
      () => / [1-9]\d* of \d+ segments/.test(cli.stderr),
      'segments to be evaluated',
      60_000,
      20,
      cli,
    );
    const [evaluator] = childrenOf(cli.pid);
    process.kill(evaluator, 'SIGKILL');
    const { code } = await cli.exited;
    expect(code).not.toBe(0);
    expect(cli.stderr).toMatch(/stopped \(SIGKILL\) before it finished; nothing was saved/);
    expect(cli.stderr).not.toMatch(/internal error:/i);
    expect(runFolders(ws)).toEqual([]);
    expect(leftovers(ws)).toEqual([]);
    const app = await reopen(ws);
    expect((await app.api.listJobs()).map((j) => j.state)).toEqual(['failed']);
  });

  it('at the run commit, holding the lock: no run, the lock recovered, the job interrupted', async () => {
    const ws = workspace('ws-commit');
    const cli = spawnCli(evaluateArgs(ws, 64), {
      cwd: dir,
      crashAt: { op: 'rename', match: '/runs/\\d{8}-\\d{6}-[^/]+$' },
    });
    await cli.untilPaused();
    expect(JSON.parse(readFileSync(join(ws, '.lock'), 'utf8'))).toMatchObject({ pid: cli.pid });
    await cli.killGroup();
    const started = performance.now();
    const app = await reopen(ws);
    expect((performance.now() - started) / 1000).toBeLessThan(10);
    expect((await app.api.listJobs()).map((j) => j.state)).toEqual(['interrupted']);
    expect(await app.api.listRuns()).toEqual({ runs: [], broken: [] });
    expect(leftovers(ws)).toEqual([]);
  });

  it('just after the run commit: the run is whole, and the queue does not claim nothing was saved', async () => {
    const ws = workspace('ws-committed');
    const cli = spawnCli(evaluateArgs(ws, 64), {
      cwd: dir,
      crashAt: { op: 'rename-after', match: '/runs/\\d{8}-\\d{6}-[^/]+$' },
    });
    const paused = await cli.untilPaused();
    await cli.killGroup();
    const app = await reopen(ws);
    const { runs, broken } = await app.api.listRuns();
    expect(broken).toEqual([]);
    expect(runs.map((r) => r.id)).toEqual([paused.path.split('/').pop()]);
    // Saved with its outputs; the app scores runs awaiting scores.
    const outputs = await app.api.getRunOutputs(runs[0].id);
    expect(outputs.hypotheses).toHaveLength(ROWS);
    const [job] = await app.api.listJobs();
    expect(job).toMatchObject({ state: 'done', runId: runs[0].id });
    expect(job.message ?? '').not.toMatch(/nothing was saved/);
    expect(leftovers(ws)).toEqual([]);
  });
});
