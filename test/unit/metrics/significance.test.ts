import { describe, expect, it } from 'vitest';
import type { CorpusMetric, MetricScore } from '../../../shared/metrics/base';
import { BLEU } from '../../../shared/metrics/bleu';
import { CHRF } from '../../../shared/metrics/chrf';
import {
  bootstrapConfidence,
  computePValue,
  estimateCi,
  formatPairedJson,
  formatPairedTable,
  NumpyRandom,
  pairedTest,
} from '../../../shared/metrics/significance';
import { loadCases, loadJson } from './fixtures';

interface RngFixture {
  choice: { seed: number; n: number; size: [number, number]; values: number[] }[];
  bools: { seed: number; size: [number, number]; values: number[] }[];
  bootstrap_mean_metric: { values: number[]; mean: number; ci: number };
}
const rng = loadJson<RngFixture>('numpy-rng.json');

describe('NumPy default_rng port', () => {
  it('reproduces Generator.choice(n, size, replace=True) bit for bit', () => {
    for (const c of rng.choice) {
      const got = new NumpyRandom(c.seed).choice(c.n, c.size[0] * c.size[1]);
      expect(Array.from(got)).toEqual(c.values);
    }
  });
  it('reproduces Generator.integers(2, size, dtype=bool) bit for bit', () => {
    for (const c of rng.bools) {
      expect(Array.from(new NumpyRandom(c.seed).bools(c.size[0] * c.size[1]))).toEqual(c.values);
    }
  });
});

/** A tiny metric: the mean of one value per segment, to compare with NumPy's pipeline. */
class MeanMetric implements CorpusMetric {
  readonly name = 'MEAN';
  signature(): string {
    return 'nrefs:1';
  }
  segmentStatistics(h: readonly string[]): number[][] {
    return h.map((x) => [Number(x), 1]);
  }
  scoreFromStatistics(s: readonly number[]): MetricScore {
    return { name: this.name, score: (100 * s[0]) / s[1], signature: 'nrefs:1', details: {} };
  }
  corpusScore(h: readonly string[]): MetricScore {
    const s = this.segmentStatistics(h).reduce((a, r) => [a[0] + r[0], a[1] + r[1]], [0, 0]);
    return this.scoreFromStatistics(s);
  }
  sentenceScore(h: string): MetricScore {
    return this.corpusScore([h]);
  }
}

describe('bootstrap and randomization', () => {
  it('single-system bootstrap reproduces sacreBLEU/NumPy mean and interval', () => {
    const { values, mean, ci } = rng.bootstrap_mean_metric;
    const m = new MeanMetric();
    const r = bootstrapConfidence(m, m.segmentStatistics(values.map(String)));
    expect(r.mean).toBeCloseTo(mean, 4);
    expect(r.ci).toBeCloseTo(ci, 4);
    expect(r.nSamples).toBe(1000);
    expect(r.seed).toBe(12345);
  });
  it('estimateCi cuts 1/40 on each side; p-values count strictly larger samples plus one', () => {
    const scores = Array.from({ length: 80 }, (_, i) => i);
    expect(estimateCi(scores)).toEqual({ mean: 39.5, ci: 0.5 * (77 - 2) });
    expect(computePValue([1, 2, 3, 3], 2)).toBe(3 / 5);
  });
  const c = loadCases().find((x) => x.id === 'A-27')!;
  const hyps = c.hyps;
  const worse = hyps.map((h, i) => (i % 3 === 0 ? h.split(' ').reverse().join(' ') : h));
  it('paired bootstrap: identical systems get p = 1/(n+1) (sacreBLEU counts only samples strictly above the delta)', () => {
    const r = pairedTest(
      [
        { name: 'base', hypotheses: hyps },
        { name: 'same', hypotheses: hyps },
        { name: 'worse', hypotheses: worse },
      ],
      c.refs,
      [new BLEU(), new CHRF()],
      { test: 'bs', nSamples: 200 },
    );
    const bleu = r.metrics[0];
    expect(bleu.name).toBe('BLEU');
    expect(bleu.rows[1].pValue).toBe(1 / 201);
    expect(bleu.rows[2].pValue!).toBeLessThan(0.05);
    expect(bleu.rows[0].mean).toBeGreaterThan(0);
    const text = formatPairedTable(r, { BLEU: 'sig-b', chrF2: 'sig-c' }, 1);
    expect(text).toContain('BLEU (μ ± 95% CI)');
    expect(text).toContain('Paired bootstrap resampling test with 200 resampling trials');
    expect(JSON.parse(formatPairedJson(r))[2].BLEU.p_value).toBe(bleu.rows[2].pValue);
  });
  it('approximate randomization: p is small for a damaged system, 1/(n+1) for an identical one', () => {
    const r = pairedTest(
      [
        { name: 'base', hypotheses: hyps },
        { name: 'same', hypotheses: hyps },
        { name: 'worse', hypotheses: worse },
      ],
      c.refs,
      [new BLEU()],
      { test: 'ar', nSamples: 300 },
    );
    expect(r.metrics[0].rows[1].pValue).toBe(1 / 301);
    expect(r.metrics[0].rows[2].pValue!).toBeLessThan(0.05);
    expect(r.metrics[0].signatureExtras).toEqual({ ar: 300, seed: '12345' });
  });
});
