/**
 * Whether a process id is still running, for the owners the workspace records (lock holders,
 * temp-file writers, training children, queue entries): signal 0 probes without touching it.
 * A zombie — a killed process its parent has not reaped, which lasts forever in a container
 * whose first process is not an init — has stopped: it counts as gone.
 */
import { readFileSync } from 'node:fs';

/** Linux: the fields of /proc/<pid>/stat after "(comm)", from the state on; null where unknown. */
function procFields(pid: number): string[] | null {
  if (process.platform !== 'linux') return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) S ...": comm may hold spaces and parentheses; the state follows the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** Linux: the state letter (Z zombie, X dead); null where unknown. */
function procState(pid: number): string | null {
  return procFields(pid)?.[0] || null;
}

/**
 * When the process started (Linux: clock ticks after boot, field 22 of /proc/<pid>/stat); null
 * where unknown. A long-held lock records it, so a holder whose pid was reused by an unrelated
 * process after it died is still recognised as gone.
 */
export function processStartTime(pid: number): string | null {
  return procFields(pid)?.[19] ?? null;
}

export function isProcessAlive(pid: number | null | undefined): boolean {
  if (!pid) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const state = procState(pid);
  return state !== 'Z' && state !== 'X';
}
