/**
 * The sampler's state, independent of timers and transports: reads meters into ledgers
 * (periodic groups and immediate reads at every mark) and answers window queries with
 * per-component figures. Tests drive it directly with fake meters and an injected clock.
 */
import { Ledger } from './ledger';
import { componentFigure } from './figure';
import type { ComponentFigure, Meter, RawReading } from './types';

/** What the sampler answers for a window [t0, t1]. JSON-serialisable. */
export interface WindowResult {
  windowS: number;
  components: ComponentFigure[];
  idleDevices: ComponentFigure[];
  /** Largest number of readings any summed meter took inside the window. */
  samples: number;
  resets: number;
  approximated: boolean;
  gaps: boolean;
  /** Busy CPU time of other processes, as a fraction of the machine (estimator only). */
  foreignCpuFraction?: number;
  /** Our process tree's busy-time share of CPU power, J (secondary, process-share scope). */
  processShareJ?: number;
  foreignGpuPids: number[];
  deadMeters: string[];
  /** Meters left out of the sum and why (e.g. mirrored zones). */
  excluded: string[];
  /** Cross-check meters (the estimator beside a counter): shown with a ratio, never summed. */
  crossChecks: ComponentFigure[];
}

/** Sampler state over a set of meters. */
export class SamplerCore {
  readonly ledgers = new Map<string, Ledger>();
  private share = new Ledger({ periodS: 1e9, ceilingW: Infinity });
  private foreign = new Ledger({ periodS: 1e9, ceilingW: Infinity });
  private foreignGpu: Array<{ t: bigint; pids: number[] }> = [];
  private busy = new Set<Meter>();
  /** Per mark: each meter's own reading time, so counter windows use exact read edges. */
  private marks = new Map<bigint, Map<string, bigint>>();
  /** Successful reads, for overhead reports. */
  reads = 0;

  constructor(
    readonly meters: Meter[],
    private readonly now: () => bigint = () => process.hrtime.bigint(),
  ) {
    for (const m of meters) {
      const d = m.descriptor;
      this.ledgers.set(
        d.id,
        new Ledger({
          periodS: d.periodS,
          ceilingW: d.powerCeilingW,
          updatePeriodS: d.updatePeriodS,
        }),
      );
    }
  }

  /** Record a reading; returns its time for counters (a mark's exact edge). */
  private record(ledger: Ledger, r: RawReading): bigint | undefined {
    ledger.add(r);
    this.reads++;
    if (r.kind === 'model' && r.inputs.foreignU !== undefined) {
      this.foreign.add({ t: r.t, kind: 'model', watts: r.inputs.foreignU, inputs: {} });
      this.share.add({ t: r.t, kind: 'model', watts: r.inputs.shareW ?? 0, inputs: {} });
    }
    return r.kind === 'counter' ? r.t : undefined;
  }

  /**
   * Read one meter synchronously when it can (sysfs, procfs, NVML): no promise per reading.
   * Returns `null` when the meter needs the async path.
   */
  private readNow(m: Meter): bigint | undefined | null {
    const ledger = this.ledgers.get(m.descriptor.id) as Ledger;
    if (m.drain) {
      for (const r of m.drain()) ledger.add(r);
      return undefined;
    }
    if (!m.readSync) return null;
    if (m.dead?.()) return undefined;
    try {
      return this.record(ledger, m.readSync());
    } catch {
      ledger.miss();
      return undefined;
    }
  }

  /** Read one meter into its ledger; failures are missed reads, never exceptions. */
  private async readOne(m: Meter): Promise<bigint | undefined> {
    const now = this.readNow(m);
    if (now !== null) return now;
    const ledger = this.ledgers.get(m.descriptor.id) as Ledger;
    if (m.dead?.() || this.busy.has(m)) return undefined;
    this.busy.add(m);
    try {
      return this.record(ledger, await m.read());
    } catch {
      ledger.miss();
      return undefined;
    } finally {
      this.busy.delete(m);
    }
  }

  /** Read every meter whose period is `periodS` (a timer group). */
  async readGroup(periodS: number): Promise<void> {
    const pending: Array<Promise<unknown>> = [];
    for (const m of this.meters) {
      if (m.descriptor.periodS !== periodS) continue;
      if (this.readNow(m) === null) pending.push(this.readOne(m));
    }
    if (pending.length) await Promise.all(pending);
  }

  /** Poll foreign GPU processes (1 Hz). */
  async pollForeign(): Promise<void> {
    for (const m of this.meters) {
      if (!m.foreignPids || m.descriptor.usedByRun === false) continue;
      const pids = await m.foreignPids().catch(() => []);
      if (pids.length) this.foreignGpu.push({ t: this.now(), pids });
    }
  }

  /** Immediate read of every meter at a phase mark; returns the mark time. */
  async mark(): Promise<bigint> {
    const t = this.now();
    const times = await Promise.all(this.meters.map((m) => this.readOne(m)));
    const perMeter = new Map<string, bigint>();
    times.forEach((rt, i) => rt !== undefined && perMeter.set(this.meters[i].descriptor.id, rt));
    this.marks.set(t, perMeter);
    return t;
  }

  /** Periods in use, for the timer driver. */
  periods(): number[] {
    return [...new Set(this.meters.map((m) => m.descriptor.periodS))].sort((a, b) => a - b);
  }

  /** Drop samples older than `t` (no open window reaches back further). */
  prune(t: bigint): void {
    for (const l of this.ledgers.values()) l.prune(t);
    this.share.prune(t);
    this.foreign.prune(t);
    this.foreignGpu = this.foreignGpu.filter((x) => x.t >= t);
    for (const k of this.marks.keys()) if (k < t) this.marks.delete(k);
  }

  /** Per-component energy of [t0, t1]. */
  window(t0: bigint, t1: bigint): WindowResult {
    const windowS = Number(t1 - t0) / 1e9;
    const res: WindowResult = {
      windowS,
      components: [],
      idleDevices: [],
      samples: 0,
      resets: 0,
      approximated: false,
      gaps: false,
      foreignGpuPids: [],
      deadMeters: [],
      excluded: [],
      crossChecks: [],
    };
    for (const m of this.meters) {
      const d = m.descriptor;
      // A counter read at a mark defines that meter's edge exactly (energy.md §3.6).
      const e0 = this.marks.get(t0)?.get(d.id) ?? t0;
      const e1 = this.marks.get(t1)?.get(d.id) ?? t1;
      const w = (this.ledgers.get(d.id) as Ledger).window(e0, e1);
      const excluded = m.excludedBecause?.();
      if (excluded) {
        res.excluded.push(`${d.id}: ${excluded}`);
        continue;
      }
      const fig = componentFigure(d, w, windowS);
      if (d.crossCheck) {
        res.crossChecks.push(fig);
        continue;
      }
      if (d.usedByRun === false) {
        res.idleDevices.push(fig);
        continue;
      }
      if (m.dead?.()) res.deadMeters.push(d.id);
      res.components.push(fig);
      res.samples = Math.max(res.samples, w.samples);
      res.resets += w.resets;
      res.approximated ||= w.approximated;
      res.gaps ||= w.gapJ > 0 || w.coverage < 0.98;
    }
    if (this.foreign.size > 1) {
      res.foreignCpuFraction = windowS > 0 ? this.foreign.window(t0, t1).joules / windowS : 0;
      res.processShareJ = this.share.window(t0, t1).joules;
    }
    const pids = new Set<number>();
    for (const x of this.foreignGpu) if (x.t >= t0 && x.t <= t1) x.pids.forEach((p) => pids.add(p));
    res.foreignGpuPids = [...pids];
    return res;
  }

  /** Power per meter inside [t0, t1] for charts, thinned to at most `maxPoints` per meter. */
  timeline(
    t0: bigint,
    t1: bigint,
    maxPoints: number,
  ): Array<{ meterId: string; points: Array<[number, number]> }> {
    return this.meters
      .filter((m) => !m.descriptor.crossCheck)
      .map((m) => {
        const pts = (this.ledgers.get(m.descriptor.id) as Ledger)
          .powerTimeline()
          .filter((p) => p.t >= t0 && p.t <= t1);
        const stride = Math.max(1, Math.ceil(pts.length / Math.max(1, maxPoints)));
        return {
          meterId: m.descriptor.id,
          points: pts
            .filter((_, i) => i % stride === 0)
            .map((p): [number, number] => [Number(p.t - t0) / 1e9, p.watts]),
        };
      });
  }

  async close(): Promise<void> {
    await Promise.all(this.meters.map((m) => m.close().catch(() => undefined)));
  }
}
