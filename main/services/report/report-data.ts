/**
 * Builds a report's content (results.json, which every renderer draws from) out of scored runs:
 * runs grouped by dataset split, the baseline per dataset, Pareto membership per charted score,
 * energy per segment, carbon (as recorded, or recomputed for the plan's country and overhead with
 * the table's source), paired bootstrap tests against the baseline for BLEU, chrF and TER where
 * outputs are available, and repeat-to-repeat intervals.
 */
import type { RunOutputs, RunRecord, RunSummary } from '../../../shared/api/types';
import { availableMetrics, chartPoints } from '../../../shared/chart/accuracy-energy';
import { compareRuns } from '../../../shared/evaluation/compare';
import { runEnergyValue } from '../../../shared/evaluation/energy-units';
import type { EnergySettings } from '../../../shared/evaluation/energy-units';
import { joulesToKWh, resolveIntensity } from '../energy/carbon';
import { summariseRepeats } from '../energy/repeats';
import type { ReportComparison, ReportResults, ReportRun } from './results-schema';

/** Score names charted by default, as present: one per metric family. */
export const MAIN_SCORES = ['BLEU', 'chrF2', 'TER', 'ROUGE-L', 'PPL'];
const PAIRED: readonly ('bleu' | 'chrf' | 'ter')[] = ['bleu', 'chrf', 'ter'];

export interface ReportInput {
  title: string;
  appVersion: string;
  source: ReportResults['source'];
  /** Scored runs, in the order the report lists them. */
  records: readonly RunRecord[];
  /** Which files each run has in the report folder (paths relative to it). */
  files: (run: RunRecord) => ReportRun['files'];
  /** A run's outputs for the paired tests; a rejection skips that run's tests with a warning. */
  outputs: (runId: string) => Promise<RunOutputs>;
  baseline:
    { system: string; chosen: 'plan' | 'default' } | { run: string; chosen: 'option' } | null;
  chart: { energy: EnergySettings; metrics: readonly string[] | null };
  carbon: { country: string | null; overhead: number };
  pairedResamples: number;
  seed: number;
  failures?: ReportResults['failures'];
  warnings?: readonly string[];
}

export function datasetKey(record: Pick<RunRecord, 'dataset'>): string {
  return `${record.dataset.id}/${record.dataset.split}`;
}

function carbonOf(record: RunRecord, settings: ReportInput['carbon']): ReportRun['carbon'] {
  const energy = record.energy;
  if (!energy) return null;
  const f = settings.overhead;
  if (settings.country) {
    const intensity = resolveIntensity({ country: settings.country, overheadFactor: f });
    return {
      grams: joulesToKWh(energy.joules) * intensity.g * f,
      lowG: joulesToKWh(energy.lowJ) * intensity.lowG * f,
      highG: joulesToKWh(energy.highJ) * intensity.highG * f,
      country: intensity.code,
      source: `${intensity.label}${f !== 1 ? ` × overhead ${f}` : ''}`,
      basis: 'report',
      overheadFactor: f,
    };
  }
  const recorded = energy.carbon;
  if (!recorded) return null;
  return {
    grams: recorded.grams * f,
    lowG: recorded.lowG * f,
    highG: recorded.highG * f,
    country: recorded.country,
    source: `${recorded.source}${f !== 1 ? ` × overhead ${f}` : ''}`,
    basis: f !== 1 ? 'report' : 'recorded',
    overheadFactor: f,
  };
}

/** The run as the chart and the Results table see it (carbon as the report states it). */
export function toSummary(run: ReportRun): RunSummary {
  return {
    schema: 1,
    id: run.id,
    name: run.name,
    tags: run.tags,
    state: 'complete',
    createdAt: run.createdAt,
    updatedAt: run.createdAt,
    system: run.system,
    dataset: {
      id: run.dataset.id,
      split: run.dataset.split,
      name: run.dataset.name,
      kind: run.dataset.kind,
    },
    metrics: run.metrics,
    scores: run.scores,
    energy: run.energy
      ? {
          ...run.energy,
          timeline: [],
          carbon: run.carbon
            ? {
                grams: run.carbon.grams,
                lowG: run.carbon.lowG,
                highG: run.carbon.highG,
                country: run.carbon.country,
                source: run.carbon.source,
              }
            : null,
        }
      : null,
    training: run.training,
    throughput: run.throughput,
    provenance: {
      appVersion: run.provenance.appVersion,
      host: run.provenance.host,
      backend: run.provenance.backend,
      provider: run.provenance.provider,
      datasetSha256: run.provenance.dataset.sha256,
      modelSha256: run.provenance.model?.sha256 ?? null,
    },
  };
}

function reportRun(record: RunRecord, input: ReportInput): ReportRun {
  let energy: ReportRun['energy'] = null;
  if (record.energy) {
    // The power timeline stays in run.json; the report does not plot it.
    const { timeline: _timeline, ...rest } = record.energy;
    energy = rest;
  }
  const run: ReportRun = {
    id: record.id,
    name: record.name,
    tags: record.tags,
    createdAt: record.createdAt,
    system: record.system,
    dataset: {
      key: datasetKey(record),
      id: record.dataset.id,
      split: record.dataset.split,
      name: record.dataset.name,
      kind: record.dataset.kind,
    },
    metrics: record.metrics,
    scores: record.scores,
    energy,
    energyNote: record.energy
      ? null
      : typeof record.provenance.settings.energyNote === 'string'
        ? record.provenance.settings.energyNote
        : 'no energy figure was recorded',
    energyPerSegment: null,
    carbon: carbonOf(record, input.carbon),
    training: record.training,
    throughput: record.throughput,
    provenance: record.provenance,
    onFrontier: [],
    files: input.files(record),
  };
  const perSegment = runEnergyValue(toSummary(run), {
    unit: 'J',
    scale: 'per-segment',
    includeTraining: false,
    amortiseOver: 1,
  });
  run.energyPerSegment = perSegment;
  return run;
}

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

async function comparisons(
  input: ReportInput,
  groups: Map<string, ReportRun[]>,
  baselineRuns: Map<string, ReportRun>,
  warnings: string[],
): Promise<ReportComparison[]> {
  const out: ReportComparison[] = [];
  const cache = new Map<string, RunOutputs | null>();
  const outputsOf = async (run: ReportRun): Promise<RunOutputs | null> => {
    if (!cache.has(run.id)) {
      try {
        cache.set(run.id, await input.outputs(run.id));
      } catch (error) {
        warnings.push(
          `significance tests leave out run ${run.id} (${run.system.label}): its outputs cannot be read (${(error as Error).message})`,
        );
        cache.set(run.id, null);
      }
    }
    return cache.get(run.id)!;
  };
  for (const [key, runs] of groups) {
    const base = baselineRuns.get(key);
    if (!base || runs.length < 2) continue;
    const baseOutputs = await outputsOf(base);
    if (!baseOutputs) continue;
    for (const metric of PAIRED) {
      if (!base.metrics.includes(metric)) continue;
      const others: { run: ReportRun; outputs: RunOutputs }[] = [];
      for (const run of runs) {
        if (run.id === base.id || !run.metrics.includes(metric)) continue;
        const outputs = await outputsOf(run);
        if (outputs) others.push({ run, outputs });
      }
      if (!others.length) continue;
      let result;
      try {
        result = compareRuns(
          baseOutputs,
          others.map((o) => o.outputs),
          metric,
          { resamples: input.pairedResamples, seed: input.seed },
        );
      } catch (error) {
        warnings.push(`no ${metric} significance test on ${key}: ${(error as Error).message}`);
        continue;
      }
      out.push({
        dataset: key,
        metric: result.metric,
        resamples: result.resamples,
        seed: result.seed,
        signature: result.signature,
        baseline: {
          run: base.id,
          system: base.system.label,
          score: result.baseline.score,
          mean: finiteOrNull(result.baseline.mean),
          ci: finiteOrNull(result.baseline.ci),
        },
        systems: result.systems.map((s, i) => ({
          run: s.run,
          system: others[i].run.system.label,
          score: s.score,
          delta: s.score - result.baseline.score,
          mean: finiteOrNull(s.mean),
          ci: finiteOrNull(s.ci),
          pValue: s.pValue,
          significant: s.significant,
        })),
      });
    }
  }
  return out;
}

/** The report's content: everything results.json holds. */
export async function buildReportData(input: ReportInput): Promise<ReportResults> {
  const warnings = [...(input.warnings ?? [])];
  const runs = input.records.map((r) => reportRun(r, input));

  const groups = new Map<string, ReportRun[]>();
  for (const run of runs) {
    const list = groups.get(run.dataset.key) ?? [];
    list.push(run);
    groups.set(run.dataset.key, list);
  }
  const datasets: ReportResults['datasets'] = [];
  for (const [key, list] of groups) {
    const first = list[0];
    const shas = new Set(list.map((r) => r.provenance.dataset.sha256));
    if (shas.size > 1) {
      warnings.push(
        `runs on ${key} were made on different versions of the split (${shas.size} sha256s); their scores are not comparable and significance tests may fail`,
      );
    }
    datasets.push({
      key,
      id: first.dataset.id,
      split: first.dataset.split,
      name: first.dataset.name,
      kind: first.dataset.kind,
      sha256: first.provenance.dataset.sha256,
      segments: first.provenance.dataset.segments,
      runs: list.map((r) => r.id),
    });
  }

  const summaries = runs.map(toSummary);
  const chartMetrics = input.chart.metrics
    ? [...input.chart.metrics]
    : availableMetrics(summaries).filter((m) => MAIN_SCORES.includes(m));
  for (const [key, list] of groups) {
    const inGroup = list.map(toSummary);
    for (const metric of chartMetrics) {
      const points = chartPoints(inGroup, {
        metric,
        energy: input.chart.energy,
        theme: 'light',
        interactive: false,
      });
      for (const p of points) {
        if (p.onFrontier) list.find((r) => r.id === p.run)!.onFrontier.push(metric);
      }
      if (points.length < list.filter((r) => r.scores.some((s) => s.name === metric)).length) {
        warnings.push(
          `the ${metric} chart of ${key} leaves out runs without ${input.chart.energy.unit === 'gCO2e' ? 'a carbon' : 'an energy'} figure`,
        );
      }
    }
  }

  let baseline: ReportResults['baseline'] = null;
  const baselineRuns = new Map<string, ReportRun>();
  const wanted = input.baseline;
  let system: string | null = null;
  if (wanted && 'run' in wanted) {
    const run = runs.find((r) => r.id === wanted.run);
    if (run) {
      system = run.system.label;
      baselineRuns.set(run.dataset.key, run);
    } else warnings.push(`baseline run ${wanted.run} is not among the report's runs`);
  } else if (wanted) system = wanted.system;
  else if (runs.length) system = runs[0].system.label;
  if (system !== null) {
    for (const [key, list] of groups) {
      if (!baselineRuns.has(key)) {
        const run = list.find((r) => r.system.label === system);
        if (run) baselineRuns.set(key, run);
      }
    }
    baseline = {
      system,
      chosen: wanted ? wanted.chosen : 'default',
      runs: [...baselineRuns].map(([dataset, run]) => ({ dataset, run: run.id })),
    };
  }

  const repeats: ReportResults['repeats'] = [];
  for (const [key, list] of groups) {
    const bySystem = new Map<string, ReportRun[]>();
    for (const run of list) {
      if (!run.energy) continue;
      bySystem.set(run.system.label, [...(bySystem.get(run.system.label) ?? []), run]);
    }
    for (const [label, same] of bySystem) {
      if (same.length < 2) continue;
      const summary = summariseRepeats(same.map((r) => r.energy!.joules));
      repeats.push({
        dataset: key,
        system: label,
        runs: same.map((r) => r.id),
        n: summary.n,
        meanJ: summary.mean,
        sdJ: summary.sd,
        ci95J: summary.ci95 ?? null,
      });
    }
  }

  const tests = await comparisons(input, groups, baselineRuns, warnings);
  return {
    schema: 1,
    generator: { name: 'EcoEval', version: input.appVersion },
    title: input.title,
    generatedAt: new Date().toISOString(),
    source: input.source,
    settings: {
      chart: { ...input.chart.energy, metrics: chartMetrics },
      carbon: { country: input.carbon.country, overheadFactor: input.carbon.overhead },
      pairedResamples: input.pairedResamples,
      seed: input.seed,
    },
    baseline,
    datasets,
    runs,
    comparisons: tests,
    repeats,
    failures: input.failures ?? [],
    warnings,
  };
}
