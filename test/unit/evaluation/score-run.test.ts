import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { RunOutputs } from '../../../shared/api/types';
import { scoreNames, scoreRunOutputs } from '../../../shared/evaluation/score-run';
import { BLEU } from '../../../shared/metrics/bleu';
import { CHRF } from '../../../shared/metrics/chrf';
import { formatScore } from '../../../shared/metrics/format';
import {
  computePerplexity,
  countWords,
  parsePerplexityJsonl,
  utf8ByteLength,
} from '../../../shared/metrics/perplexity';
import { RougeMetric } from '../../../shared/metrics/rouge';
import { bootstrapConfidence } from '../../../shared/metrics/significance';
import { TER } from '../../../shared/metrics/ter';
import { loadCases } from '../metrics/fixtures';
import type { MtCase } from '../metrics/fixtures';

const cases = loadCases();
const byId = (id: string): MtCase => cases.find((c) => c.id === id)!;

/** A fixture's reference streams turned into RunOutputs' per-segment rows (nulls dropped). */
function outputsOf(c: MtCase): RunOutputs {
  return {
    run: c.id,
    sources: [],
    hypotheses: c.hyps,
    references: c.hyps.map((_, i) =>
      c.refs.map((stream) => stream[i]).filter((r): r is string => r !== null),
    ),
    logprobs: null,
  };
}

describe('scoreRunOutputs: MT metrics equal the metrics’ own corpus scores', () => {
  it.each(cases.map((c) => [c.id, c] as const))('case %s: BLEU and chrF2', (_id, c) => {
    const { scores, segments } = scoreRunOutputs(outputsOf(c), ['bleu', 'chrf'], { bootstrap: 0 });
    const bleu = new BLEU().corpusScore(c.hyps, c.refs);
    const chrf = new CHRF().corpusScore(c.hyps, c.refs);
    expect(scores.map((s) => [s.name, s.score, s.signature])).toEqual([
      [bleu.name, bleu.score, bleu.signature],
      [chrf.name, chrf.score, chrf.signature],
    ]);
    expect(scores.every((s) => s.low === null && s.high === null && !s.lowerIsBetter)).toBe(true);
    // Segment scores are sacreBLEU's sentence_bleu (effective order) and sentence_chrf.
    expect(segments.map((s) => s.name)).toEqual(['BLEU', 'chrF2']);
    expect(segments[0].values).toHaveLength(c.hyps.length);
    c.expected.sentence.bleu.forEach((e, i) =>
      expect(segments[0].values[i]).toBeCloseTo(e.score as number, 9),
    );
    c.expected.sentence.chrf.forEach((e, i) => expect(segments[1].values[i]).toBeCloseTo(e, 9));
  });

  it('sentence BLEU equals BLEU.sentenceScore with effective order, segment by segment', () => {
    const c = byId('A-07');
    const { segments } = scoreRunOutputs(outputsOf(c), ['bleu'], { bootstrap: 0 });
    const sentence = new BLEU({ effectiveOrder: true });
    const rows = outputsOf(c).references;
    c.hyps.forEach((h, i) =>
      expect(segments[0].values[i]).toBe(sentence.sentenceScore(h, rows[i]).score),
    );
  });

  it('formats the line as sacreBLEU prints it (without the signature)', () => {
    const c = byId('A-07');
    const [bleu] = scoreRunOutputs(outputsOf(c), ['bleu'], { bootstrap: 0 }).scores;
    const line = c.expected.bleu.find(
      (e) =>
        e.tokenize === '13a' &&
        e.lowercase === false &&
        e.smooth_method === 'exp' &&
        e.effective_order === false,
    )!.line as string;
    expect(bleu.formatted).toBe(line.replace(/^BLEU\|\S+ = /, 'BLEU = '));
  });

  it.each(['A-03', 'A-12', 'A-25'])('case %s: TER (lower is better) with segments', (id) => {
    const c = byId(id);
    const { scores, segments } = scoreRunOutputs(outputsOf(c), ['ter'], { bootstrap: 0 });
    const ter = new TER().corpusScore(c.hyps, c.refs);
    expect(scores[0]).toMatchObject({
      metric: 'ter',
      name: 'TER',
      score: ter.score,
      signature: ter.signature,
      lowerIsBetter: true,
    });
    const expected = (c.expected.sentence as unknown as { ter: number[] }).ter;
    expected.forEach((e, i) => expect(segments[0].values[i]).toBeCloseTo(e, 9));
  });

  it('A-25 (missing references) signs nrefs:var like the metric', () => {
    const [bleu] = scoreRunOutputs(outputsOf(byId('A-25')), ['bleu'], { bootstrap: 0 }).scores;
    expect(bleu.signature).toMatch(/^nrefs:var\|/);
  });
});

describe('scoreRunOutputs: bootstrap intervals (sacreBLEU --confidence)', () => {
  const c = byId('A-27');
  const result = scoreRunOutputs(outputsOf(c), ['bleu', 'chrf', 'ter'], { bootstrap: 200 });

  it('brackets every score and records bs and seed in the signature', () => {
    for (const s of result.scores) {
      expect(s.low).not.toBeNull();
      expect(s.low!).toBeLessThan(s.score);
      expect(s.high!).toBeGreaterThan(s.score);
      expect(s.signature).toContain('|bs:200|seed:12345|');
      expect(s.formatted).toMatch(/^\S+ = \d+\.\d\d \(μ = \d+\.\d\d ± \d+\.\d\d\)/);
    }
  });

  it('is the significance module’s mean ∓ 95% half-width', () => {
    const metric = new BLEU();
    const conf = bootstrapConfidence(metric, metric.segmentStatistics(c.hyps, c.refs), {
      nSamples: 200,
      seed: 12345,
    });
    expect(result.scores[0].low).toBe(conf.mean - conf.ci);
    expect(result.scores[0].high).toBe(conf.mean + conf.ci);
  });

  it('depends on the seed and only on it', () => {
    const again = scoreRunOutputs(outputsOf(c), ['bleu'], { bootstrap: 200 });
    const other = scoreRunOutputs(outputsOf(c), ['bleu'], { bootstrap: 200, seed: 7 });
    expect(again.scores[0]).toEqual(result.scores[0]);
    expect(other.scores[0].low).not.toBe(result.scores[0].low);
    expect(other.scores[0].score).toBe(result.scores[0].score);
  });
});

interface RougeFixture {
  predictions: string[];
  references: (string | string[])[];
  expected: {
    stem_false: {
      per_example: Record<string, { fmeasure: number }>[];
      mean: Record<string, { fmeasure: number }>;
      bootstrap: Record<string, { low: { fmeasure: number }; high: { fmeasure: number } }>;
    };
  };
}

describe('scoreRunOutputs: ROUGE', () => {
  const file = fileURLToPath(
    new URL('../../fixtures/metrics/rouge/12_multi_ref.json', import.meta.url),
  );
  const fx = JSON.parse(readFileSync(file, 'utf8')) as RougeFixture;
  const outputs: RunOutputs = {
    run: 'rouge',
    sources: [],
    hypotheses: fx.predictions,
    references: fx.references.map((r) => (typeof r === 'string' ? [r] : r)),
    logprobs: null,
  };
  const types = ['rouge1', 'rouge2', 'rougeL', 'rougeLsum'];

  it('gives the four F-measures ×100 with rouge-score’s bootstrap interval (seed 0)', () => {
    const { scores, segments } = scoreRunOutputs(outputs, ['rouge'], { bootstrap: 1000, seed: 0 });
    const exp = fx.expected.stem_false;
    expect(scores.map((s) => s.name)).toEqual(['ROUGE-1', 'ROUGE-2', 'ROUGE-L', 'ROUGE-Lsum']);
    types.forEach((t, k) => {
      expect(scores[k].metric).toBe('rouge');
      expect(scores[k].score).toBeCloseTo(100 * exp.mean[t].fmeasure, 10);
      expect(scores[k].low!).toBeCloseTo(100 * exp.bootstrap[t].low.fmeasure, 10);
      expect(scores[k].high!).toBeCloseTo(100 * exp.bootstrap[t].high.fmeasure, 10);
      expect(scores[k].low!).toBeLessThanOrEqual(scores[k].score);
      expect(scores[k].high!).toBeGreaterThanOrEqual(scores[k].score);
    });
    expect(segments).toHaveLength(1);
    expect(segments[0].name).toBe('ROUGE-L');
    exp.per_example.forEach((e, i) =>
      expect(segments[0].values[i]).toBeCloseTo(100 * e.rougeL.fmeasure, 10),
    );
  });

  it('matches RougeMetric.corpusScore for the headline type and its signature', () => {
    const { scores } = scoreRunOutputs(outputs, ['rouge'], { bootstrap: 0 });
    const width = Math.max(...outputs.references.map((row) => row.length));
    const streams = Array.from({ length: width }, (_, r) =>
      outputs.references.map((row) => row[r] ?? null),
    );
    const metric = new RougeMetric({
      types: ['rouge1', 'rouge2', 'rougeL', 'rougeLsum'],
      useStemmer: false,
    });
    const own = metric.corpusScore(outputs.hypotheses, streams);
    expect(scores[0].score).toBe(own.score);
    expect(scores[0].signature).toBe(own.signature);
    expect(scores[0].low).toBeNull();
  });
});

describe('scoreRunOutputs: perplexity', () => {
  const file = fileURLToPath(new URL('../../fixtures/metrics/ppl/example.jsonl', import.meta.url));
  const { records } = parsePerplexityJsonl(readFileSync(file, 'utf8'));
  const outputs: RunOutputs = {
    run: 'ppl',
    sources: records.map((r) => r.text),
    hypotheses: records.map((r) => r.text),
    references: records.map(() => []),
    logprobs: records.map((r) => ({
      logprob: r.logprobs.reduce((a, b) => a + b, 0),
      tokens: r.logprobs.length,
      bytes: utf8ByteLength(r.text),
      words: countWords(r.text),
    })),
  };

  it('equals computePerplexity on the same log-probabilities', () => {
    const { scores, segments } = scoreRunOutputs(outputs, ['perplexity'], { bootstrap: 0 });
    const own = computePerplexity(records);
    expect(scores[0]).toMatchObject({
      metric: 'perplexity',
      name: 'PPL',
      score: own.perplexity,
      lowerIsBetter: true,
      signature: own.signature,
      low: null,
    });
    expect(scores[0].formatted).toContain(`tokens = ${own.tokens}`);
    expect(segments).toEqual([{ name: 'PPL', values: own.perText.map((t) => t.perplexity) }]);
  });

  it('puts a bootstrap interval around it', () => {
    const [ppl] = scoreRunOutputs(outputs, ['perplexity'], { bootstrap: 100 }).scores;
    expect(ppl.low!).toBeLessThan(ppl.high!);
    expect(ppl.signature).toMatch(/^bs:100\|seed:12345\|tokens:6\|/);
  });

  it('copes with a segment that has no scored token', () => {
    const withEmpty: RunOutputs = {
      ...outputs,
      hypotheses: [...outputs.hypotheses, ''],
      sources: [...outputs.sources, ''],
      references: [...outputs.references, []],
      logprobs: [...outputs.logprobs!, { logprob: 0, tokens: 0, bytes: 0, words: 0 }],
    };
    const { scores, segments } = scoreRunOutputs(withEmpty, ['perplexity'], { bootstrap: 50 });
    expect(scores[0].score).toBe(computePerplexity(records).perplexity);
    expect(scores[0].low!).toBeLessThan(scores[0].high!);
    expect(segments[0].values[3]).toBeNaN();
  });

  it('says clearly when the run has no log-probabilities', () => {
    expect(() => scoreRunOutputs({ ...outputs, logprobs: null }, ['perplexity'])).toThrow(
      /no log-probabilities/,
    );
  });
});

describe('scoreNames and input checks', () => {
  const c = byId('A-07');

  it('lists the names scoreRunOutputs produces, in its order, each metric once', () => {
    const metrics = ['rouge', 'ter', 'bleu', 'chrf', 'bleu'] as const;
    const names = scoreNames(metrics);
    expect(names).toEqual(['ROUGE-1', 'ROUGE-2', 'ROUGE-L', 'ROUGE-Lsum', 'TER', 'BLEU', 'chrF2']);
    const { scores, segments } = scoreRunOutputs(outputsOf(c), metrics, { bootstrap: 0 });
    expect(scores.map((s) => s.name)).toEqual(names);
    expect(segments.map((s) => s.name)).toEqual(['ROUGE-L', 'TER', 'BLEU', 'chrF2']);
    for (const s of segments) expect(s.values).toHaveLength(c.hyps.length);
    expect(scoreNames(['perplexity'])).toEqual(['PPL']);
  });

  it('rejects misaligned outputs, unknown metrics and bad options', () => {
    const o = outputsOf(c);
    expect(() => scoreRunOutputs({ ...o, references: o.references.slice(1) }, ['bleu'])).toThrow(
      /reference rows/,
    );
    expect(() => scoreRunOutputs({ ...o, hypotheses: [], references: [] }, ['bleu'])).toThrow(
      /no hypotheses/,
    );
    expect(() => scoreRunOutputs(o, ['meteor' as never])).toThrow(/unknown metric 'meteor'/);
    expect(() => scoreRunOutputs(o, ['bleu'], { bootstrap: -1 })).toThrow(RangeError);
    expect(() =>
      scoreRunOutputs({ ...o, references: o.references.map(() => []) }, ['bleu']),
    ).toThrow(/no references/);
  });

  it('keeps the corpus line format of formatScore', () => {
    const [chrf] = scoreRunOutputs(outputsOf(c), ['chrf'], { bootstrap: 0 }).scores;
    expect(chrf.formatted).toBe(formatScore({ name: 'chrF2', score: chrf.score }));
  });
});
