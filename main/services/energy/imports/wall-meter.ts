/**
 * Wall-plug meter logs (energy.md §3.4 item 7): a CSV with `timestamp` (ISO 8601 with a UTC
 * offset, or epoch seconds/milliseconds) and one of `power_w`, `power_kw`, `energy_wh`,
 * `energy_kwh` (cumulative). The series is aligned by a user offset (sync-pulse alignment is not
 * in v1) and a window's wall energy becomes a `system`/`wall` component figure.
 */
import { Ledger } from '../ledger';
import { componentFigure } from '../figure';
import type { ComponentFigure, MeterDescriptor } from '../types';
import { parseCsvWithLines } from './csv';
import { EnergyInputError, MAX_FIGURE, quoted } from './errors';

/** A parsed wall-meter log. */
export interface WallMeterSeries {
  file: string;
  kind: 'power' | 'energy';
  /** Epoch ms (already shifted by the offset) and value: W for power, cumulative J for energy. */
  points: Array<{ tMs: number; value: number }>;
  /** Declared meter accuracy, relative (default 2 %). */
  accuracy: number;
  offsetS: number;
  /** Median sampling interval, s. */
  periodS: number;
}

const VALUE_COLUMNS: Record<string, { kind: 'power' | 'energy'; scale: number }> = {
  power_w: { kind: 'power', scale: 1 },
  power_kw: { kind: 'power', scale: 1000 },
  energy_wh: { kind: 'energy', scale: 3600 },
  energy_kwh: { kind: 'energy', scale: 3.6e6 },
};

/** Parse one timestamp; undefined when it is not a time. Naive local times are rejected. */
export function parseTimestamp(s: string): number | 'naive' | undefined {
  if (/^\d+(\.\d+)?$/.test(s)) {
    const n = Number(s);
    // Epoch seconds are ~1.7e9 today; anything above 1e11 must be milliseconds.
    return n > 1e11 ? n : n * 1000;
  }
  if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(s)) return undefined;
  if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(s)) return 'naive';
  const ms = Date.parse(s.replace(' ', 'T'));
  return Number.isFinite(ms) ? ms : undefined;
}

/** Parse a wall-meter CSV. Throws EnergyInputError naming the line of the first bad row. */
export function importWallMeterCsv(
  text: string,
  file: string,
  options: { offsetS?: number; accuracy?: number } = {},
): WallMeterSeries {
  const rows = parseCsvWithLines(text, file);
  if (rows.length === 0)
    throw new EnergyInputError(file, undefined, 'no data rows after the header');
  const cols = Object.keys(rows[0].values);
  const tCol = ['timestamp', 'time', 'datetime'].find((c) => cols.includes(c));
  if (!tCol)
    throw new EnergyInputError(file, 1, 'no timestamp column', 'Name the time column "timestamp"');
  const vCol = Object.keys(VALUE_COLUMNS).find((c) => cols.includes(c));
  if (!vCol)
    throw new EnergyInputError(
      file,
      1,
      `no power or energy column (found: ${cols.join(', ')})`,
      'Use one of power_w, power_kw, energy_wh, energy_kwh',
    );
  const { kind, scale } = VALUE_COLUMNS[vCol];
  const offsetMs = (options.offsetS ?? 0) * 1000;
  const points: WallMeterSeries['points'] = [];
  for (const r of rows) {
    const ts = r.values[tCol];
    const t = parseTimestamp(ts);
    if (t === 'naive')
      throw new EnergyInputError(
        file,
        r.line,
        `timestamp ${quoted(ts)} has no UTC offset, so daylight-saving changes make it ambiguous`,
        'Add Z or an offset such as +01:00, or use epoch seconds',
      );
    if (t === undefined)
      throw new EnergyInputError(
        file,
        r.line,
        `${quoted(ts)} is not a timestamp`,
        'Use ISO 8601 with an offset (2026-03-29T01:59:59+01:00) or epoch seconds/milliseconds',
      );
    const raw = r.values[vCol];
    const v = Number(raw);
    if (raw === '' || !Number.isFinite(v) || v < 0 || v > MAX_FIGURE)
      throw new EnergyInputError(
        file,
        r.line,
        `${vCol} ${quoted(raw)} is not a non-negative number${v > MAX_FIGURE ? ' of a plausible size' : ''}`,
        'Fix or delete the row',
      );
    const prev = points.at(-1);
    if (prev && t + offsetMs <= prev.tMs)
      throw new EnergyInputError(
        file,
        r.line,
        `timestamp ${quoted(ts)} is not after the previous row's`,
        'Sort the log by time and remove duplicates',
      );
    if (kind === 'energy' && prev && v * scale < prev.value)
      throw new EnergyInputError(
        file,
        r.line,
        `cumulative ${vCol} went down (${quoted(raw)})`,
        'The meter was reset: split the log at this row',
      );
    points.push({ tMs: t + offsetMs, value: v * scale });
  }
  const dts = points
    .slice(1)
    .map((p, i) => (p.tMs - points[i].tMs) / 1000)
    .sort((a, b) => a - b);
  const periodS = dts.length ? dts[Math.floor(dts.length / 2)] : 1;
  return {
    file,
    kind,
    points,
    accuracy: options.accuracy ?? 0.02,
    offsetS: options.offsetS ?? 0,
    periodS,
  };
}

/** Energy of the wall series between two epoch-ms instants, as a component figure. */
export function wallMeterWindow(
  s: WallMeterSeries,
  startMs: number,
  endMs: number,
): ComponentFigure {
  const d: MeterDescriptor = {
    id: `wall:${s.file}`,
    component: 'system',
    device: 'wall-plug meter',
    method: 'external',
    scope: 'wall',
    source: `imported log ${s.file}`,
    label: `wall meter (${s.kind === 'power' ? 'power log, integrated' : 'energy log'}, ±${(s.accuracy * 100).toFixed(0)} %)`,
    relUncertainty: { lo: s.accuracy, hi: s.accuracy },
    powerCeilingW: 1e6,
    periodS: s.periodS,
    notes: s.offsetS ? [`clock offset ${s.offsetS} s applied`] : [],
  };
  const ledger = new Ledger({ periodS: s.periodS, ceilingW: 1e6 });
  const ns = (ms: number): bigint => BigInt(Math.round(ms * 1e3)) * 1000n;
  for (const p of s.points) {
    if (s.kind === 'power') ledger.add({ t: ns(p.tMs), kind: 'power', watts: p.value });
    // Cumulative joules as a counter in mJ keeps BigInt arithmetic exact.
    else
      ledger.add({
        t: ns(p.tMs),
        kind: 'counter',
        raw: BigInt(Math.round(p.value * 1000)),
        unitJ: 1e-3,
      });
  }
  const w = ledger.window(ns(startMs), ns(endMs));
  return componentFigure(d, w, (endMs - startMs) / 1000);
}

/** Power of the wall series on a regular grid (W), for alignment. */
function wallPowerAt(s: WallMeterSeries, tMs: number): number | undefined {
  const p = s.points;
  if (p.length < 2 || tMs < p[0].tMs || tMs > p[p.length - 1].tMs) return undefined;
  let i = 1;
  while (i < p.length - 1 && p[i].tMs < tMs) i++;
  const a = p[i - 1];
  const b = p[i];
  if (s.kind === 'energy') return ((b.value - a.value) / (b.tMs - a.tMs)) * 1000;
  return a.value + ((b.value - a.value) * (tMs - a.tMs)) / (b.tMs - a.tMs);
}

/**
 * Clock offset of a wall log against a reference power series (RAPL or estimator) that contains
 * the app's sync pulse (a busy loop before the run), by maximising the Pearson correlation over
 * candidate offsets (energy.md §3.4 item 7). Returns the offset to pass as `offsetS` and the
 * correlation reached; the step is the alignment residual to add to the band.
 */
export function alignBySyncPulse(
  wall: WallMeterSeries,
  reference: Array<{ tMs: number; watts: number }>,
  options: { maxOffsetS?: number; stepS?: number } = {},
): { offsetS: number; correlation: number; residualS: number } {
  const maxOff = options.maxOffsetS ?? 30;
  const step = options.stepS ?? 0.1;
  const t0 = reference[0].tMs;
  const t1 = reference[reference.length - 1].tMs;
  const grid: number[] = [];
  for (let t = t0; t <= t1; t += step * 1000) grid.push(t);
  const refAt = (t: number): number => {
    let i = 1;
    while (i < reference.length - 1 && reference[i].tMs < t) i++;
    const a = reference[i - 1];
    const b = reference[i];
    return b.tMs === a.tMs
      ? a.watts
      : a.watts + ((b.watts - a.watts) * (t - a.tMs)) / (b.tMs - a.tMs);
  };
  const ref = grid.map(refAt);
  let best = { offsetS: 0, correlation: -Infinity };
  for (let k = -Math.round(maxOff / step); k <= Math.round(maxOff / step); k++) {
    const off = k * step;
    // Wall time = reference time − offset, i.e. shifting the log by +offset aligns it.
    const xs: number[] = [];
    const ys: number[] = [];
    grid.forEach((t, i) => {
      const w = wallPowerAt(wall, t - off * 1000);
      if (w !== undefined) {
        xs.push(w);
        ys.push(ref[i]);
      }
    });
    if (xs.length < grid.length / 2) continue;
    const c = pearson(xs, ys);
    if (c > best.correlation) best = { offsetS: off, correlation: c };
  }
  return {
    offsetS: Math.round(best.offsetS * 1e6) / 1e6,
    correlation: best.correlation,
    residualS: step,
  };
}

function pearson(x: number[], y: number[]): number {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
}
