import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, tick, unmount } from 'svelte';
import type { Transport } from '../../../shared/api/contract';
import type { RunOutputs, RunSegmentsPage, RunSummary } from '../../../shared/api/types';
import { compareRuns } from '../../../shared/evaluation/compare';
import type * as MetricsClient from '../../../renderer/src/lib/metrics-client';
import { importedRun } from './run-fixtures';

// jsdom has no Web Worker: the page's worker call runs the same shared code on this thread.
const workerCalls: string[] = [];
vi.mock('../../../renderer/src/lib/metrics-client', async (importOriginal) => ({
  ...(await importOriginal<typeof MetricsClient>()),
  compareRunsInWorker: async (
    baseline: RunOutputs,
    systems: RunOutputs[],
    metric: 'bleu' | 'chrf' | 'ter',
    options: { resamples?: number; seed?: number },
  ) => {
    workerCalls.push(metric);
    await new Promise((r) => setTimeout(r, 5));
    return compareRuns(baseline, systems, metric, options);
  },
}));

const { Workbench } = await import('../../../renderer/src/lib/workbench.svelte');
const { default: ComparePage } =
  await import('../../../renderer/src/components/ComparePage.svelte');

const SOURCES = ['ein Haus', 'eine Katze sitzt', 'der Hund läuft schnell', 'guten Morgen'];
const REFERENCES = [['a house'], ['a cat is sitting'], ['the dog runs fast'], ['good morning']];
const HYPOTHESES: Record<string, string[]> = {
  base: ['a house', 'a cat sits', 'the dog is running quickly', 'good morning'],
  better: ['a house', 'a cat is sitting', 'the dog runs fast', 'good morning'],
  other: ['one house', 'cat', 'dog', 'morning'],
};
const SENTENCE_BLEU: Record<string, number[]> = {
  base: [100, 30, 10, 100],
  better: [100, 100, 100, 100],
  other: [10, 5, 2, 40],
};

function summary(id: string, split = 'test'): RunSummary {
  return importedRun(id, { dataset: { id: 'demo', split, name: 'Demo', kind: 'translation' } });
}

function fakeTransport(options: { failOutputs?: string; short?: string } = {}) {
  const calls: string[] = [];
  const transport = {
    kind: 'direct',
    on: () => () => {},
    invoke: async (channel: string, arg: unknown) => {
      calls.push(channel);
      if (channel === 'getRunOutputs') {
        const run = arg as string;
        if (run === options.failOutputs) throw new Error(`outputs.txt of ${run} is missing`);
        const n = run === options.short ? 3 : 4;
        return {
          run,
          sources: SOURCES.slice(0, n),
          references: REFERENCES.slice(0, n),
          hypotheses: HYPOTHESES[run].slice(0, n),
          logprobs: null,
        } satisfies RunOutputs;
      }
      if (channel === 'getRunSegments') {
        const { run, offset, limit } = arg as { run: string; offset: number; limit: number };
        const rows = SOURCES.slice(offset, offset + limit).map((source, i) => ({
          line: offset + i + 1,
          source,
          references: REFERENCES[offset + i],
          hypothesis: HYPOTHESES[run][offset + i],
          scores: { BLEU: SENTENCE_BLEU[run][offset + i] },
        }));
        return { run, offset, total: SOURCES.length, rows } satisfies RunSegmentsPage;
      }
      throw new Error(`unexpected ${channel}`);
    },
  };
  return { transport: transport as unknown as Transport, calls };
}

async function settle(until?: () => boolean) {
  for (let i = 0; i < 100; i++) {
    await tick();
    await new Promise((r) => setTimeout(r, 5));
    flushSync();
    if (!until || until()) return;
  }
}

function setup(runs: RunSummary[], compare: string[], options = {}) {
  const { transport, calls } = fakeTransport(options);
  const workbench = new Workbench(transport);
  workbench.runs = runs;
  workbench.runsLoaded = true;
  workbench.compareRunIds = compare;
  const target = document.createElement('div');
  document.body.append(target);
  const component = mount(ComparePage, { target, props: { workbench } });
  flushSync();
  return { workbench, target, component, calls };
}

let cleanup: (() => void) | null = null;
afterEach(() => {
  cleanup?.();
  cleanup = null;
  workerCalls.length = 0;
});

describe('ComparePage', () => {
  it('says what to do when there is nothing to compare', () => {
    const { workbench, target, component } = setup([], []);
    cleanup = () => unmount(component);
    expect(target.querySelector('[data-testid="compare-empty"]')!.textContent).toContain(
      'No runs yet',
    );
    const go = [...target.querySelectorAll('button')].find((b) =>
      b.textContent!.includes('Go to Evaluate'),
    )!;
    go.click();
    expect(workbench.page).toBe('evaluate');
  });

  it('compares the runs chosen on Results in the worker, with signature and segment diffs', async () => {
    const runs = [
      summary('base'),
      summary('better'),
      summary('other'),
      summary('elsewhere', 'dev'),
    ];
    const { target, component, calls } = setup(runs, ['base', 'better', 'other']);
    cleanup = () => unmount(component);
    // Loading state while the worker resamples.
    await settle(() => !!target.querySelector('[data-testid="compare-busy"]'));
    expect(target.querySelector('[data-testid="compare-busy"]')).not.toBeNull();
    await settle(() => !!target.querySelector('[data-testid="comparison"]'));
    expect(workerCalls).toEqual(['bleu']);

    // Only runs on the baseline's dataset split are offered.
    expect(target.querySelector('[data-testid="compare-with-better"]')).not.toBeNull();
    expect(target.querySelector('[data-testid="compare-with-elsewhere"]')).toBeNull();

    const systems = [...target.querySelectorAll('[data-testid="comparison-system"]')];
    expect(systems).toHaveLength(2);
    expect(systems[0].textContent).toContain('Run better');
    expect(target.querySelector('[data-testid="comparison-baseline"]')!.textContent).toContain(
      '(baseline)',
    );
    expect(target.querySelector('[data-testid="comparison-signature"]')!.textContent).toMatch(
      /bs:1000.*seed:12345|seed:12345/,
    );
    expect(target.textContent).toContain('p-value');

    await settle(() => calls.filter((c) => c === 'getRunSegments').length >= 3);
    await settle();
    const rows = () => [...target.querySelectorAll('[data-testid="segment-row"]')];
    expect(rows()).toHaveLength(4);
    // Segment 2: "a cat is sitting" against the baseline's "a cat sits": "is" and "sitting" differ.
    const marks = [...rows()[1].querySelectorAll('mark')].map((m) => m.textContent);
    expect(marks).toEqual(expect.arrayContaining(['is', 'sitting']));
    expect(marks).not.toContain('cat');

    // Sort by "other"'s difference: its largest loss (segment 1, 10 vs 100) comes first.
    (target.querySelector('[data-testid="sort-system-2"]') as HTMLButtonElement).click();
    flushSync();
    expect(rows()[0].querySelector('.line')!.textContent).toBe('1');
    (target.querySelector('[data-testid="sort-system-2"]') as HTMLButtonElement).click();
    flushSync();
    // Descending: no gains for "other", so the smallest loss (segment 3: 2 vs 10) leads.
    expect(rows()[0].querySelector('.line')!.textContent).toBe('3');
  });

  it('shows an outputs error next to the run picker', async () => {
    const runs = [summary('base'), summary('better')];
    const { target, component } = setup(runs, ['base', 'better'], { failOutputs: 'better' });
    cleanup = () => unmount(component);
    await settle(() => !!target.querySelector('[data-testid="pick-error"]'));
    expect(target.querySelector('[data-testid="pick-error"]')!.textContent).toContain(
      'outputs.txt of better is missing',
    );
    expect(target.querySelector('[data-testid="comparison"]')).toBeNull();
    expect(workerCalls).toEqual([]);
  });

  it('refuses runs whose outputs do not line up', async () => {
    const runs = [summary('base'), summary('better')];
    const { target, component } = setup(runs, ['base', 'better'], { short: 'better' });
    cleanup = () => unmount(component);
    await settle(() => !!target.querySelector('[data-testid="pick-error"]'));
    expect(target.querySelector('[data-testid="pick-error"]')!.textContent).toContain(
      'same segments',
    );
  });

  it('picks a default baseline and compares on demand with the chosen metric', async () => {
    const runs = [summary('base'), summary('better')];
    const { workbench, target, component } = setup(runs, []);
    cleanup = () => unmount(component);
    await settle();
    expect(workbench.compareRunIds).toEqual(['base']);
    expect(target.querySelector('[data-testid="comparison"]')).toBeNull();
    const box = target.querySelector('[data-testid="compare-with-better"]') as HTMLInputElement;
    box.click();
    flushSync();
    expect(workbench.compareRunIds).toEqual(['base', 'better']);
    const metric = target.querySelector('[data-testid="compare-metric"]') as HTMLSelectElement;
    metric.value = 'chrf';
    metric.dispatchEvent(new Event('change'));
    flushSync();
    (target.querySelector('[data-testid="compare-button"]') as HTMLButtonElement).click();
    await settle(() => !!target.querySelector('[data-testid="comparison"]'));
    expect(workerCalls).toEqual(['chrf']);
    expect(target.querySelector('[data-testid="comparison"]')!.textContent).toContain('chrF2');
    // No chrF sentence scores stored: the table says how to get them.
    await settle(() => target.textContent!.includes('No sentence chrF scores'));
    expect(target.textContent).toContain('No sentence chrF scores');
  });
});

describe('SegmentDiffTable', () => {
  it('keeps only the visible rows of 100,000 segments in the DOM and sorts them all', async () => {
    const { default: SegmentDiffTable } =
      await import('../../../renderer/src/components/SegmentDiffTable.svelte');
    const total = 100_000;
    const rows = Array.from({ length: total }, (_, i) => ({
      index: i,
      source: `source ${i + 1}`,
      references: [`reference ${i + 1}`],
      hypotheses: [`the base ${i + 1}`, `the other ${i + 1}`],
      scores: [50, (i * 7919) % 100],
    }));
    const target = document.createElement('div');
    document.body.append(target);
    const component = mount(SegmentDiffTable, {
      target,
      props: { rows, systems: ['base', 'other'], metricName: 'BLEU', lowerIsBetter: false },
    });
    cleanup = () => unmount(component);
    flushSync();
    const shown = () => [...target.querySelectorAll('[data-testid="segment-row"]')];
    expect(shown().length).toBeLessThan(15);
    const viewport = target.querySelector('[data-testid="segment-viewport"]') as HTMLElement;
    viewport.scrollTop = total * 78 - 480;
    viewport.dispatchEvent(new Event('scroll'));
    flushSync();
    expect(shown().at(-1)!.querySelector('.line')!.textContent).toBe(String(total));
    expect(shown().length).toBeLessThan(15);

    viewport.scrollTop = 0;
    viewport.dispatchEvent(new Event('scroll'));
    (target.querySelector('[data-testid="sort-system-1"]') as HTMLButtonElement).click();
    flushSync();
    // Largest loss first: a score of 0 against the baseline's 50.
    expect(shown()[0].querySelector('.delta')!.textContent!.replace(/\s+/g, ' ').trim()).toBe(
      '▼ -50.0',
    );
    expect(shown()[0].querySelector('mark')!.textContent).toBe('other');
  });
});
