// `ecoeval train --dataset grammar-en-xx --preset tiny` (the built CLI; training runs in its
// forked trainer process) killed at four moments: the whole process group right after the step-0
// checkpoint, right after the step-1 checkpoint event, and half-way through writing the step-1
// weights; and the CLI alone (the trainer loses its parent). Afterwards the reopened workspace lists
// the model as interrupted (or cancelled, when the trainer lived to save), its last checkpoint loads
// with every sha256 checked, temp files are swept, and `--resume` continues from the step-1
// checkpoint instead of starting over.
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { readCheckpoint } from '../../main/services/model/checkpoint';
import { ModelStore } from '../../main/services/model/store';
import { Workspace } from '../../main/services/workspace/workspace';
import {
  crashSupported,
  entries,
  ensureBuilt,
  groupGone,
  leftovers,
  runCli,
  scratch,
  spawnCli,
  waitFor,
} from './crash-helpers';

// Real processes on a shared 2-core machine: allow well over the default 5 s per test.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

let dir: string;
let base: string;

interface ModelListed {
  id: string;
  status: string;
  step: number;
}

const trainArgs = (ws: string, steps: number, evalEvery = 1) => [
  'train',
  '--dataset',
  'grammar-en-xx',
  '--preset',
  'tiny',
  '--steps',
  String(steps),
  '--eval-every',
  String(evalEvery),
  '--workers',
  '1',
  '--no-energy',
  '--workspace',
  ws,
];

function workspace(name: string): string {
  const ws = join(dir, name);
  cpSync(base, ws, { recursive: true });
  return ws;
}

/** The models as the app lists them after opening the workspace (which sweeps leftovers). */
async function models(ws: string): Promise<ModelListed[]> {
  const list = await new ModelStore(await Workspace.open(ws)).list();
  expect(list.broken).toEqual([]);
  return list.models;
}

/** The checkpoint loads with every file checked (weights, optimizer, tokenizer sha256). */
async function loads(ws: string, id: string, step: number): Promise<void> {
  const checkpoint = await readCheckpoint(join(ws, 'models', id), { optimizer: true });
  expect(checkpoint.manifest.training.step).toBe(step);
  expect(checkpoint.optimizer?.step).toBe(step);
}

/** `--resume` continues to `steps` from the checkpoint's step. */
async function resumes(ws: string, id: string, from: number, steps: number): Promise<void> {
  const result = await runCli(
    ['train', '--resume', id, '--steps', String(steps), '--no-energy', '--workspace', ws],
    { cwd: dir },
  );
  expect(result.code, result.stderr).toBe(0);
  expect(result.stderr).toContain(`resuming ${id} at step ${from}`);
  expect(result.stdout).toContain(`Finished: ${id} — ${steps} steps`);
  const [model] = await models(ws);
  expect(model).toMatchObject({ id, status: 'completed', step: steps });
  await loads(ws, id, steps);
  expect(leftovers(ws)).toEqual([]);
}

const MODEL_JSON = '/models/[^/]+/model\\.json$';
const describeCrash = crashSupported ? describe : describe.skip;

beforeAll(async () => {
  await ensureBuilt();
  dir = await scratch('train');
  base = join(dir, 'base');
  const installed = await runCli(
    ['datasets', 'builtin', '--install', 'grammar-en-xx', '--workspace', base],
    { cwd: dir },
  );
  expect(installed.code, installed.stderr).toBe(0);
}, 120_000);

describeCrash('training killed with SIGKILL', () => {
  it('right after the step-0 checkpoint: interrupted at step 0 and loads', async () => {
    const ws = workspace('ws-step0');
    const cli = spawnCli(trainArgs(ws, 4), {
      cwd: dir,
      crashAt: { op: 'rename-after', match: MODEL_JSON, nth: 1 },
    });
    const paused = await cli.untilPaused();
    expect(paused.pid).not.toBe(cli.pid); // the trainer child writes checkpoints
    await cli.killGroup();
    const [model] = await models(ws);
    expect(model).toMatchObject({ status: 'interrupted', step: 0 });
    await loads(ws, model.id, 0);
    expect(leftovers(ws)).toEqual([]);
  });

  it('right after the step-1 checkpoint event: interrupted at step 1; --resume goes on to step 2', async () => {
    const ws = workspace('ws-step1');
    const cli = spawnCli(trainArgs(ws, 4), {
      cwd: dir,
      crashAt: { op: 'rename-after', match: MODEL_JSON, nth: 2 },
    });
    const paused = await cli.untilPaused();
    await cli.killGroup();
    const manifest = JSON.parse(readFileSync(paused.path, 'utf8')) as {
      id: string;
      training: { curve: { step: number }[] };
    };
    expect(manifest.training.curve.map((p) => p.step)).toEqual([1]);
    const [model] = await models(ws);
    expect(model).toMatchObject({ id: manifest.id, status: 'interrupted', step: 1 });
    await loads(ws, model.id, 1);
    await resumes(ws, model.id, 1, 2);
    const resumed = JSON.parse(readFileSync(paused.path, 'utf8')) as typeof manifest;
    expect(resumed.training.curve.map((p) => p.step)).toEqual([1, 2]);
  });

  it('half-way through writing the step-1 weights: the step-0 checkpoint loads, the temp file is swept', async () => {
    const ws = workspace('ws-weights');
    const cli = spawnCli(trainArgs(ws, 4), {
      cwd: dir,
      crashAt: { op: 'write', match: '/models/[^/]+/\\.tmp-weights-s1-' },
    });
    const paused = await cli.untilPaused();
    await cli.killGroup();
    const id = paused.path.split('/').at(-2)!;
    expect(entries(join(ws, 'models', id)).some((f) => f.startsWith('.tmp-weights-s1-'))).toBe(
      true,
    );
    const [model] = await models(ws);
    expect(model).toMatchObject({ id, status: 'interrupted', step: 0 });
    // Opening the workspace swept the dead trainer's temp file.
    expect(leftovers(ws)).toEqual([]);
    await loads(ws, id, 0);
  });

  it('the CLI alone: the trainer notices, saves a checkpoint and stops (no orphan keeps training)', async () => {
    const ws = workspace('ws-parent');
    // No validation before the kill: the trainer stops after its current step.
    const cli = spawnCli(trainArgs(ws, 1000, 1000), { cwd: dir });
    await waitFor(() => /step 1\/1000/.test(cli.stderr), 'the first step', 60_000, 20, cli);
    await cli.killOnly();
    // The trainer is in the CLI's process group: it must end by itself.
    await waitFor(() => groupGone(cli.pid), 'the orphaned trainer to stop', 60_000, 100);
    const [model] = await models(ws);
    expect(model.status).toBe('cancelled');
    expect(model.step).toBeGreaterThanOrEqual(1);
    expect(model.step).toBeLessThan(1000);
    await loads(ws, model.id, model.step);
    expect(leftovers(ws)).toEqual([]);
  });
});
