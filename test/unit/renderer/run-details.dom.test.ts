// Run details from a fake host: scores with signatures, energy with method badges, grade, carbon
// and timeline (with its text summary), provenance and the paged segment table.
import { describe, expect, it } from 'vitest';
import { mount, unmount } from 'svelte';
import RunDetailsPage from '../../../renderer/src/components/RunDetailsPage.svelte';
import EnergyTimeline from '../../../renderer/src/components/EnergyTimeline.svelte';
import { Workbench } from '../../../renderer/src/lib/workbench.svelte';
import { FakeTransport, runRecord, settle, summary } from './run-fixtures';

describe('RunDetailsPage', () => {
  it('shows what the run stored and pages its segments', async () => {
    const record = runRecord('r1');
    const transport = new FakeTransport({
      listRuns: () => ({ runs: [summary(record)], broken: [] }),
      getRun: () => record,
      getRunSegments: ({ offset, limit }) => ({
        run: 'r1',
        offset,
        total: 1000,
        rows: Array.from({ length: Math.min(limit, 1000 - offset) }, (_, i) => ({
          line: offset + i + 1,
          source: `source ${offset + i + 1}`,
          references: [`reference ${offset + i + 1}`],
          hypothesis: `hypothesis ${offset + i + 1}`,
          scores: { BLEU: 12.5, chrF2: 40 },
        })),
      }),
    });
    const workbench = new Workbench(transport);
    await workbench.refreshRuns();
    workbench.selectedRunId = 'r1';
    const target = document.createElement('div');
    document.body.append(target);
    const component = mount(RunDetailsPage, { target, props: { workbench } });
    await settle();
    expect(target.querySelector('h2')!.textContent).toBe('run r1');
    const scores = target.querySelector('[data-testid="run-scores"]')!;
    expect(scores.textContent).toContain('30.0');
    expect(scores.textContent).toContain('[28.5, 31.5]');
    expect(scores.textContent).toContain('nrefs:1|case:mixed');
    const energy = target.querySelector('[data-testid="run-energy-panel"]')!;
    expect(energy.textContent).toContain('120 J');
    expect(energy.textContent).toContain('This is an estimate, not a measurement');
    expect(energy.textContent).toContain('single-shot window');
    expect(energy.textContent).toContain('source: EcoEval table');
    const badges = [...energy.querySelectorAll('[data-testid="energy-badge"]')];
    expect(badges.every((b) => b.getAttribute('data-kind') === 'estimated')).toBe(true);
    expect(energy.querySelector('figcaption')!.textContent).toContain('peak 30.0 W');
    expect(target.querySelector('[data-testid="run-provenance"]')!.textContent).toContain(
      'onnxruntime',
    );
    const segments = target.querySelector('[data-testid="run-segments"]')!;
    expect(segments.textContent).toContain('Segments (1,000)');
    const rows = segments.querySelectorAll('[aria-rowindex]');
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.length).toBeLessThan(30);
    expect(rows[0].textContent).toContain('hypothesis 1');
    expect(rows[0].textContent).toContain('12.5');
    // One page answered the total, the columns and the first rows.
    expect(transport.count('getRunSegments')).toBe(1);
    unmount(component);
    target.remove();
  });

  it('says where to pick a run when none is chosen', async () => {
    const workbench = new Workbench(new FakeTransport());
    const target = document.createElement('div');
    const component = mount(RunDetailsPage, { target, props: { workbench } });
    await settle();
    expect(target.textContent).toContain('No run chosen');
    target.querySelector('button')!.click();
    expect(workbench.page).toBe('results');
    unmount(component);
  });
});

describe('EnergyTimeline', () => {
  it('draws phase bands and a power line, and summarises them in text', () => {
    const target = document.createElement('div');
    const component = mount(EnergyTimeline, {
      target,
      props: {
        windowS: 4,
        timeline: [
          { t: 0, watts: 10 },
          { t: 2, watts: 30 },
          { t: 4, watts: 10 },
        ],
        phases: [
          { phase: 'load', joules: 20, startS: 0, endS: 1 },
          { phase: 'generate', joules: 60, startS: 1, endS: 4 },
        ],
      },
    });
    expect(target.querySelectorAll('rect')).toHaveLength(2);
    expect(target.querySelector('path')!.getAttribute('d')).toMatch(/^M/);
    const text = target.querySelector('figcaption')!.textContent!;
    expect(text).toContain('mean 20.0 W');
    expect(text).toContain('peak 30.0 W at 2.00 s');
    expect(text).toContain('generate');
    const svg = target.querySelector('svg')!;
    expect(svg.getAttribute('role')).toBe('img');
    unmount(component);
  });
});
