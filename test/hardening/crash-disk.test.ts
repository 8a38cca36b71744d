// A full disk and a read-only workspace. Disk full is simulated with a write stub that writes half
// of the data and then fails with ENOSPC — in-process in the atomic writer, and in the built CLI
// through the fault-injection preload: the error is a clear message (the file, "no space left",
// what to do — not "internal error, please report it"), the previous file is kept whole, and no
// partial file (temp file, staged dataset, half-written lock) is left. A read-only workspace (chmod
// -R a-w) can be browsed, and changes are refused with a clear message and leave nothing; CI runs
// as root, where chmod stops no write, so there the CLI runs as an unprivileged user, or the case
// is skipped saying why.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { dispatch } from '../../main/bridge/dispatch';
import { writeFileAtomic } from '../../main/services/workspace/atomic';
import { testServices } from '../helpers/services';
import {
  CLI,
  crashSupported,
  ensureBuilt,
  entries,
  leftovers,
  runCli,
  scratch,
} from './crash-helpers';

// Real processes on a shared 2-core machine: allow well over the default 5 s per test.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

let dir: string;

/** Makes the next FileHandle.writeFile write half its data, then fail as a full disk does. */
async function diskFullOnNextWrite(): Promise<void> {
  const probe = await open(process.execPath, 'r');
  const proto = Object.getPrototypeOf(probe) as {
    writeFile(this: unknown, data: string | Uint8Array): Promise<void>;
  };
  await probe.close();
  const original = proto.writeFile;
  vi.spyOn(proto, 'writeFile').mockImplementationOnce(async function (this: unknown, data) {
    const half =
      typeof data === 'string' ? data.slice(0, data.length / 2) : data.subarray(0, data.length / 2);
    await original.call(this, half);
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), {
      code: 'ENOSPC',
      errno: -28,
      syscall: 'write',
    });
  });
}

beforeAll(async () => {
  await ensureBuilt();
  dir = await scratch('disk');
  await writeFile(join(dir, 'a.src'), 'one\ntwo\nthree\n');
  await writeFile(join(dir, 'a.ref'), 'un\ndeux\ntrois\n');
}, 120_000);

afterEach(() => {
  vi.restoreAllMocks();
});

describe('a full disk (ENOSPC write stub)', () => {
  it('the atomic writer keeps the previous file whole and leaves no temp file', async () => {
    const folder = await scratch('enospc-atomic');
    const target = join(folder, 'manifest.json');
    await writeFileAtomic(target, '{"version": 1}\n');
    await diskFullOnNextWrite();
    const error = (await writeFileAtomic(
      target,
      `{"version": 2, "pad": "${'x'.repeat(10_000)}"}\n`,
    ).catch((e: unknown) => e)) as NodeJS.ErrnoException;
    expect(error.code).toBe('ENOSPC');
    expect(readFileSync(target, 'utf8')).toBe('{"version": 1}\n');
    expect(readdirSync(folder)).toEqual(['manifest.json']);
  });

  it('a service call fails with a clear message (not an internal error) and changes nothing', async () => {
    const s = await testServices();
    const source = join(s.root, 'a.src');
    const reference = join(s.root, 'a.ref');
    await writeFile(source, 'one\ntwo\n');
    await writeFile(reference, 'un\ndeux\n');
    const manifest = await s.api.importDataset({
      name: 'full disk',
      kind: 'translation',
      format: 'text',
      sourceFile: { path: source },
      referenceFiles: [{ path: reference }],
    });
    const file = join(s.workspace.datasetsDir, manifest.id, 'manifest.json');
    const before = readFileSync(file, 'utf8');
    await diskFullOnNextWrite();
    const logged: unknown[] = [];
    const reply = await dispatch(
      s.handlers,
      'renameDataset',
      [{ dataset: manifest.id, name: 'renamed' }],
      (e) => logged.push(e),
    );
    expect(reply).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    const message = (reply as { error: { message: string } }).error.message;
    expect(message).toMatch(/no space left on the disk \(ENOSPC\)\. Free some space/);
    expect(message).not.toMatch(/internal|report it/i);
    expect(logged).toEqual([]);
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(leftovers(s.root)).toEqual([]);
    await s.queue.close();
  });
});

const describeCrash = crashSupported ? describe : describe.skip;

describeCrash('a full disk in the CLI (ENOSPC injected into the built CLI)', () => {
  it('while importing: a clear error, no dataset, no staging left', async () => {
    const ws = join(dir, 'ws-import');
    const result = await runCli(
      ['datasets', 'import', 'a.src', 'a.ref', '--kind', 'translation', '--workspace', ws],
      { cwd: dir, crashAt: { op: 'enospc', match: '/\\.staging/[^/]+/\\.tmp-manifest\\.json-' } },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no space left on the disk \(ENOSPC\)\. Free some space/);
    expect(result.stderr).not.toMatch(/internal error|report it|\n\s+at /i);
    expect(entries(join(ws, 'datasets'))).toEqual([]);
    expect(leftovers(ws)).toEqual([]);
  });

  it('while taking the workspace lock: a clear error and no half-written lock file', async () => {
    const ws = join(dir, 'ws-lock');
    const result = await runCli(['datasets', 'list', '--workspace', ws], {
      cwd: dir,
      crashAt: { op: 'enospc', match: '/\\.lock$' },
    });
    expect(result.stderr).not.toMatch(/internal error|report it/i);
    expect(existsSync(join(ws, '.lock'))).toBe(false);
    // The next command needs no wait for a stale lock.
    const started = performance.now();
    // The import's own lock (the second: the first is the open's sweep, skipped on a full disk).
    const again = await runCli(
      ['datasets', 'import', 'a.src', 'a.ref', '--kind', 'translation', '--workspace', ws],
      { cwd: dir, crashAt: { op: 'enospc', match: '/\\.lock$', nth: 2 } },
    );
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/\.lock: no space left on the disk \(ENOSPC\)/);
    expect(existsSync(join(ws, '.lock'))).toBe(false);
    const fine = await runCli(['datasets', 'list', '--json', '--workspace', ws], { cwd: dir });
    expect(fine.code, fine.stderr).toBe(0);
    expect((performance.now() - started) / 1000).toBeLessThan(10);
    expect(leftovers(ws)).toEqual([]);
  });
});

/**
 * How to run the CLI so that chmod binds it: as ourselves when not root; as `nobody` when root
 * and allowed to drop privileges; otherwise null with the reason.
 */
function unprivileged(): { uid?: number; reason?: string } {
  if (process.platform === 'win32')
    return { reason: 'chmod does not make folders read-only on Windows' };
  if (process.getuid?.() !== 0) return {};
  // The probe reads the built CLI itself: a checkout under a private (0700) folder is out of
  // nobody's reach even though node is not.
  const probe = spawnSync(
    process.execPath,
    [
      '-e',
      `require('node:fs').accessSync(${JSON.stringify(CLI)}, require('node:fs').constants.R_OK)`,
    ],
    { uid: 65534, gid: 65534 },
  );
  if (probe.status === 0) return { uid: 65534 };
  return {
    reason:
      'running as root (as CI does), where chmod -w stops no write, and the unprivileged user cannot reach the CLI here (the checkout is in a private folder)',
  };
}

describeCrash('a read-only workspace (chmod -R a-w)', () => {
  it('can be browsed; changes are refused clearly and leave nothing', async (ctx) => {
    const user = unprivileged();
    if (user.reason) return ctx.skip(user.reason);
    const ws = join(dir, 'ws-readonly');
    const made = await runCli(
      [
        'datasets',
        'import',
        'a.src',
        'a.ref',
        '--name',
        'kept',
        '--kind',
        'translation',
        '--workspace',
        ws,
      ],
      { cwd: dir },
    );
    expect(made.code, made.stderr).toBe(0);
    // The unprivileged user must reach the files: open the scratch folder, then drop write bits.
    chmodSync(dir, 0o755);
    for (const f of ['a.src', 'a.ref']) chmodSync(join(dir, f), 0o644);
    const chmod = spawnSync('chmod', ['-R', 'a-w', ws]);
    expect(chmod.status).toBe(0);
    try {
      // Whoever runs the CLI really cannot write there (else skip: the case would prove nothing).
      const check = spawnSync(
        process.execPath,
        ['-e', `require('fs').writeFileSync(${JSON.stringify(join(ws, 'probe'))}, 'x')`],
        user.uid !== undefined ? { uid: user.uid, gid: user.uid } : {},
      );
      if (check.status === 0) return ctx.skip('chmod -w did not stop writes for this user');
      const as = { cwd: dir, ...(user.uid !== undefined ? { uid: user.uid } : {}) };

      const list = await runCli(['datasets', 'list', '--json', '--workspace', ws], as);
      expect(list.code, list.stderr).toBe(0);
      expect((JSON.parse(list.stdout) as { datasets: { id: string }[] }).datasets).toEqual([
        expect.objectContaining({ id: 'kept' }),
      ]);
      for (const args of [
        ['datasets', 'show', 'kept'],
        ['runs', 'list'],
      ]) {
        const r = await runCli([...args, '--workspace', ws], as);
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      }
      for (const args of [
        ['datasets', 'import', 'a.src', 'a.ref', '--name', 'new', '--kind', 'translation'],
        ['datasets', 'rename', 'kept', 'other'],
      ]) {
        const r = await runCli([...args, '--workspace', ws], as);
        expect(r.code, args.join(' ')).toBe(1);
        expect(r.stderr).toMatch(
          /permission denied \(EACCES\)\. A read-only workspace can be browsed/,
        );
        expect(r.stderr).not.toMatch(/internal error|report it|\n\s+at /i);
      }
      expect(entries(join(ws, 'datasets'))).toEqual(['kept']);
      expect(leftovers(ws)).toEqual([]);
    } finally {
      spawnSync('chmod', ['-R', 'u+w', ws]);
    }
  });
});
