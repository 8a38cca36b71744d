/**
 * Progress output for long CLI commands: a redrawn one-line bar on a terminal, plain log lines
 * (at most every few seconds) elsewhere, so CI logs stay readable.
 */
import type { JobProgress } from '../../shared/api/types';
import type { CliIO } from './io';

function human(value: number, unit: string): string {
  if (unit === 'bytes') {
    const units = ['B', 'KB', 'MB', 'GB'];
    let v = value;
    let i = 0;
    while (v >= 1024 && i < units.length - 1) {
      v /= 1024;
      i++;
    }
    return `${v.toFixed(i ? 1 : 0)} ${units[i]}`;
  }
  return `${Math.round(value).toLocaleString('en-US')} ${unit}`;
}

export function progressPrinter(io: CliIO): (p: JobProgress) => void {
  let lastLog = 0;
  return (p) => {
    if (p.state === 'running' && p.done === 0) return;
    const pct = p.total ? ` ${((100 * p.done) / p.total).toFixed(0)}%` : '';
    const eta =
      p.etaSeconds !== null && p.state === 'running' ? `, ETA ${Math.ceil(p.etaSeconds)} s` : '';
    const line = `${p.label}:${pct} ${human(p.done, p.unit)}${p.total ? ` of ${human(p.total, p.unit)}` : ''} (${human(p.ratePerSecond, p.unit)}/s${eta})`;
    if (io.isTTY) {
      io.stderr(`\r\x1b[2K${line}`);
      if (p.state !== 'running') io.stderr('\n');
      return;
    }
    const now = Date.now();
    if (p.state === 'running' && now - lastLog < 3000) return;
    lastLog = now;
    if (p.state === 'running') io.stderr(`${line}\n`);
  };
}
