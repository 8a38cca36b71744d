/**
 * Whether a process id is still running, for the owners the workspace records (lock holders,
 * temp-file writers, training children, queue entries): signal 0 probes without touching it.
 * A zombie — a killed process its parent has not reaped, which lasts forever in a container
 * whose first process is not an init — has stopped: it counts as gone.
 */
import { readFileSync } from 'node:fs';

/** Linux: the state letter in /proc/<pid>/stat (Z zombie, X dead); null where unknown. */
function procState(pid: number): string | null {
  if (process.platform !== 'linux') return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) S ...": comm may hold spaces and parentheses; the state follows the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) || null;
  } catch {
    return null;
  }
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
