/**
 * Whether a process id is still running, for the owners the workspace records (lock holders,
 * temp-file writers, training children, queue entries): signal 0 probes without touching it.
 */
export function isProcessAlive(pid: number | null | undefined): boolean {
  if (!pid) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
