/**
 * The accuracy–energy chart: one ECharts option for the app's interactive chart and the static
 * SVG in reports, so the two cannot drift apart. x = energy per the user's unit and scale on a
 * log axis, y = one score; error bars for both intervals; marker shape = energy grade; hollow
 * markers for estimated, imported or mixed energy (an estimate never looks like a measurement);
 * the Pareto frontier as a step line.
 *
 * Scale: points are grouped into one scatter series per (system, grade, filled/hollow), all
 * named after the system so the legend toggles a system as one; static charts (and interactive
 * ones above LARGE_RUNS points) use ECharts' large mode; each system's error bars are one path,
 * in one custom series per system (interactive) or one for all (static, where nothing toggles).
 * That keeps 10,000 runs within the report's time budget (test/bench/chart.ts).
 *
 * Scatter items are `[energy, score, index]`, the index into `chartPoints(runs, settings)`, so a
 * click or tooltip finds its run; error-bar and frontier items have two values only.
 */
import type {
  CustomSeriesOption,
  CustomSeriesRenderItemAPI,
  CustomSeriesRenderItemReturn,
  EChartsOption,
  LineSeriesOption,
  ScatterSeriesOption,
  TitleComponentOption,
} from 'echarts';
import type { CorpusScore, RunSummary } from '../api/types';
import { formatEnergy, runEnergyValue } from '../evaluation/energy-units';
import type { EnergySettings, EnergyValue } from '../evaluation/energy-units';
import { ERROR_BARS_SHAPE, renderOptionToSvg } from './echarts';
import { paretoFrontier } from './pareto';
import { CHART_THEMES, GRADE_SYMBOLS } from './theme';
import type { ChartTheme, Grade } from './theme';

export interface ChartSettings {
  /** A score name, e.g. `BLEU`. */
  metric: string;
  energy: EnergySettings;
  theme: 'light' | 'dark';
  interactive: boolean;
  title?: string;
  /** Only runs on this dataset id; null or absent = all. */
  dataset?: string | null;
}

export interface ChartPoint {
  run: string;
  label: string;
  system: string;
  dataset: string;
  score: number;
  scoreLow: number | null;
  scoreHigh: number | null;
  energy: EnergyValue;
  /** The worse of the run's and (when included) the training energy's grade. */
  grade: string;
  onFrontier: boolean;
}

/** Above this many points, interactive scatter series use ECharts' large mode too. */
export const LARGE_RUNS = 2000;
export const FRONTIER_NAME = 'Pareto frontier';
/** Legend icon for the frontier: a bar like the line itself (icons are filled, so not a bare path). */
const LINE_ICON = 'path://M0 4h24v2H0z';
const SYMBOL_SIZE = 13;
const GRADES: readonly Grade[] = ['A', 'B', 'C', 'D'];
/** Known score names first, in the order the app lists metrics; others follow by name. */
const METRIC_ORDER = ['BLEU', 'chrF2', 'TER', 'ROUGE-1', 'ROUGE-2', 'ROUGE-L', 'ROUGE-Lsum', 'PPL'];

/** Locale-independent string order, so options do not depend on the machine's ICU data. */
function byString(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function worseGrade(a: Grade, b: Grade): Grade {
  return GRADES.indexOf(a) >= GRADES.indexOf(b) ? a : b;
}

/** The score names any of `runs` carries, known metrics first. */
export function availableMetrics(runs: readonly RunSummary[]): string[] {
  const names = new Set<string>();
  for (const run of runs)
    for (const s of run.scores) if (Number.isFinite(s.score)) names.add(s.name);
  const known = METRIC_ORDER.filter((n) => names.has(n));
  const other = [...names].filter((n) => !METRIC_ORDER.includes(n)).sort(byString);
  return [...known, ...other];
}

/** A chart point with the score it came from (for tooltips and direction). */
interface Placed {
  point: ChartPoint;
  score: CorpusScore;
  run: RunSummary;
}

function placeRuns(runs: readonly RunSummary[], settings: ChartSettings): Placed[] {
  const placed: Placed[] = [];
  const dataset = settings.dataset ?? null;
  for (const run of runs) {
    if (dataset !== null && run.dataset.id !== dataset) continue;
    const score = run.scores.find((s) => s.name === settings.metric);
    if (!score || !Number.isFinite(score.score) || !run.energy) continue;
    const energy = runEnergyValue(run, settings.energy);
    // A log axis cannot place zero or negative energy.
    if (!energy || !(energy.value > 0) || !Number.isFinite(energy.value)) continue;
    let grade: Grade = run.energy.grade;
    if (energy.trainingShare > 0 && run.training) grade = worseGrade(grade, run.training.grade);
    placed.push({
      run,
      score,
      point: {
        run: run.id,
        label: run.name,
        system: run.system.label,
        dataset: run.dataset.id,
        score: score.score,
        scoreLow: score.low,
        scoreHigh: score.high,
        energy,
        grade,
        onFrontier: false,
      },
    });
  }
  if (placed.length > 0) {
    const higherIsBetter = !placed[0].score.lowerIsBetter;
    const candidates = placed.map((p, index) => ({
      id: p.point.run,
      x: p.point.energy.value,
      y: p.point.score,
      index,
    }));
    for (const f of paretoFrontier(candidates, higherIsBetter)) {
      placed[f.index].point.onFrontier = true;
    }
  }
  return placed;
}

/**
 * The runs that can be placed on the chart for `settings.metric`, in input order. Runs without
 * that score, without energy (or carbon, for gCO2e), off the dataset filter, or with energy ≤ 0
 * (a log axis cannot show it) are left out.
 */
export function chartPoints(runs: readonly RunSummary[], settings: ChartSettings): ChartPoint[] {
  return placeRuns(runs, settings).map((p) => p.point);
}

/** Compact tick labels for the log axis: 0.001 … 1 … 10k, 1M. */
function compactNumber(v: number): string {
  if (v >= 1e9) return `${Number((v / 1e9).toPrecision(3))}G`;
  if (v >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (v >= 1e3) return `${Number((v / 1e3).toPrecision(3))}k`;
  if (v >= 1e-3 || v === 0) return String(Number(v.toPrecision(3)));
  return v.toExponential(0);
}

/** Decades that enclose every energy value and interval end. */
function logRange(placed: readonly Placed[]): [number, number] {
  let lo = Infinity;
  let hi = 0;
  for (const { point } of placed) {
    const e = point.energy;
    lo = Math.min(lo, e.low > 0 ? e.low : e.value, e.value);
    hi = Math.max(hi, e.high, e.value);
  }
  if (!Number.isFinite(lo) || !(hi > 0)) return [1, 1000];
  const min = 10 ** Math.floor(Math.log10(lo));
  let max = 10 ** Math.ceil(Math.log10(hi));
  if (max <= min) max = min * 10;
  return [Number(min.toPrecision(12)), Number(max.toPrecision(12))];
}

/** A 1-2-5 step near `span / 5`. */
function niceStep(span: number): number {
  const raw = span / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const f = raw / magnitude;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * magnitude;
}

/** Score axis bounds on a nice step, enclosing every score and interval end. */
function scoreRange(placed: readonly Placed[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const { point } of placed) {
    for (const v of [point.score, point.scoreLow, point.scoreHigh]) {
      if (v !== null && Number.isFinite(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
  }
  if (!Number.isFinite(lo)) return [0, 100];
  if (hi - lo < 1e-9) {
    const pad = Math.abs(lo) * 0.1 || 1;
    lo -= pad;
    hi += pad;
  }
  const step = niceStep(hi - lo);
  const min = Math.floor(lo / step) * step;
  const max = Math.ceil(hi / step) * step;
  return [Number(min.toPrecision(12)), Number(max.toPrecision(12))];
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function fixed2(x: number | null): string {
  return x === null ? '–' : x.toFixed(2);
}

const KIND_WORDS: Record<EnergyValue['kind'], string> = {
  measured: 'measured',
  estimated: 'estimated',
  imported: 'imported (reported by another tool)',
  mixed: 'mixed (inference and training energy measured differently)',
};

/** `412 mJ per segment`: the unit's SI form plus the scale words of the label. */
function energyText(value: number, settings: EnergySettings): string {
  const scale =
    settings.scale === 'per-segment'
      ? ' per segment'
      : settings.scale === 'per-1k-segments'
        ? ' per 1k segments'
        : '';
  return formatEnergy(value, settings.unit) + scale;
}

/** Tooltip body for one point: run, score with interval and signature, energy, provenance. */
function tooltipHtml(p: Placed, settings: ChartSettings): string {
  const { point, score, run } = p;
  const e = point.energy;
  const small =
    'font-size:11px;opacity:0.75;word-break:break-all;max-width:420px;white-space:normal';
  const lines = [
    `<div style="font-weight:600">${escapeHtml(point.label)}</div>`,
    `<div>${escapeHtml(point.system)} · ${escapeHtml(run.dataset.name)} (${escapeHtml(run.dataset.split)})</div>`,
    `<div>${escapeHtml(score.name)} ${fixed2(point.score)}` +
      (point.scoreLow !== null && point.scoreHigh !== null
        ? ` [${fixed2(point.scoreLow)}–${fixed2(point.scoreHigh)}] 95% CI`
        : '') +
      `</div>`,
    `<div style="${small}">${escapeHtml(score.signature)}</div>`,
    `<div>Energy ${escapeHtml(energyText(e.value, settings.energy))}` +
      ` [${escapeHtml(formatEnergy(e.low, settings.energy.unit))}–${escapeHtml(formatEnergy(e.high, settings.energy.unit))}]` +
      ` · ${KIND_WORDS[e.kind]} · grade ${escapeHtml(point.grade)}</div>`,
  ];
  if (e.trainingShare > 0) {
    lines.push(
      `<div>includes ${(100 * e.trainingShare).toFixed(1)}% training energy, spread over ` +
        `${settings.energy.amortiseOver.toLocaleString('en')} segments</div>`,
    );
  }
  const components = run.energy?.components ?? [];
  if (components.length > 0) {
    const parts = components.map((c) => `${escapeHtml(c.label)}: ${escapeHtml(c.method)}`);
    lines.push(`<div style="${small}">${parts.join(' · ')}</div>`);
  }
  if (run.energy) lines.push(`<div style="${small}">${escapeHtml(run.energy.signature)}</div>`);
  const prov = run.provenance;
  lines.push(
    `<div style="${small}">${escapeHtml(prov.backend)}` +
      (prov.provider ? ` · ${escapeHtml(prov.provider)}` : '') +
      ` · EcoEval ${escapeHtml(prov.appVersion)}${point.onFrontier ? ' · on the Pareto frontier' : ''}</div>`,
  );
  return lines.join('');
}

/** Layout in pixels; the bottom holds axis labels, the axis name, the note and the slider. */
function layout(settings: ChartSettings): { top: number; bottom: number; right: number } {
  return {
    top: settings.title ? 72 : 44,
    bottom: settings.interactive ? 100 : 70,
    right: settings.interactive ? 56 : 24,
  };
}

/**
 * Pixel segments of one system's error bars: horizontal = energy, vertical = score. Two
 * `api.coord` calls calibrate the axes (log10 for x, linear for y, as ECharts maps them, zoom
 * included), so thousands of bars cost no per-point allocation.
 */
export function errorBarPoints(
  api: Pick<CustomSeriesRenderItemAPI, 'coord'>,
  points: readonly ChartPoint[],
  xRange: readonly [number, number],
  yRange: readonly [number, number],
): number[] {
  const [x0, y0] = api.coord([xRange[0], yRange[0]]);
  const [x1, y1] = api.coord([xRange[1], yRange[1]]);
  const lx0 = Math.log10(xRange[0]);
  const kx = (x1 - x0) / (Math.log10(xRange[1]) - lx0);
  const ky = (y1 - y0) / (yRange[1] - yRange[0]);
  // Interval ends at or below zero sit at the axis minimum (the left edge).
  const px = (v: number): number => x0 + (Math.log10(Math.max(v, xRange[0])) - lx0) * kx;
  const py = (v: number): number => y0 + (v - yRange[0]) * ky;
  const out: number[] = [];
  for (const point of points) {
    const e = point.energy;
    const y = py(point.score);
    if (e.high > e.low) out.push(px(e.low), y, px(e.high), y);
    if (point.scoreLow !== null && point.scoreHigh !== null && point.scoreHigh > point.scoreLow) {
      const x = px(e.value);
      out.push(x, py(point.scoreLow), x, py(point.scoreHigh));
    }
  }
  return out;
}

/** Scatter group of a point: its system, grade and whether its marker is hollow. */
function groupKey(system: string, grade: string, hollow: boolean): string {
  return `${system}\u0000${grade}\u0000${hollow ? 1 : 0}`;
}

function axisName(settings: ChartSettings): string {
  const e = settings.energy;
  const training = e.includeTraining
    ? `, incl. training spread over ${e.amortiseOver.toLocaleString('en')} segments`
    : '';
  const label =
    e.scale === 'per-segment'
      ? 'per segment'
      : e.scale === 'per-1k-segments'
        ? 'per 1k segments'
        : 'total';
  return `Energy, ${e.unit} ${label}${training} (log scale)`;
}

const NOTE =
  'Marker = energy grade: ● A  ■ B  ▲ C  ◆ D · hollow = estimated or imported energy · ' +
  'bars = intervals · line = Pareto frontier';

function titles(
  settings: ChartSettings,
  theme: ChartTheme,
  empty: boolean,
): TitleComponentOption[] {
  const out: TitleComponentOption[] = [];
  if (settings.title) {
    out.push({
      id: 'title',
      text: settings.title,
      left: 'center',
      top: 8,
      textStyle: { color: theme.text, fontSize: 15, fontWeight: 600 },
    });
  }
  out.push({
    id: 'note',
    text: NOTE,
    left: 'center',
    bottom: settings.interactive ? 34 : 6,
    textStyle: { color: theme.muted, fontSize: 11, fontWeight: 'normal' },
  });
  if (empty) {
    const where = settings.dataset ? ` on dataset ${settings.dataset}` : '';
    out.push({
      id: 'empty',
      text: `No run${where} has both ${settings.metric} and ${settings.energy.unit === 'gCO2e' ? 'carbon' : 'energy'} figures yet`,
      left: 'center',
      top: 'middle',
      textStyle: { color: theme.muted, fontSize: 13, fontWeight: 'normal' },
    });
  }
  return out;
}

/**
 * The chart's ECharts option. Deterministic: the same runs and settings give the same option
 * (functions aside: renderItem, tooltip and axis-label formatters).
 */
export function buildAccuracyEnergyOption(
  runs: readonly RunSummary[],
  settings: ChartSettings,
): EChartsOption {
  const theme = CHART_THEMES[settings.theme];
  const placed = placeRuns(runs, settings);
  const lowerIsBetter = placed.length > 0 && placed[0].score.lowerIsBetter;
  const systems = [...new Set(placed.map((p) => p.point.system))].sort(byString);
  const colourOf = new Map(systems.map((s, i) => [s, theme.palette[i % theme.palette.length]]));
  const [xMin, xMax] = logRange(placed);
  const [yMin, yMax] = scoreRange(placed);
  // A static chart has no hover, so one path per series costs nothing and renders far faster.
  const large = !settings.interactive || placed.length > LARGE_RUNS;
  const pointsOf = new Map<string, ChartPoint[]>(systems.map((s) => [s, []]));
  for (const p of placed) pointsOf.get(p.point.system)!.push(p.point);

  const xRange = [xMin, xMax] as const;
  const yRange = [yMin, yMax] as const;
  const barsOf = (api: Pick<CustomSeriesRenderItemAPI, 'coord'>, system: string) => ({
    type: ERROR_BARS_SHAPE,
    silent: true,
    shape: { points: errorBarPoints(api, pointsOf.get(system)!, xRange, yRange) },
    style: { stroke: colourOf.get(system)!, lineWidth: 1, opacity: 0.55, fill: null },
  });
  // Interactive: one bar series per system, so the legend hides a system's bars with its points.
  // Static: nothing toggles, and one series for all bars renders markedly faster.
  const bars: CustomSeriesOption[] = settings.interactive
    ? systems.map((system) => ({
        type: 'custom',
        id: `bars:${system}`,
        name: system,
        silent: true,
        clip: true,
        z: 1,
        itemStyle: { color: colourOf.get(system)! },
        // One item anchors the series on the axes; renderItem draws the whole system's bars.
        data: [[pointsOf.get(system)![0].energy.value, pointsOf.get(system)![0].score]],
        renderItem: (_params, api) =>
          barsOf(api, system) as unknown as CustomSeriesRenderItemReturn,
      }))
    : systems.length === 0
      ? []
      : [
          {
            type: 'custom',
            id: 'bars',
            silent: true,
            clip: true,
            z: 1,
            data: [[placed[0].point.energy.value, placed[0].point.score]],
            renderItem: (_params, api) =>
              ({
                type: 'group',
                children: systems.map((system) => barsOf(api, system)),
              }) as unknown as CustomSeriesRenderItemReturn,
          },
        ];

  const groups = new Map<string, [number, number, number][]>();
  placed.forEach((p, i) => {
    const key = groupKey(p.point.system, p.point.grade, p.point.energy.kind !== 'measured');
    let data = groups.get(key);
    if (!data) groups.set(key, (data = []));
    data.push([p.point.energy.value, p.point.score, i]);
  });
  const scatter: ScatterSeriesOption[] = [];
  for (const system of systems) {
    const colour = colourOf.get(system)!;
    for (const grade of GRADES) {
      for (const hollow of [false, true]) {
        const data = groups.get(groupKey(system, grade, hollow));
        if (!data) continue;
        const series: ScatterSeriesOption = {
          type: 'scatter',
          id: `points:${system}:${grade}:${hollow ? 'hollow' : 'filled'}`,
          name: system,
          symbol: GRADE_SYMBOLS[grade],
          symbolSize: SYMBOL_SIZE,
          z: 3,
          itemStyle: hollow
            ? { color: theme.background, borderColor: colour, borderWidth: 1.5 }
            : { color: colour, borderColor: colour, borderWidth: 0 },
          data,
        };
        if (large) Object.assign(series, { large: true, largeThreshold: 0 });
        scatter.push(series);
      }
    }
  }

  const frontierData = placed
    .filter((p) => p.point.onFrontier)
    .map((p) => [p.point.energy.value, p.point.score] as [number, number])
    .sort((a, b) => a[0] - b[0]);
  const frontier: LineSeriesOption = {
    type: 'line',
    id: 'frontier',
    name: FRONTIER_NAME,
    step: 'end',
    symbol: 'none',
    silent: true,
    z: 2,
    lineStyle: { color: theme.frontier, width: 2 },
    itemStyle: { color: theme.frontier },
    data: frontierData,
  };

  const { top, bottom, right } = layout(settings);
  const axisCommon = {
    nameTextStyle: { color: theme.text, fontSize: 12 },
    axisLine: { lineStyle: { color: theme.axis } },
    axisTick: { lineStyle: { color: theme.axis } },
    axisLabel: { color: theme.muted },
    splitLine: { show: true, lineStyle: { color: theme.grid } },
  };
  const option: EChartsOption = {
    animation: settings.interactive,
    backgroundColor: theme.background,
    color: [...theme.palette],
    textStyle: { color: theme.text, fontFamily: theme.fontFamily },
    title: titles(settings, theme, placed.length === 0),
    legend: {
      type: 'scroll',
      top: settings.title ? 38 : 8,
      left: 'center',
      textStyle: { color: theme.text },
      // Wide gaps: SVG reports measure text without fonts and underestimate label widths.
      itemGap: 20,
      inactiveColor: theme.inactive,
      pageTextStyle: { color: theme.muted },
      data: [
        // Swatches in the system's colour whatever series comes first (a hollow one would be blank).
        ...systems.map((name) => ({
          name,
          icon: 'roundRect',
          itemStyle: { color: colourOf.get(name)!, borderWidth: 0 },
        })),
        ...(frontierData.length > 0 ? [{ name: FRONTIER_NAME, icon: LINE_ICON }] : []),
      ],
    },
    grid: { left: 64, right, top, bottom },
    xAxis: {
      type: 'log',
      logBase: 10,
      min: xMin,
      max: xMax,
      name: axisName(settings),
      nameLocation: 'middle',
      nameGap: 28,
      ...axisCommon,
      axisLabel: { color: theme.muted, formatter: (v: number) => compactNumber(v) },
    },
    yAxis: {
      type: 'value',
      min: yMin,
      max: yMax,
      name: `${settings.metric} (${lowerIsBetter ? 'lower' : 'higher'} is better)`,
      nameLocation: 'middle',
      nameGap: 44,
      ...axisCommon,
    },
    series: [...bars, ...scatter, ...(frontierData.length > 0 ? [frontier] : [])],
  };
  if (settings.interactive) {
    option.tooltip = {
      trigger: 'item',
      confine: true,
      backgroundColor: theme.panel,
      borderColor: theme.axis,
      textStyle: { color: theme.text, fontSize: 12 },
      formatter: (params) => {
        const one = Array.isArray(params) ? params[0] : params;
        const index = Array.isArray(one?.value) ? Number(one.value[2]) : NaN;
        const p = placed[index];
        return p ? tooltipHtml(p, settings) : '';
      },
    };
    const zoom = { filterMode: 'none' as const };
    const slider = {
      ...zoom,
      borderColor: theme.grid,
      fillerColor: theme.zoomFill,
      backgroundColor: 'transparent',
      handleStyle: { color: theme.panel, borderColor: theme.axis },
      moveHandleStyle: { color: theme.axis },
      textStyle: { color: theme.muted },
      dataBackground: { lineStyle: { color: theme.axis }, areaStyle: { color: theme.grid } },
    };
    option.dataZoom = [
      { type: 'inside', id: 'zoom-x-inside', xAxisIndex: 0, ...zoom },
      { type: 'inside', id: 'zoom-y-inside', yAxisIndex: 0, ...zoom },
      { type: 'slider', id: 'zoom-x', xAxisIndex: 0, bottom: 8, height: 18, ...slider },
      { type: 'slider', id: 'zoom-y', yAxisIndex: 0, right: 12, width: 18, ...slider },
    ];
  }
  return option;
}

/**
 * The chart as an SVG string, rendered in Node or a worker without a DOM (ECharts SSR). Always
 * the static variant: no tooltips, zoom or animation, whatever `settings.interactive` says.
 */
export function renderChartSvg(
  runs: readonly RunSummary[],
  settings: ChartSettings,
  size: { width: number; height: number },
): string {
  return renderOptionToSvg(
    buildAccuracyEnergyOption(runs, { ...settings, interactive: false }),
    size,
  );
}
