/**
 * report.md: the report as GitHub-flavoured Markdown for a pull request — summary, results tables
 * with intervals and significance marks, the paired tests, energy with method and grade (estimates
 * marked "≈" and named), carbon with its source, and every signature in code blocks (signatures
 * contain `|`, which tables cannot hold). Cell text is escaped so data cannot break a table.
 */
import { formatEnergy } from '../../../../shared/evaluation/energy-units';
import type { ReportResults } from '../results-schema';
import {
  carbonText,
  chartUnitWords,
  fixed,
  isBaseline,
  kindWord,
  perSegmentText,
  pValueText,
  runsOf,
  scoreColumns,
  scoreText,
  significanceOf,
  sourceLine,
  throughputText,
  totalEnergyText,
} from './format';

/** Text safe inside a GFM table cell (and as inline Markdown). */
export function cell(value: unknown): string {
  return String(value)
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([*_`])/g, '\\$1')
    .replace(/\r?\n|\r/g, ' ');
}

function table(
  head: readonly string[],
  rows: readonly string[][],
  align?: readonly ('l' | 'r')[],
): string {
  const rule = head.map((_, i) => (align?.[i] === 'r' ? '---:' : '---'));
  return [head, rule, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

/** A fenced block whose fence is longer than any backtick run inside it. */
function codeBlock(lines: readonly string[]): string {
  const body = lines.join('\n');
  const longest = Math.max(2, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}text\n${body}\n${fence}`;
}

export function renderMarkdown(results: ReportResults): string {
  const out: string[] = [];
  out.push(`# ${cell(results.title)}`);
  out.push(
    `Generated ${cell(results.generatedAt)} by EcoEval ${cell(results.generator.version)} from ${cell(sourceLine(results))}. ${results.runs.length} runs on ${results.datasets.length} dataset split(s)${results.baseline ? `; baseline **${cell(results.baseline.system)}**` : ''}.`,
  );
  out.push(
    '> Energy figures carry their interval and method: *measured* (counters, integrated power), *estimated* (modelled; shown with "≈"), *imported* (reported by another tool). Grades A–D rate the measurement. `*` marks a score significantly different from the baseline (paired bootstrap, p ≤ 0.05).',
  );
  if (results.failures.length) {
    out.push(
      `## Failed tasks\n\n${results.failures.map((f) => `- **${cell(f.task)}**${f.run ? ` (run \`${f.run}\`)` : ''}: ${cell(f.message)}`).join('\n')}`,
    );
  }
  if (results.warnings.length)
    out.push(`## Notes\n\n${results.warnings.map((w) => `- ${cell(w)}`).join('\n')}`);

  for (const d of results.datasets) {
    const runs = runsOf(results, d.key);
    const names = scoreColumns(runs);
    const head = [
      'System',
      ...names.map((n) => `${cell(n)} [95% CI]`),
      'Energy / segment',
      'Energy, total',
      'Method',
      'Grade',
      'Carbon',
      'Throughput',
      'Pareto',
    ];
    const rows = runs.map((run) => [
      `**${cell(run.system.label)}**${isBaseline(results, run) ? ' (baseline)' : ''}<br>\`${run.id}\``,
      ...names.map((name) => {
        const score = run.scores.find((s) => s.name === name);
        if (!score) return '–';
        const sig = significanceOf(results, run, name);
        return `${cell(scoreText(score))}${sig?.significant ? ' *' : ''}`;
      }),
      cell(perSegmentText(run)),
      cell(totalEnergyText(run)),
      run.energy ? cell(kindWord(run.energy.kind)) : cell(run.energyNote ?? '–'),
      run.energy ? run.energy.grade : '–',
      cell(carbonText(run)),
      cell(throughputText(run)),
      run.onFrontier.length ? cell(run.onFrontier.join(', ')) : '',
    ]);
    out.push(
      `## ${cell(d.name)} (\`${d.key}\`)\n\n${d.segments.toLocaleString('en-US')} segments, ${d.kind}, split sha256 \`${d.sha256.slice(0, 16)}…\`. Charts in report.html: energy ${cell(chartUnitWords(results.settings.chart))}.\n\n${table(head, rows, ['l', ...names.map(() => 'r' as const), 'r', 'r', 'l', 'l', 'r', 'r', 'l'])}`,
    );
  }

  if (results.comparisons.length) {
    const parts = results.comparisons.map((c) => {
      const rows = [
        [
          `**${cell(c.baseline.system)}** (baseline)`,
          fixed(c.baseline.score),
          '–',
          c.baseline.mean !== null ? `${fixed(c.baseline.mean)} ± ${fixed(c.baseline.ci)}` : '–',
          '–',
          '',
        ],
        ...c.systems.map((s) => [
          cell(s.system),
          fixed(s.score),
          `${s.delta >= 0 ? '+' : '−'}${fixed(Math.abs(s.delta))}`,
          s.mean !== null ? `${fixed(s.mean)} ± ${fixed(s.ci)}` : '–',
          pValueText(s.pValue),
          s.significant ? 'yes' : 'no',
        ]),
      ];
      return `### ${cell(c.metric)} on \`${c.dataset}\`\n\n${table(['System', cell(c.metric), 'Δ', 'Mean ± 95% CI', 'p', 'p ≤ 0.05'], rows, ['l', 'r', 'r', 'r', 'r', 'l'])}\n\n${c.resamples} resamples, seed ${c.seed}.`;
    });
    out.push(
      `## Significance against the baseline\n\nPaired bootstrap resampling (sacreBLEU \`--paired-bs\`).\n\n${parts.join('\n\n')}`,
    );
  }

  const energyRows = results.runs
    .filter((r) => r.energy)
    .map((run) => {
      const e = run.energy!;
      return [
        `${cell(run.system.label)}<br>\`${run.dataset.key}\``,
        cell(totalEnergyText(run)),
        cell(
          e.components
            .map(
              (c) =>
                `${c.component} ${c.method === 'counter' || c.method === 'integrated' ? '' : '≈'}${formatEnergy(c.joules, 'J')} (${c.method})`,
            )
            .join(', '),
        ),
        cell(e.phases.map((p) => `${p.phase} ${formatEnergy(p.joules, 'J')}`).join(', ') || '–'),
        `${e.grade}`,
        cell(e.flags.join(', ') || '–'),
      ];
    });
  if (energyRows.length) {
    out.push(
      `## Energy\n\n${table(['Run', 'Energy', 'Components (method)', 'Phases', 'Grade', 'Flags'], energyRows, ['l', 'r', 'l', 'l', 'l', 'l'])}`,
    );
  }
  if (results.repeats.length) {
    out.push(
      `### Repeats\n\n${table(
        ['System', 'Dataset', 'n', 'Mean', 'SD', '95% interval'],
        results.repeats.map((r) => [
          cell(r.system),
          `\`${r.dataset}\``,
          String(r.n),
          formatEnergy(r.meanJ, 'J'),
          formatEnergy(r.sdJ, 'J'),
          r.ci95J ? `${formatEnergy(r.ci95J[0], 'J')}–${formatEnergy(r.ci95J[1], 'J')}` : 'n < 3',
        ]),
        ['l', 'l', 'r', 'r', 'r', 'r'],
      )}`,
    );
  }
  const carbonRows = results.runs
    .filter((r) => r.carbon)
    .map((run) => [
      cell(run.system.label),
      `\`${run.dataset.key}\``,
      cell(carbonText(run)),
      cell(run.carbon!.country),
      cell(run.carbon!.source),
    ]);
  if (carbonRows.length) {
    out.push(
      `## Carbon\n\n${table(['System', 'Dataset', 'gCO2e', 'Grid', 'Intensity source'], carbonRows, ['l', 'l', 'r', 'l', 'l'])}`,
    );
  }

  const signatures: string[] = [];
  for (const run of results.runs) {
    signatures.push(`${run.id}  (${run.system.label} on ${run.dataset.key})`);
    for (const s of run.scores) signatures.push(`  ${s.name}: ${s.signature}`);
    if (run.energy) signatures.push(`  energy: ${run.energy.signature}`);
    if (run.training) signatures.push(`  training: ${run.training.signature}`);
    const p = run.provenance;
    signatures.push(
      `  provenance: EcoEval ${p.appVersion} (${p.host}), ${p.backend}${p.provider ? ` on ${p.provider}` : ''}; dataset sha256 ${p.dataset.sha256}; ${p.model ? `model ${p.model.id}@${p.model.step} sha256 ${p.model.sha256}; ` : ''}outputs sha256 ${p.outputsSha256}`,
    );
  }
  for (const c of results.comparisons)
    signatures.push(`paired ${c.metric} on ${c.dataset}: ${c.signature}`);
  out.push(`## Signatures and provenance\n\n${codeBlock(signatures)}`);
  return `${out.join('\n\n')}\n`;
}
