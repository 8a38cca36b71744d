/**
 * CodeCarbon `emissions.csv` import, so runs measured on a cluster can be charted next to ours.
 * CodeCarbon does not record whether its CPU/RAM figures were measured or estimated, so imported
 * components carry method `imported` with wide bands and the grade says so.
 */
import { gradeOf } from '../figure';
import { buildSignature } from '../signature';
import type { ComponentFigure, EnergyFigure } from '../types';
import { parseCsvWithLines } from './csv';
import { EnergyInputError, MAX_FIGURE, quoted } from './errors';

/** One imported CodeCarbon row. */
export interface ImportedRun {
  line: number;
  runId: string;
  project: string;
  timestamp: string;
  codecarbonVersion: string;
  country: string;
  /** Emissions as CodeCarbon reported them, g. */
  reportedGrams: number;
  figure: EnergyFigure & { status: 'complete' };
}

const KWH = 3.6e6;

/** Parse an emissions.csv; throws EnergyInputError naming the first bad line. */
export function importCodeCarbonCsv(text: string, file: string): ImportedRun[] {
  const rows = parseCsvWithLines(text, file);
  const runs: ImportedRun[] = [];
  for (const r of rows) {
    const v = r.values;
    const num = (col: string, required: boolean): number | undefined => {
      const raw = v[col];
      if (raw === undefined || raw === '') {
        if (required)
          throw new EnergyInputError(
            file,
            r.line,
            `missing ${col}`,
            'Is this a CodeCarbon emissions.csv?',
          );
        return undefined;
      }
      const n = Number(raw);
      if (!Number.isFinite(n) || n < 0 || n > MAX_FIGURE)
        throw new EnergyInputError(
          file,
          r.line,
          `${col} ${quoted(raw)} is not a non-negative number${n > MAX_FIGURE ? ' of a plausible size' : ''}`,
          'Fix or delete the row',
        );
      return n;
    };
    const durationS = num('duration', true) as number;
    const parts: Array<[ComponentFigure['component'], string, number | undefined]> = [
      ['cpu', 'cpu_energy', num('cpu_energy', false)],
      ['gpu', 'gpu_energy', num('gpu_energy', false)],
      ['ram', 'ram_energy', num('ram_energy', false)],
    ];
    const total = num('energy_consumed', false);
    if (parts.every((p) => p[2] === undefined) && total === undefined)
      throw new EnergyInputError(
        file,
        r.line,
        'no energy columns (cpu_energy, gpu_energy, ram_energy, energy_consumed)',
      );
    const components: ComponentFigure[] = parts
      .filter((p) => p[2] !== undefined)
      .map(([component, col, kwh]) => {
        const j = (kwh as number) * KWH;
        // GPU energy in CodeCarbon ≥ 2.2 comes from the NVML counter; CPU/RAM may be TDP guesses.
        const band = component === 'gpu' ? { lo: 0.1, hi: 0.1 } : { lo: 0.5, hi: 1 };
        return {
          component,
          meterId: `codecarbon:${col}`,
          device:
            component === 'cpu'
              ? v.cpu_model || 'CPU'
              : component === 'gpu'
                ? v.gpu_model || 'GPU'
                : `${v.ram_total_size || '?'} GB RAM`,
          label: 'imported from CodeCarbon (method not recorded)',
          method: 'imported',
          scope:
            component === 'gpu' ? 'gpu-board' : component === 'ram' ? 'dimm-model' : 'cpu-package',
          joules: j,
          lowJ: j * (1 - band.lo),
          highJ: j * (1 + band.hi),
          coverage: 1,
          notes: [
            `CodeCarbon ${v.codecarbon_version || '?'}, tracking mode ${v.tracking_mode || '?'}`,
          ],
        } satisfies ComponentFigure;
      });
    const joules = components.length
      ? components.reduce((a, c) => a + c.joules, 0)
      : (total as number) * KWH;
    const { grade, reasons } = gradeOf({
      components,
      windowS: durationS,
      samples: 0,
      coverage: 1,
      flags: [],
    });
    const ts = v.timestamp ?? '';
    runs.push({
      line: r.line,
      runId: v.run_id ?? '',
      project: v.project_name ?? '',
      timestamp: ts,
      codecarbonVersion: v.codecarbon_version ?? '',
      country: v.country_iso_code ?? '',
      reportedGrams: (num('emissions', false) ?? 0) * 1000,
      figure: {
        status: 'complete',
        label: `${v.project_name || 'codecarbon'} ${v.run_id || ''}`.trim(),
        phase: 'other',
        joules,
        lowJ: components.reduce((a, c) => a + c.lowJ, 0),
        highJ: components.reduce((a, c) => a + c.highJ, 0),
        basis: 'gross',
        windowS: durationS,
        startedAt: ts,
        endedAt: ts,
        perComponent: components,
        idleDevices: [],
        coverage: 1,
        grade,
        gradeReasons: [
          'imported from CodeCarbon: emissions.csv does not record whether each figure was measured or estimated',
          ...reasons,
        ],
        flags: [],
        perUnit: [],
        warmUpExcludedJ: 0,
        signature: buildSignature(components, 'gross'),
      },
    });
  }
  return runs;
}
