/**
 * Progress of a measured-queue job (an evaluation) on stderr: a redrawn line on a terminal, a
 * plain log line every few seconds elsewhere (CI). Shared by `ecoeval evaluate` and
 * `ecoeval report run`, which prefixes each line with the job's place in the plan. Also the
 * one-line notices of a job that waits for another EcoEval process's measurement.
 */
import type { JobProgress, QueuedJob } from '../../shared/api/types';
import type { CliIO } from './io';
import { joules } from './runs';

export function jobProgressPrinter(
  io: CliIO,
  options: { prefix?: string } = {},
): (p: JobProgress) => void {
  const prefix = options.prefix ?? '';
  let lastLog = 0;
  let finished = false;
  return (p) => {
    if (p.state !== 'running') {
      if (io.isTTY) io.stderr('\n');
      return;
    }
    // Log lines: nothing before the first segment, and the end of the work once.
    if (!io.isTTY && (p.done === 0 || finished)) return;
    const pct = p.total ? ` ${Math.floor((100 * p.done) / p.total)}%` : '';
    const of = p.total ? `${p.done} of ${p.total} ${p.unit}` : `${p.done} ${p.unit}`;
    const eta = p.etaSeconds !== null ? `, ETA ${Math.ceil(p.etaSeconds)} s` : '';
    const energy =
      p.joules !== null && p.joules !== undefined ? `, ${joules(p.joules)} so far` : '';
    const tail = `:${pct} ${of} (${p.ratePerSecond.toFixed(1)} ${p.unit}/s${eta}${energy})`;
    if (io.isTTY) {
      const width = 20;
      const filled = p.total ? Math.min(width, Math.floor((width * p.done) / p.total)) : 0;
      const bar = p.total ? ` [${'█'.repeat(filled)}${'░'.repeat(width - filled)}]` : '';
      io.stderr(`\r\x1b[2K${prefix}${p.label}${bar}${tail}`);
    } else if (Date.now() - lastLog >= 3000 || p.done === p.total) {
      lastLog = Date.now();
      finished = p.done === p.total;
      io.stderr(`${prefix}${p.label}${tail}\n`);
    }
  };
}

/**
 * Prints, once each, the messages of waiting or running queue jobs: that a job waits because
 * another EcoEval process (the app, another command) is measuring on the workspace, and that it
 * took over from one that died. Feed it the lists `queue:changed` carries.
 */
export function queueNoticePrinter(io: CliIO): (jobs: readonly QueuedJob[]) => void {
  const said = new Set<string>();
  return (jobs) => {
    for (const job of jobs) {
      if ((job.state !== 'queued' && job.state !== 'running') || !job.message) continue;
      const key = `${job.jobId}\n${job.message}`;
      if (said.has(key)) continue;
      said.add(key);
      io.stderr(`${job.message}\n`);
    }
  };
}
