/**
 * The energy a chart or table shows for a run, in the unit and scale the user picked, with the
 * training energy optionally amortised in. Never a bare number: the interval, the method kind
 * and the training share come with it, so an estimate is never shown as a measurement.
 *
 * Segment count: RunSummary carries no dataset size, so it comes from the run's energy
 * `perUnit` entry for segments (units `segment(s)`, `sample(s)`, `response(s)`, with or without
 * a `J/` prefix; one sample or response per segment in an evaluation run), else from the
 * throughput (segments/s × seconds). Only the count is used: the per-segment value is the run's
 * whole energy window (load and warm-up included) divided by it, so the three scales stay
 * consistent. Without a count, per-segment scales and training amortisation give null.
 *
 * Carbon uses the run's own intensity (its grams over its joules) for the training part too;
 * the interval ends use the intensities of the interval ends (lowG/lowJ, highG/highJ).
 */
import type { RunSummary } from '../api/types';

export type EnergyUnit = 'J' | 'Wh' | 'gCO2e';
export type EnergyScale = 'total' | 'per-segment' | 'per-1k-segments';

export interface EnergySettings {
  unit: EnergyUnit;
  scale: EnergyScale;
  includeTraining: boolean;
  /** Inferences (segments) the training energy is spread over. */
  amortiseOver: number;
}

export interface EnergyValue {
  value: number;
  low: number;
  high: number;
  /** Unit and scale in words, e.g. `J per segment`. */
  label: string;
  /** `mixed` when measured and estimated parts are summed (inference plus training). */
  kind: 'measured' | 'estimated' | 'imported' | 'mixed';
  /** Share of `value` that is amortised training energy, 0–1. */
  trainingShare: number;
}

/** Per-unit names that count segments, most specific first. */
const SEGMENT_UNITS = ['segment', 'sample', 'response'];
const J_PER_WH = 3600;

/** Rank of a per-unit name in SEGMENT_UNITS (`J/samples` → 1), or -1. */
function segmentUnitRank(unit: string): number {
  let u = unit.trim().toLowerCase();
  if (u.startsWith('j/')) u = u.slice(2).trim();
  if (u.endsWith('s')) u = u.slice(0, -1);
  return SEGMENT_UNITS.indexOf(u);
}

/** Segments the run evaluated, or null when the summary does not say. */
export function runSegmentCount(run: RunSummary): number | null {
  let best = -1;
  let count = 0;
  for (const entry of run.energy?.perUnit ?? []) {
    const rank = segmentUnitRank(entry.unit);
    if (rank >= 0 && entry.count > 0 && (best < 0 || rank < best)) {
      best = rank;
      count = entry.count;
    }
  }
  if (best >= 0) return count;
  const t = run.throughput;
  if (t && t.seconds > 0 && t.segmentsPerSecond > 0) {
    return Math.round(t.segmentsPerSecond * t.seconds);
  }
  return null;
}

/** `J`, `Wh` or `gCO2e`, then the scale: `J per segment`, `Wh per 1k segments`. */
export function energyLabel(unit: EnergyUnit, scale: EnergyScale): string {
  if (scale === 'per-segment') return `${unit} per segment`;
  if (scale === 'per-1k-segments') return `${unit} per 1k segments`;
  return unit;
}

/** A [value, low, high] triple; sums add interval ends (worst case, energy.md §3.11). */
type Band = [number, number, number];

/**
 * The run's energy in the chosen unit and scale, plus amortised training when asked.
 * @returns null when the run has no energy, when gCO2e is asked and no carbon is known, or when
 *   the scale or amortisation needs a segment count the run does not carry.
 * @throws RangeError when `amortiseOver` is not a positive number while training is included.
 */
export function runEnergyValue(run: RunSummary, settings: EnergySettings): EnergyValue | null {
  const energy = run.energy;
  if (!energy) return null;
  const training = settings.includeTraining ? run.training : null;
  if (training && !(settings.amortiseOver > 0 && Number.isFinite(settings.amortiseOver))) {
    throw new RangeError(
      `training energy is spread over a positive number of segments, got ${settings.amortiseOver}`,
    );
  }
  const segments = runSegmentCount(run);
  if ((settings.scale !== 'total' || training) && segments === null) return null;

  const inference: Band = [energy.joules, energy.lowJ, energy.highJ];
  let trained: Band = [0, 0, 0];
  if (training && segments !== null) {
    const share = segments / settings.amortiseOver;
    trained = [training.joules * share, training.lowJ * share, training.highJ * share];
  }

  let inUnit: Band;
  let trainedInUnit: Band;
  if (settings.unit === 'gCO2e') {
    const carbon = energy.carbon;
    if (!carbon) return null;
    inUnit = [carbon.grams, carbon.lowG, carbon.highG];
    const central = energy.joules > 0 ? carbon.grams / energy.joules : NaN;
    // An interval end without energy of its own falls back to the central intensity.
    const intensity = (g: number, j: number): number => (j > 0 ? g / j : central);
    trainedInUnit = [
      trained[0] * central,
      trained[1] * intensity(carbon.lowG, energy.lowJ),
      trained[2] * intensity(carbon.highG, energy.highJ),
    ];
    if (trained[0] === 0) trainedInUnit = [0, 0, 0];
    // A zero-energy window has no intensity to carry over to the training energy.
    else if (!trainedInUnit.every(Number.isFinite)) return null;
  } else {
    const div = settings.unit === 'Wh' ? J_PER_WH : 1;
    inUnit = [inference[0] / div, inference[1] / div, inference[2] / div];
    trainedInUnit = [trained[0] / div, trained[1] / div, trained[2] / div];
  }

  const per =
    settings.scale === 'total'
      ? 1
      : settings.scale === 'per-segment'
        ? segments!
        : segments! / 1000;
  const value = (inUnit[0] + trainedInUnit[0]) / per;
  const low = (inUnit[1] + trainedInUnit[1]) / per;
  const high = (inUnit[2] + trainedInUnit[2]) / per;
  const total = inUnit[0] + trainedInUnit[0];
  const trainingShare = total > 0 ? trainedInUnit[0] / total : 0;
  const kind =
    trainingShare > 0 && training && training.kind !== energy.kind ? 'mixed' : energy.kind;
  return {
    value,
    low,
    high,
    label: energyLabel(settings.unit, settings.scale),
    kind,
    trainingShare,
  };
}

const PREFIXES: readonly { factor: number; prefix: string }[] = [
  { factor: 1e9, prefix: 'G' },
  { factor: 1e6, prefix: 'M' },
  { factor: 1e3, prefix: 'k' },
  { factor: 1, prefix: '' },
  { factor: 1e-3, prefix: 'm' },
  { factor: 1e-6, prefix: 'µ' },
];

/** Three significant figures, as they read best next to an SI prefix. */
function threeFigures(x: number): string {
  if (x >= 100) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

/**
 * A figure with an SI prefix and three significant figures: `412 mJ`, `1.23 kJ`, `3.40 kWh`,
 * `850 mgCO2e`, `1.20 kgCO2e`. Grams of CO2e past 1,000 kg are shown in tonnes (`tCO2e`).
 */
export function formatEnergy(value: number, unit: EnergyUnit): string {
  if (!Number.isFinite(value))
    return `${value > 0 ? '∞' : Number.isNaN(value) ? '–' : '−∞'} ${unit}`;
  if (value === 0) return `0 ${unit}`;
  const sign = value < 0 ? '−' : '';
  const abs = Math.abs(value);
  const base = unit === 'gCO2e' ? 'g' : unit;
  const suffix = unit === 'gCO2e' ? 'CO2e' : '';
  let i = PREFIXES.findIndex((p) => abs >= p.factor);
  if (i < 0) i = PREFIXES.length - 1;
  // Rounding can carry into the next prefix: 999.6 J is 1.00 kJ, not 1000 J.
  if (i > 0 && Number(threeFigures(abs / PREFIXES[i].factor)) >= 1000) i--;
  const { factor, prefix } = PREFIXES[i];
  let name = `${prefix}${base}${suffix}`;
  // A megagram is a tonne, and tonnes are how CO2e is usually quoted at that size.
  if (unit === 'gCO2e' && prefix === 'M') name = `t${suffix}`;
  if (unit === 'gCO2e' && prefix === 'G') name = `kt${suffix}`;
  return `${sign}${threeFigures(abs / factor)} ${name}`;
}
