/**
 * How runs read on screen, shared by Results, Run details and the job bar: score text with its
 * interval, the system's one-line description, and which badge an energy method earns.
 */
import type { CorpusScore, RunSummary } from '../../../shared/api/types';
import { formatEnergy } from '../../../shared/evaluation/energy-units';

export type BadgeKind = 'measured' | 'estimated' | 'imported' | 'mixed';

/**
 * Counter and integrated-power readings (and external meters) are measurements; model-based and
 * user constants are estimates; figures from another tool's file stay "imported".
 */
export function methodKind(method: string): BadgeKind {
  const parts = method.split('+').map((p) => p.trim());
  const kinds = new Set<BadgeKind>(
    parts.map((p) =>
      p === 'counter' || p === 'integrated' || p === 'external'
        ? 'measured'
        : p === 'imported'
          ? 'imported'
          : 'estimated',
    ),
  );
  return kinds.size === 1 ? [...kinds][0] : 'mixed';
}

/** Digits enough to tell systems apart: 34.2, 0.412, 12.3k for perplexities on bad models. */
export function scoreNumber(value: number): string {
  const abs = Math.abs(value);
  if (abs === 0) return '0.0';
  if (abs >= 10_000) return `${(value / 1000).toFixed(1)}k`;
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 1) return value.toFixed(1);
  return value.toFixed(3);
}

export function scoreText(score: CorpusScore): string {
  return scoreNumber(score.score);
}

export function intervalText(score: CorpusScore): string | null {
  if (score.low === null || score.high === null) return null;
  return `[${scoreNumber(score.low)}, ${scoreNumber(score.high)}]`;
}

/** The tooltip of a score: its signature, then sacreBLEU's one-line form. */
export function scoreTitle(score: CorpusScore): string {
  const interval = intervalText(score);
  return [
    `${score.name} ${scoreText(score)}${interval ? ` (95% CI ${interval})` : ''}${score.lowerIsBetter ? ', lower is better' : ''}`,
    `signature: ${score.signature}`,
    score.formatted,
  ]
    .filter(Boolean)
    .join('\n');
}

/** Score names present across runs, in the order they first appear. */
export function scoreNames(runs: readonly RunSummary[]): string[] {
  const names: string[] = [];
  for (const run of runs)
    for (const s of run.scores) if (!names.includes(s.name)) names.push(s.name);
  return names;
}

export function systemText(run: RunSummary): string {
  const spec = run.system.spec;
  if (spec.type === 'outputs') return `${spec.name} (imported)`;
  const decoding = spec.beam > 1 ? `beam ${spec.beam}, lp ${spec.lengthPenalty}` : 'greedy';
  // What tells one variant of a model from another comes first, so it survives truncation.
  return `${spec.precision} · ${decoding} · ${spec.model}`;
}

export function datasetText(run: RunSummary): string {
  return `${run.dataset.name} / ${run.dataset.split}`;
}

/** Browser host: export answers with download paths; the desktop app wrote files already. */
export function downloadAll(hrefs: readonly string[]): void {
  for (const href of hrefs) {
    const a = document.createElement('a');
    a.href = href;
    a.download = '';
    a.click();
  }
}

/** Joules with an SI prefix, three significant figures (as Results and the chart write them). */
export function joulesText(joules: number): string {
  return formatEnergy(joules, 'J');
}

export function gramsText(grams: number): string {
  return formatEnergy(grams, 'gCO2e');
}
