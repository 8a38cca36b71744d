import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { METRICS_VERSION, SACREBLEU_VERSION, sumStatistics } from '../../../shared/metrics/base';
import { formatScore, pyFixed } from '../../../shared/metrics/format';
import { TER } from '../../../shared/metrics/ter';
import type { MetricScore } from '../../../shared/metrics/base';
import { TerAligner } from '../../../shared/metrics/ter-shift';
import { tercomTokenize, tercomTokenizeReference } from '../../../shared/metrics/ter-tokenizer';

// Fixtures copied from shared/fixtures/mt (sacreBLEU 2.6.0 output); see README.md next to them.
const FIXTURES = new URL('../../fixtures/metrics/mt-ter/', import.meta.url);
const readJson = <T>(name: string): T =>
  JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as T;

interface TerExpectation {
  case_sensitive: boolean;
  normalized: boolean;
  no_punct: boolean;
  asian_support: boolean;
  score: number;
  score_str: string;
  num_edits: number;
  ref_length: number;
  signature: string;
  signature_short: string;
  line: string;
}

interface MtCase {
  id: string;
  hyps: string[];
  refs: (string | null)[][];
  expected: { ter: TerExpectation[]; sentence: { ter: number[] } };
}

/** sacreBLEU's `TERScore.format()` line (width 2 by default, as the Python API). */
const line = (score: MetricScore, width = 2, withSignature = true): string =>
  formatScore(score, { width, signature: withSignature ? score.signature : '' });

const OUR_VERSION = `ecoeval-${METRICS_VERSION}+sacrebleu-${SACREBLEU_VERSION}`;
const index = readJson<{ cases: { file: string }[] }>('index.json');
const cases = index.cases.map((entry) => readJson<MtCase>(entry.file));

/** Fixture strings carry sacreBLEU's own version; swap in ours, leaving everything else exact. */
const withOurVersion = (text: string): string =>
  text
    .replace(/\|version:2\.6\.0/, `|version:${OUR_VERSION}`)
    .replace(/\|v:2\.6\.0$/, `|v:${OUR_VERSION}`);

const corpusRows = cases.flatMap((c) =>
  c.expected.ter.map((e) => ({
    label: `${c.id} cs=${e.case_sensitive} norm=${e.normalized} np=${e.no_punct} as=${e.asian_support}`,
    c,
    e,
  })),
);

describe('TER against sacreBLEU 2.6.0 fixtures', () => {
  it('covers every case and every TER setting', () => {
    expect(cases).toHaveLength(30);
    expect(corpusRows).toHaveLength(150);
  });

  it.each(corpusRows)('corpus $label', ({ c, e }) => {
    const ter = new TER({
      caseSensitive: e.case_sensitive,
      normalized: e.normalized,
      noPunct: e.no_punct,
      asianSupport: e.asian_support,
    });
    const score = ter.corpusScore(c.hyps, c.refs);
    expect(Math.abs(score.score - e.score)).toBeLessThan(0.005);
    expect(pyFixed(score.score, 2)).toBe(e.score_str);
    expect(score.details).toEqual({ numEdits: e.num_edits, refLength: e.ref_length });
    expect(score.signature).toBe(withOurVersion(e.signature));
    const nrefs = e.signature.match(/^nrefs:([^|]+)/)![1];
    expect(ter.shortSignature(nrefs === 'var' ? 'var' : Number(nrefs))).toBe(
      withOurVersion(e.signature_short),
    );
    expect(line(score)).toBe(withOurVersion(e.line));
  });

  it.each(cases)('sentence scores $id', (c) => {
    const ter = new TER();
    const scores = c.hyps.map((hyp, i) =>
      ter.sentenceScore(
        hyp,
        c.refs.map((stream) => stream[i]).filter((ref): ref is string => ref !== null),
      ),
    );
    expect(scores).toHaveLength(c.expected.sentence.ter.length);
    scores.forEach((score, i) => {
      expect(Math.abs(score.score - c.expected.sentence.ter[i])).toBeLessThan(0.005);
    });
  });
});

describe('tercom tokenizer', () => {
  const vectors = readJson<{ vectors: { input: string; tercom: Record<string, string> }[] }>(
    'tokenize-vectors.json',
  ).vectors;
  const settings = {
    default: {},
    case_sensitive: { caseSensitive: true },
    normalized: { normalized: true },
    normalized_case_sensitive: { normalized: true, caseSensitive: true },
    no_punct: { noPunct: true },
    normalized_asian_no_punct: { normalized: true, noPunct: true, asianSupport: true },
  };

  it.each(Object.entries(settings))('matches every vector with %s', (key, options) => {
    const mismatches = vectors.filter(
      (v) => tercomTokenize(v.input, options).join(' ') !== v.tercom[key],
    );
    expect(vectors.length).toBeGreaterThan(250);
    expect(mismatches.map((v) => v.input)).toEqual([]);
  });

  it("tokenizes references twice, as sacreBLEU does (normalized `let's,`)", () => {
    expect(tercomTokenize("let's,", { normalized: true })).toEqual(["let's", ',']);
    expect(tercomTokenizeReference("let's,", { normalized: true })).toEqual(['let', "'s", ',']);
    const score = new TER({ normalized: true }).sentenceScore("let 's ,", ["let's,"]);
    expect(score.details).toEqual({ numEdits: 0, refLength: 3 });
  });

  it('uses Python whitespace: U+FEFF stays in a word, U+001F and U+0085 split', () => {
    expect(tercomTokenize('\ufeffa\u001fb\u0085c\u200bd')).toEqual(['\ufeffa', 'b', 'c\u200bd']);
  });
});

describe('TER statistics and edge cases', () => {
  it('counts one edit per hypothesis word against an empty reference', () => {
    const score = new TER().sentenceScore('a b c', ['']);
    expect(score.details).toEqual({ numEdits: 3, refLength: 0 });
    expect(score.score).toBe(100);
    expect(new TER().sentenceScore('', ['']).score).toBe(0);
  });

  it('takes the fewest edits but the average reference length', () => {
    const stats = new TER().segmentStatistics(['a b c d'], [['a b c d'], ['x y']]);
    expect(stats).toEqual([[0, 3]]);
  });

  it('counts a block shift as one edit', () => {
    const aligner = new TerAligner();
    // "c d a b" → "a b c d": one shift of "c d" instead of four substitutions.
    expect(aligner.editCount([2, 3, 0, 1], [0, 1, 2, 3])).toBe(1);
    expect(aligner.editCount([], [0, 1])).toBe(2);
    expect(aligner.editCount([0, 1], [])).toBe(2);
  });

  it('drops null references and reports nrefs:var when counts differ', () => {
    const ter = new TER();
    const score = ter.corpusScore(
      ['a', 'b'],
      [
        ['a', 'b'],
        [null, 'c'],
      ],
    );
    expect(score.signature.startsWith('nrefs:var|case:lc|tok:tercom|')).toBe(true);
    expect(score.details).toEqual({ numEdits: 0, refLength: 2 });
    expect(() => ter.corpusScore(['a'], [[null]])).toThrow(/no reference/);
    expect(() => ter.corpusScore(['a', 'b'], [['a']])).toThrow(/different lengths/);
  });

  it('formats the signature and line as sacreBLEU does', () => {
    const ter = new TER({ caseSensitive: true, noPunct: true });
    expect(ter.signature(2)).toBe(
      `nrefs:2|case:mixed|tok:tercom|norm:no|punct:no|asian:no|version:${OUR_VERSION}`,
    );
    const score = ter.scoreFromStatistics([1, 800], 1);
    expect(score.score).toBe(0.125);
    expect(line(score, 2, false)).toBe('TER = 0.12');
    expect(line(score, 1)).toBe(`TER|${ter.signature(1)} = 0.1`);
  });
});

describe('TER properties', () => {
  const word = fc.constantFrom(
    'the',
    'cat',
    'sat',
    'on',
    'a',
    'mat',
    'Dog',
    '.',
    ',',
    "it's",
    '3-4',
  );
  const sentence = fc.array(word, { maxLength: 14 }).map((words) => words.join(' '));
  const corpus = fc.array(fc.tuple(sentence, sentence), { minLength: 1, maxLength: 12 });
  const options = fc.record({
    caseSensitive: fc.boolean(),
    normalized: fc.boolean(),
    noPunct: fc.boolean(),
    asianSupport: fc.boolean(),
  });

  it('gives 0 for a hypothesis identical to its reference', () => {
    fc.assert(
      fc.property(sentence, options, (text, opts) => {
        const score = new TER(opts).sentenceScore(text, [text]);
        expect(score.score).toBe(0);
        expect(score.details.numEdits).toBe(0);
      }),
    );
  });

  it('scores the corpus from the sum of segment statistics', () => {
    fc.assert(
      fc.property(corpus, options, (pairs, opts) => {
        const ter = new TER(opts);
        const hyps = pairs.map((p) => p[0]);
        const refs = [pairs.map((p) => p[1])];
        const rows = ter.segmentStatistics(hyps, refs);
        expect(rows).toHaveLength(pairs.length);
        rows.forEach((row, i) => {
          expect(row).toEqual(ter.segmentStatistics([hyps[i]], [[refs[0][i]]])[0]);
        });
        const corpusScore = ter.corpusScore(hyps, refs);
        expect(corpusScore).toEqual(ter.scoreFromStatistics(sumStatistics(rows)));
        expect(corpusScore.details.numEdits).toBe(rows.reduce((sum, row) => sum + row[0], 0));
      }),
    );
  });

  it('does not depend on segment order', () => {
    fc.assert(
      fc.property(
        corpus.chain((pairs) =>
          fc.tuple(fc.constant(pairs), fc.shuffledSubarray(pairs, { minLength: pairs.length })),
        ),
        ([pairs, shuffled]) => {
          const ter = new TER();
          const score = (list: [string, string][]) =>
            ter.corpusScore(
              list.map((p) => p[0]),
              [list.map((p) => p[1])],
            );
          const a = score(pairs);
          const b = score(shuffled);
          expect(b.details).toEqual(a.details);
          expect(b.score).toBe(a.score);
        },
      ),
    );
  });
});
