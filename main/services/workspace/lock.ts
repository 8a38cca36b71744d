/**
 * Inter-process workspace lock: the desktop app, the browser host and the CLI may share one
 * workspace, so every mutation runs inside `withLock`. The lock is a file created with O_EXCL
 * holding the owner's pid, host and purpose; a holder that died (same host, pid gone) is taken
 * over, so a killed process never wedges the workspace — nor does one that had this process's pid
 * (a restarted container gives the app the same pid again). Held only for the duration of a write.
 *
 * The lock-file primitives below (create, read, staleness, breaking a stale lock, release) are
 * shared with the long-held measurement slot (measure-slot.ts), so both recover the same way.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { isProcessAlive, processStartTime } from '../process-alive';

export interface LockOwner {
  pid: number;
  host: string;
  purpose: string;
  since: string;
  /** Which acquisition: tells this process's own holds from an earlier process with its pid. */
  token?: string;
  /** The measured-queue job holding the measurement slot, when it is one. */
  jobId?: string;
  /** The holder's process start time (Linux), so a reused pid is not taken for the holder. */
  started?: string;
}

/** Tokens of the locks this process holds now (several lock objects may share a file). */
const HELD = new Set<string>();

/** An empty or unreadable lock file older than this is a holder killed while writing it. */
const UNREADABLE_STALE_MS = 2_000;
/** Breaking a stale lock takes milliseconds; a breaker file older than this was left by a crash. */
const BREAKER_STALE_MS = 5_000;

let ownStart: string | null | undefined;

/** A fresh owner record of this process (with a new token). */
export function lockOwner(
  purpose: string,
  extra: { jobId?: string } = {},
): LockOwner & { token: string } {
  ownStart ??= processStartTime(process.pid);
  return {
    pid: process.pid,
    host: hostname(),
    purpose,
    since: new Date().toISOString(),
    token: randomBytes(8).toString('hex'),
    ...(extra.jobId ? { jobId: extra.jobId } : {}),
    ...(ownStart ? { started: ownStart } : {}),
  };
}

/** How a holder is named in messages. */
export function describeOwner(owner: LockOwner): string {
  const where = owner.host === hostname() ? '' : ` on ${owner.host}`;
  return `${owner.purpose} (pid ${owner.pid}${where}, since ${owner.since})`;
}

/** A lock file as read: its owner (null when empty or not an owner record) and its identity. */
export interface SeenLock {
  owner: LockOwner | null;
  raw: string;
  ino: number;
  mtimeMs: number;
}

function parseOwner(raw: string): LockOwner | null {
  try {
    const owner = JSON.parse(raw) as LockOwner | null;
    // A record of another shape cannot be checked; it is treated like a half-written one.
    return owner && typeof owner.pid === 'number' && typeof owner.host === 'string' ? owner : null;
  } catch {
    return null;
  }
}

/** Reads a lock file; null when there is none. */
export function readLock(file: string): SeenLock | null {
  try {
    const info = statSync(file);
    const raw = readFileSync(file, 'utf8');
    return { owner: parseOwner(raw), raw, ino: info.ino, mtimeMs: info.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * A lock is stale when its holder is a dead process on this host, one whose pid now belongs to a
 * process started later, one that had our pid but is not one of our holds, or when the file is
 * unreadable and old. A holder on another machine sharing the folder is never judged from here.
 */
export function isStale(seen: SeenLock): boolean {
  const { owner } = seen;
  if (!owner) return Date.now() - seen.mtimeMs > UNREADABLE_STALE_MS;
  if (owner.host !== hostname()) return false;
  if (owner.pid === process.pid) return !owner.token || !HELD.has(owner.token);
  if (!isProcessAlive(owner.pid)) return true;
  if (owner.started) {
    const now = processStartTime(owner.pid);
    if (now !== null && now !== owner.started) return true;
  }
  return false;
}

/** Creates `file` with O_EXCL holding `owner`; false when it exists. Synchronous: a fast path. */
export function createLockSync(file: string, owner: LockOwner & { token: string }): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  HELD.add(owner.token);
  try {
    writeSync(fd, JSON.stringify(owner));
    fsyncSync(fd);
  } catch (error) {
    // Disk full: leave no half-written lock behind.
    closeSync(fd);
    rmSync(file, { force: true });
    HELD.delete(owner.token);
    throw error;
  }
  closeSync(fd);
  return true;
}

/** As createLockSync, without blocking the event loop on the write and fsync. */
export async function createLock(
  file: string,
  owner: LockOwner & { token: string },
): Promise<boolean> {
  const handle = await open(file, 'wx', 0o644).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
    return null;
  });
  if (!handle) return false;
  HELD.add(owner.token);
  try {
    await handle.writeFile(JSON.stringify(owner));
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(file, { force: true });
    HELD.delete(owner.token);
    throw error;
  }
  await handle.close();
  return true;
}

/**
 * Removes the stale lock `seen` — that very file, never a fresh lock another process created after
 * it was read: breakers take turns through `<file>.break`, and the file is re-read before it is
 * removed. Without this two waiters could each remove the other's fresh lock and both go ahead.
 * False when it was not removed (another breaker is at work, or the lock changed): look again.
 */
export function breakStaleLock(file: string, seen: SeenLock): boolean {
  const breaker = `${file}.break`;
  let fd: number;
  try {
    fd = openSync(breaker, 'wx', 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    try {
      if (Date.now() - statSync(breaker).mtimeMs > BREAKER_STALE_MS)
        rmSync(breaker, { force: true });
    } catch {
      // gone already
    }
    return false;
  }
  try {
    const now = readLock(file);
    if (now && now.ino === seen.ino && now.mtimeMs === seen.mtimeMs && now.raw === seen.raw) {
      rmSync(file, { force: true });
      return true;
    }
    return false;
  } finally {
    closeSync(fd);
    rmSync(breaker, { force: true });
  }
}

/** Releases a hold: removes the file only while it is still ours. */
export function releaseLock(file: string, token: string): void {
  HELD.delete(token);
  const seen = readLock(file);
  if (seen?.owner?.token === token) rmSync(file, { force: true });
}

/** A lock file held for as long as its holder needs it (released by `release`, idempotent). */
export interface HeldLock {
  readonly owner: LockOwner;
  /** Set when it was taken over from a holder that had died without releasing it. */
  readonly tookOver: { from: LockOwner | null } | null;
  release(): void;
}

/**
 * Takes the lock file `file` now if it is free or its holder is gone; otherwise says who holds it
 * (null while a new holder is still writing the file). Synchronous: for long-held locks (the
 * measurement slot, a report folder) that are tried once, then waited for or refused.
 */
export function tryHoldLock(
  file: string,
  purpose: string,
  extra: { jobId?: string } = {},
): { held: HeldLock } | { busy: LockOwner | null } {
  let tookOver: HeldLock['tookOver'] = null;
  for (let attempt = 0; attempt < 5; attempt++) {
    const me = lockOwner(purpose, extra);
    if (createLockSync(file, me)) {
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        releaseLock(file, me.token);
      };
      return { held: { owner: me, tookOver, release } };
    }
    const seen = readLock(file);
    if (!seen) continue;
    if (!isStale(seen)) return { busy: seen.owner };
    if (breakStaleLock(file, seen)) tookOver = { from: seen.owner };
  }
  return { busy: readLock(file)?.owner ?? null };
}

export class WorkspaceBusyError extends Error {
  constructor(
    readonly owner: LockOwner | null,
    waitedMs: number,
  ) {
    super(
      owner
        ? `The workspace is busy: ${owner.purpose} (pid ${owner.pid} on ${owner.host}, since ${owner.since}) still holds its lock after ${Math.round(waitedMs / 1000)} s. Wait for it to finish, or stop that process and retry.`
        : `The workspace is busy (lock held) after ${Math.round(waitedMs / 1000)} s. Retry when the other EcoEval process has finished.`,
    );
    this.name = 'WorkspaceBusyError';
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class WorkspaceLock {
  readonly file: string;
  #depth = 0;

  constructor(
    root: string,
    private readonly options: { timeoutMs?: number; pollMs?: number } = {},
  ) {
    this.file = join(root, '.lock');
  }

  /** Runs `action` holding the lock; re-entrant within this process. */
  async withLock<T>(purpose: string, action: () => Promise<T>): Promise<T> {
    if (this.#depth > 0) {
      this.#depth++;
      try {
        return await action();
      } finally {
        this.#depth--;
      }
    }
    const token = await this.acquire(purpose);
    this.#depth = 1;
    try {
      return await action();
    } finally {
      this.#depth = 0;
      releaseLock(this.file, token);
    }
  }

  private async acquire(purpose: string): Promise<string> {
    const timeoutMs = this.options.timeoutMs ?? 15_000;
    const pollMs = this.options.pollMs ?? 50;
    const started = Date.now();
    const me = lockOwner(purpose);
    for (;;) {
      if (await createLock(this.file, me)) return me.token;
      const seen = readLock(this.file);
      if (!seen) continue;
      if (isStale(seen) && breakStaleLock(this.file, seen)) continue;
      if (Date.now() - started > timeoutMs)
        throw new WorkspaceBusyError(seen.owner, Date.now() - started);
      await sleep(pollMs);
    }
  }
}
