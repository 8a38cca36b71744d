/**
 * The CPU-time × TDP estimator, always available (energy.md §3.4 item 5). Machine power is
 * P = TDP × sockets × (a + (1 − a)·u) with a = 0.1 (CodeCarbon's 10 % floor, linear as in the
 * Cloud Carbon Footprint method), u = busy fraction from /proc/stat deltas. Our process tree's
 * share of busy time is a secondary, labelled view; CPU time of others marks a shared machine.
 */
import { tryList, tryRead } from '../fs';
import type { EnergyFs } from '../fs';
import type { TdpMatch } from '../tdp';
import type { Meter, MeterDescriptor, RawReading } from '../types';

/** Cumulative jiffies from the first line of /proc/stat. */
export interface CpuTimes {
  busy: number;
  total: number;
}

/** Parse the aggregate `cpu` line of /proc/stat; idle and iowait count as not busy. */
export function parseProcStat(text: string): CpuTimes {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) throw new Error('/proc/stat: no aggregate cpu line');
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  if (f.length < 4 || f.some((x) => !Number.isFinite(x)))
    throw new Error('/proc/stat: bad cpu line');
  // guest/guest_nice are already included in user/nice (proc(5)), so only the first 8 fields.
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = f[3] + (f[4] ?? 0);
  return { busy: total - idle, total };
}

/** Fields of /proc/<pid>/stat that matter here. */
export interface PidStat {
  pid: number;
  ppid: number;
  /** utime + stime + cutime + cstime, in clock ticks. */
  ticks: number;
}

/** Parse /proc/<pid>/stat; the command name may contain spaces and parentheses. */
export function parsePidStat(text: string): PidStat | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const pid = Number(text.slice(0, text.indexOf('(')).trim());
  const rest = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  // rest[0] is field 3 (state); utime is field 14 → rest[11].
  const num = (i: number): number => Number(rest[i]);
  const ticks = num(11) + num(12) + num(13) + num(14);
  if (!Number.isFinite(pid) || !Number.isFinite(ticks)) return undefined;
  return { pid, ppid: num(1), ticks };
}

/**
 * CPU ticks of a process tree. A reaped child's time moves into its parent's cutime/cstime
 * (proc(5)), so summing utime+stime+cutime+cstime over the live tree stays continuous when
 * children exit — a PID that exits mid-window keeps its energy.
 */
export function treeTicks(
  fs: EnergyFs,
  rootPid: number,
  excludePids: number[],
  onlyPids?: number[],
): { ticks: number; pids: number[] } {
  const stats: PidStat[] = [];
  const candidates =
    onlyPids ??
    tryList(fs, '/proc')
      .filter((e) => /^\d+$/.test(e))
      .map(Number);
  for (const e of candidates) {
    const text = tryRead(fs, `/proc/${e}/stat`);
    const s = text ? parsePidStat(text) : undefined;
    if (s) stats.push(s);
  }
  const children = new Map<number, PidStat[]>();
  for (const s of stats) {
    const list = children.get(s.ppid) ?? [];
    list.push(s);
    children.set(s.ppid, list);
  }
  const root = stats.find((s) => s.pid === rootPid);
  if (!root) return { ticks: 0, pids: [] };
  const exclude = new Set(excludePids);
  let total = 0;
  const pids: number[] = [];
  const stack = [root];
  while (stack.length) {
    const s = stack.pop() as PidStat;
    total += s.ticks;
    pids.push(s.pid);
    for (const c of children.get(s.pid) ?? []) if (!exclude.has(c.pid)) stack.push(c);
  }
  return { ticks: total, pids };
}

/**
 * Rescan all of /proc only every this many reads; in between only the known tree is read.
 * A child born and reaped between rescans still counts through its parent's cutime, so this
 * cuts the sampler's cost (hundreds of stat files per second) without losing CPU time.
 */
const FULL_SCAN_EVERY = 5;

/** Brand, sockets and logical CPU count from /proc/cpuinfo. */
export function parseCpuInfo(text: string): { brand: string; sockets: number; logical: number } {
  const brand = /^model name\s*:\s*(.*)$/m.exec(text)?.[1]?.trim() ?? '';
  const ids = new Set([...text.matchAll(/^physical id\s*:\s*(\d+)/gm)].map((m) => m[1]));
  const logical = [...text.matchAll(/^processor\s*:/gm)].length;
  return { brand, sockets: Math.max(1, ids.size), logical: Math.max(1, logical) };
}

/** Idle floor of the linear model. */
export const CPU_IDLE_FRACTION = 0.1;

/** Options for the estimator. */
export interface CpuEstimatorOptions {
  tdp: TdpMatch;
  sockets: number;
  brand: string;
  periodS: number;
  /** Process tree whose share is reported; omit for machine-only. */
  trackPid?: number;
  /** Pids (and their subtrees) excluded from the tree, e.g. the sampler itself. */
  excludePids?: number[];
  /** Run next to a hardware counter for calibration and foreign-load detection only. */
  crossCheck?: boolean;
  now: () => bigint;
}

/** The estimator meter: model readings with u, our share and the foreign busy fraction. */
export class CpuEstimator implements Meter {
  readonly descriptor: MeterDescriptor;
  private prev: (CpuTimes & { ours: number }) | undefined;
  private readonly maxW: number;
  private knownPids: number[] | undefined;
  private reads = 0;

  constructor(
    private readonly fs: EnergyFs,
    private readonly options: CpuEstimatorOptions,
  ) {
    this.maxW = options.tdp.watts * (options.tdp.basis === 'unknown-model' ? 1 : options.sockets);
    const socketText = options.sockets > 1 ? ` × ${options.sockets} sockets` : '';
    this.descriptor = {
      id: 'est:cpu-tdp',
      component: 'cpu',
      device: options.brand || 'unknown CPU',
      method: 'estimate',
      scope: 'cpu-package',
      source: '/proc/stat CPU time × TDP table',
      label: `estimate (${options.tdp.label}${socketText} × (0.1 + 0.9·utilisation))`,
      relUncertainty: { lo: 0.5, hi: 1.0 },
      powerCeilingW: this.maxW * 2,
      periodS: options.periodS,
      ...(options.crossCheck ? { crossCheck: true } : {}),
      notes: [options.tdp.label],
    };
  }

  private sample(): CpuTimes & { ours: number } {
    const times = parseProcStat(this.fs.readText('/proc/stat'));
    if (this.options.trackPid === undefined) return { ...times, ours: 0 };
    const full = this.reads++ % FULL_SCAN_EVERY === 0 || this.knownPids === undefined;
    const tree = treeTicks(
      this.fs,
      this.options.trackPid,
      this.options.excludePids ?? [],
      full ? undefined : this.knownPids,
    );
    this.knownPids = tree.pids;
    return { ...times, ours: tree.ticks };
  }

  async read(): Promise<RawReading> {
    return this.readSync();
  }

  readSync(): RawReading {
    const cur = this.sample();
    const t = this.options.now();
    const prev = this.prev ?? cur;
    this.prev = cur;
    const dTotal = cur.total - prev.total;
    const u = dTotal > 0 ? Math.min(1, Math.max(0, (cur.busy - prev.busy) / dTotal)) : 0;
    const oursU = dTotal > 0 ? Math.min(u, Math.max(0, (cur.ours - prev.ours) / dTotal)) : 0;
    const watts = this.maxW * (CPU_IDLE_FRACTION + (1 - CPU_IDLE_FRACTION) * u);
    return {
      t,
      kind: 'model',
      watts,
      // shareW: busy-time share of machine power (experiment-impact-tracker style).
      inputs: { u, oursU, foreignU: u - oursU, shareW: u > 0 ? (watts * oursU) / u : 0 },
    };
  }

  async close(): Promise<void> {}
}
