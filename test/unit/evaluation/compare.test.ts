import { describe, expect, it } from 'vitest';
import type { RunOutputs } from '../../../shared/api/types';
import { compareRuns } from '../../../shared/evaluation/compare';
import { BLEU } from '../../../shared/metrics/bleu';
import { pairedTest } from '../../../shared/metrics/significance';
import { loadCases } from '../metrics/fixtures';

const c = loadCases().find((x) => x.id === 'A-27')!;
const rows = c.hyps.map((_, i) => c.refs.map((s) => s[i]).filter((r): r is string => r !== null));
const run = (id: string, hypotheses: string[]): RunOutputs => ({
  run: id,
  sources: [],
  hypotheses,
  references: rows,
  logprobs: null,
});
// Every third segment with its words reversed: clearly worse on every metric.
const worse = c.hyps.map((h, i) => (i % 3 === 0 ? h.split(' ').reverse().join(' ') : h));

describe('compareRuns (paired bootstrap, sacreBLEU semantics)', () => {
  const result = compareRuns(
    run('base', c.hyps),
    [run('same', c.hyps), run('worse', worse)],
    'bleu',
    {
      resamples: 200,
    },
  );

  it('finds an identical system not significantly different (p = 1)', () => {
    const same = result.systems[0];
    expect(same.run).toBe('same');
    expect(same.score).toBe(result.baseline.score);
    expect(same.pValue).toBe(1);
    expect(same.significant).toBe(false);
  });

  it('finds a clearly worse system significant, with sacreBLEU’s p-value, mean and CI', () => {
    const w = result.systems[1];
    expect(w.run).toBe('worse');
    expect(w.score).toBeLessThan(result.baseline.score);
    expect(w.pValue).toBeLessThan(0.05);
    expect(w.significant).toBe(true);
    const own = pairedTest(
      [
        { name: 'base', hypotheses: c.hyps },
        { name: 'worse', hypotheses: worse },
      ],
      c.refs,
      [new BLEU()],
      { test: 'bs', nSamples: 200, seed: 12345 },
    ).metrics[0].rows;
    expect(w).toMatchObject({ pValue: own[1].pValue, mean: own[1].mean, ci: own[1].ci });
    expect(result.baseline).toEqual({
      run: 'base',
      score: own[0].score,
      mean: own[0].mean,
      ci: own[0].ci,
    });
  });

  it('reports the metric, resampling settings and signature', () => {
    expect(result).toMatchObject({ metric: 'BLEU', resamples: 200, seed: 12345 });
    expect(result.signature).toMatch(/^nrefs:\d\|bs:200\|seed:12345\|case:mixed\|.*tok:13a/);
  });

  it('works for chrF and TER (lower is better: the worse system has the higher TER)', () => {
    const chrf = compareRuns(run('base', c.hyps), [run('worse', worse)], 'chrf', {
      resamples: 100,
      seed: 1,
    });
    expect(chrf.metric).toBe('chrF2');
    expect(chrf.systems[0].significant).toBe(true);
    const ter = compareRuns(run('base', c.hyps), [run('worse', worse)], 'ter', { resamples: 100 });
    expect(ter.metric).toBe('TER');
    expect(ter.systems[0].score).toBeGreaterThan(ter.baseline.score);
    expect(ter.signature).toContain('bs:100|seed:12345|case:lc|tok:tercom');
  });

  it('refuses runs scored against different references', () => {
    const other = {
      ...run('other', c.hyps),
      references: rows.map((r, i) => (i === 5 ? ['x'] : r)),
    };
    expect(() => compareRuns(run('base', c.hyps), [other], 'bleu')).toThrow(/same references/);
    const shorter = {
      ...run('short', c.hyps.slice(1)),
      references: rows.slice(1),
    };
    expect(() => compareRuns(run('base', c.hyps), [shorter], 'bleu')).toThrow(/same references/);
  });

  it('refuses an empty comparison and bad resampling settings', () => {
    expect(() => compareRuns(run('base', c.hyps), [], 'bleu')).toThrow(/at least one run/);
    expect(() =>
      compareRuns(run('base', c.hyps), [run('x', worse)], 'bleu', { resamples: 0 }),
    ).toThrow(RangeError);
  });
});
