/**
 * Shared by the crash-consistency tests: the built CLI (bin/ecoeval.js → out/main/cli.js, built
 * once if stale), spawned in a process group of its own so SIGKILL takes it and every process it
 * forked, optionally with a fault-injection point (crash-inject.mjs) where it pauses so the kill
 * lands at an exact moment; polling helpers; and the app's service graph to reopen a workspace
 * "as the app does".
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createAppServices } from '../../main/app';
import type { AppServices } from '../../main/app';
import { validatedApi } from '../../main/bridge/direct';
import type { WorkbenchApi } from '../../shared/api/contract';
import { pathHost, repoRoot } from '../helpers/services';
import { tempDir } from '../helpers/temp';

export const CLI = join(repoRoot, 'bin', 'ecoeval.js');
const INJECT = join(import.meta.dirname, 'crash-inject.mjs');

/** POSIX process groups and signals: the crash tests do not run on Windows. */
export const crashSupported = process.platform !== 'win32';

function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let max = info.mtimeMs;
  for (const entry of readdirSync(path)) max = Math.max(max, newest(join(path, entry)));
  return max;
}

/** Builds out/ when a source is newer (as `npm run web` does); one builder at a time. */
export async function ensureBuilt(): Promise<void> {
  const built = join(repoRoot, 'out', 'main', 'cli.js');
  const stale = () =>
    !existsSync(built) ||
    ['main', 'renderer', 'shared', 'electron.config.ts', 'package.json'].some(
      (s) => newest(join(repoRoot, s)) >= statSync(built).mtimeMs,
    );
  if (!stale()) return;
  const lock = join(repoRoot, 'node_modules', '.cache', 'ecoeval-hardening-build.lock');
  mkdirSync(join(lock, '..'), { recursive: true });
  for (let waited = 0; ; waited += 200) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another test file is building; a lock older than 3 minutes is a leftover.
      if (waited > 180_000 || Date.now() - statSync(lock).mtimeMs > 180_000) {
        rmSync(lock, { recursive: true, force: true });
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    if (!stale()) return;
    const result = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'build.mjs')], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    if (result.status !== 0) throw new Error(`build failed:\n${result.stdout}${result.stderr}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Where a spawned process should stop (see crash-inject.mjs). */
export interface CrashPoint {
  op: 'rename' | 'rename-after' | 'write' | 'enospc';
  /** Regex over the target path. */
  match: string;
  /** The nth matching call in a process (default 1). */
  nth?: number;
}

export interface Paused {
  pid: number;
  op: string;
  path: string;
}

export class Spawned {
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  constructor(
    readonly child: ChildProcess,
    private readonly marker: string | null,
  ) {
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (this.stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** The injection points reached so far. */
  paused(): Paused[] {
    if (!this.marker || !existsSync(this.marker)) return [];
    return readFileSync(this.marker, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Paused);
  }

  /** Waits for the injection point; fails with the output if the process ends first. */
  async untilPaused(timeoutMs = 60_000): Promise<Paused> {
    return waitFor(
      () => this.paused()[0],
      `the injection point (${this.marker})`,
      timeoutMs,
      10,
      this,
    );
  }

  /** SIGKILL the whole process group (the CLI and every process it forked), as a power cut would. */
  async killGroup(): Promise<void> {
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    await this.exited;
    await waitFor(() => groupGone(this.pid), `process group ${this.pid} to end`, 15_000, 20);
  }

  /** SIGKILL this process only (its children notice the lost parent). */
  async killOnly(): Promise<void> {
    try {
      process.kill(this.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    await this.exited;
  }

  describe(): string {
    return `pid ${this.pid}\n--- stdout ---\n${this.stdout.slice(-2000)}\n--- stderr ---\n${this.stderr.slice(-3000)}`;
  }
}

/** Starts `ecoeval ARGS` (the built CLI) in its own process group. */
export function spawnCli(
  args: string[],
  options: {
    cwd: string;
    crashAt?: CrashPoint;
    env?: Record<string, string>;
    uid?: number;
    gid?: number;
  },
): Spawned {
  let marker: string | null = null;
  const env: Record<string, string | undefined> = {
    ...process.env,
    CI: '1',
    ECOEVAL_DEBUG: '1',
    ...options.env,
  };
  delete env.ECOEVAL_WORKSPACE;
  delete env.NODE_OPTIONS;
  if (options.crashAt) {
    marker = join(options.cwd, `.crash-marker-${Math.random().toString(16).slice(2)}`);
    env.ECOEVAL_CRASH_AT = JSON.stringify({ ...options.crashAt, marker });
    env.NODE_OPTIONS = `--import=${INJECT}`;
  }
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.uid !== undefined ? { uid: options.uid, gid: options.gid ?? options.uid } : {}),
  });
  return new Spawned(child, marker);
}

/** Runs `ecoeval ARGS` to the end. */
export async function runCli(
  args: string[],
  options: { cwd: string; env?: Record<string, string>; uid?: number; crashAt?: CrashPoint },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const spawned = spawnCli(args, options);
  const { code } = await spawned.exited;
  // Streams may still hold their last chunk after 'exit'.
  await new Promise((r) => setImmediate(r));
  return { code, stdout: spawned.stdout, stderr: spawned.stderr };
}

/** Polls `probe` until it gives a truthy value. */
export async function waitFor<T>(
  probe: () => T | null | undefined | false | Promise<T | null | undefined | false>,
  what: string,
  timeoutMs = 30_000,
  everyMs = 20,
  watched?: Spawned,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let ended = false;
  void watched?.exited.then(() => (ended = true));
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (ended) {
      const last = await probe();
      if (last) return last;
      throw new Error(`process ended before ${what}:\n${watched!.describe()}`);
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${watched ? `:\n${watched.describe()}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Whether no live (non-zombie) process is left in process group `pgid`. */
export function groupGone(pgid: number): boolean {
  const out = spawnSync('ps', ['-A', '-o', 'pid=,pgid=,stat='], { encoding: 'utf8' }).stdout ?? '';
  return !out
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .some(([, group, stat]) => Number(group) === pgid && stat && !stat.startsWith('Z'));
}

/** Live children of `pid` (Linux /proc, else ps). */
export function childrenOf(pid: number): number[] {
  const out = spawnSync('ps', ['-A', '-o', 'pid=,ppid=,stat='], { encoding: 'utf8' }).stdout ?? '';
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter(([, parent, stat]) => Number(parent) === pid && stat && !stat.startsWith('Z'))
    .map(([child]) => Number(child));
}

/** The app's service graph on `root`, as the desktop app or browser host opens it. */
export async function openApp(root: string): Promise<AppServices & { api: WorkbenchApi }> {
  const services = await createAppServices({
    workspaceDir: root,
    host: pathHost(root),
    builtinDir: join(repoRoot, 'datasets'),
    evaluation: { energy: 'off' },
  });
  return { ...services, api: validatedApi(services.handlers) };
}

/** Entries of a folder (none when it is missing). */
export function entries(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

/** Everything a killed writer may leave: temp files, staging folders, the lock. */
export function leftovers(root: string): string[] {
  const found: string[] = [];
  for (const name of entries(join(root, '.staging'))) found.push(`.staging/${name}`);
  if (existsSync(join(root, '.lock'))) found.push('.lock');
  for (const dir of ['datasets', 'models', 'runs']) {
    for (const name of entries(join(root, dir))) {
      if (name.startsWith('.tmp-')) found.push(`${dir}/${name}`);
      const inner = join(root, dir, name);
      if (statSync(inner).isDirectory()) {
        for (const file of entries(inner)) {
          if (file.startsWith('.tmp-')) found.push(`${dir}/${name}/${file}`);
        }
      }
    }
  }
  return found;
}

/** A fresh temporary folder (removed after the file's tests). */
export const scratch = (prefix: string) => tempDir(`ecoeval-crash-${prefix}-`);
