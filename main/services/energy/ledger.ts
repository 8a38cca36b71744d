/**
 * Per-meter cumulative energy series (joules vs monotonic ns) with gap markers. Every reading
 * kind becomes the same series — counters by delta, power by trapezoid, models by interval
 * average — so windows are answered by interpolating it at two edges (energy.md §0.1, §3.3).
 */
import { counterStep } from './counter';
import type { RawReading } from './types';

/** One point of the series. `gap` says the segment ending here has no valid measurement. */
interface Point {
  t: bigint;
  e: number;
  gap: boolean;
}

/** What a window asks of one ledger. */
export interface LedgerWindow {
  /** Measured + estimated gap energy. */
  joules: number;
  /** Energy from valid segments only. */
  measuredJ: number;
  /** Energy bridged over gaps (estimated from neighbours). */
  gapJ: number;
  /** Fraction of the window covered by valid segments. */
  coverage: number;
  /** Counter went backwards / implausibly inside the window. */
  resets: number;
  /** Counter had not updated inside a window shorter than its update period: power × time used. */
  approximated: boolean;
  /** Readings whose timestamps fall inside the window. */
  samples: number;
}

/** Options that shape how readings are turned into energy. */
export interface LedgerOptions {
  /** Nominal poll period; power segments longer than 3× this are gaps (energy.md §3.6). */
  periodS: number;
  /** Highest plausible power, W. */
  ceilingW: number;
  /** Counter update period (NVML ≈ 0.1 s) for the short-window approximation. */
  updatePeriodS?: number;
}

const NS = 1e9;

/** Cumulative energy series of one meter. */
export class Ledger {
  private points: Point[] = [];
  private prevRaw: bigint | undefined;
  private prevW: number | undefined;
  private resetTimes: bigint[] = [];
  /** Reasons of the gaps seen, for the manifest. */
  readonly gapReasons: string[] = [];
  /** Reads that threw (EIO, empty file); the counter carries their energy to the next read. */
  missedReads = 0;
  private kind: RawReading['kind'] | undefined;

  constructor(private readonly options: LedgerOptions) {}

  /** Number of points held. */
  get size(): number {
    return this.points.length;
  }

  /** Last point's time, if any. */
  get lastT(): bigint | undefined {
    return this.points.at(-1)?.t;
  }

  /** Record a failed read; it is not a gap by itself (energy.md scenario 10). */
  miss(): void {
    this.missedReads++;
  }

  /** Add one reading. Out-of-order readings (older than the last point) are ignored. */
  add(r: RawReading): void {
    const last = this.points.at(-1);
    if (last && r.t < last.t) return;
    this.kind ??= r.kind;
    if (!last) {
      this.points.push({ t: r.t, e: 0, gap: false });
      if (r.kind === 'counter') this.prevRaw = r.raw;
      if (r.kind === 'power') this.prevW = r.watts;
      return;
    }
    const dtNs = r.t - last.t;
    const dtS = Number(dtNs) / NS;
    const longGap = dtS > 3 * this.options.periodS;
    if (r.kind === 'counter') {
      const step = counterStep(
        this.prevRaw ?? r.raw,
        r.raw,
        dtNs,
        r.unitJ,
        r.maxRaw,
        this.options.ceilingW,
      );
      this.prevRaw = r.raw;
      if (step.ok) {
        this.points.push({ t: r.t, e: last.e + step.joules, gap: false });
      } else {
        this.points.push({ t: r.t, e: last.e, gap: true });
        this.resetTimes.push(r.t);
        this.gapReasons.push(step.detail);
      }
      return;
    }
    if (r.kind === 'power') {
      if (!Number.isFinite(r.watts) || r.watts < 0) return;
      const prevW = this.prevW ?? r.watts;
      this.prevW = r.watts;
      // Trapezoid across a long silence is the neighbour estimate; the segment is still a gap.
      this.points.push({ t: r.t, e: last.e + ((prevW + r.watts) / 2) * dtS, gap: longGap });
      if (longGap) this.gapReasons.push(`no power sample for ${dtS.toFixed(2)} s`);
      return;
    }
    if (!Number.isFinite(r.watts) || r.watts < 0) return;
    this.points.push({ t: r.t, e: last.e + r.watts * dtS, gap: longGap });
  }

  /** Drop points older than `t` (keeping one before it) so long runs stay bounded. */
  prune(t: bigint): void {
    let i = 0;
    while (i + 1 < this.points.length && this.points[i + 1].t <= t) i++;
    if (i > 0) this.points.splice(0, i);
  }

  /** Average power of valid segments in [t0, t1], or undefined when there are none. */
  private averagePower(t0: bigint, t1: bigint): number | undefined {
    let e = 0;
    let ns = 0;
    for (let i = 1; i < this.points.length; i++) {
      const a = this.points[i - 1];
      const b = this.points[i];
      if (b.gap || b.t <= t0 || a.t >= t1) continue;
      e += b.e - a.e;
      ns += Number(b.t - a.t);
    }
    return ns > 0 ? e / (ns / NS) : undefined;
  }

  /** Energy in [t0, t1] by linear interpolation of the cumulative series. */
  window(t0: bigint, t1: bigint): LedgerWindow {
    const windowNs = Number(t1 - t0);
    const empty: LedgerWindow = {
      joules: 0,
      measuredJ: 0,
      gapJ: 0,
      coverage: 0,
      resets: 0,
      approximated: false,
      samples: 0,
    };
    if (windowNs <= 0 || this.points.length === 0) return empty;
    let measuredJ = 0;
    let powerGapJ = 0;
    let validNs = 0;
    let counterGapNs = 0;
    let samples = 0;
    for (const p of this.points) if (p.t >= t0 && p.t <= t1) samples++;
    for (let i = 1; i < this.points.length; i++) {
      const a = this.points[i - 1];
      const b = this.points[i];
      const lo = a.t > t0 ? a.t : t0;
      const hi = b.t < t1 ? b.t : t1;
      if (hi <= lo) continue;
      const segNs = Number(b.t - a.t);
      const overlap = Number(hi - lo);
      const segE = segNs > 0 ? ((b.e - a.e) * overlap) / segNs : 0;
      if (!b.gap) {
        measuredJ += segE;
        validNs += overlap;
      } else if (this.kind === 'counter') {
        counterGapNs += overlap;
      } else {
        powerGapJ += segE;
      }
    }
    // Parts of the window outside the series (before the first / after the last point) are
    // uncovered; they are estimated like counter gaps.
    const first = this.points[0].t;
    const last = this.points[this.points.length - 1].t;
    const uncoveredNs =
      (first > t0 ? Number((first < t1 ? first : t1) - t0) : 0) +
      (last < t1 ? Number(t1 - (last > t0 ? last : t0)) : 0);
    const neighbourW =
      validNs > 0
        ? measuredJ / (validNs / NS)
        : (this.averagePower(t0 - 5n * BigInt(NS), t1 + 5n * BigInt(NS)) ?? 0);
    const counterGapJ = ((counterGapNs + uncoveredNs) / NS) * neighbourW;
    let approximated = false;
    const upd = this.options.updatePeriodS;
    if (
      this.kind === 'counter' &&
      upd !== undefined &&
      measuredJ === 0 &&
      windowNs / NS < 2 * upd
    ) {
      // The counter had not ticked inside a window shorter than its update period (Zeus #32):
      // use the neighbours' power × duration rather than report zero.
      const p = this.averagePower(t0 - 5n * BigInt(NS), t1 + 5n * BigInt(NS));
      if (p !== undefined && p > 0) {
        measuredJ = p * (windowNs / NS);
        approximated = true;
      }
    }
    const resets = this.resetTimes.filter((t) => t > t0 && t <= t1).length;
    const gapJ = powerGapJ + counterGapJ;
    return {
      joules: measuredJ + gapJ,
      measuredJ,
      gapJ,
      coverage: Math.min(1, validNs / windowNs),
      resets,
      approximated,
      samples,
    };
  }

  /** Power timeline (W) for charts; segments shorter than 1 ms are skipped (no spikes). */
  powerTimeline(): Array<{ t: bigint; watts: number }> {
    const out: Array<{ t: bigint; watts: number }> = [];
    for (let i = 1; i < this.points.length; i++) {
      const a = this.points[i - 1];
      const b = this.points[i];
      const dt = Number(b.t - a.t) / NS;
      if (b.gap || dt < 1e-3) continue;
      out.push({ t: b.t, watts: (b.e - a.e) / dt });
    }
    return out;
  }
}
