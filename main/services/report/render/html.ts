/**
 * report.html: one self-contained page (inline CSS, inline SVG, no script, no network — the
 * Content-Security-Policy forbids any fetch) drawn from results.json: summary, one
 * accuracy-versus-energy chart per dataset and main score (the app's chart builder, static SVG,
 * with the Pareto frontier), results with intervals, significance against the baseline, energy
 * with method badges and grades, carbon with its source, and every signature and provenance
 * entry. Every text that comes from data is HTML-escaped.
 */
import { renderChartSvg } from '../../../../shared/chart/accuracy-energy';
import type { CorpusScore } from '../../../../shared/api/types';
import { formatEnergy } from '../../../../shared/evaluation/energy-units';
import { toSummary } from '../report-data';
import type { ReportResults, ReportRun } from '../results-schema';
import {
  carbonText,
  chartUnitWords,
  fixed,
  isBaseline,
  kindWord,
  methodKind,
  perSegmentText,
  pValueText,
  runsOf,
  scoreColumns,
  significanceOf,
  sourceLine,
  throughputText,
  totalEnergyText,
} from './format';
import type { EnergyKind } from './format';
import { REPORT_CSS } from './html-style';

export const CHART_SIZE = { width: 960, height: 520 };
/** Per-run sections start open up to this many runs (print shows what is open). */
const OPEN_DETAILS_UP_TO = 12;

export function esc(value: unknown): string {
  return String(value).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/** Anchor-safe id for a dataset key or run id. */
function anchor(prefix: string, value: string): string {
  return `${prefix}-${value.replace(/[^a-zA-Z0-9_-]+/g, '-')}`;
}

/**
 * ECharts numbers its SVG ids and classes from `zr0-` in every chart; several charts in one page
 * would resolve each other's clip paths and hover styles. Each chart gets its own prefix.
 */
export function scopeSvgIds(svg: string, prefix: string): string {
  return svg.replace(/(id="|url\(#|href="#|class="|\.)zr\d+-/g, `$1${prefix}-`);
}

function badge(kind: EnergyKind | 'frontier' | 'baseline', text?: string): string {
  const words: Record<string, string> = {
    measured: 'measured',
    estimated: 'estimate',
    imported: 'imported',
    mixed: 'mixed',
    frontier: 'Pareto',
    baseline: 'baseline',
  };
  return `<span class="badge k-${kind}">${esc(text ?? words[kind])}</span>`;
}

function grade(value: string, reasons: readonly string[] = []): string {
  const title = reasons.length ? ` title="${esc(reasons.join('; '))}"` : '';
  return `<span class="grade g-${esc(value)}"${title}>${esc(value)}</span>`;
}

function table(
  head: readonly string[],
  rows: readonly string[][],
  rowClass: (i: number) => string = () => '',
): string {
  return `<div class="table-wrap"><table><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r, i) => {
      const cls = rowClass(i);
      return `<tr${cls ? ` class="${cls}"` : ''}>${r.join('')}</tr>`;
    })
    .join('')}</tbody></table></div>`;
}

const td = (html: string, num = false) => `<td${num ? ' class="num"' : ''}>${html}</td>`;

function runLink(run: ReportRun): string {
  return `<a href="#${anchor('run', run.id)}">${esc(run.system.label)}</a>`;
}

function best(
  runs: readonly ReportRun[],
  name: string,
): { run: ReportRun; score: CorpusScore } | null {
  let out: { run: ReportRun; score: CorpusScore } | null = null;
  for (const run of runs) {
    const score = run.scores.find((s) => s.name === name);
    if (!score) continue;
    const better =
      !out || (score.lowerIsBetter ? score.score < out.score.score : score.score > out.score.score);
    if (better) out = { run, score };
  }
  return out;
}

function summary(results: ReportResults): string {
  const systems = new Set(results.runs.map((r) => r.system.label));
  const estimated = results.runs.filter((r) => r.energy && r.energy.kind !== 'measured').length;
  const parts: string[] = [];
  parts.push(
    `<p>${results.runs.length} run${results.runs.length === 1 ? '' : 's'} of ${systems.size} system${systems.size === 1 ? '' : 's'} on ${results.datasets.length} dataset split${results.datasets.length === 1 ? '' : 's'}${results.baseline ? `; baseline: <span class="sys">${esc(results.baseline.system)}</span>${results.baseline.chosen === 'default' ? ' (the first system; choose another with <code>baseline:</code> or <code>--baseline</code>)' : ''}` : ''}.</p>`,
  );
  parts.push(
    `<div class="note"><p><strong>Reading the figures.</strong> Every energy figure carries its interval and how it was obtained: ${badge('measured')} counters or integrated power readings, ${badge('estimated')} modelled from TDP tables, utilisation or memory size (marked “≈”, hollow markers in the charts), ${badge('imported')} reported by another tool. Grades A–D rate the measurement (energy.md §3.11). Score intervals are 95% bootstrap intervals; significance is a paired bootstrap against the baseline (p ≤ 0.05).</p>${estimated ? `<p>${estimated} of ${results.runs.length} runs have estimated or imported energy: compare them with care.</p>` : ''}</div>`,
  );
  if (results.failures.length) {
    parts.push(
      `<div class="note fail"><p><strong>${results.failures.length} task${results.failures.length === 1 ? '' : 's'} failed</strong> and ${results.failures.length === 1 ? 'is' : 'are'} not in this report:</p><ul>${results.failures
        .map(
          (f) =>
            `<li><span class="sys">${esc(f.task)}</span>${f.run ? ` (run <code>${esc(f.run)}</code>)` : ''}: ${esc(f.message)}</li>`,
        )
        .join('')}</ul></div>`,
    );
  }
  if (results.warnings.length) {
    parts.push(
      `<div class="note warn"><p><strong>Notes</strong></p><ul>${results.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul></div>`,
    );
  }
  const cards = results.datasets.map((d) => {
    const runs = runsOf(results, d.key);
    const rows: string[][] = [];
    for (const metric of results.settings.chart.metrics) {
      const top = best(runs, metric);
      if (!top) continue;
      const frontier = runs.filter((r) => r.onFrontier.includes(metric));
      rows.push([
        td(
          `<span class="sys">${esc(metric)}</span> <span class="small">${top.score.lowerIsBetter ? 'lower' : 'higher'} is better</span>`,
        ),
        td(`${esc(fixed(top.score.score))} · ${runLink(top.run)}`),
        td(frontier.length ? frontier.map(runLink).join(', ') : '–'),
      ]);
    }
    const withEnergy = runs.filter((r) => r.energyPerSegment);
    let least = '';
    if (withEnergy.length) {
      const run = withEnergy.reduce((a, b) =>
        b.energyPerSegment!.value < a.energyPerSegment!.value ? b : a,
      );
      least = `<p>Least energy per segment: ${runLink(run)}, ${esc(perSegmentText(run))} ${badge(run.energyPerSegment!.kind)}</p>`;
    }
    return `<div class="card"><h3><a href="#${anchor('results', d.key)}">${esc(d.name)}</a> <span class="small">${esc(d.key)} · ${d.segments.toLocaleString('en-US')} segments · ${runs.length} run${runs.length === 1 ? '' : 's'}</span></h3>${rows.length ? table(['Score', 'Best', 'On the Pareto frontier (no run is both better and cheaper)'], rows) : ''}${least}</div>`;
  });
  parts.push(cards.join(''));
  return `<section id="summary"><h2>Summary</h2>${parts.join('')}</section>`;
}

function charts(results: ReportResults): string {
  const settings = results.settings.chart;
  const figures: string[] = [];
  let n = 0;
  for (const d of results.datasets) {
    const summaries = runsOf(results, d.key).map(toSummary);
    for (const metric of settings.metrics) {
      if (!summaries.some((s) => s.scores.some((x) => x.name === metric))) continue;
      n++;
      const svg = renderChartSvg(
        summaries,
        {
          metric,
          energy: settings,
          theme: 'light',
          interactive: false,
          title: `${metric} against energy · ${d.name} (${d.split})`,
        },
        CHART_SIZE,
      );
      figures.push(
        `<figure id="${anchor('chart', `${d.key}-${metric}`)}">${scopeSvgIds(svg, `c${n}`)}<figcaption>${esc(metric)} on ${esc(d.name)} (<code>${esc(d.key)}</code>) against energy, ${esc(chartUnitWords(settings))}, log scale. Marker shape = energy grade, hollow = estimated or imported energy, bars = intervals, line = Pareto frontier.</figcaption></figure>`,
      );
    }
  }
  if (!figures.length) figures.push('<p>No scores to chart.</p>');
  return `<section id="charts"><h2>Accuracy against energy</h2>${figures.join('')}</section>`;
}

/** A figure with its interval underneath: `≈ 30.3 mJ` / `[15.1 mJ–60.5 mJ]`. */
function energyCell(
  value: number,
  low: number,
  high: number,
  kind: EnergyKind,
  unit: 'J' | 'gCO2e' = 'J',
): string {
  return `${kind === 'measured' ? '' : '≈ '}${esc(formatEnergy(value, unit))}<div class="small">[${esc(formatEnergy(low, unit))}–${esc(formatEnergy(high, unit))}]</div>`;
}

function results_(results: ReportResults): string {
  const parts: string[] = [];
  for (const d of results.datasets) {
    const runs = runsOf(results, d.key);
    const names = scoreColumns(runs);
    const head = [
      'System',
      ...names.map((n) => `${esc(n)}<div class="small">[95% CI]</div>`),
      'Energy per segment',
      'Energy, total',
      'Carbon',
      'Throughput',
    ];
    const rows = runs.map((run) => {
      const cells = [
        td(
          `${runLink(run)}${isBaseline(results, run) ? ` ${badge('baseline')}` : ''}${run.onFrontier.length ? ` ${badge('frontier', `Pareto: ${run.onFrontier.join(', ')}`)}` : ''}<div class="small"><code>${esc(run.id)}</code></div>`,
        ),
      ];
      for (const name of names) {
        const score = run.scores.find((s) => s.name === name);
        if (!score) {
          cells.push(td('–', true));
          continue;
        }
        const sig = significanceOf(results, run, name);
        const interval =
          score.low !== null && score.high !== null
            ? `<div class="small">[${esc(fixed(score.low))}–${esc(fixed(score.high))}]</div>`
            : '';
        const mark = sig
          ? `<div class="small">${sig.delta >= 0 ? '+' : '−'}${esc(fixed(Math.abs(sig.delta)))}, p ${esc(pValueText(sig.pValue))}${sig.significant ? ' <strong>*</strong>' : ''}</div>`
          : '';
        cells.push(td(`<strong>${esc(fixed(score.score))}</strong>${interval}${mark}`, true));
      }
      const e = run.energy;
      const ps = run.energyPerSegment;
      cells.push(
        td(
          ps && e
            ? `${energyCell(ps.value, ps.low, ps.high, ps.kind)}${badge(ps.kind)} ${grade(e.grade, e.gradeReasons)}`
            : '–',
          true,
        ),
      );
      cells.push(
        td(
          e
            ? energyCell(e.joules, e.lowJ, e.highJ, e.kind)
            : `<span class="small">${esc(run.energyNote ?? 'none')}</span>`,
          true,
        ),
      );
      const c = run.carbon;
      cells.push(td(c && e ? energyCell(c.grams, c.lowG, c.highG, e.kind, 'gCO2e') : '–', true));
      cells.push(td(esc(throughputText(run)), true));
      return cells;
    });
    parts.push(
      `<h3 id="${anchor('results', d.key)}">${esc(d.name)} <span class="small">${esc(d.key)} · ${esc(d.kind)} · ${d.segments.toLocaleString('en-US')} segments · sha256 <code>${esc(d.sha256.slice(0, 16))}…</code></span></h3>${table(head, rows, (i) => (isBaseline(results, runs[i]) ? 'baseline' : ''))}`,
    );
  }
  return `<section id="results"><h2>Results</h2><p class="small">Scores with their 95% bootstrap interval; under them the difference from the baseline and its p-value (paired bootstrap; <strong>*</strong> p ≤ 0.05). Energy with the interval of its method; “≈”: not a measurement. Grades A–D rate the energy measurement (hover for the reasons).</p>${parts.join('')}</section>`;
}

function significance(results: ReportResults): string {
  if (!results.comparisons.length) {
    return `<section id="significance"><h2>Significance against the baseline</h2><p>No paired tests: they need a baseline and at least one other run with outputs on the same dataset, scored with BLEU, chrF or TER.</p></section>`;
  }
  const parts = results.comparisons.map((c) => {
    const rows = [
      [
        td(
          `<span class="sys">${esc(c.baseline.system)}</span> ${badge('baseline')}<div class="small"><code>${esc(c.baseline.run)}</code></div>`,
        ),
        td(esc(fixed(c.baseline.score)), true),
        td('–', true),
        td(
          c.baseline.mean !== null
            ? `${esc(fixed(c.baseline.mean))} ± ${esc(fixed(c.baseline.ci))}`
            : '–',
          true,
        ),
        td('–', true),
        td(''),
      ],
      ...c.systems.map((s) => [
        td(
          `<span class="sys">${esc(s.system)}</span><div class="small"><code>${esc(s.run)}</code></div>`,
        ),
        td(esc(fixed(s.score)), true),
        td(`${s.delta >= 0 ? '+' : '−'}${esc(fixed(Math.abs(s.delta)))}`, true),
        td(s.mean !== null ? `${esc(fixed(s.mean))} ± ${esc(fixed(s.ci))}` : '–', true),
        td(esc(pValueText(s.pValue)), true),
        td(
          s.significant
            ? '<span class="badge k-sig">significant</span>'
            : '<span class="badge k-nsig">not significant</span>',
        ),
      ]),
    ];
    return `<h3>${esc(c.metric)} on ${esc(c.dataset)}</h3>${table(['System', esc(c.metric), 'Δ', 'Bootstrap mean ± 95% CI', 'p', 'p ≤ 0.05'], rows)}<p class="small">Paired bootstrap resampling (Koehn 2004, as sacreBLEU <code>--paired-bs</code>), ${c.resamples} resamples, seed ${c.seed}. Signature: <code class="sig">${esc(c.signature)}</code></p>`;
  });
  return `<section id="significance"><h2>Significance against the baseline</h2>${parts.join('')}</section>`;
}

function energySection(results: ReportResults): string {
  const open = results.runs.length <= OPEN_DETAILS_UP_TO ? ' open' : '';
  const parts = results.runs.map((run) => {
    const e = run.energy;
    if (!e) {
      return `<details${open}><summary>${esc(run.system.label)} · ${esc(run.dataset.key)} — no energy figure</summary><p>${esc(run.energyNote ?? '')}</p></details>`;
    }
    const components = table(
      ['Component', 'Method', 'Energy', 'Meter'],
      e.components.map((c) => [
        td(esc(c.component)),
        td(`${badge(methodKind(c.method), c.method)}`),
        td(
          `${methodKind(c.method) === 'measured' ? '' : '≈ '}${esc(formatEnergy(c.joules, 'J'))}`,
          true,
        ),
        td(`<span class="small">${esc(c.label)}</span>`),
      ]),
    );
    const phases = e.phases.length
      ? `<p class="small">Phases: ${e.phases.map((p) => `${esc(p.phase)} ${esc(formatEnergy(p.joules, 'J'))} (${esc((p.endS - p.startS).toFixed(2))} s)`).join(' · ')}</p>`
      : '';
    const perUnit = e.perUnit.length
      ? `<p class="small">Per unit (timed phases only): ${e.perUnit.map((u) => `${esc(u.unit)} ${esc(u.joules.toPrecision(3))} [${esc(u.lowJ.toPrecision(3))}–${esc(u.highJ.toPrecision(3))}] over ${esc(u.count.toLocaleString('en-US'))}`).join(' · ')}</p>`
      : '';
    const training = run.training
      ? `<p class="small">Training energy of the checkpoint (step ${esc(run.training.step)}): ${esc(run.training.kind === 'measured' ? '' : '≈ ')}${esc(formatEnergy(run.training.joules, 'J'))} [${esc(formatEnergy(run.training.lowJ, 'J'))}–${esc(formatEnergy(run.training.highJ, 'J'))}] ${badge(run.training.kind)} grade ${grade(run.training.grade)} — signature <code class="sig">${esc(run.training.signature)}</code></p>`
      : '';
    return `<details${open}><summary>${esc(run.system.label)} · ${esc(run.dataset.key)} — ${esc(totalEnergyText(run))} ${badge(e.kind)} ${grade(e.grade, e.gradeReasons)}</summary>
<dl class="kv"><dt>energy</dt><dd>${esc(totalEnergyText(run))}, ${esc(kindWord(e.kind))}, ${esc(e.windowS.toFixed(2))} s window</dd>
<dt>per segment</dt><dd>${esc(perSegmentText(run))} (whole window ÷ segments)</dd>
<dt>grade</dt><dd>${grade(e.grade)} ${e.gradeReasons.map((r) => esc(r)).join('; ') || 'no reservations'}</dd>
<dt>flags</dt><dd>${e.flags.length ? e.flags.map((f) => `<code>${esc(f)}</code>`).join(' ') : 'none'}</dd>
<dt>signature</dt><dd><code class="sig">${esc(e.signature)}</code></dd></dl>
${components}${phases}${perUnit}${training}</details>`;
  });
  let repeats = '';
  if (results.repeats.length) {
    repeats = `<h3>Repeats</h3>${table(
      ['System', 'Dataset', 'n', 'Mean', 'SD', 'Repeat-to-repeat 95% interval'],
      results.repeats.map((r) => [
        td(`<span class="sys">${esc(r.system)}</span>`),
        td(`<code>${esc(r.dataset)}</code>`),
        td(String(r.n), true),
        td(esc(formatEnergy(r.meanJ, 'J')), true),
        td(esc(formatEnergy(r.sdJ, 'J')), true),
        td(
          r.ci95J
            ? `${esc(formatEnergy(r.ci95J[0], 'J'))}–${esc(formatEnergy(r.ci95J[1], 'J'))}`
            : 'needs 3 or more repeats',
          true,
        ),
      ]),
    )}<p class="small">The spread between repeated runs, kept apart from each run's measurement interval (Student-t, 95%).</p>`;
  }
  return `<section id="energy"><h2>Energy breakdown</h2>${parts.join('')}${repeats}</section>`;
}

function carbonSection(results: ReportResults): string {
  const c = results.settings.carbon;
  const rows = results.runs
    .filter((r) => r.carbon)
    .map((run) => [
      td(runLink(run)),
      td(`<code>${esc(run.dataset.key)}</code>`),
      td(esc(carbonText(run)), true),
      td(esc(run.carbon!.country)),
      td(`<span class="small">${esc(run.carbon!.source)}</span>`),
      td(
        run.carbon!.basis === 'report' ? 'recomputed for this report' : 'as recorded with the run',
      ),
    ]);
  const settings =
    c.country || c.overheadFactor !== 1
      ? `<p>Carbon is recomputed for this report${c.country ? ` at the grid intensity of <strong>${esc(c.country)}</strong>` : ''}${c.overheadFactor !== 1 ? ` with an overhead factor (PUE) of ${esc(c.overheadFactor)}` : ''}; each run's recorded figure stays in its run.json.</p>`
      : `<p>Carbon as each run recorded it: energy × the grid intensity of its country (from the OS locale when not set; set <code>energy.country</code> in the plan to choose).</p>`;
  return `<section id="carbon"><h2>Carbon</h2>${settings}${rows.length ? table(['System', 'Dataset', 'gCO2e', 'Grid', 'Intensity source', 'Basis'], rows) : '<p>No run has a carbon figure.</p>'}</section>`;
}

function provenanceSection(results: ReportResults): string {
  const open = results.runs.length <= OPEN_DETAILS_UP_TO ? ' open' : '';
  const parts = results.runs.map((run) => {
    const p = run.provenance;
    const kv = (k: string, v: string) => `<dt>${esc(k)}</dt><dd>${v}</dd>`;
    const settings = Object.entries(p.settings)
      .map(([k, v]) => `<code>${esc(k)}=${esc(v === null ? 'null' : v)}</code>`)
      .join(' ');
    const signatures = run.scores
      .map((s) =>
        kv(
          `${s.name} signature`,
          `<code class="sig">${esc(s.signature)}</code><div class="small">${esc(s.formatted)}</div>`,
        ),
      )
      .join('');
    return `<details${open} id="${anchor('run', run.id)}"><summary>${esc(run.system.label)} · ${esc(run.dataset.key)} <span class="small"><code>${esc(run.id)}</code></span></summary><dl class="kv">
${kv('run', `${esc(run.name)} · <code>${esc(run.id)}</code> · created ${esc(run.createdAt)}${run.tags.length ? ` · tags ${run.tags.map((t) => `<code>${esc(t)}</code>`).join(' ')}` : ''}`)}
${kv('files', `<a href="${esc(run.files.record)}">${esc(run.files.record)}</a>${run.files.outputs ? ` · <a href="${esc(run.files.outputs)}">${esc(run.files.outputs)}</a>` : ''}${run.files.segments ? ` · <a href="${esc(run.files.segments)}">${esc(run.files.segments)}</a>` : ''}`)}
${signatures}
${run.energy ? kv('energy signature', `<code class="sig">${esc(run.energy.signature)}</code>`) : ''}
${run.training ? kv('training signature', `<code class="sig">${esc(run.training.signature)}</code>`) : ''}
${kv('EcoEval', `${esc(p.appVersion)} (${esc(p.host)}), created ${esc(p.createdAt)}`)}
${kv('dataset', `<code>${esc(p.dataset.id)}/${esc(p.dataset.split)}</code>, ${esc(p.dataset.segments)} segments, sha256 <code class="sig">${esc(p.dataset.sha256)}</code>`)}
${p.model ? kv('model', `<code>${esc(p.model.id)}</code> step ${esc(p.model.step)} (${esc(p.model.preset)}, ${esc(p.model.parameters.toLocaleString('en-US'))} parameters), weights sha256 <code class="sig">${esc(p.model.sha256)}</code>`) : ''}
${kv('outputs sha256', `<code class="sig">${esc(p.outputsSha256)}</code>`)}
${kv('backend', `${esc(p.backend)}${p.provider ? ` on ${esc(p.provider)}` : ''}`)}
${kv('settings', settings || '–')}
${kv('hardware', `${esc(p.hardware.cpu)}, ${esc(p.hardware.cores)} cores, ${esc(p.hardware.memoryGB)} GB, ${esc(p.hardware.platform)}${p.hardware.gpu ? `, ${esc(p.hardware.gpu)}` : ''}`)}
${run.throughput ? kv('throughput', `${esc(run.throughput.segmentsPerSecond.toFixed(1))} segments/s, ${esc(run.throughput.tokensPerSecond.toFixed(0))} tokens/s (${esc(run.throughput.outputTokens)} tokens in ${esc(run.throughput.seconds.toFixed(2))} s)${run.throughput.latencyMsP50 !== null ? `, latency per sentence p50 ${esc(run.throughput.latencyMsP50.toFixed(1))} ms, p95 ${esc(fixed(run.throughput.latencyMsP95, 1))} ms` : ''}`) : ''}
</dl></details>`;
  });
  return `<section id="provenance"><h2>Provenance and signatures</h2>${parts.join('')}</section>`;
}

/** The whole page. */
export function renderHtml(results: ReportResults): string {
  const generated = results.generatedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="EcoEval ${esc(results.generator.version)}">
<title>${esc(results.title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<main>
<header>
<h1>${esc(results.title)}</h1>
<p class="meta">Generated ${esc(generated)} by EcoEval ${esc(results.generator.version)} from ${esc(sourceLine(results))}. Machine-readable: <a href="results.json">results.json</a> · <a href="results.csv">results.csv</a> · <a href="report.md">report.md</a></p>
<nav><a href="#summary">Summary</a><a href="#charts">Charts</a><a href="#results">Results</a><a href="#significance">Significance</a><a href="#energy">Energy</a><a href="#carbon">Carbon</a><a href="#provenance">Provenance and signatures</a></nav>
</header>
${summary(results)}
${charts(results)}
${results_(results)}
${significance(results)}
${energySection(results)}
${carbonSection(results)}
${provenanceSection(results)}
<footer>EcoEval ${esc(results.generator.version)} · scores exactly as sacreBLEU 2.6.0 and rouge-score 0.1.2 compute them; each carries its signature. Energy figures carry their method, interval and grade; estimates are never measurements.</footer>
</main>
</body>
</html>
`;
}
