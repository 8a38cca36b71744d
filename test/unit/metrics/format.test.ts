import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  formatScore,
  pyFixed,
  pyFloatRepr,
  pyJsonDumps,
  PyInt,
} from '../../../shared/metrics/format';
import {
  buildSignature,
  formatSignature,
  shortenSignature,
  withExtras,
} from '../../../shared/metrics/signature';

describe('pyFixed (Python format with half-to-even on exact ties)', () => {
  it('rounds exact binary ties to even, unlike toFixed', () => {
    expect(pyFixed(6.25, 1)).toBe('6.2');
    expect((6.25).toFixed(1)).toBe('6.3');
    expect(pyFixed(1.0625, 3)).toBe('1.062');
    expect(pyFixed(0.125, 2)).toBe('0.12');
    expect(pyFixed(3.125, 2)).toBe('3.12');
    expect(pyFixed(0.375, 2)).toBe('0.38');
    expect(pyFixed(2.5, 0)).toBe('2');
    expect(pyFixed(9.995, 2)).toBe('9.99'); // 9.995 is below the tie in binary
    expect(pyFixed(99.95, 1)).toBe('100.0'); // 99.95 is above the tie in binary
  });
  it('handles signs, zero and non-finite values like Python', () => {
    expect(pyFixed(-0.04, 1)).toBe('-0.0');
    expect(pyFixed(0, 2)).toBe('0.00');
    expect(pyFixed(Number.NaN, 1)).toBe('nan');
    expect(pyFixed(Infinity, 1)).toBe('inf');
  });
  it('agrees with toFixed whenever the value is not an exact tie', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1000, noNaN: true }),
        fc.integer({ min: 0, max: 4 }),
        (x, w) => {
          const exact = x.toFixed(60);
          const tail = exact.slice(exact.indexOf('.') + 1 + w);
          fc.pre(!/^50*$/.test(tail));
          expect(pyFixed(x, w)).toBe(x.toFixed(w));
        },
      ),
    );
  });
});

describe('Python JSON and reprs', () => {
  it('writes floats as Python does', () => {
    expect(pyFloatRepr(100)).toBe('100.0');
    expect(pyFloatRepr(0.1)).toBe('0.1');
    expect(pyFloatRepr(5e-5)).toBe('5e-05');
    expect(pyFloatRepr(1e16)).toBe('1e+16');
  });
  it('indents like json.dumps(indent=1) and keeps non-ASCII unless asked', () => {
    expect(pyJsonDumps({ a: 1, b: [new PyInt(2)], c: 'é' }, 1)).toBe(
      '{\n "a": 1.0,\n "b": [\n  2\n ],\n "c": "é"\n}',
    );
    expect(pyJsonDumps({ c: 'μ' }, -1, true)).toBe('{"c": "\\u03bc"}');
  });
});

describe('score line and signature', () => {
  it('formats like sacreBLEU Score.format()', () => {
    const s = { name: 'BLEU', score: 7.809849842300641, verbose: '81.2/6.7/3.6/1.9 (BP = 1.000)' };
    expect(formatScore(s, { width: 2, signature: 'nrefs:1' })).toBe(
      'BLEU|nrefs:1 = 7.81 81.2/6.7/3.6/1.9 (BP = 1.000)',
    );
    expect(formatScore(s, { width: 1, scoreOnly: true })).toBe('7.8');
    expect(formatScore({ ...s, mean: 7.5, ci: 1.25 }, { width: 1 })).toBe(
      'BLEU = 7.8 (μ = 7.5 ± 1.2) 81.2/6.7/3.6/1.9 (BP = 1.000)',
    );
    const json = JSON.parse(
      formatScore(s, { width: 1, signature: 'nrefs:1|case:mixed', json: true }),
    );
    expect(Object.keys(json)).toEqual([
      'name',
      'score',
      'signature',
      'verbose_score',
      'nrefs',
      'case',
    ]);
    expect(json.score).toBe(7.8);
  });
  it('puts test fields after nrefs and version last, with short keys', () => {
    const pairs = buildSignature(1, [{ key: 'case', short: 'c', value: 'mixed' }], {
      bs: 1000,
      seed: '12345',
    });
    expect(formatSignature(pairs)).toBe(
      'nrefs:1|bs:1000|seed:12345|case:mixed|version:ecoeval-1.0.0+sacrebleu-2.6.0',
    );
    expect(formatSignature(pairs, true)).toBe(
      '#:1|bs:1000|rs:12345|c:mixed|v:ecoeval-1.0.0+sacrebleu-2.6.0',
    );
    expect(withExtras('nrefs:1|case:lc|version:x', { ar: 10000, seed: '12345' })).toBe(
      'nrefs:1|ar:10000|seed:12345|case:lc|version:x',
    );
    expect(shortenSignature('nrefs:1|case:lc|tok:tercom|norm:no|version:x', 'ter')).toBe(
      '#:1|c:lc|t:tercom|nr:no|v:x',
    );
  });
});
