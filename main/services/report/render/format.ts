/**
 * Number and label formatting shared by the report's renderers (HTML, Markdown), so a score, an
 * interval, an energy figure or a method reads the same in every output. Energy is never a bare
 * number: its kind (measured, estimated, imported) travels with it, and estimates carry "≈".
 */
import type { CorpusScore } from '../../../../shared/api/types';
import { formatEnergy } from '../../../../shared/evaluation/energy-units';
import type { EnergySettings } from '../../../../shared/evaluation/energy-units';
import type { ReportResults, ReportRun } from '../results-schema';

export type EnergyKind = 'measured' | 'estimated' | 'imported' | 'mixed';

/** Method badges: counters and integrated readings are measurements; anything else is not. */
export function methodKind(method: string): 'measured' | 'estimated' | 'imported' {
  if (method === 'counter' || method === 'integrated') return 'measured';
  if (method === 'imported') return 'imported';
  return 'estimated';
}

export function fixed(x: number | null | undefined, digits = 2): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits);
}

/** `53.84 [51.88–55.88]` */
export function scoreText(score: CorpusScore): string {
  const interval =
    score.low !== null && score.high !== null ? ` [${fixed(score.low)}–${fixed(score.high)}]` : '';
  return `${fixed(score.score)}${interval}`;
}

/** `≈ 33.7 J [16.9 J–67.5 J]`: the interval always, "≈" before anything not measured. */
export function energyText(
  value: number,
  low: number,
  high: number,
  kind: EnergyKind,
  unit: 'J' | 'Wh' | 'gCO2e' = 'J',
): string {
  const mark = kind === 'measured' ? '' : '≈ ';
  return `${mark}${formatEnergy(value, unit)} [${formatEnergy(low, unit)}–${formatEnergy(high, unit)}]`;
}

export function kindWord(kind: EnergyKind): string {
  return kind === 'imported' ? 'imported (reported elsewhere)' : kind;
}

export function perSegmentText(run: ReportRun): string {
  const e = run.energyPerSegment;
  if (!e) return '–';
  return energyText(e.value, e.low, e.high, e.kind);
}

export function totalEnergyText(run: ReportRun): string {
  const e = run.energy;
  if (!e) return '–';
  return energyText(e.joules, e.lowJ, e.highJ, e.kind);
}

export function carbonText(run: ReportRun): string {
  const c = run.carbon;
  if (!c || !run.energy) return '–';
  return energyText(c.grams, c.lowG, c.highG, run.energy.kind, 'gCO2e');
}

export function throughputText(run: ReportRun): string {
  const t = run.throughput;
  return t ? `${t.segmentsPerSecond.toFixed(1)} seg/s` : '–';
}

/** The score names shown as table columns: every one any run of the group has, in order. */
export function scoreColumns(runs: readonly ReportRun[]): string[] {
  const names: string[] = [];
  for (const run of runs)
    for (const s of run.scores) if (!names.includes(s.name)) names.push(s.name);
  return names;
}

export function pValueText(p: number): string {
  return p < 0.0001 ? '< 0.0001' : p.toFixed(4);
}

export function chartUnitWords(settings: EnergySettings): string {
  const scale =
    settings.scale === 'per-segment'
      ? 'per segment'
      : settings.scale === 'per-1k-segments'
        ? 'per 1,000 segments'
        : 'total';
  return `${settings.unit} ${scale}${settings.includeTraining ? `, training spread over ${settings.amortiseOver.toLocaleString('en-US')} segments` : ''}`;
}

/** One line on where the runs came from. */
export function sourceLine(results: ReportResults): string {
  const s = results.source;
  return s.kind === 'plan'
    ? `plan ${s.description}${s.sha256 ? ` (sha256 ${s.sha256.slice(0, 12)}…)` : ''}`
    : `existing runs (${s.description})`;
}

/** Runs of a dataset group, in report order. */
export function runsOf(results: ReportResults, key: string): ReportRun[] {
  return results.runs.filter((r) => r.dataset.key === key);
}

export function isBaseline(results: ReportResults, run: ReportRun): boolean {
  return results.baseline?.runs.some((b) => b.run === run.id) ?? false;
}

/** The significance mark of a run's score against the baseline: `*` when p ≤ 0.05. */
export function significanceOf(
  results: ReportResults,
  run: ReportRun,
  scoreName: string,
): { pValue: number; significant: boolean; delta: number } | null {
  const test = results.comparisons.find(
    (c) => c.dataset === run.dataset.key && c.metric === scoreName,
  );
  const row = test?.systems.find((s) => s.run === run.id);
  return row ? { pValue: row.pValue, significant: row.significant, delta: row.delta } : null;
}
