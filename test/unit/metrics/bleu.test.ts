import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BLEU, countReferences } from '../../../shared/metrics/bleu';
import type { SmoothMethod } from '../../../shared/metrics/bleu';
import { sumStatistics } from '../../../shared/metrics/base';
import { loadCases, withoutVersion } from './fixtures';

const cases = loadCases();

describe('BLEU matches sacreBLEU 2.6.0 on every fixture combination', () => {
  it('has all 30 cases with 80 BLEU combinations each', () => {
    expect(cases).toHaveLength(30);
    for (const c of cases) expect(c.expected.bleu).toHaveLength(80);
  });
  for (const c of cases) {
    it(`corpus BLEU, case ${c.id}`, () => {
      for (const e of c.expected.bleu) {
        const metric = new BLEU({
          tokenize: e.tokenize as string,
          lowercase: e.lowercase as boolean,
          smoothMethod: e.smooth_method as SmoothMethod,
          smoothValue: e.smooth_value as number | null,
          effectiveOrder: e.effective_order as boolean,
        });
        const r = metric.corpusScore(c.hyps, c.refs);
        const d = r.details;
        const label = JSON.stringify([
          c.id,
          e.tokenize,
          e.lowercase,
          e.smooth_method,
          e.effective_order,
        ]);
        expect(Math.abs(r.score - (e.score as number)), label).toBeLessThan(0.005);
        expect(d.counts, label).toEqual(e.counts);
        expect(d.totals, label).toEqual(e.totals);
        expect(d.sysLen, label).toBe(e.sys_len);
        expect(d.refLen, label).toBe(e.ref_len);
        expect(withoutVersion(d.line as string), label).toBe(withoutVersion(e.line as string));
        expect(withoutVersion(r.signature), label).toBe(withoutVersion(e.signature as string));
        expect(r.signature.endsWith('|version:ecoeval-1.0.0+sacrebleu-2.6.0')).toBe(true);
        const precisions = d.precisions as number[];
        (e.precisions as number[]).forEach((p, i) => expect(precisions[i]).toBeCloseTo(p, 9));
      }
    });
    it(`sentence BLEU (effective order), case ${c.id}`, () => {
      const metric = new BLEU({ effectiveOrder: true });
      c.hyps.forEach((hyp, i) => {
        const e = c.expected.sentence.bleu[i];
        const refs = c.refs.map((s) => s[i]).filter((r): r is string => r !== null);
        const r = metric.sentenceScore(hyp, refs);
        expect(Math.abs(r.score - (e.score as number))).toBeLessThan(0.005);
        expect(r.details.counts).toEqual(e.counts);
        expect(r.details.totals).toEqual(e.totals);
        expect((r.details.line as string).replace(/^BLEU\|\S+/, 'BLEU')).toBe(e.line);
        if (i === 0) {
          expect(withoutVersion(r.signature)).toBe(
            withoutVersion(c.expected.sentence.bleu_signature_seg0),
          );
        }
      });
    });
  }
});

describe('BLEU behaviour', () => {
  it('reports nrefs:var for null references (A-25)', () => {
    const c = cases.find((x) => x.id === 'A-25')!;
    expect(countReferences(c.refs, c.hyps.length)).toBe('var');
    expect(new BLEU().corpusScore(c.hyps, c.refs).signature).toContain('nrefs:var');
  });
  it('refuses tokenizers that need external models, by name', () => {
    expect(() => new BLEU({ tokenize: 'ja-mecab' })).toThrow(/ja-mecab.*13a, intl, zh, char, none/);
  });
  it('uses zh by default for a Chinese target, as sacreBLEU does', () => {
    expect(new BLEU({ trgLang: 'zh' }).signature(1)).toContain('tok:zh');
  });
});

const sentence = fc
  .array(fc.constantFrom('the', 'cat', 'sat', 'on', 'mat', 'a', 'dog', '.', ',', 'ran'), {
    minLength: 1,
    maxLength: 12,
  })
  .map((w) => w.join(' '));

describe('BLEU properties', () => {
  it('identical hypothesis and reference score 100 when every segment has 4+ tokens', () => {
    const long = fc.array(
      sentence.filter((s) => s.split(' ').length >= 4),
      { minLength: 1, maxLength: 8 },
    );
    fc.assert(
      fc.property(long, (segs) => {
        expect(new BLEU().corpusScore(segs, [segs]).score).toBeCloseTo(100, 10);
      }),
    );
  });
  it('segment order does not change the corpus score', () => {
    const pairs = fc.array(fc.tuple(sentence, sentence), { minLength: 1, maxLength: 10 });
    fc.assert(
      fc.property(pairs, fc.nat(), (ps, seed) => {
        const shuffled = [...ps].sort(
          (a, b) => ((a[0].length * 31 + seed) % 7) - ((b[0].length * 31 + seed) % 7),
        );
        const m = new BLEU();
        const a = m.corpusScore(
          ps.map((p) => p[0]),
          [ps.map((p) => p[1])],
        ).score;
        const b = m.corpusScore(
          shuffled.map((p) => p[0]),
          [shuffled.map((p) => p[1])],
        ).score;
        expect(b).toBe(a);
      }),
    );
  });
  it('corpus statistics are the sum of segment statistics', () => {
    const pairs = fc.array(fc.tuple(sentence, sentence), { minLength: 1, maxLength: 10 });
    fc.assert(
      fc.property(pairs, (ps) => {
        const m = new BLEU({ smoothMethod: 'floor' });
        const hyps = ps.map((p) => p[0]);
        const refs = [ps.map((p) => p[1])];
        const stats = m.segmentStatistics(hyps, refs);
        const perSegment = ps.map((p) => m.segmentStatistics([p[0]], [[p[1]]])[0]);
        expect(stats).toEqual(perSegment);
        expect(m.scoreFromStatistics(sumStatistics(stats)).score).toBe(
          m.corpusScore(hyps, refs).score,
        );
      }),
    );
  });
});
