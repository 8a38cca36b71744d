// Results from a fake host: a row per run with scores (signature in the title), energy in the
// chosen unit with its method badge, sorting by header (mouse or keyboard), inline rename,
// delete behind a confirmation, selection for Compare, and the empty state.
import { describe, expect, it } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import ResultsPage from '../../../renderer/src/components/ResultsPage.svelte';
import { Workbench } from '../../../renderer/src/lib/workbench.svelte';
import type { RunRecord } from '../../../shared/api/types';
import { FakeTransport, runRecord, score, settle, summary } from './run-fixtures';

function setup(records: RunRecord[]) {
  const runs = new Map(records.map((r) => [r.id, r]));
  const transport = new FakeTransport({
    listRuns: () => ({ runs: [...runs.values()].map(summary), broken: [] }),
    renameRun: ({ run, name }) => {
      if (name === 'bad') throw new Error('a name is required');
      const next = { ...runs.get(run)!, name };
      runs.set(run, next);
      return next;
    },
    // Scoring never finishes here (there is no worker): the run stays "scoring…".
    getRunOutputs: () => new Promise<never>(() => {}),
    deleteRun: ({ run }) => {
      runs.delete(run);
      return { deleted: run };
    },
  });
  return { transport, workbench: new Workbench(transport) };
}

const rowNames = (target: HTMLElement) =>
  [...target.querySelectorAll('[data-testid="run-row"]')].map((r) => r.getAttribute('data-run'));

describe('ResultsPage', () => {
  it('lists runs with scores, energy and badges, and sorts by any column', async () => {
    const { workbench } = setup([
      runRecord('low', {
        name: 'int8',
        scores: [score('BLEU', 20, 'bleu'), score('chrF2', 50, 'chrf')],
        createdAt: '2026-01-02T00:00:00Z',
      }),
      runRecord('high', {
        name: 'fp32',
        scores: [score('BLEU', 40, 'bleu'), score('chrF2', 60, 'chrf')],
        createdAt: '2026-01-01T00:00:00Z',
      }),
      runRecord('wait', {
        name: 'fp16',
        state: 'awaiting-scores',
        scores: [],
        createdAt: '2026-01-03T00:00:00Z',
      }),
    ]);
    const target = document.createElement('div');
    document.body.append(target);
    await workbench.refreshRuns();
    const component = mount(ResultsPage, { target, props: { workbench } });
    await settle();
    expect(rowNames(target)).toEqual(['wait', 'low', 'high']);
    const high = target.querySelector('[data-run="high"]')!;
    const bleu = high.querySelector('[data-score="BLEU"]')!;
    expect(bleu.textContent).toContain('40.0');
    expect(bleu.textContent).toContain('[38.5, 41.5]');
    expect(bleu.getAttribute('title')).toContain('signature: nrefs:1|case:mixed');
    expect(high.querySelector('[data-testid="run-energy"]')!.textContent!.trim()).toBe('120 J');
    expect(high.querySelector('[data-testid="energy-badge"]')!.getAttribute('data-kind')).toBe(
      'estimated',
    );
    expect(target.querySelector('[data-run="wait"]')!.textContent).toContain('scoring…');

    const header = [...target.querySelectorAll('th button')].find((b) =>
      b.textContent!.startsWith('BLEU'),
    )!;
    header.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    flushSync();
    expect(rowNames(target)).toEqual(['high', 'low', 'wait']);
    expect(header.closest('th')!.getAttribute('aria-sort')).toBe('descending');
    // Keyboard: the header is a button, so Enter/Space click it; a second click reverses.
    (header as HTMLButtonElement).click();
    flushSync();
    expect(rowNames(target)).toEqual(['low', 'high', 'wait']);

    workbench.energySettings.unit = 'Wh';
    workbench.energySettings.scale = 'per-segment';
    flushSync();
    expect(high.querySelector('[data-testid="run-energy"]')!.textContent!.trim()).toBe('33.3 µWh');
    unmount(component);
    target.remove();
  });

  it('renames inline with the error next to the field, deletes after confirmation, selects for Compare', async () => {
    const { workbench, transport } = setup([
      runRecord('a', { name: 'alpha' }),
      runRecord('b', { name: 'beta' }),
    ]);
    const target = document.createElement('div');
    document.body.append(target);
    await workbench.refreshRuns();
    const component = mount(ResultsPage, { target, props: { workbench } });
    await settle();

    const rowA = () => target.querySelector('[data-run="a"]')!;
    (rowA().querySelector('[aria-label="Rename name of alpha"]') as HTMLButtonElement).click();
    await settle();
    const input = rowA().querySelector('input[aria-label="name of alpha"]') as HTMLInputElement;
    expect(document.activeElement).toBe(input);
    input.value = 'bad';
    input.dispatchEvent(new Event('input'));
    input.form!.requestSubmit();
    await settle();
    expect(rowA().querySelector('[role="alert"]')!.textContent).toBe('a name is required');
    input.value = 'alpha prime';
    input.dispatchEvent(new Event('input'));
    input.form!.requestSubmit();
    await settle();
    expect(rowA().textContent).toContain('alpha prime');

    const ticks = target.querySelectorAll<HTMLInputElement>('input[aria-label^="Select"]');
    ticks[1].click();
    flushSync();
    const compare = target.querySelector('[data-testid="compare-selected"]') as HTMLButtonElement;
    expect(compare.disabled).toBe(true);
    ticks[0].click();
    flushSync();
    expect(compare.disabled).toBe(false);
    compare.click();
    expect(workbench.compareRunIds).toHaveLength(2);
    expect(workbench.page).toBe('compare');

    (target.querySelector('[aria-label="Delete beta"]') as HTMLButtonElement).click();
    flushSync();
    const dialog = target.querySelector('[role="alertdialog"]')!;
    expect(dialog.textContent).toContain('beta');
    expect(document.activeElement!.textContent).toBe('Keep it');
    expect(transport.count('deleteRun')).toBe(0);
    [...dialog.querySelectorAll('button')].find((b) => b.textContent === 'Delete run')!.click();
    await settle();
    expect(transport.count('deleteRun')).toBe(1);
    expect(target.querySelector('[role="alertdialog"]')).toBeNull();
    expect(rowNames(target)).toEqual(['a']);
    expect(workbench.compareRunIds).toEqual(['a']);
    unmount(component);
    target.remove();
  });

  it('virtualises a long list', async () => {
    const { workbench } = setup(
      Array.from({ length: 500 }, (_, i) => runRecord(`r${String(i).padStart(3, '0')}`)),
    );
    const target = document.createElement('div');
    await workbench.refreshRuns();
    const component = mount(ResultsPage, { target, props: { workbench } });
    await settle();
    expect(target.querySelectorAll('[data-testid="run-row"]').length).toBeLessThan(40);
    expect(target.querySelector('table')!.getAttribute('aria-rowcount')).toBe('501');
    unmount(component);
  });

  it('with no runs, says to evaluate and goes there', async () => {
    const { workbench } = setup([]);
    const target = document.createElement('div');
    await workbench.refreshRuns();
    const component = mount(ResultsPage, { target, props: { workbench } });
    await settle();
    const empty = target.querySelector('[data-testid="results-empty"]')!;
    expect(empty.textContent).toContain('No runs yet');
    empty.querySelector('button')!.click();
    expect(workbench.page).toBe('evaluate');
    unmount(component);
  });
});
