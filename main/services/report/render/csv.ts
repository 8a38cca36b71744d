/**
 * results.csv: one row per run × score, with the score's interval and signature and the run's
 * energy (interval, kind, grade, methods, signature), carbon with its source, and the dataset and
 * model hashes. RFC 4180: CRLF line ends, fields with a comma, quote or line break double-quoted.
 * Text that a spreadsheet would run as a formula is made inert (csv-cell.ts); numbers stay numbers.
 * Also the per-segment CSV of a run folder in the report.
 */
import type { RunSegmentsPage } from '../../../../shared/api/types';
import type { ReportResults } from '../results-schema';
import { inertCsvText } from './csv-cell';

export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  // Only strings carry user text (names, tags, hypotheses...); a number such as -1.5 must stay
  // a number, so it never gets the formula guard.
  const text =
    typeof value === 'number'
      ? Number.isFinite(value)
        ? String(value)
        : ''
      : typeof value === 'string'
        ? inertCsvText(value)
        : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRows(
  rows: readonly (readonly (string | number | boolean | null | undefined)[])[],
): string {
  return rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

export const RESULTS_CSV_COLUMNS = [
  'run_id',
  'run_name',
  'system',
  'system_type',
  'precision',
  'dataset',
  'split',
  'segments',
  'score_name',
  'metric',
  'score',
  'low',
  'high',
  'lower_is_better',
  'signature',
  'baseline',
  'delta_vs_baseline',
  'p_value',
  'significant',
  'energy_j',
  'energy_low_j',
  'energy_high_j',
  'energy_kind',
  'energy_grade',
  'energy_methods',
  'energy_signature',
  'energy_per_segment_j',
  'carbon_g',
  'carbon_low_g',
  'carbon_high_g',
  'carbon_country',
  'carbon_source',
  'pareto',
  'dataset_sha256',
  'model_sha256',
  'outputs_sha256',
  'app_version',
  'created_at',
] as const;

export function renderResultsCsv(results: ReportResults): string {
  const rows: (string | number | boolean | null)[][] = [[...RESULTS_CSV_COLUMNS]];
  for (const run of results.runs) {
    const e = run.energy;
    const isBaseline = results.baseline?.runs.some((b) => b.run === run.id) ?? false;
    for (const score of run.scores) {
      const test = results.comparisons.find(
        (c) => c.dataset === run.dataset.key && c.metric === score.name,
      );
      const row = test?.systems.find((s) => s.run === run.id);
      rows.push([
        run.id,
        run.name,
        run.system.label,
        run.system.spec.type,
        run.system.precision,
        run.dataset.id,
        run.dataset.split,
        run.provenance.dataset.segments,
        score.name,
        score.metric,
        score.score,
        score.low,
        score.high,
        score.lowerIsBetter,
        score.signature,
        isBaseline,
        row ? row.delta : null,
        row ? row.pValue : null,
        row ? row.significant : null,
        e?.joules ?? null,
        e?.lowJ ?? null,
        e?.highJ ?? null,
        e?.kind ?? null,
        e?.grade ?? null,
        e ? e.components.map((c) => `${c.component}:${c.method}`).join(';') : null,
        e?.signature ?? null,
        run.energyPerSegment?.value ?? null,
        run.carbon?.grams ?? null,
        run.carbon?.lowG ?? null,
        run.carbon?.highG ?? null,
        run.carbon?.country ?? null,
        run.carbon?.source ?? null,
        run.onFrontier.includes(score.name),
        run.provenance.dataset.sha256,
        run.provenance.model?.sha256 ?? null,
        run.provenance.outputsSha256,
        run.provenance.appVersion,
        run.createdAt,
      ]);
    }
  }
  return csvRows(rows);
}

/** A run's segments: line, source, references, hypothesis, then one column per segment score. */
export function renderSegmentsCsv(pages: readonly RunSegmentsPage[]): string {
  const rows = pages.flatMap((p) => p.rows);
  const refs = Math.max(1, ...rows.map((r) => r.references.length));
  const scores = [...new Set(rows.flatMap((r) => Object.keys(r.scores)))];
  const head = [
    'line',
    'source',
    ...Array.from({ length: refs }, (_, i) => (refs === 1 ? 'reference' : `reference_${i + 1}`)),
    'hypothesis',
    ...scores,
  ];
  return csvRows([
    head,
    ...rows.map((r) => [
      r.line,
      r.source,
      ...Array.from({ length: refs }, (_, i) => r.references[i] ?? ''),
      r.hypothesis,
      ...scores.map((s) => r.scores[s] ?? null),
    ]),
  ]);
}
