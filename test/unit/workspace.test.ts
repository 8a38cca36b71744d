import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readFile, readdir, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '../../main/services/workspace/atomic';
import { WorkspaceLock, WorkspaceBusyError } from '../../main/services/workspace/lock';
import { Workspace, resolveWorkspaceDir } from '../../main/services/workspace/workspace';
import { tempDir } from '../helpers/temp';
import { testServices, repoRoot } from '../helpers/services';

function startChild(script: string, arg: string, readyLine: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, script), arg], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes(readyLine)) resolve();
    });
    child.on('exit', (code) => reject(new Error(`child exited early with ${code}`)));
  });
  return { child, ready };
}

describe('atomic writes', () => {
  it('keeps a complete manifest when the writer is killed mid-write', async () => {
    const dir = await tempDir();
    const target = join(dir, 'manifest.json');
    await writeJsonAtomic(target, { version: 0, padding: '' });
    for (let round = 0; round < 3; round++) {
      const { child, ready } = startChild(
        'test/fixtures/scripts/atomic-writer.ts',
        target,
        'started',
      );
      await ready;
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 80));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      const parsed = JSON.parse(await readFile(target, 'utf8')) as {
        version: number;
        padding: string;
      };
      expect(parsed.version).toBeGreaterThanOrEqual(0);
      expect(parsed.padding.length === 0 || parsed.padding.length >= 50_000).toBe(true);
    }
    // Temp files of the killed writers are swept by the next open.
    const ws = await Workspace.open(dir);
    await writeFile(join(ws.datasetsDir, '.tmp-manifest.json-999999-deadbeef'), 'partial');
    await ws.sweep();
    expect((await readdir(ws.datasetsDir)).filter((f) => f.startsWith('.tmp-'))).toEqual([]);
  });
});

describe('workspace lock', () => {
  it('serialises holders in one process and is re-entrant', async () => {
    const dir = await tempDir();
    const lock = new WorkspaceLock(dir);
    const order: string[] = [];
    await Promise.all([
      lock.withLock('a', async () => {
        order.push('a-start');
        await lock.withLock('a-inner', async () => order.push('a-inner'));
        await new Promise((r) => setTimeout(r, 30));
        order.push('a-end');
      }),
      new WorkspaceLock(dir).withLock('b', async () => order.push('b')),
    ]);
    expect(order.indexOf('b')).not.toBe(1);
    expect(order.slice(0, 3)).toEqual(['a-start', 'a-inner', 'a-end']);
  });

  it('makes a second process wait with a clear message, then recovers a dead holder', async () => {
    const dir = await tempDir();
    const { child, ready } = startChild('test/fixtures/scripts/lock-holder.ts', dir, 'locked');
    await ready;
    const impatient = new WorkspaceLock(dir, { timeoutMs: 300 });
    const error = await impatient
      .withLock('cli import', async () => 'got it')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkspaceBusyError);
    expect((error as Error).message).toMatch(/test holder \(pid \d+/);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    await expect(
      new WorkspaceLock(dir, { timeoutMs: 2000 }).withLock('after', async () => 'ok'),
    ).resolves.toBe('ok');
  });
});

describe('workspace folder', () => {
  it('resolves the flag, then ECOEVAL_WORKSPACE, then the per-user default', () => {
    expect(resolveWorkspaceDir('/a', { ECOEVAL_WORKSPACE: '/b' })).toBe('/a');
    expect(resolveWorkspaceDir(undefined, { ECOEVAL_WORKSPACE: '/b' })).toBe('/b');
    expect(resolveWorkspaceDir(undefined, { XDG_DATA_HOME: '/x' })).toMatch(/ecoeval|EcoEval/);
  });

  it('reports a manifest that fails to parse and never overwrites it', async () => {
    const services = await testServices();
    const broken = join(services.workspace.datasetsDir, 'broken-one');
    await mkdir(broken);
    await writeFile(join(broken, 'manifest.json'), '{"schema": 1, "id": ');
    const list = await services.api.listDatasets();
    expect(list.datasets).toEqual([]);
    expect(list.broken).toHaveLength(1);
    expect(list.broken[0].problem).toMatch(/not valid JSON/);
    expect(await readFile(join(broken, 'manifest.json'), 'utf8')).toBe('{"schema": 1, "id": ');
    await services.workspace.sweep();
    expect(await readFile(join(broken, 'manifest.json'), 'utf8')).toBe('{"schema": 1, "id": ');
  });
});
