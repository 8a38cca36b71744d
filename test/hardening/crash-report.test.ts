// `ecoeval report run` (the built CLI) SIGKILLed at three moments: while committing the second of
// three runs (holding the workspace lock), while writing the report's run files into their hidden
// staging folder, and half-way through writing report.html. Afterwards `--resume` finishes the
// plan without redoing a finished task (even with --force), a previous report.html is never left
// half-written, and the output folder keeps no temporary files.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { stateSchema } from '../../main/services/report/state';
import {
  crashSupported,
  ensureBuilt,
  entries,
  leftovers,
  runCli,
  scratch,
  spawnCli,
} from './crash-helpers';

// Real processes on a shared 2-core machine: allow well over the default 5 s per test.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const ROWS = 20;
let dir: string;

const runFolders = (ws: string) =>
  entries(join(ws, 'runs')).filter((f) => !f.endsWith('.json') && !f.startsWith('.'));
const state = (out: string) =>
  stateSchema.parse(JSON.parse(readFileSync(join(out, 'report-state.json'), 'utf8')));
/** Files a killed writer left in the report folder. */
const temporary = (out: string) => entries(out).filter((f) => f.startsWith('.tmp-'));
const args = (ws: string, out: string, ...more: string[]) => [
  'report',
  'run',
  'plan.yaml',
  '--out',
  out,
  '--workspace',
  ws,
  '--force',
  ...more,
];

const describeCrash = crashSupported ? describe : describe.skip;

beforeAll(async () => {
  await ensureBuilt();
  dir = await scratch('report');
  const lines = (f: (i: number) => string) =>
    Array.from({ length: ROWS }, (_, i) => f(i)).join('\n') + '\n';
  await writeFile(
    join(dir, 'set.src'),
    lines((i) => `source ${i}`),
  );
  await writeFile(
    join(dir, 'set.ref'),
    lines((i) => `reference number ${i}`),
  );
  for (const name of ['a', 'b', 'c']) {
    await writeFile(
      join(dir, `${name}.txt`),
      lines((i) => `reference ${name} ${i}`),
    );
  }
  await writeFile(
    join(dir, 'plan.yaml'),
    `title: Crash report
datasets:
  - { name: crash set, kind: translation, source: set.src, references: [set.ref] }
systems:
  - { outputs: a.txt, name: system a }
  - { outputs: b.txt, name: system b }
  - { outputs: c.txt, name: system c }
metrics: { use: [bleu, chrf], bootstrap: 0, pairedResamples: 10 }
energy: { measure: false }
`,
  );
}, 120_000);

describeCrash('a report run killed with SIGKILL', () => {
  it('while committing its second run: --resume finishes without redoing the first', async () => {
    const ws = join(dir, 'ws-runs');
    const out = join(dir, 'out-runs');
    const cli = spawnCli(args(ws, out), {
      cwd: dir,
      crashAt: { op: 'rename', match: '/runs/\\d{8}-\\d{6}-[^/]+$', nth: 2 },
    });
    await cli.untilPaused();
    await cli.killGroup();
    const [first] = runFolders(ws);
    expect(runFolders(ws)).toEqual([first]);
    const interrupted = state(out);
    expect(interrupted.status).toBe('running');
    expect(interrupted.tasks.map((t) => [t.state, t.runId])).toEqual([['done', first]]);
    expect(existsSync(join(out, 'report.html'))).toBe(false);

    const resumed = await runCli(args(ws, out, '--resume'), { cwd: dir });
    expect(resumed.stderr).toMatch(
      /\[1\/3\] system a on crash-set\/test: finished before the interruption/,
    );
    expect(resumed.code).toBe(0);
    const finished = state(out);
    expect(finished.status).toBe('finished');
    expect(finished.tasks.map((t) => t.how)).toEqual(['resumed', 'ran', 'ran']);
    expect(finished.tasks[0].runId).toBe(first);
    expect(runFolders(ws)).toHaveLength(3);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toMatch(/<\/html>\s*$/);
    expect(temporary(out)).toEqual([]);
    expect(leftovers(ws)).toEqual([]);
  });

  it('while staging the report run files: the previous report stays whole, the leftovers go', async () => {
    const ws = join(dir, 'ws-files');
    const out = join(dir, 'out-files');
    const done = await runCli(args(ws, out), { cwd: dir });
    expect(done.code, done.stderr).toBe(0);
    const before = readdirSync(join(out, 'runs')).sort();
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    const cli = spawnCli(args(ws, out), {
      cwd: dir,
      crashAt: { op: 'write', match: '/\\.tmp-runs-[^/]+/[^/]+/outputs\\.txt$' },
    });
    await cli.untilPaused();
    await cli.killGroup();
    expect(temporary(out)).toEqual([expect.stringMatching(/^\.tmp-runs-\d+-/)]);
    expect(readdirSync(join(out, 'runs')).sort()).toEqual(before);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toBe(html);

    const resumed = await runCli(args(ws, out, '--resume'), { cwd: dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(temporary(out)).toEqual([]);
    expect(leftovers(ws)).toEqual([]);
  });

  it('half-way through writing report.html: never a half-written report, no temp file after --resume', async () => {
    const ws = join(dir, 'ws-html');
    const out = join(dir, 'out-html');
    const done = await runCli(args(ws, out), { cwd: dir });
    expect(done.code, done.stderr).toBe(0);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    const runsBefore = runFolders(ws).length;
    const cli = spawnCli(args(ws, out), {
      cwd: dir,
      crashAt: { op: 'write', match: '/\\.tmp-report\\.html-' },
    });
    const paused = await cli.untilPaused();
    await cli.killGroup();
    // The previous report is whole; the half-written one is a hidden temp file.
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toBe(html);
    expect(readFileSync(paused.path, 'utf8')).not.toMatch(/<\/html>/);
    // Every task had finished before the kill: resuming evaluates nothing again.
    const resumed = await runCli(args(ws, out, '--resume'), { cwd: dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(state(out).tasks.map((t) => t.how)).toEqual(['resumed', 'resumed', 'resumed']);
    expect(runFolders(ws)).toHaveLength(runsBefore + 3);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toMatch(/<\/html>\s*$/);
    expect(temporary(out)).toEqual([]);
  });
});
