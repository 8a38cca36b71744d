// The workspace's notion of a dead writer after a crash: a process killed while writing the lock
// file, a killed holder that lingers as a zombie (unreaped: a container whose first process is no
// init keeps them forever), and a lock left by an earlier process that had this process's pid (a
// restarted container gives the app the same pid). Each must count as dead — its lock taken over
// at once, its staging swept, its model shown interrupted, its queue entry interrupted — while a
// lock another part of this same process holds is still respected.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { isProcessAlive } from '../../main/services/process-alive';
import { summarise } from '../../main/services/model/store';
import type { ModelManifest } from '../../main/services/model/checkpoint';
import { WorkspaceBusyError, WorkspaceLock } from '../../main/services/workspace/lock';
import { Workspace } from '../../main/services/workspace/workspace';
import {
  crashSupported,
  ensureBuilt,
  entries,
  leftovers,
  openApp,
  runCli,
  scratch,
  spawnCli,
} from './crash-helpers';

// Real processes on a shared 2-core machine: allow well over the default 5 s per test.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const describeCrash = crashSupported ? describe : describe.skip;

/** A zombie: `sleep 0` exits, and its parent (exec'd into `sleep 60`) never reaps it. */
async function makeZombie(): Promise<{ pid: number; parent: ChildProcess }> {
  const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 60'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const pid = await new Promise<number>((resolve) =>
    parent.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))),
  );
  // Wait until it has exited (state Z).
  for (let i = 0; i < 200; i++) {
    const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
    if (stat.slice(stat.lastIndexOf(')') + 2)[0] === 'Z') break;
    await new Promise((r) => setTimeout(r, 10));
  }
  return { pid, parent };
}

let zombie: { pid: number; parent: ChildProcess } | null = null;

beforeAll(async () => {
  await ensureBuilt();
  if (process.platform === 'linux') zombie = await makeZombie();
}, 120_000);

afterAll(() => {
  zombie?.parent.kill('SIGKILL');
});

describeCrash('a process killed while writing the lock file', () => {
  it('leaves a half-written lock that the next open takes over within seconds', async () => {
    const dir = await scratch('lock-half');
    const ws = join(dir, 'ws');
    const cli = spawnCli(['datasets', 'list', '--workspace', ws], {
      cwd: dir,
      crashAt: { op: 'write', match: '/\\.lock$' },
    });
    await cli.untilPaused();
    await cli.killGroup();
    expect(() => JSON.parse(readFileSync(join(ws, '.lock'), 'utf8'))).toThrow();
    const started = performance.now();
    const list = await runCli(['datasets', 'list', '--json', '--workspace', ws], { cwd: dir });
    expect(list.code, list.stderr).toBe(0);
    expect((performance.now() - started) / 1000).toBeLessThan(10);
    expect(leftovers(ws)).toEqual([]);
  });
});

describe('a killed writer that lingers as a zombie', () => {
  it('counts as dead: its lock, staging, model and queue entry are recovered', async (ctx) => {
    if (!zombie) return ctx.skip('zombie processes are inspected through /proc (Linux only)');
    const { pid } = zombie;
    expect(isProcessAlive(pid)).toBe(false);

    const root = await scratch('zombie');
    mkdirSync(join(root, '.staging', `${pid}-0123456789ab`, 'x'), { recursive: true });
    writeFileSync(
      join(root, '.lock'),
      JSON.stringify({
        pid,
        host: hostname(),
        purpose: 'import of "z"',
        since: new Date().toISOString(),
      }),
    );
    // A queue entry of the killed process.
    mkdirSync(join(root, 'runs'), { recursive: true });
    writeFileSync(
      join(root, 'runs', 'queue.json'),
      JSON.stringify({
        schema: 1,
        jobs: [
          {
            jobId: 'evaluate-aaaaaaaaaaaa',
            kind: 'evaluate',
            label: 'Evaluate z',
            state: 'running',
            runId: null,
            plannedRunId: null,
            queuedAt: new Date().toISOString(),
            owner: { pid, host: hostname(), instance: 'deadbeef' },
            payload: {},
          },
        ],
      }),
    );

    const started = performance.now();
    const app = await openApp(root);
    try {
      expect((performance.now() - started) / 1000).toBeLessThan(10);
      expect(entries(join(root, '.staging'))).toEqual([]);
      expect(existsSync(join(root, '.lock'))).toBe(false);
      // A model whose trainer was killed while it ran shows as interrupted.
      const training = { status: 'running', pid, step: 3, tokens: 0, elapsedS: 1, curve: [] };
      const model = summarise({ id: 'm', config: {}, training } as unknown as ModelManifest, 0);
      expect(model.status).toBe('interrupted');
      expect((await app.api.listJobs()).map((j) => j.state)).toEqual(['interrupted']);
    } finally {
      await app.queue.close();
    }
  });
});

describe('a lock left by an earlier process with this pid (a restarted container)', () => {
  it('is taken over at once, while this process’s own holds are still respected', async () => {
    const root = await scratch('same-pid');
    writeFileSync(
      join(root, '.lock'),
      JSON.stringify({
        pid: process.pid,
        host: hostname(),
        purpose: 'import of "before the restart"',
        since: new Date(Date.now() - 60_000).toISOString(),
      }),
    );
    const started = performance.now();
    const opened = await Promise.race([
      Workspace.open(root).then(() => 'opened'),
      new Promise((r) => setTimeout(() => r('still waiting after 5 s'), 5000)),
    ]);
    expect(opened).toBe('opened');
    expect((performance.now() - started) / 1000).toBeLessThan(5);
    expect(existsSync(join(root, '.lock'))).toBe(false);

    // A hold of this process (another lock object on the same folder) still makes others wait.
    let release!: () => void;
    const holding = new WorkspaceLock(root).withLock(
      'holder',
      () => new Promise<void>((r) => (release = r)),
    );
    await new Promise((r) => setTimeout(r, 50));
    const error = await new WorkspaceLock(root, { timeoutMs: 300 })
      .withLock('waiter', async () => 'got it')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkspaceBusyError);
    release();
    await holding;
    await expect(new WorkspaceLock(root).withLock('after', async () => 'ok')).resolves.toBe('ok');
  });
});
