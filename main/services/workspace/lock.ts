/**
 * Inter-process workspace lock: the desktop app, the browser host and the CLI may share one
 * workspace, so every mutation runs inside `withLock`. The lock is a file created with O_EXCL
 * holding the owner's pid, host and purpose; a holder that died (same host, pid gone) is taken
 * over, so a killed process never wedges the workspace — nor does one that had this process's pid
 * (a restarted container gives the app the same pid again). Held only for the duration of a write.
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { isProcessAlive } from '../process-alive';

export interface LockOwner {
  pid: number;
  host: string;
  purpose: string;
  since: string;
  /** Which acquisition: tells this process's own holds from an earlier process with its pid. */
  token?: string;
}

/** Tokens of the locks this process holds now (several WorkspaceLock objects may share a folder). */
const HELD = new Set<string>();

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

async function readOwner(lockFile: string): Promise<LockOwner | null> {
  try {
    return JSON.parse(await readFile(lockFile, 'utf8')) as LockOwner;
  } catch {
    return null;
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
      await rm(this.file, { force: true });
      HELD.delete(token);
    }
  }

  private async acquire(purpose: string): Promise<string> {
    const timeoutMs = this.options.timeoutMs ?? 15_000;
    const pollMs = this.options.pollMs ?? 50;
    const started = Date.now();
    const me: LockOwner = {
      pid: process.pid,
      host: hostname(),
      purpose,
      since: new Date().toISOString(),
      token: randomBytes(8).toString('hex'),
    };
    for (;;) {
      const handle = await open(this.file, 'wx', 0o644).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
        return null;
      });
      if (handle) {
        HELD.add(me.token!);
        try {
          await handle.writeFile(JSON.stringify(me));
          await handle.sync();
        } catch (error) {
          // Disk full: leave no half-written lock behind.
          await handle.close().catch(() => undefined);
          await rm(this.file, { force: true });
          HELD.delete(me.token!);
          throw error;
        }
        await handle.close();
        return me.token!;
      }
      const owner = await readOwner(this.file);
      if (await this.isStale(owner)) {
        await rm(this.file, { force: true });
        continue;
      }
      if (Date.now() - started > timeoutMs)
        throw new WorkspaceBusyError(owner, Date.now() - started);
      await sleep(pollMs);
    }
  }

  /**
   * A lock is stale when its holder is a dead process on this host (or had our pid but is not one
   * of our holds), or it is unreadable and old.
   */
  private async isStale(owner: LockOwner | null): Promise<boolean> {
    if (owner && owner.host === hostname()) {
      if (owner.pid === process.pid) return !owner.token || !HELD.has(owner.token);
      return !isProcessAlive(owner.pid);
    }
    if (!owner) {
      // A holder killed between create and write leaves an empty file; give it a moment first.
      try {
        const info = await stat(this.file);
        return Date.now() - info.mtimeMs > 2_000;
      } catch {
        return true;
      }
    }
    return false;
  }
}
