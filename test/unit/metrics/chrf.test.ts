import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sumStatistics } from '../../../shared/metrics/base';
import { CHRF, chrfChars, chrfWords } from '../../../shared/metrics/chrf';
import { loadCases, loadJson, withoutVersion } from './fixtures';

const cases = loadCases();

describe('chrF / chrF++ match sacreBLEU 2.6.0 on every fixture variant', () => {
  for (const c of cases) {
    it(`case ${c.id}`, () => {
      expect(c.expected.chrf).toHaveLength(5);
      for (const e of c.expected.chrf) {
        const m = new CHRF({
          charOrder: e.char_order as number,
          wordOrder: e.word_order as number,
          beta: e.beta as number,
          lowercase: e.lowercase as boolean,
          whitespace: e.whitespace as boolean,
          epsSmoothing: e.eps_smoothing as boolean,
        });
        const r = m.corpusScore(c.hyps, c.refs);
        expect(r.name).toBe(e.name);
        expect(Math.abs(r.score - (e.score as number))).toBeLessThan(0.005);
        expect(withoutVersion(r.signature)).toBe(withoutVersion(e.signature as string));
        expect(withoutVersion(r.details.line as string)).toBe(withoutVersion(e.line as string));
      }
      const m = new CHRF();
      c.hyps.forEach((hyp, i) => {
        const refs = c.refs.map((s) => s[i]).filter((r): r is string => r !== null);
        expect(
          Math.abs(m.sentenceScore(hyp, refs).score - c.expected.sentence.chrf[i]),
        ).toBeLessThan(0.005);
      });
    });
  }
});

describe('chrF tokenization vectors', () => {
  const { vectors } = loadJson<{
    vectors: { input: string; chrf_chars: string; chrfpp_words: string[] }[];
  }>('tokenize-vectors.json');
  it('character strings and chrF++ words match sacreBLEU exactly', () => {
    for (const v of vectors) {
      expect(chrfChars(v.input, false).join('')).toBe(v.chrf_chars);
      expect(chrfWords(v.input)).toEqual(v.chrfpp_words);
    }
  });
});

describe('chrF properties', () => {
  const text = fc.string({ minLength: 1, maxLength: 40 });
  it('identical non-empty hypothesis and reference score 100', () => {
    fc.assert(
      fc.property(
        text.filter((s) => chrfChars(s, false).length > 0),
        (s) => {
          expect(new CHRF({ wordOrder: 2 }).corpusScore([s], [[s]]).score).toBeCloseTo(100, 9);
        },
      ),
    );
  });
  it('corpus score is computed from summed segment statistics, independent of order', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(text, text), { minLength: 1, maxLength: 8 }), (ps) => {
        const m = new CHRF({ wordOrder: 2 });
        const hyps = ps.map((p) => p[0]);
        const refs = [ps.map((p) => p[1])];
        const stats = m.segmentStatistics(hyps, refs);
        const score = m.corpusScore(hyps, refs).score;
        expect(m.scoreFromStatistics(sumStatistics(stats)).score).toBe(score);
        const rev = m.corpusScore([...hyps].reverse(), [[...refs[0]].reverse()]).score;
        expect(rev).toBeCloseTo(score, 10);
      }),
    );
  });
});
