/**
 * Turns per-meter window energies into the figure objects the app shows: uncertainty bands
 * (energy.md §3.11 default bands plus edge and sampling terms), the A–D grade with its reasons,
 * flags, the labelled above-idle figure and per-unit normalisation with warm-up excluded.
 */
import type { LedgerWindow } from './ledger';
import type {
  Baseline,
  ComponentFigure,
  EnergyFlag,
  Grade,
  MeterDescriptor,
  NetFigure,
  PerUnitFigure,
  WorkUnits,
} from './types';

/** Baselines older than this are stale (energy.md §3.8). */
export const BASELINE_STALE_MS = 24 * 3600 * 1000;

/** Build one component's figure from its ledger window. */
export function componentFigure(
  d: MeterDescriptor,
  w: LedgerWindow,
  windowS: number,
  extraNotes: string[] = [],
): ComponentFigure {
  let lo = d.relUncertainty.lo;
  let hi = d.relUncertainty.hi;
  if (windowS > 0) {
    // Edge term 2·τ/T for counters that update every τ; sampling term period/T for
    // integrated power (energy.md §3.11 table, "plus" column).
    const edge =
      d.method === 'counter'
        ? (2 * (d.updatePeriodS ?? 0.001)) / windowS
        : d.method === 'integrated' || d.method === 'external'
          ? d.periodS / windowS
          : 0;
    lo += Math.min(edge, 1);
    hi += edge;
  }
  // Gap energy is a neighbour estimate: the band runs from "none of it" to "twice it".
  const lowJ = Math.max(0, w.measuredJ * (1 - Math.min(lo, 1)));
  const highJ = w.measuredJ * (1 + hi) + 2 * w.gapJ;
  const notes = [...d.notes, ...extraNotes];
  if (w.approximated) notes.push('window shorter than the counter update: power × time used');
  if (w.gapJ > 0) notes.push(`${w.gapJ.toFixed(1)} J bridged over gaps from neighbouring power`);
  return {
    component: d.component,
    meterId: d.id,
    device: d.device,
    label: d.label,
    method: d.method,
    scope: d.scope,
    joules: w.joules,
    lowJ,
    highJ,
    coverage: w.coverage,
    ...(d.usedByRun === false ? { idleDevice: true } : {}),
    notes,
  };
}

/** Inputs of the grade (energy.md §3.11). */
export interface GradeInputs {
  components: ComponentFigure[];
  windowS: number;
  samples: number;
  coverage: number;
  flags: EnergyFlag[];
  /** Looped ≥ 10 times over ≥ 10 s: not a single-shot window. */
  repeats?: number;
}

const MEASURED_COUNTER: ReadonlySet<string> = new Set(['counter', 'external']);
const MEASURED_ANY: ReadonlySet<string> = new Set(['counter', 'external', 'integrated']);

/** Fraction of joules (or of components when there are none) whose method is in `set`. */
function share(components: ComponentFigure[], set: ReadonlySet<string>): number {
  const total = components.reduce((a, c) => a + c.joules, 0);
  if (total <= 0) {
    if (components.length === 0) return 0;
    return components.filter((c) => set.has(c.method)).length / components.length;
  }
  return components.filter((c) => set.has(c.method)).reduce((a, c) => a + c.joules, 0) / total;
}

/** Grade a figure and say why it is not better. */
export function gradeOf(g: GradeInputs): { grade: Grade; reasons: string[] } {
  const reasons: string[] = [];
  const counterShare = share(g.components, MEASURED_COUNTER);
  const measuredShare = share(g.components, MEASURED_ANY);
  const pct = (x: number): string => `${Math.round(x * 100)} %`;
  const singleShot = !(g.repeats !== undefined && g.repeats >= 10);
  const hardD: string[] = [];
  if (singleShot && g.windowS < 10)
    hardD.push(`single-shot window of ${g.windowS.toFixed(2)} s (< 10 s)`);
  for (const f of [
    'shared-machine',
    'shared-gpu',
    'suspend',
    'stale-baseline',
    'meter-lost',
  ] as const)
    if (g.flags.includes(f)) hardD.push(`flag ${f}`);
  if (hardD.length > 0) return { grade: 'D', reasons: hardD };
  let grade: Grade;
  if (
    counterShare >= 0.9 &&
    (g.windowS >= 60 || g.samples >= 60) &&
    g.coverage >= 0.98 &&
    g.flags.length === 0
  ) {
    grade = 'A';
  } else if (measuredShare >= 0.9 && g.windowS >= 10) {
    grade = 'B';
  } else if (measuredShare >= 0.5) {
    grade = 'C';
  } else {
    grade = 'D';
  }
  if (grade !== 'A') {
    if (counterShare < 0.9)
      reasons.push(`${pct(counterShare)} of the energy from counters (A needs 90 %)`);
    if (g.windowS < 60 && g.samples < 60)
      reasons.push(`window ${g.windowS.toFixed(1)} s (A needs 60 s)`);
    if (g.coverage < 0.98) reasons.push(`coverage ${pct(g.coverage)} (A needs 98 %)`);
    if (g.flags.length) reasons.push(`flags: ${g.flags.join(', ')}`);
  }
  if (measuredShare < 0.5)
    reasons.push(`only ${pct(measuredShare)} measured; the rest is estimated`);
  if (g.flags.includes('approximated') && (grade === 'A' || grade === 'B')) {
    grade = 'C';
    reasons.push('a counter window was approximated from power × time');
  }
  return { grade, reasons };
}

/** Energy above idle: gross − P_idle·T, clamped at 0 with a flag (energy.md §3.8). */
export function netFigure(
  gross: { joules: number; lowJ: number; highJ: number },
  windowS: number,
  baseline: Baseline,
  nowMs: number,
): NetFigure {
  const stale = nowMs - baseline.atMs > BASELINE_STALE_MS;
  const raw = gross.joules - baseline.watts * windowS;
  const clamped = raw < 0;
  return {
    label: `active energy (above idle baseline from ${baseline.at})`,
    joules: Math.max(0, raw),
    lowJ: Math.max(0, gross.lowJ - baseline.highW * windowS),
    highJ: Math.max(0, gross.highJ - baseline.lowW * windowS),
    baselineAt: baseline.at,
    baselineW: baseline.watts,
    stale,
    clamped,
  };
}

const UNIT_NAMES: Array<[keyof WorkUnits, string]> = [
  ['outputTokens', 'J/output token'],
  ['evaluatedTokens', 'J/evaluated token'],
  ['samples', 'J/sample'],
  ['trainingSamples', 'J/training sample'],
  ['epochs', 'J/epoch'],
  ['responses', 'J/response'],
];

/** Per-unit figures, with nested warm-up energy taken out first. */
export function perUnit(
  gross: { joules: number; lowJ: number; highJ: number },
  warmUpJ: number,
  units: WorkUnits | undefined,
): PerUnitFigure[] {
  if (!units) return [];
  const out: PerUnitFigure[] = [];
  const scale = gross.joules > 0 ? Math.max(0, gross.joules - warmUpJ) / gross.joules : 0;
  for (const [key, unit] of UNIT_NAMES) {
    const count = units[key];
    if (count === undefined || !(count > 0)) continue;
    out.push({
      unit,
      count,
      joules: (gross.joules * scale) / count,
      lowJ: (gross.lowJ * scale) / count,
      highJ: (gross.highJ * scale) / count,
    });
  }
  return out;
}
