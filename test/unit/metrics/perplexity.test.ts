// Perplexity arithmetic (corpus = exp(total NLL / total tokens)), the text-normalised figures,
// the signature and the JSON Lines parser's errors.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  computePerplexity,
  countWords,
  parsePerplexityJsonl,
  perplexitySignature,
  utf8ByteLength,
} from '../../../shared/metrics/perplexity';
import type { PerplexityRecord } from '../../../shared/metrics/perplexity';

const record = (logprobs: number[], text = 'x'): PerplexityRecord => ({
  tokens: logprobs.map((_, i) => `t${i}`),
  logprobs,
  text,
});

describe('computePerplexity', () => {
  it('gives exp(-lp) for a uniform log-probability, whatever the lengths', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -20, max: 0, noNaN: true }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 }),
        (lp, lengths) => {
          const result = computePerplexity(lengths.map((n) => record(new Array(n).fill(lp))));
          // Relative comparison: exp(20) is about 5e8.
          expect(result.perplexity / Math.exp(-lp)).toBeCloseTo(1, 10);
          expect(result.bitsPerToken).toBeCloseTo(-lp / Math.LN2, 10);
          for (const t of result.perText) expect(t.perplexity / Math.exp(-lp)).toBeCloseTo(1, 10);
        },
      ),
    );
  });

  it('weights texts by their tokens: corpus perplexity is not the mean of per-text ones', () => {
    const result = computePerplexity([record([-1]), record([-5, -5, -5])]);
    expect(result.nll).toBe(16);
    expect(result.perplexity).toBeCloseTo(Math.exp(16 / 4), 10);
    const meanOfTexts = (Math.exp(1) + Math.exp(5)) / 2;
    expect(Math.abs(result.perplexity - meanOfTexts)).toBeGreaterThan(10);
  });

  it('normalises by UTF-8 bytes and whitespace words of the text', () => {
    const result = computePerplexity([record([-2, -1], 'Héllo  wörld\n'), record([-0.5], '東京')]);
    expect(result.bytes).toBe(15 + 6);
    expect(result.words).toBe(3);
    expect(result.bitsPerByte).toBeCloseTo(3.5 / 21 / Math.LN2, 12);
    expect(result.wordPerplexity).toBeCloseTo(Math.exp(3.5 / 3), 12);
    expect(computePerplexity([record([-1], ' ')]).wordPerplexity).toBeNull();
    expect(computePerplexity([record([-1], '')]).bitsPerByte).toBeNull();
  });

  it('records sliding-window settings in the result and the signature', () => {
    const plain = computePerplexity([record([-1, -2])]);
    expect(plain.window).toBeNull();
    expect(plain.signature).toBe('tokens:2|base:e|window:none|stride:none|version:ecoeval-1.0.0');
    const windowed = computePerplexity([record([-1, -2])], { window: 1024, stride: 512 });
    expect(windowed.window).toEqual({ window: 1024, stride: 512 });
    expect(windowed.signature).toBe(perplexitySignature(2, { window: 1024, stride: 512 }));
    expect(windowed.signature).toContain('|window:1024|stride:512|');
    expect(() => computePerplexity([record([-1])], { window: 4, stride: 8 })).toThrow(/stride/);
    expect(() => computePerplexity([])).toThrow(RangeError);
  });
});

describe('text measures', () => {
  it('counts UTF-8 bytes like TextEncoder', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(utf8ByteLength(s)).toBe(new TextEncoder().encode(s).length);
      }),
    );
    expect(utf8ByteLength('\ud800x')).toBe(4);
  });

  it('counts whitespace-separated words', () => {
    expect(countWords('  a b\tc\n\nd  ')).toBe(4);
    expect(countWords('   ')).toBe(0);
  });
});

describe('parsePerplexityJsonl', () => {
  it('parses good lines and skips blank ones', () => {
    const input =
      '{"tokens":["a"],"logprobs":[-1],"text":"a"}\n\n{"tokens":["b","c"],"logprobs":[0,-2.5],"text":"bc"}\n';
    const { records, errors } = parsePerplexityJsonl(input);
    expect(errors).toEqual([]);
    expect(records).toEqual([
      { tokens: ['a'], logprobs: [-1], text: 'a' },
      { tokens: ['b', 'c'], logprobs: [0, -2.5], text: 'bc' },
    ]);
  });

  it.each([
    ['{"tokens":["a"],"logprobs":[-1]}', /missing field "text"/],
    ['{"logprobs":[-1],"text":"a"}', /missing field "tokens"/],
    ['{"tokens":["a","b"],"logprobs":[-1],"text":"a"}', /2 entries but "logprobs" has 1/],
    ['{"tokens":["a"],"logprobs":[0.5],"text":"a"}', /logprobs\[0\] is 0.5 > 0/],
    ['{"tokens":["a"],"logprobs":["-1"],"text":"a"}', /not a finite number/],
    ['{"tokens":["a"],"logprobs":[null],"text":"a"}', /not a finite number/],
    ['{"tokens":["a"],"logprobs":[-Infinity],"text":"a"}', /NaN or Infinity/],
    ['{"tokens":["a"],"logprobs":[NaN],"text":"a"}', /NaN or Infinity/],
    ['{"tokens":["a"],"logprobs":[-1],"text":"a"', /not valid JSON/],
    ['[1, 2]', /expected a JSON object/],
    ['{"tokens":[],"logprobs":[],"text":""}', /"tokens" is empty/],
    ['{"tokens":"a","logprobs":[-1],"text":"a"}', /array of strings/],
    ['{"tokens":["a"],"logprobs":[-1],"text":3}', /"text" must be a string/],
  ])('names the line and the problem: %s', (line, message) => {
    const good = '{"tokens":["a"],"logprobs":[-1],"text":"a"}';
    const { records, errors } = parsePerplexityJsonl(`${good}\n\n${line}\n${good}`);
    expect(records).toHaveLength(2);
    expect(errors).toHaveLength(1);
    expect(errors[0].line).toBe(3);
    expect(errors[0].message).toMatch(message);
  });
});
