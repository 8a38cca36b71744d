// The browser host and `ecoeval` commands working on one workspace at once, as real processes
// (main/web-server.ts and the CLI, from sources): two evaluations started together are measured
// one after the other (their energy windows, recorded in run.json, do not intersect) and the one
// that waited said so; imports from both sides all load, none is left partial, and a name both
// import at once gets two ids (as one import after the other would), the CLI saying which is its
// own; CLI rename, tag and delete racing the host's calls
// on the same runs leave every run.json whole and queue.json holding both processes' jobs; a
// holder of the measurement slot killed with SIGKILL is taken over within seconds, and the job
// that took over says so; a CLI training waits for the host's evaluation. Each case is named in
// concurrency-cases.ts, which the hardening summary counts.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { QueuedJob, RunList, RunRecord } from '../../shared/api/types';
import { runRecordSchema } from '../../main/services/runs/record';
import { TINY_SEQ2SEQ, writeFixtureCheckpoint } from '../fixtures/model/checkpoints';
import { CONCURRENT_CASE_NAMES } from './concurrency-cases';
import { ms, queueFile, runEcoeval, spawnEcoeval, startHost } from './concurrency-helpers';
import type { Host, HostEvent } from './concurrency-helpers';
import { childrenOf, crashSupported, entries, openApp, scratch, waitFor } from './crash-helpers';

// Real processes (each starts through tsx) on a shared 2-core machine.
vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 });

const [EVALUATIONS, IMPORTS, RUNS, KILLED, TRAINING] = CONCURRENT_CASE_NAMES;
const ROWS = 250;

let dir: string;
let ws: string;
let host: Host;
/** Wall-clock seconds of each case, printed at the end. */
const timings: Record<string, number> = {};

/** `ecoeval` arguments written as one line, then any with spaces in them. */
const cmd = (line: string, ...more: string[]) => [...line.split(' '), ...more];

/** The last arguments of every command: JSON output, the shared workspace. */
const jsonIn = () => ['--json', '--workspace', ws];

/** `ecoeval evaluate` of the tiny model on the 250-segment test set, tagged `tag`. */
const evaluateArgs = (tag: string) => [
  ...cmd('evaluate --model tiny --dataset tiny --metrics bleu --bootstrap 0 --batch 1 --force'),
  ...['--tag', tag, ...jsonIn()],
];

/** The host's evaluation of the same system, tagged `tag`; returns its queued job. */
async function hostEvaluate(tag: string): Promise<QueuedJob> {
  const [job] = await host.api.invoke('evaluate', {
    systems: [{ type: 'model', model: 'tiny', batchSize: 1 }],
    datasets: [{ dataset: 'tiny', split: 'test' }],
    metrics: ['bleu'],
    tags: [tag],
    force: true,
  });
  return job;
}

/** The host's queue entry `jobId` in an event, when it has one. */
const jobIn = (e: HostEvent, jobId: string): QueuedJob | undefined =>
  e.event === 'queue:changed' ? e.payload.jobs.find((j) => j.jobId === jobId) : undefined;

/** Resolves with the event where the host's job `jobId` reached `state`. */
const hostJobState = (jobId: string, state: QueuedJob['state'], timeoutMs = 180_000) =>
  host.event((e) => jobIn(e, jobId)?.state === state, `host job ${jobId} ${state}`, timeoutMs);

async function runsTagged(tag: string): Promise<RunRecord[]> {
  const { runs } = await host.api.invoke('listRuns');
  return Promise.all(
    runs.filter((r) => r.tags.includes(tag)).map((r) => host.api.invoke('getRun', r.id)),
  );
}

/**
 * Pauses the evaluator processes `parent` forked (SIGSTOP) until `until` settles: the evaluation
 * is then surely still under way while another process starts up, however fast this machine is.
 */
async function paused<T>(parent: number, until: () => Promise<T>): Promise<T> {
  const children = childrenOf(parent);
  expect(children.length, `no evaluator process under ${parent}`).toBeGreaterThan(0);
  for (const pid of children) process.kill(pid, 'SIGSTOP');
  try {
    return await until();
  } finally {
    for (const pid of children) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // killed meanwhile
      }
    }
  }
}

/**
 * Nothing a writer left half-done: staging folders, temp files, a workspace or slot lock. The host
 * may be in the middle of a write (queue.json after a job): a moment is allowed for it to end.
 */
async function leftovers(): Promise<string[]> {
  let found = leftoversNow();
  for (let i = 0; i < 50 && found.length; i++) {
    await new Promise((r) => setTimeout(r, 100));
    found = leftoversNow();
  }
  return found;
}

function leftoversNow(): string[] {
  const found = entries(join(ws, '.staging')).map((n) => `.staging/${n}`);
  for (const lock of ['.lock', '.measure.lock', '.measure.lock.break']) {
    if (existsSync(join(ws, lock))) found.push(lock);
  }
  for (const sub of ['datasets', 'runs', 'models']) {
    for (const name of entries(join(ws, sub))) {
      if (name.startsWith('.tmp-')) found.push(`${sub}/${name}`);
      const inner = join(ws, sub, name);
      if (statSync(inner, { throwIfNoEntry: false })?.isDirectory()) {
        for (const f of readdirSync(inner)) {
          if (f.startsWith('.tmp-')) found.push(`${sub}/${name}/${f}`);
        }
      }
    }
  }
  return found;
}

/** Sentences of 2–6 fixture words; the reference reverses the source. */
function pairs(count: number, width = 5): { src: string; ref: string } {
  const src: string[] = [];
  const ref: string[] = [];
  for (let i = 0; i < count; i++) {
    const words = Array.from({ length: 2 + (i % width) }, (_, j) => `w${(i * 7 + j * 3) % 56}`);
    src.push(words.join(' '));
    ref.push([...words].reverse().join(' '));
  }
  return { src: src.join('\n') + '\n', ref: ref.join('\n') + '\n' };
}

const describeProcesses = crashSupported ? describe : describe.skip;

beforeAll(async () => {
  if (!crashSupported) return;
  dir = await scratch('concurrency');
  ws = join(dir, 'ws');
  // The workspace as a user would have it: a model, a test set, and a small set split for training.
  const app = await openApp(ws);
  await writeFixtureCheckpoint(join(ws, 'models', 'tiny'), TINY_SEQ2SEQ, 7);
  const tiny = pairs(ROWS);
  await writeFile(join(dir, 'tiny.src'), tiny.src);
  await writeFile(join(dir, 'tiny.ref'), tiny.ref);
  await writeFile(join(dir, 'hyp.txt'), tiny.ref);
  const text = (name: string) => ({
    name,
    kind: 'translation' as const,
    format: 'text' as const,
    sourceFile: { path: join(dir, 'tiny.src') },
    referenceFiles: [{ path: join(dir, 'tiny.ref') }],
  });
  await app.api.importDataset(text('tiny'));
  await app.api.importDataset(text('small'));
  await app.api.splitDataset({
    dataset: 'small',
    from: 'test',
    seed: 1,
    ratios: { train: 0.8, valid: 0.1, test: 0.1 },
  });
  await app.queue.close();
  host = await startHost(ws);
});

afterAll(async () => {
  await host?.stop();
  for (const [name, seconds] of Object.entries(timings)) {
    console.log(`concurrency: ${seconds.toFixed(1)} s  ${name}`);
  }
});

describeProcesses('the browser host and the CLI on one workspace', () => {
  it(EVALUATIONS, async () => {
    const started = performance.now();
    // The host's request goes in the moment the CLI's job is queued (its first line), so both
    // evaluator processes start together and would measure at once without the slot.
    const cli = spawnEcoeval(evaluateArgs('a-cli'), { cwd: dir });
    await waitFor(() => /^Evaluate tiny.*…$/m.test(cli.stderr), 'the CLI job', 90_000, 5, cli);
    const job = await hostEvaluate('a-host');
    const hostDone = hostJobState(job.jobId, 'done');
    const { code } = await cli.exited;
    expect(code, cli.describe()).toBe(0);
    await hostDone;
    timings[EVALUATIONS] = (performance.now() - started) / 1000;

    // Both runs load, each with its energy window on record, and the windows do not intersect.
    const [cliRun] = await runsTagged('a-cli');
    const [hostRun] = await runsTagged('a-host');
    expect(cliRun.state).toBe('complete');
    expect(hostRun.provenance.host).toBe('web');
    const windows = [cliRun, hostRun]
      .map((r) => [ms(r.energy?.startedAt), ms(r.energy?.endedAt)] as const)
      .sort((x, y) => x[0] - y[0]);
    for (const [from, to] of windows) expect(to).toBeGreaterThan(from);
    expect(windows[0][1]).toBeLessThanOrEqual(windows[1][0]);

    // The CLI's run was measured first; the host's job waited, queued, saying for whom.
    expect(windows[0][0]).toBe(ms(cliRun.energy?.startedAt));
    const waiting = host.events.map((e) => jobIn(e, job.jobId)).find((j) => j?.message);
    expect(waiting).toMatchObject({ state: 'queued', position: 1 });
    expect(waiting?.message).toMatch(
      new RegExp(
        `^Waiting for another EcoEval process: Evaluate tiny.* \\(pid ${cli.pid}, since [^)]+\\) is measuring; this job starts when it ends\\.$`,
      ),
    );
    expect(cli.stderr).not.toMatch(/Waiting for/);
    expect(await leftovers()).toEqual([]);
  });

  it(IMPORTS, async () => {
    const started = performance.now();
    // Big enough (100,000 pairs) that the imports are under way at the same time.
    const big = pairs(100_000, 9);
    await writeFile(join(dir, 'big.src'), big.src);
    await writeFile(join(dir, 'big.ref'), big.ref);
    const [src, ref, src2, ref2] = await Promise.all([
      host.upload('big.src', big.src),
      host.upload('big.ref', big.ref),
      host.upload('big.src', big.src),
      host.upload('big.ref', big.ref),
    ]);
    const cliImport = (name: string) =>
      spawnEcoeval(
        cmd('datasets import big.src big.ref --kind translation --name', name, '--workspace', ws),
        { cwd: dir },
      );
    const cliClash = cliImport('Clash');
    const cliOwn = cliImport('From the CLI');
    // Once the CLI is streaming its import, the host imports the same name and another one.
    await waitFor(
      () => entries(join(ws, '.staging')).some((n) => n.startsWith(`${cliClash.pid}-`)),
      'the CLI import to be under way',
      90_000,
      5,
      cliClash,
    );
    const hostImport = (name: string, files: [{ upload: string }, { upload: string }]) =>
      host.api
        .invoke('importDataset', {
          name,
          kind: 'translation',
          format: 'text',
          sourceFile: files[0],
          referenceFiles: [files[1]],
        })
        .then(
          (manifest) => ({ ok: true as const, id: manifest.id }),
          (error: Error) => ({ ok: false as const, message: error.message }),
        );
    const [hostClash, hostOwn] = await Promise.all([
      hostImport('Clash', [src, ref]),
      hostImport('From the host', [src2, ref2]),
    ]);
    const [clash, own] = await Promise.all([cliClash.exited, cliOwn.exited]);
    timings[IMPORTS] = (performance.now() - started) / 1000;

    expect(own.code, cliOwn.describe()).toBe(0);
    expect(hostOwn).toEqual({ ok: true, id: 'from-the-host' });
    // Both "Clash" imports completed: one as "clash", the other as "clash-2", exactly as one
    // after the other would have; the CLI says which id is its own.
    const cliId = /Imported 100,000 rows as "([^"]+)"/.exec(cliClash.stdout)?.[1];
    expect(clash.code, cliClash.describe()).toBe(0);
    expect(hostClash.ok).toBe(true);
    expect([cliId, hostClash.ok ? hostClash.id : null].sort()).toEqual(['clash', 'clash-2']);
    if (cliId === 'clash-2') {
      expect(cliClash.stdout).toContain(
        `as "clash-2" ("clash" is another dataset's id; use "clash-2" for this one).`,
      );
    }
    // Every dataset loads in full, from both sides; nothing partial is left.
    const { datasets, broken } = await host.api.invoke('listDatasets');
    expect(broken).toEqual([]);
    expect(datasets.map((d) => d.id).sort()).toEqual(
      ['clash', 'clash-2', 'from-the-cli', 'from-the-host', 'small', 'tiny'].sort(),
    );
    for (const id of ['clash', 'clash-2', 'from-the-cli', 'from-the-host']) {
      const manifest = await host.api.invoke('getDataset', id);
      expect(manifest.splits[0].rows).toBe(100_000);
      const last = await host.api.invoke('previewDataset', {
        dataset: id,
        split: 'test',
        offset: 99_999,
        limit: 1,
      });
      expect(last.rows[0].source).toBe(big.src.split('\n')[99_999]);
    }
    const listed = await runEcoeval(['datasets', 'list', '--json', '--workspace', ws], {
      cwd: dir,
    });
    expect(listed.code, listed.stderr).toBe(0);
    expect(
      (JSON.parse(listed.stdout) as { datasets: { id: string }[] }).datasets.map((d) => d.id),
    ).toHaveLength(6);
    expect(await leftovers()).toEqual([]);
    // No half-imported folder: datasets/ holds exactly the six.
    expect(entries(join(ws, 'datasets')).filter((n) => !n.startsWith('.'))).toHaveLength(6);
  });

  it(RUNS, async () => {
    const started = performance.now();
    // Three runs made in the host (imported outputs: no measurement needed).
    const hyp = await host.upload('hyp.txt', readFileSync(join(dir, 'hyp.txt'), 'utf8'));
    const jobs = await host.api.invoke('evaluate', {
      systems: ['r1', 'r2', 'r3'].map((name) => ({ type: 'outputs', name, hypotheses: hyp })),
      datasets: [{ dataset: 'tiny', split: 'test' }],
      metrics: ['bleu'],
      tags: ['c'],
      force: true,
    });
    for (const job of jobs) await hostJobState(job.jobId, 'done');
    const byName = new Map((await runsTagged('c')).map((r) => [r.system.label, r.id] as const));
    const [r1, r2, r3] = ['r1', 'r2', 'r3'].map((n) => byName.get(n)!);

    // The CLI renames, tags and deletes, and evaluates (a job in queue.json of its own), while
    // the host renames, tags, deletes, exports and lists the same runs as fast as it can.
    const cli = [
      spawnEcoeval(['runs', 'tag', r1, 'from-cli', 'c', '--workspace', ws], { cwd: dir }),
      spawnEcoeval(['runs', 'rename', r2, 'named by the CLI', '--workspace', ws], { cwd: dir }),
      spawnEcoeval(['runs', 'delete', r3, '--yes', '--workspace', ws], { cwd: dir }),
      spawnEcoeval(
        cmd('evaluate --outputs hyp.txt --name cli-sys --dataset tiny --bootstrap 0', ...jsonIn()),
        { cwd: dir },
      ),
    ];
    let running = true;
    const ended = Promise.all(cli.map((c) => c.exited)).then((codes) => {
      running = false;
      return codes;
    });
    const hostErrors: string[] = [];
    let rounds = 0;
    let hostDeleted = false;
    while (running) {
      rounds++;
      const calls: Promise<unknown>[] = [
        host.api.invoke('tagRun', { run: r1, tags: ['from-host', 'c', `round-${rounds}`] }),
        host.api.invoke('renameRun', { run: r2, name: `named by the host ${rounds}` }),
        host.api.invoke('exportRun', { run: r1 }),
        host.api.invoke('listRuns').then((list) => expect(list.broken).toEqual([])),
      ];
      if (!hostDeleted && rounds === 3) {
        calls.push(
          host.api.invoke('deleteRun', { run: r3, confirm: true }).then(() => (hostDeleted = true)),
        );
      }
      for (const result of await Promise.allSettled(calls)) {
        if (result.status === 'rejected') hostErrors.push((result.reason as Error).message);
      }
    }
    const codes = await ended;
    timings[RUNS] = (performance.now() - started) / 1000;
    // The tag, rename and evaluation succeeded; the delete did on one side only.
    expect(codes.slice(0, 2).map((c) => c.code)).toEqual([0, 0]);
    expect(codes[3].code, cli[3].describe()).toBe(0);
    const cliDeleted = codes[2].code === 0;
    expect(cliDeleted).toBe(!hostDeleted);
    if (!cliDeleted) expect(cli[2].stderr).toContain(`No run with id "${r3}"`);
    // The host's only failures: the run already deleted by the CLI.
    for (const message of hostErrors) expect(message).toBe(`No run with id "${r3}".`);
    expect(rounds).toBeGreaterThan(1);

    // Every run.json is whole and valid; the last writer of each field won, whole.
    const list = JSON.parse(
      (await runEcoeval(['runs', 'list', '--json', '--workspace', ws], { cwd: dir })).stdout,
    ) as RunList;
    expect(list.broken).toEqual([]);
    for (const run of list.runs) {
      const text = readFileSync(join(ws, 'runs', run.id, 'run.json'), 'utf8');
      expect(runRecordSchema.safeParse(JSON.parse(text)).success).toBe(true);
    }
    const ids = list.runs.map((r) => r.id);
    expect(ids).toContain(r1);
    expect(ids).toContain(r2);
    expect(ids).not.toContain(r3);
    const one = list.runs.find((r) => r.id === r1)!;
    expect([
      ['from-cli', 'c'],
      ['from-host', 'c', `round-${rounds}`],
    ]).toContainEqual(one.tags);
    expect(list.runs.find((r) => r.id === r2)!.name).toMatch(/^named by the (CLI|host \d+)$/);

    // queue.json parses and holds both processes' jobs: the host's three and the CLI's one
    // (left by the CLI, adopted by the host once the CLI had ended: never dropped).
    const cliRun = list.runs.find((r) => r.system.label === 'cli-sys')!;
    await host.api.invoke('evaluate', {
      systems: [{ type: 'outputs', name: 'after', hypotheses: hyp }],
      datasets: [{ dataset: 'tiny', split: 'test' }],
      metrics: ['bleu'],
      tags: ['c-after'],
      force: true,
    });
    await waitFor(
      () => queueFile(ws).some((j) => j.label.includes('after') && j.state === 'done'),
      'the host to write queue.json again',
    );
    const onDisk = queueFile(ws) as (ReturnType<typeof queueFile>[number] & { runId: string })[];
    const runIds = onDisk.map((j) => j.runId);
    for (const id of [r1, r2, r3, cliRun.id]) expect(runIds).toContain(id);
    expect(await leftovers()).toEqual([]);
  });

  it(KILLED, async () => {
    const started = performance.now();
    // The CLI evaluates (holding the slot); the host's evaluation waits for it.
    const cli = spawnEcoeval(evaluateArgs('d-cli'), { cwd: dir });
    await waitFor(
      () => / [1-9]\d* of \d+ segments/.test(cli.stderr),
      'the CLI evaluation to run',
      120_000,
      20,
      cli,
    );
    const job = await paused(cli.pid, async () => {
      const queued = await hostEvaluate('d-host');
      await host.event(
        (e) => new RegExp(`pid ${cli.pid}, `).test(jobIn(e, queued.jobId)?.message ?? ''),
        'the host job to wait for the CLI',
      );
      // Killed like a power cut: the CLI and its evaluator; the slot's lock file stays behind.
      await cli.killGroup();
      return queued;
    });
    const killedAt = Date.now();
    expect(existsSync(join(ws, '.measure.lock'))).toBe(true);
    const running = await hostJobState(job.jobId, 'running', 30_000);
    const tookOverS = (running.at - killedAt) / 1000;
    expect(tookOverS).toBeLessThan(5);
    expect(jobIn(running, job.jobId)?.message).toMatch(
      new RegExp(
        `^The measurement of Evaluate tiny.* \\(pid ${cli.pid}, since [^)]+\\) ended without releasing the measurement slot \\(the process is gone\\); this job took the slot over\\.$`,
      ),
    );
    await hostJobState(job.jobId, 'done');
    timings[KILLED] = (performance.now() - started) / 1000;
    const [run] = await runsTagged('d-host');
    expect(run.energy?.startedAt).toBeTruthy();
    expect(await runsTagged('d-cli')).toEqual([]);
    // The killed CLI's job is shown interrupted by the host (restartable), not dropped.
    const jobs = await host.api.invoke('listJobs');
    expect(
      jobs.find((j) => j.state === 'interrupted' && j.label.startsWith('Evaluate tiny'))?.message,
    ).toMatch(new RegExp(`process ${cli.pid} ended\\); nothing was saved`));
    expect(await leftovers()).toEqual([]);
    console.log(`concurrency: the host took over ${tookOverS.toFixed(2)} s after the SIGKILL`);
  });

  it(TRAINING, async () => {
    const started = performance.now();
    const job = await hostEvaluate('e-host');
    await host.event(
      (e) => e.event === 'job:progress' && e.payload.jobId === job.jobId && e.payload.done > 0,
      'the host evaluation to run',
    );
    const train = spawnEcoeval(
      // The CPU backend: this case is about waiting for the slot, not about the fastest kernels.
      cmd(
        'train --dataset small --preset tiny --steps 2 --vocab 100 --backend cpu --no-energy',
        ...jsonIn(),
      ),
      { cwd: dir },
    );
    await paused(host.process.pid, () =>
      waitFor(() => /^Waiting for/m.test(train.stderr), 'the CLI to wait', 120_000, 20, train),
    );
    const { code } = await train.exited;
    expect(code, train.describe()).toBe(0);
    await hostJobState(job.jobId, 'done');
    timings[TRAINING] = (performance.now() - started) / 1000;
    // It waited, naming the host's evaluation, and trained once that had ended.
    expect(train.stderr).toMatch(
      new RegExp(
        `^Waiting for another EcoEval process: Evaluate tiny.* \\(pid ${host.process.pid}, since [^)]+\\) is measuring; training starts when it ends\\.$`,
        'm',
      ),
    );
    const [run] = await runsTagged('e-host');
    const model = JSON.parse(train.stdout) as { model: string; createdAt?: string };
    const models = await host.api.invoke('listModels');
    const trained = models.find((m) => m.id === model.model)!;
    expect(trained.status).toBe('completed');
    expect(ms(trained.createdAt)).toBeGreaterThanOrEqual(ms(run.energy?.endedAt));
    expect(await leftovers()).toEqual([]);
  });
});
