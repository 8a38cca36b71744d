// `ecoeval datasets import` (the built CLI) SIGKILLed at four moments — while streaming a large
// generated file, while writing the staged manifest, at the commit rename holding the workspace
// lock, and just after the commit — then the workspace is opened again by a new process. Every
// time the dataset list loads with nothing broken, a killed import is invisible (or, once
// committed, whole), the staging folder and temp files are swept, the dead holder's lock is taken
// over at once, and the workspace takes new imports.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  crashSupported,
  ensureBuilt,
  entries,
  leftovers,
  runCli,
  scratch,
  spawnCli,
  waitFor,
} from './crash-helpers';

// Real processes on a shared 2-core machine: allow well over the default 5 s per test.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const LARGE_ROWS = 250_000;
const SMALL_ROWS = 500;
let dir: string;

interface DatasetList {
  datasets: { id: string; name: string; splits: { name: string; rows: number }[] }[];
  broken: unknown[];
}

async function writeLines(path: string, rows: number, line: (i: number) => string): Promise<void> {
  const out = createWriteStream(path);
  for (let i = 0; i < rows; i++) {
    if (!out.write(`${line(i)}\n`)) await new Promise((r) => out.once('drain', () => r(undefined)));
  }
  await new Promise<void>((r) => out.end(() => r()));
}

/** `ecoeval datasets list` in a new process: what the next start of any host sees. */
async function reopen(ws: string): Promise<{ list: DatasetList; seconds: number }> {
  const started = performance.now();
  const result = await runCli(['datasets', 'list', '--json', '--workspace', ws], { cwd: dir });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return {
    list: JSON.parse(result.stdout) as DatasetList,
    seconds: (performance.now() - started) / 1000,
  };
}

const importArgs = (ws: string, name: string, files: string[]) => [
  'datasets',
  'import',
  ...files,
  '--name',
  name,
  '--kind',
  'translation',
  '--workspace',
  ws,
];

/**
 * After a kill: the next open lists exactly `expected` with nothing broken, takes over the dead
 * holder's lock at once and sweeps everything; with `importAgain`, a new import then succeeds.
 */
async function expectRecovered(
  ws: string,
  expected: string[],
  importAgain = false,
): Promise<DatasetList> {
  const { list, seconds } = await reopen(ws);
  expect(list.broken).toEqual([]);
  expect(list.datasets.map((d) => d.id)).toEqual(expected);
  // A dead holder's lock is taken over at once, not after the 15 s busy timeout.
  expect(seconds).toBeLessThan(10);
  expect(leftovers(ws)).toEqual([]);
  if (importAgain) {
    const again = await runCli(importArgs(ws, 'after crash', ['small.src', 'small.ref']), {
      cwd: dir,
    });
    expect(again.stderr).not.toMatch(/internal error|busy/i);
    expect(again.code).toBe(0);
    expect(leftovers(ws)).toEqual([]);
  }
  return list;
}

const describeCrash = crashSupported ? describe : describe.skip;

beforeAll(async () => {
  await ensureBuilt();
  dir = await scratch('import');
  await writeLines(
    join(dir, 'large.src'),
    LARGE_ROWS,
    (i) => `the quick brown fox ${i} jumps over the lazy dog`,
  );
  await writeLines(join(dir, 'large.ref'), LARGE_ROWS, (i) => `le renard ${i} saute`);
  await writeLines(join(dir, 'small.src'), SMALL_ROWS, (i) => `source sentence ${i}`);
  await writeLines(join(dir, 'small.ref'), SMALL_ROWS, (i) => `reference sentence ${i}`);
  await writeFile(join(dir, 'empty.txt'), '');
}, 120_000);

describeCrash('a dataset import killed with SIGKILL', () => {
  it('while streaming a large file: nothing visible, staging swept at the next open', async () => {
    const ws = join(dir, 'ws-streaming');
    const cli = spawnCli(importArgs(ws, 'large', ['large.src', 'large.ref']), { cwd: dir });
    // Mid-stream: the staged split file exists and is growing.
    const staged = await waitFor(
      () => {
        for (const folder of entries(join(ws, '.staging'))) {
          for (const file of entries(join(ws, '.staging', folder))) {
            const path = join(ws, '.staging', folder, file);
            if (file.endsWith('.jsonl') && statSync(path).size > 256 * 1024) return folder;
          }
        }
        return null;
      },
      'the staged split to grow',
      60_000,
      5,
      cli,
    );
    await cli.killGroup();
    expect(staged.startsWith(`${cli.pid}-`)).toBe(true);
    expect(entries(join(ws, 'datasets'))).toEqual([]);
    expect(entries(join(ws, '.staging'))).toEqual([staged]);
    await expectRecovered(ws, [], true);
  });

  it('while writing the staged manifest: the half-written file is never seen', async () => {
    const ws = join(dir, 'ws-manifest');
    const cli = spawnCli(importArgs(ws, 'small', ['small.src', 'small.ref']), {
      cwd: dir,
      crashAt: { op: 'write', match: '/\\.staging/[^/]+/\\.tmp-manifest\\.json-' },
    });
    const paused = await cli.untilPaused();
    const half = readFileSync(paused.path, 'utf8');
    expect(() => JSON.parse(half)).toThrow();
    await cli.killGroup();
    expect(entries(join(ws, 'datasets'))).toEqual([]);
    await expectRecovered(ws, []);
  });

  it('at the commit, holding the workspace lock: the lock is recovered, nothing visible', async () => {
    const ws = join(dir, 'ws-commit');
    const cli = spawnCli(importArgs(ws, 'small', ['small.src', 'small.ref']), {
      cwd: dir,
      crashAt: { op: 'rename', match: '/datasets/[^/.][^/]*$' },
    });
    await cli.untilPaused();
    const owner = JSON.parse(readFileSync(join(ws, '.lock'), 'utf8')) as {
      pid: number;
      purpose: string;
    };
    expect(owner).toMatchObject({ pid: cli.pid, purpose: 'import of "small"' });
    await cli.killGroup();
    expect(existsSync(join(ws, '.lock'))).toBe(true);
    expect(entries(join(ws, 'datasets'))).toEqual([]);
    await expectRecovered(ws, []);
  });

  it('just after the commit: the dataset is whole and the lock is recovered', async () => {
    const ws = join(dir, 'ws-committed');
    const cli = spawnCli(importArgs(ws, 'small', ['small.src', 'small.ref']), {
      cwd: dir,
      crashAt: { op: 'rename-after', match: '/datasets/[^/.][^/]*$' },
    });
    await cli.untilPaused();
    await cli.killGroup();
    expect(existsSync(join(ws, '.lock'))).toBe(true);
    const list = await expectRecovered(ws, ['small'], true);
    expect(list.datasets[0].splits).toEqual([{ name: 'test', rows: SMALL_ROWS }]);
    const manifest = JSON.parse(
      readFileSync(join(ws, 'datasets', 'small', 'manifest.json'), 'utf8'),
    ) as { splits: { file: string; rows: number }[] };
    const rows = readFileSync(join(ws, 'datasets', 'small', manifest.splits[0].file), 'utf8')
      .split('\n')
      .filter(Boolean);
    expect(rows).toHaveLength(SMALL_ROWS);
    expect(readdirSync(join(ws, 'datasets')).sort()).toEqual(['after-crash', 'small']);
  });
});
