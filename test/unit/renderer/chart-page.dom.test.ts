import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, tick, unmount } from 'svelte';
import type { Transport } from '../../../shared/api/contract';
import type { RunEnergy, RunSummary, TrainingEnergyLink } from '../../../shared/api/types';
import { Workbench } from '../../../renderer/src/lib/workbench.svelte';
import ChartPage from '../../../renderer/src/components/ChartPage.svelte';
import { echarts } from '../../../shared/chart/echarts';
import { importedRun } from './run-fixtures';

const transport = {
  kind: 'direct',
  on: () => () => {},
  invoke: async () => {
    throw new Error('not in this test');
  },
} as unknown as Transport;

function energy(joules: number, kind: RunEnergy['kind'], grade: RunEnergy['grade'], carbon = true) {
  return {
    joules,
    lowJ: joules * 0.9,
    highJ: joules * 1.1,
    grade,
    gradeReasons: [],
    flags: [],
    kind,
    components: [
      {
        component: 'cpu',
        label: 'CPU',
        method: kind === 'measured' ? 'counter' : 'estimate',
        joules,
      },
    ],
    phases: [],
    perUnit: [{ unit: 'segment', count: 100, joules: joules / 100, lowJ: 0, highJ: 0 }],
    windowS: 10,
    timeline: [],
    carbon: carbon
      ? {
          grams: joules / 10_000,
          lowG: joules / 12_000,
          highG: joules / 8_000,
          country: 'DE',
          source: 'test',
        }
      : null,
    signature: `energy|${kind}`,
  } satisfies RunEnergy;
}

function run(
  id: string,
  bleu: number,
  runEnergy: RunEnergy,
  options: { dataset?: string; training?: TrainingEnergyLink; chrf?: number } = {},
): RunSummary {
  const dataset = options.dataset ?? 'demo';
  const scores: RunSummary['scores'] = [
    {
      metric: 'bleu',
      name: 'BLEU',
      score: bleu,
      low: bleu - 1,
      high: bleu + 1,
      lowerIsBetter: false,
      signature: 'nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0',
      formatted: `BLEU = ${bleu}`,
    },
  ];
  if (options.chrf !== undefined) {
    scores.push({
      metric: 'chrf',
      name: 'chrF2',
      score: options.chrf,
      low: null,
      high: null,
      lowerIsBetter: false,
      signature: 'nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.6.0',
      formatted: `chrF2 = ${options.chrf}`,
    });
  }
  return importedRun(id, {
    dataset: {
      id: dataset,
      split: 'test',
      name: dataset === 'demo' ? 'Demo' : 'Other',
      kind: 'translation',
    },
    scores,
    energy: runEnergy,
    training: options.training ?? null,
  });
}

const TRAINING: TrainingEnergyLink = {
  modelId: 'm',
  step: 1000,
  joules: 1e6,
  lowJ: 0.9e6,
  highJ: 1.1e6,
  kind: 'measured',
  grade: 'B',
  signature: 'training',
};

/**
 * a: cheap and weak; c: middling, trained in EcoEval (1 MJ); b: dear and best; d: another
 * dataset, measured without carbon. Without training all of a, c, b are on the frontier.
 */
function runs(): RunSummary[] {
  return [
    run('a', 20, energy(10, 'measured', 'A'), { chrf: 45 }),
    run('b', 30, energy(100, 'estimated', 'D')),
    run('c', 25, energy(50, 'measured', 'B'), { training: TRAINING }),
    run('d', 22, energy(30, 'imported', 'C', false), { dataset: 'other' }),
  ];
}

async function settle() {
  for (let i = 0; i < 3; i++) {
    await tick();
    await new Promise((r) => setTimeout(r, 0));
  }
  flushSync();
}

const text = (target: HTMLElement, id: string) =>
  target.querySelector(`[data-testid="${id}"]`)!.textContent!.trim();

function select(target: HTMLElement, id: string, value: string) {
  const el = target.querySelector(`[data-testid="${id}"]`) as HTMLSelectElement;
  el.value = value;
  el.dispatchEvent(new Event('change'));
  flushSync();
}

let downloads: { name: string; blob: Blob }[];
beforeEach(() => {
  downloads = [];
  const blobs = new Map<string, Blob>();
  let next = 0;
  URL.createObjectURL = (blob: Blob) => {
    const url = `blob:test/${next++}`;
    blobs.set(url, blob as Blob);
    return url;
  };
  URL.revokeObjectURL = () => {};
  // jsdom has no canvas: ECharts then estimates text widths, without a warning per label.
  vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null);
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
    this: HTMLAnchorElement,
  ) {
    downloads.push({ name: this.download, blob: blobs.get(this.href)! });
  });
});

let cleanup: (() => void) | null = null;
afterEach(() => {
  cleanup?.();
  cleanup = null;
  vi.restoreAllMocks();
  document.documentElement.removeAttribute('data-theme');
});

function setup(list: RunSummary[]) {
  const workbench = new Workbench(transport);
  workbench.runs = list;
  workbench.runsLoaded = true;
  const target = document.createElement('div');
  document.body.append(target);
  const component = mount(ChartPage, { target, props: { workbench, renderer: 'svg' } });
  flushSync();
  cleanup = () => {
    unmount(component);
    target.remove();
  };
  return { workbench, target };
}

function chartInstance(target: HTMLElement) {
  const host = target.querySelector('[data-testid="accuracy-energy-chart"]') as HTMLElement;
  return echarts.getInstanceByDom(host)!;
}

describe('ChartPage', () => {
  it('says to go to Evaluate when there are no runs', () => {
    const { workbench, target } = setup([]);
    expect(text(target, 'chart-empty')).toContain('No runs yet');
    expect(text(target, 'chart-empty')).toContain('demo');
    [...target.querySelectorAll('button')].find((b) => b.textContent === 'Go to Evaluate')!.click();
    expect(workbench.page).toBe('evaluate');
  });

  it('plots the runs with their frontier, and follows metric, dataset and unit', async () => {
    const { target } = setup(runs());
    await settle();
    expect(text(target, 'chart-point-count')).toBe('4');
    // a (10 J, 20), c (50 J, 25), b (100 J, 30); d (30 J, 22) is beaten by c? No: d is cheaper
    // than c with a lower score, so it stays on the frontier too.
    expect(text(target, 'frontier-count')).toBe('4');
    expect(target.querySelector('[data-testid="accuracy-energy-chart"] svg')).not.toBeNull();

    select(target, 'chart-dataset', 'demo');
    expect(text(target, 'chart-point-count')).toBe('3');
    expect(text(target, 'frontier-count')).toBe('3');

    select(target, 'chart-metric', 'chrF2');
    expect(text(target, 'chart-point-count')).toBe('1');
    select(target, 'chart-metric', 'BLEU');
    select(target, 'chart-dataset', '');

    // d has no carbon figure: it leaves the chart in gCO2e, and the page says why.
    select(target, 'chart-unit', 'gCO2e');
    expect(text(target, 'chart-point-count')).toBe('3');
    expect(target.textContent).toContain('a carbon figure');
  });

  it('spreads training energy with the slider, moving points and the frontier', async () => {
    const { target } = setup(runs());
    select(target, 'chart-dataset', 'demo');
    const rows = () => [...target.querySelectorAll('[data-testid="chart-data-row"]')];
    const energyOf = (label: string) =>
      rows()
        .find((r) => r.textContent!.includes(label))!
        .querySelector('[data-testid="chart-data-energy"]')!.textContent!;
    const before = energyOf('Run c');
    expect(text(target, 'frontier-count')).toBe('3');

    const toggle = target.querySelector('[data-testid="chart-training"]') as HTMLInputElement;
    const slider = target.querySelector(
      '[data-testid="chart-amortise-slider"]',
    ) as HTMLInputElement;
    expect(slider.disabled).toBe(true);
    toggle.click();
    flushSync();
    expect(slider.disabled).toBe(false);
    // Default 1,000,000 inferences: c carries 1 MJ × 100 / 1e6 = 100 J more, now 150 J, and b
    // (100 J, higher score) beats it.
    expect(text(target, 'chart-amortise')).toBe('1,000,000 inferences');
    expect(energyOf('Run c')).not.toBe(before);
    expect(text(target, 'frontier-count')).toBe('2');

    slider.value = '9';
    slider.dispatchEvent(new Event('input', { bubbles: true }));
    flushSync();
    expect(text(target, 'chart-amortise')).toBe('1,000,000,000 inferences');
    // 0.1 J of training per run: c is back on the frontier.
    expect(text(target, 'frontier-count')).toBe('3');

    slider.value = '0';
    slider.dispatchEvent(new Event('input', { bubbles: true }));
    flushSync();
    expect(text(target, 'chart-amortise')).toBe('1 inference');
    expect(text(target, 'frontier-count')).toBe('2');
  });

  it('opens Run details from a chart point and from the data table', async () => {
    const { workbench, target } = setup(runs());
    await settle();
    const chart = chartInstance(target);
    expect(chart).toBeTruthy();
    // Find the scatter item of run b and dispatch a click at its pixel position.
    const option = chart.getOption() as { series: { type: string; data: number[][] }[] };
    const index = option.series.findIndex(
      (s) => s.type === 'scatter' && s.data.some((d) => d[1] === 30),
    );
    const [x, y] = chart.convertToPixel({ seriesIndex: index }, [100, 30]) as number[];
    const zr = chart.getZr();
    // zrender's own hit testing: a click is a press and release on the same element.
    for (const name of ['mousedown', 'mouseup', 'click'] as const)
      zr.handler.dispatch(name, { zrX: x, zrY: y } as never);
    flushSync();
    expect(workbench.selectedRunId).toBe('b');
    expect(workbench.page).toBe('run');

    workbench.navigate('chart');
    const button = [...target.querySelectorAll('[data-testid="chart-data-row"] button')].find(
      (b) => b.textContent === 'Run a',
    ) as HTMLButtonElement;
    button.click();
    expect(workbench.selectedRunId).toBe('a');
  });

  it('exports PNG and SVG as downloads', async () => {
    const { target } = setup(runs());
    await settle();
    const button = (name: string) =>
      [...target.querySelectorAll('button')].find((b) => b.textContent === name)!;
    button('Export SVG').click();
    expect(downloads).toHaveLength(1);
    expect(downloads[0].name).toMatch(/\.svg$/);
    const svg = await downloads[0].blob.text();
    expect(svg).toContain('<svg');
    expect(svg).toContain('BLEU');
    button('Export PNG').click();
    expect(downloads).toHaveLength(2);
    expect(downloads[1].name).toMatch(/\.png$/);
    expect(downloads[1].blob.size).toBeGreaterThan(0);
  });

  it('follows the app theme', async () => {
    const { target } = setup(runs());
    await settle();
    const background = () =>
      (chartInstance(target).getOption() as { backgroundColor: string }).backgroundColor;
    expect(background()).toBe('#ffffff');
    document.documentElement.setAttribute('data-theme', 'dark');
    await settle();
    expect(background()).toBe('#1b201d');
  });

  it('disposes the chart when the page closes', async () => {
    const { target } = setup(runs());
    await settle();
    const host = target.querySelector('[data-testid="accuracy-energy-chart"]') as HTMLElement;
    expect(echarts.getInstanceByDom(host)).toBeTruthy();
    cleanup!();
    cleanup = null;
    expect(echarts.getInstanceByDom(host)).toBeUndefined();
  });
});
