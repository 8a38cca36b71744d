/**
 * The energy module's figures reduced to what a run stores (`RunEnergy`): the whole run's window
 * with its interval, grade, flags and signature; one badge per component with its method; the
 * phases; per-unit figures from the timed phases only (warm-up and loading excluded, energy.md
 * §3.9–3.10); the power timeline summed over meters; carbon at the locale's (assumed) country.
 * `kind` is `measured` only when every summed component is a counter or integrated reading.
 * Imported figures (CodeCarbon, an `ecoeval energy measure --json` report) become kind
 * `imported` with every component's method `imported`.
 */
import type { RunEnergy } from '../../../shared/api/types';
import { carbonFor, localeCountry } from '../energy/carbon';
import type { PowerSeries } from '../energy/protocol';
import type { EnergyFigure, PerUnitFigure } from '../energy/types';
import { BadRequestError } from '../errors';

export const MAX_TIMELINE_POINTS = 600;

export type CompleteFigure = EnergyFigure & { status?: 'complete' };

export interface PhaseFigure {
  phase: string;
  figure: CompleteFigure;
  /** Seconds since the run's window opened. */
  startS: number;
  endS: number;
}

const UNIT_NAMES: Record<string, string> = { 'J/sample': 'J/segment' };

function renameUnits(units: readonly PerUnitFigure[]): RunEnergy['perUnit'] {
  return units.map((u) => ({ ...u, unit: UNIT_NAMES[u.unit] ?? u.unit }));
}

/**
 * Total power over time: each meter's series held at its latest value (its first value before
 * it has reported), summed at every time any meter reported, then thinned evenly.
 */
export function sumTimeline(
  series: readonly PowerSeries[],
  maxPoints = MAX_TIMELINE_POINTS,
): RunEnergy['timeline'] {
  const times = [...new Set(series.flatMap((s) => s.points.map(([t]) => t)))].sort((a, b) => a - b);
  const cursors = series.map(() => 0);
  const points: RunEnergy['timeline'] = [];
  for (const t of times) {
    let watts = 0;
    series.forEach((s, i) => {
      while (cursors[i] + 1 < s.points.length && s.points[cursors[i] + 1][0] <= t) cursors[i]++;
      watts += s.points[cursors[i]]?.[1] ?? 0;
    });
    points.push({ t, watts });
  }
  if (points.length <= maxPoints) return points;
  const step = (points.length - 1) / (maxPoints - 1);
  return Array.from({ length: maxPoints }, (_, i) => points[Math.round(i * step)]);
}

function carbonOf(
  figure: CompleteFigure,
  country: string | undefined,
): { carbon: RunEnergy['carbon']; signature: string } {
  const carbon = carbonFor(
    figure,
    country ? { country } : { localeCountry: localeCountry() || undefined },
  );
  const { intensity } = carbon;
  return {
    carbon: {
      grams: carbon.grams,
      lowG: carbon.lowG,
      highG: carbon.highG,
      country: intensity.code,
      source: intensity.label,
    },
    signature: carbon.signature,
  };
}

/** A measured run: `run` is the whole window, `phases` its nested windows in order. */
export function measuredRunEnergy(input: {
  run: CompleteFigure;
  phases: readonly PhaseFigure[];
  /** Per-unit figures of the timed phases (generation: per output token and segment). */
  perUnit: readonly PerUnitFigure[];
  timeline: readonly PowerSeries[];
}): RunEnergy {
  const { run } = input;
  const measured = run.perComponent.every(
    (c) => c.method === 'counter' || c.method === 'integrated',
  );
  const { carbon, signature } = carbonOf(run, undefined);
  return {
    joules: run.joules,
    lowJ: run.lowJ,
    highJ: run.highJ,
    grade: run.grade,
    gradeReasons: [...run.gradeReasons],
    flags: [...run.flags],
    kind: measured && run.perComponent.length > 0 ? 'measured' : 'estimated',
    components: run.perComponent.map((c) => ({
      component: c.component,
      label: c.label,
      method: c.method,
      joules: c.joules,
    })),
    phases: input.phases.map((p) => ({
      phase: p.phase,
      joules: p.figure.joules,
      startS: p.startS,
      endS: p.endS,
    })),
    perUnit: renameUnits(input.perUnit),
    windowS: run.windowS,
    ...(run.startedAt && run.endedAt ? { startedAt: run.startedAt, endedAt: run.endedAt } : {}),
    timeline: sumTimeline(input.timeline),
    carbon,
    signature,
  };
}

/** Per-segment figure of an imported run (its tokens are unknown here). */
function perSegment(figure: CompleteFigure, segments: number): RunEnergy['perUnit'] {
  if (segments <= 0) return [];
  return [
    {
      unit: 'J/segment',
      count: segments,
      joules: figure.joules / segments,
      lowJ: figure.lowJ / segments,
      highJ: figure.highJ / segments,
    },
  ];
}

/** An energy figure from another tool's file: every component is `imported`, whatever it was. */
export function importedRunEnergy(
  figure: CompleteFigure,
  options: { segments: number; country?: string; note: string },
): RunEnergy {
  const { carbon, signature } = carbonOf(figure, options.country || undefined);
  return {
    joules: figure.joules,
    lowJ: figure.lowJ,
    highJ: figure.highJ,
    grade: figure.grade,
    gradeReasons: [options.note, ...figure.gradeReasons],
    flags: [...figure.flags],
    kind: 'imported',
    components: figure.perComponent.map((c) => ({
      component: c.component,
      label: c.method === 'imported' ? c.label : `${c.label} (imported; recorded as ${c.method})`,
      method: 'imported',
      joules: c.joules,
    })),
    phases: [],
    perUnit: perSegment(figure, options.segments),
    windowS: figure.windowS,
    timeline: [],
    carbon,
    signature,
  };
}

/**
 * Reads an `ecoeval energy measure --json` report (or a bare figure from it). Only complete
 * figures are accepted: an incomplete one has no energy to import.
 */
export function parseEcoevalEnergy(text: string, file: string): CompleteFigure {
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new BadRequestError(
      `${file}: not valid JSON (${(error as Error).message}); give the file \`ecoeval energy measure --json -o FILE\` wrote.`,
    );
  }
  const root = json as { figure?: unknown };
  const figure = (root && typeof root === 'object' && 'figure' in root ? root.figure : json) as
    Partial<CompleteFigure & { status: string; reason: string }> | undefined;
  if (!figure || typeof figure !== 'object') {
    throw new BadRequestError(
      `${file}: no energy figure in it; give the report \`ecoeval energy measure --json -o FILE\` wrote.`,
    );
  }
  if (figure.status && figure.status !== 'complete') {
    throw new BadRequestError(
      `${file}: the measurement was incomplete (${figure.reason ?? 'no reason recorded'}); there is no energy to import.`,
    );
  }
  const numbers = ['joules', 'lowJ', 'highJ', 'windowS'] as const;
  for (const key of numbers) {
    const v = figure[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new BadRequestError(
        `${file}: "${key}" is missing or not a non-negative number; is this an EcoEval energy report?`,
      );
    }
  }
  if (!Array.isArray(figure.perComponent) || !['A', 'B', 'C', 'D'].includes(figure.grade ?? '')) {
    throw new BadRequestError(
      `${file}: "perComponent" or "grade" is missing; is this an EcoEval energy report?`,
    );
  }
  return {
    label: String(figure.label ?? 'imported'),
    phase: 'other',
    joules: figure.joules!,
    lowJ: figure.lowJ!,
    highJ: figure.highJ!,
    basis: 'gross',
    windowS: figure.windowS!,
    startedAt: String(figure.startedAt ?? ''),
    endedAt: String(figure.endedAt ?? ''),
    perComponent: figure.perComponent.map((c) => ({ ...c, notes: [...(c.notes ?? [])] })),
    idleDevices: [],
    coverage: typeof figure.coverage === 'number' ? figure.coverage : 1,
    grade: figure.grade!,
    gradeReasons: Array.isArray(figure.gradeReasons) ? figure.gradeReasons.map(String) : [],
    flags: Array.isArray(figure.flags) ? figure.flags : [],
    perUnit: [],
    warmUpExcludedJ: 0,
    signature: String(figure.signature ?? ''),
  };
}
