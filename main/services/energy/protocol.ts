/**
 * Messages between the energy client and the sampler process. Times are monotonic ns as decimal
 * strings (BigInt does not survive JSON IPC).
 */
import type { ProbeReport, SamplerConfig } from './registry';
import type { WindowResult } from './sampler-core';

/** Client → sampler. */
export type ClientMessage =
  | { type: 'init'; config: SamplerConfig }
  | { type: 'mark'; id: number; open?: boolean; release?: string }
  | { type: 'window'; id: number; t0: string; t1: string; release?: string }
  | { type: 'stats'; id: number }
  | { type: 'timeline'; id: number; t0: string; t1: string; maxPoints: number }
  | { type: 'close'; id: number };

/** The sampler's measurement of its own cost (energy.md §3.6: < 1 % of one core). */
export interface SamplerOverhead {
  cpuS: number;
  elapsedS: number;
  /** CPU seconds per wall second, i.e. fraction of one core. */
  fractionOfCore: number;
  reads: number;
  missedTicks: number;
  /** True when the sampler shares the caller's process: the figure then includes the caller. */
  inProcess: boolean;
  pid: number;
}

/** A meter's power over a window for charts: [seconds since window start, watts]. */
export interface PowerSeries {
  meterId: string;
  points: Array<[number, number]>;
}

/** Sampler → client. */
export type HostMessage =
  | { type: 'ready'; report: ProbeReport; pid: number }
  | { type: 'fatal'; message: string }
  | { type: 'marked'; id: number; t: string; wallMs: number }
  | { type: 'window'; id: number; result: WindowResult }
  | { type: 'stats'; id: number; overhead: SamplerOverhead }
  | { type: 'timeline'; id: number; series: PowerSeries[] }
  | { type: 'closed'; id: number }
  | { type: 'error'; id: number; message: string };
