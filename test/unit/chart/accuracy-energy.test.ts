import { describe, expect, it } from 'vitest';
import type {
  CustomSeriesOption,
  LineSeriesOption,
  ScatterSeriesOption,
  TitleComponentOption,
} from 'echarts';
import type { RunSummary } from '../../../shared/api/types';
import {
  FRONTIER_NAME,
  availableMetrics,
  buildAccuracyEnergyOption,
  chartPoints,
  errorBarPoints,
  renderChartSvg,
} from '../../../shared/chart/accuracy-energy';
import type { ChartPoint, ChartSettings } from '../../../shared/chart/accuracy-energy';
import { paretoFrontier } from '../../../shared/chart/pareto';
import { CHART_THEMES } from '../../../shared/chart/theme';
import { makeRun } from '../evaluation/run-factory';

const settings = (o: Partial<ChartSettings> = {}): ChartSettings => ({
  metric: 'BLEU',
  theme: 'light',
  interactive: false,
  energy: { unit: 'J', scale: 'per-segment', includeTraining: false, amortiseOver: 1_000_000 },
  ...o,
});

/** Six runs of three systems; `b2` and `c1` are dominated, `e1` is an estimate. */
function runs(): RunSummary[] {
  return [
    makeRun('a1', { system: 'small-fp32', joules: 500, bleu: 20, grade: 'A' }),
    makeRun('a2', { system: 'small-fp32', joules: 2000, bleu: 28, grade: 'B' }),
    makeRun('b1', { system: 'small-int8', joules: 250, bleu: 18, grade: 'C' }),
    makeRun('b2', { system: 'small-int8', joules: 3000, bleu: 25, grade: 'D' }),
    makeRun('c1', { system: 'base-fp16', joules: 5000, bleu: 27.5, grade: 'A', dataset: 'wmt14' }),
    makeRun('e1', { system: 'base-fp16', joules: 8000, bleu: 31, grade: 'B', kind: 'estimated' }),
  ];
}

type Series = (ScatterSeriesOption | LineSeriesOption | CustomSeriesOption)[];
const seriesOf = (o: ReturnType<typeof buildAccuracyEnergyOption>): Series => o.series as Series;

describe('chartPoints', () => {
  it('places runs with the metric and energy, per the energy settings', () => {
    const points = chartPoints(runs(), settings());
    expect(points.map((p) => p.run)).toEqual(['a1', 'a2', 'b1', 'b2', 'c1', 'e1']);
    expect(points[0]).toMatchObject({
      label: 'small-fp32 on newstest',
      system: 'small-fp32',
      dataset: 'newstest',
      score: 20,
      scoreLow: 18.8,
      scoreHigh: 21.2,
      grade: 'A',
    });
    expect(points[0].energy.value).toBe(500 / 500);
    expect(points[0].energy.label).toBe('J per segment');
  });

  it('marks the Pareto frontier', () => {
    const points = chartPoints(runs(), settings());
    expect(points.filter((p) => p.onFrontier).map((p) => p.run)).toEqual(['a1', 'a2', 'b1', 'e1']);
    const frontier = paretoFrontier(
      points.map((p) => ({ id: p.run, x: p.energy.value, y: p.score })),
      true,
    );
    expect(frontier.map((f) => f.id)).toEqual(['b1', 'a1', 'a2', 'e1']);
  });

  it('uses the score’s direction (TER: lower is better)', () => {
    const points = chartPoints(runs(), settings({ metric: 'TER' }));
    // TER = 100 − 1.4 × BLEU in the factory, so the same runs are on the frontier.
    expect(points.filter((p) => p.onFrontier).map((p) => p.run)).toEqual(['a1', 'a2', 'b1', 'e1']);
  });

  it('leaves out runs lacking the metric, energy or carbon, and filters by dataset', () => {
    const rs = [
      ...runs(),
      makeRun('noenergy', { energy: null }),
      makeRun('nocarbon', { gPerJ: null }),
      makeRun('noscore', { scores: [] }),
    ];
    expect(chartPoints(rs, settings()).map((p) => p.run)).not.toContain('noenergy');
    expect(chartPoints(rs, settings()).map((p) => p.run)).not.toContain('noscore');
    expect(chartPoints(rs, settings()).map((p) => p.run)).toContain('nocarbon');
    const carbon = settings({ energy: { ...settings().energy, unit: 'gCO2e' } });
    expect(chartPoints(rs, carbon).map((p) => p.run)).not.toContain('nocarbon');
    expect(chartPoints(rs, settings({ dataset: 'wmt14' })).map((p) => p.run)).toEqual(['c1']);
    expect(chartPoints(rs, settings({ metric: 'METEOR' }))).toEqual([]);
  });

  it('takes the worse grade when amortised training is included', () => {
    const r = makeRun('t', { grade: 'A', training: { grade: 'C' } });
    const energy = { ...settings().energy, includeTraining: true };
    expect(chartPoints([r], settings())[0].grade).toBe('A');
    expect(chartPoints([r], settings({ energy }))[0].grade).toBe('C');
  });
});

describe('availableMetrics', () => {
  it('lists score names, known metrics first in app order', () => {
    const odd = makeRun('x', { scores: [] });
    odd.scores = [
      { ...runs()[0].scores[0], name: 'ZZZ' },
      { ...runs()[0].scores[0], name: 'PPL' },
    ];
    expect(availableMetrics([odd, ...runs()])).toEqual(['BLEU', 'chrF2', 'TER', 'PPL', 'ZZZ']);
    expect(availableMetrics([])).toEqual([]);
  });
});

describe('buildAccuracyEnergyOption (static)', () => {
  const option = buildAccuracyEnergyOption(runs(), settings({ title: 'BLEU against energy' }));
  const series = seriesOf(option);
  const theme = CHART_THEMES.light;

  it('puts energy on a log axis named with unit and scale, score on y', () => {
    const x = option.xAxis as { type: string; min: number; max: number; name: string };
    expect(x.type).toBe('log');
    // Energy per segment 0.5 … 16 J with ±5%: whole decades around it.
    expect([x.min, x.max]).toEqual([0.1, 100]);
    expect(x.name).toBe('Energy, J per segment (log scale)');
    const y = option.yAxis as { type: string; min: number; max: number; name: string };
    expect(y).toMatchObject({ type: 'value', name: 'BLEU (higher is better)' });
    expect(y.min).toBeLessThanOrEqual(16.8);
    expect(y.max).toBeGreaterThanOrEqual(32.2);
  });

  it('draws the frontier as a step line through the frontier points in energy order', () => {
    const frontier = series.find((s) => s.id === 'frontier') as LineSeriesOption;
    expect(frontier).toMatchObject({ type: 'line', name: FRONTIER_NAME, step: 'end' });
    expect(frontier.data).toEqual([
      [0.5, 18],
      [1, 20],
      [4, 28],
      [16, 31],
    ]);
  });

  it('has one marker series per system, grade and fill; symbols by grade', () => {
    const scatter = series.filter((s) => s.type === 'scatter') as ScatterSeriesOption[];
    const bySymbol = Object.fromEntries(scatter.map((s) => [s.id, s.symbol]));
    expect(bySymbol).toEqual({
      'points:base-fp16:A:filled': 'circle',
      'points:base-fp16:B:hollow': 'rect',
      'points:small-fp32:A:filled': 'circle',
      'points:small-fp32:B:filled': 'rect',
      'points:small-int8:C:filled': 'triangle',
      'points:small-int8:D:filled': 'diamond',
    });
    expect(new Set(scatter.map((s) => s.name))).toEqual(
      new Set(['base-fp16', 'small-fp32', 'small-int8']),
    );
  });

  it('draws estimated energy hollow and measured energy filled', () => {
    const scatter = series.filter((s) => s.type === 'scatter') as ScatterSeriesOption[];
    const hollow = scatter.find((s) => s.id === 'points:base-fp16:B:hollow')!;
    const filled = scatter.find((s) => s.id === 'points:base-fp16:A:filled')!;
    expect(hollow.itemStyle).toMatchObject({ color: theme.background, borderWidth: 1.5 });
    expect(hollow.itemStyle!.borderColor).toBe(filled.itemStyle!.color);
    expect(filled.itemStyle!.color).not.toBe(theme.background);
  });

  it('explains the marker shapes in a note', () => {
    const note = (option.title as TitleComponentOption[]).find((t) => t.id === 'note')!;
    expect(note.text).toContain('● A  ■ B  ▲ C  ◆ D');
    expect(note.text).toContain('hollow = estimated or imported energy');
  });

  it('draws every system’s error bars in one series, in the system colours', () => {
    const bars = series.filter((s) => s.type === 'custom') as CustomSeriesOption[];
    expect(bars.map((b) => b.id)).toEqual(['bars']);
    const api = { coord: ([x, y]: number[]) => [x, y] };
    const drawn = bars[0].renderItem!({} as never, api as never) as unknown as {
      children: { shape: { points: number[] }; style: { stroke: string } }[];
    };
    const scatter = series.filter((s) => s.type === 'scatter') as ScatterSeriesOption[];
    const colour = (system: string) =>
      scatter.find((s) => s.name === system)!.itemStyle!.borderColor;
    expect(drawn.children.map((c) => c.style.stroke)).toEqual(
      ['base-fp16', 'small-fp32', 'small-int8'].map(colour),
    );
    // Two runs per system, each with an energy and a score interval: two segments of 4 numbers.
    expect(drawn.children.map((c) => c.shape.points.length)).toEqual([16, 16, 16]);
  });

  it('colours legend swatches by system, and has no tooltip, zoom or animation', () => {
    const legend = option.legend as { data: { name: string; itemStyle?: { color: string } }[] };
    expect(legend.data.map((d) => d.name)).toEqual([
      'base-fp16',
      'small-fp32',
      'small-int8',
      FRONTIER_NAME,
    ]);
    expect(legend.data[0].itemStyle!.color).toBe(theme.palette[0]);
    expect(option.tooltip).toBeUndefined();
    expect(option.dataZoom).toBeUndefined();
    expect(option.animation).toBe(false);
  });

  it('is deterministic', () => {
    const again = buildAccuracyEnergyOption(runs(), settings({ title: 'BLEU against energy' }));
    expect(JSON.stringify(again)).toBe(JSON.stringify(option));
  });

  it('uses the dark theme’s colours', () => {
    const dark = buildAccuracyEnergyOption(runs(), settings({ theme: 'dark' }));
    expect(dark.backgroundColor).toBe(CHART_THEMES.dark.background);
    const frontier = seriesOf(dark).find((s) => s.id === 'frontier') as LineSeriesOption;
    expect(frontier.lineStyle!.color).toBe(CHART_THEMES.dark.frontier);
  });

  it('says so when no run can be placed', () => {
    const empty = buildAccuracyEnergyOption([], settings());
    const titles = empty.title as TitleComponentOption[];
    expect(titles.find((t) => t.id === 'empty')!.text).toContain('No run has both BLEU and energy');
    expect(seriesOf(empty)).toEqual([]);
  });
});

describe('error bars', () => {
  it('span the energy and score intervals in pixels', () => {
    const point = chartPoints([makeRun('a', { joules: 1000, band: 0.5, bleu: 30 })], settings())[0];
    // A fake axis mapping: 100 px per decade from x = 0 (at 0.1 J), 10 px per BLEU point downwards.
    const api = {
      coord: ([x, y]: number[]) => [100 * (Math.log10(x) + 1), 500 - 10 * y],
    };
    const pts = errorBarPoints(api, [point], [0.1, 100], [10, 40]);
    const px = (v: number) => 100 * (Math.log10(v) + 1);
    const expected = [px(1), px(3), 500 - 10 * 28.8, 500 - 10 * 31.2];
    const got = [pts[0], pts[2], pts[5], pts[7]];
    got.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 9));
    expect(pts).toHaveLength(8);
    // Both bars pass through the point itself.
    expect(pts[1]).toBeCloseTo(500 - 10 * 30, 9);
    expect(pts[4]).toBeCloseTo(px(2), 9);
  });

  it('skips intervals that are absent', () => {
    const point: ChartPoint = {
      ...chartPoints([makeRun('a', { bleuHalfWidth: null, band: 0 })], settings())[0],
    };
    const api = { coord: ([x, y]: number[]) => [x, y] };
    expect(errorBarPoints(api, [point], [0.1, 100], [0, 50])).toEqual([]);
  });
});

describe('buildAccuracyEnergyOption (interactive)', () => {
  const option = buildAccuracyEnergyOption(runs(), settings({ interactive: true }));

  it('has one error-bar series per system, so the legend hides a system’s bars too', () => {
    const bars = seriesOf(option).filter((s) => s.type === 'custom') as CustomSeriesOption[];
    expect(bars.map((b) => [b.id, b.name])).toEqual([
      ['bars:base-fp16', 'base-fp16'],
      ['bars:small-fp32', 'small-fp32'],
      ['bars:small-int8', 'small-int8'],
    ]);
    expect(bars.every((b) => typeof b.renderItem === 'function')).toBe(true);
  });

  it('adds tooltips, inside and slider zoom, and animation', () => {
    expect(option.animation).toBe(true);
    const zoom = option.dataZoom as { type: string }[];
    expect(zoom.map((z) => z.type)).toEqual(['inside', 'inside', 'slider', 'slider']);
    expect(option.tooltip).toMatchObject({ trigger: 'item' });
  });

  it('tooltips show score with interval and signature, energy kind, grade and provenance', () => {
    const formatter = (option.tooltip as { formatter: (p: unknown) => string }).formatter;
    const scatter = seriesOf(option).find((s) => s.id === 'points:base-fp16:B:hollow')!;
    const value = (scatter.data as number[][])[0];
    const html = formatter({ value });
    expect(html).toContain('base-fp16 on newstest');
    expect(html).toContain('BLEU 31.00 [29.80–32.20] 95% CI');
    expect(html).toContain('tok:13a|smooth:exp');
    expect(html).toContain('Energy 16.0 J per segment');
    expect(html).toContain('estimated · grade B');
    expect(html).toContain('NVML counter');
    expect(html).toContain('meters:cpu=rapl.counter');
    expect(html).toContain('onnxruntime-node 1.30.0 · cpu · EcoEval 0.1.0');
  });

  it('escapes text from run names', () => {
    const r = makeRun('x', { system: '<b>sys</b>' });
    const o = buildAccuracyEnergyOption([r], settings({ interactive: true }));
    const formatter = (o.tooltip as { formatter: (p: unknown) => string }).formatter;
    const html = formatter({ value: [1, 1, 0] });
    expect(html).not.toContain('<b>sys');
    expect(html).toContain('&#60;b&#62;sys');
  });
});

describe('renderChartSvg', () => {
  it('renders well-formed SVG with the frontier path, in Node without a DOM', () => {
    expect(typeof (globalThis as { document?: unknown }).document).toBe('undefined');
    const svg = renderChartSvg(runs(), settings({ interactive: true }), {
      width: 800,
      height: 500,
    });
    expect(svg.startsWith('<svg')).toBe(true);
    const frontier = svg.match(
      new RegExp(`<path d="(M[^"]*)"[^>]*fill="none"[^>]*stroke="${CHART_THEMES.light.frontier}"`),
    );
    expect(frontier).not.toBeNull();
    // Four frontier points as a step line: one move and six lines.
    expect(frontier![1].match(/L/g)).toHaveLength(6);
    // Static whatever the settings say: no zoom slider handles.
    expect(svg).not.toContain(CHART_THEMES.light.zoomFill);
    expect(svg).toContain('width="800" height="500"');
  });

  it('renders an empty chart too', () => {
    const svg = renderChartSvg([], settings({ theme: 'dark' }), { width: 400, height: 300 });
    expect(svg).toContain('No run has both BLEU and energy');
    expect(svg).toContain(CHART_THEMES.dark.background);
  });
});
