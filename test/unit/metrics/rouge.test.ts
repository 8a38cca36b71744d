// ROUGE against rouge-score 0.1.2 test vectors (test/fixtures/metrics/rouge, copied from the
// shared reference shelf), a naive re-implementation for random inputs, and aggregation checks.
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sumStatistics } from '../../../shared/metrics/base';
import {
  DEFAULT_ROUGE_TYPES,
  RougeMetric,
  bootstrapAggregate,
  isRougeType,
  meanRougeScores,
  scoreRougeCorpus,
  scoreRougePair,
  splitRougeSentences,
  tokenizeRouge,
} from '../../../shared/metrics/rouge';
import type { RougeScore, RougeType } from '../../../shared/metrics/rouge';
import { Mt19937, numpyPercentile } from '../../../shared/metrics/rouge-bootstrap';

const FIXTURES = new URL('../../fixtures/metrics/rouge/', import.meta.url);
const MEASURES = ['precision', 'recall', 'fmeasure'] as const;
const TYPES = DEFAULT_ROUGE_TYPES;

interface Block {
  per_example?: (Record<string, RougeScore> & {
    best_ref?: Record<string, number>;
    tokens?: { prediction: string[]; references: string[] | string[][] };
  })[];
  mean: Record<string, RougeScore>;
  bootstrap: Record<string, { low: RougeScore; mid: RougeScore; high: RougeScore }> & {
    seed: number;
    n_samples: number;
    confidence_interval: number;
  };
  hf_evaluate: Record<string, number>;
  hf_evaluate_no_aggregator: Record<string, number[]>;
  n_examples: number;
}

interface Case {
  name: string;
  predictions: string[];
  references: string[] | string[][];
  expected: { stem_false: Block; stem_true: Block };
}

const caseFiles = readdirSync(FIXTURES)
  .filter((f) => /^\d\d_.*\.json$/.test(f))
  .sort();
const cases = new Map<string, Case>(
  caseFiles.map((f) => [f, JSON.parse(readFileSync(new URL(f, FIXTURES), 'utf8')) as Case]),
);

function expectScore(got: RougeScore, want: RougeScore, tolerance = 1e-9): void {
  for (const m of MEASURES) expect(Math.abs(got[m] - want[m])).toBeLessThanOrEqual(tolerance);
}

describe('rouge-score 0.1.2 fixtures', () => {
  it('ships all 26 case files', () => {
    expect(caseFiles).toHaveLength(26);
  });

  for (const file of caseFiles) {
    for (const stem of [false, true]) {
      it(`${file}, use_stemmer=${stem}`, () => {
        const c = cases.get(file) as Case;
        const block = c.expected[stem ? 'stem_true' : 'stem_false'];
        const got = scoreRougeCorpus(c.predictions, c.references, {
          types: TYPES,
          useStemmer: stem,
        });
        expect(got.perExample).toHaveLength(block.n_examples);
        for (const type of TYPES) {
          expectScore(got.mean[type], block.mean[type]);
          block.hf_evaluate_no_aggregator[type].forEach((f, i) => {
            expect(Math.abs(got.perExample[i][type].fmeasure - f)).toBeLessThanOrEqual(1e-9);
          });
        }
        block.per_example?.forEach((want, i) => {
          for (const type of TYPES) expectScore(got.perExample[i][type], want[type]);
          if (want.tokens) {
            expect(tokenizeRouge(c.predictions[i], { useStemmer: stem })).toEqual(
              want.tokens.prediction,
            );
            const refs = c.references[i];
            const wantRefs = want.tokens.references;
            if (typeof refs === 'string') {
              expect(tokenizeRouge(refs, { useStemmer: stem })).toEqual(wantRefs);
            } else {
              refs.forEach((r, k) =>
                expect(tokenizeRouge(r, { useStemmer: stem })).toEqual(wantRefs[k]),
              );
            }
          }
          if (want.best_ref) {
            // The chosen reference, scored alone, gives the reported P/R/F for that type.
            const refs = c.references[i] as string[];
            for (const type of TYPES) {
              const alone = scoreRougePair(c.predictions[i], [refs[want.best_ref[type]]], {
                types: [type],
                useStemmer: stem,
              });
              expectScore(alone[type], want[type], 0);
            }
          }
        });
        const boot = bootstrapAggregate(got.perExample, {
          seed: block.bootstrap.seed,
          nSamples: block.bootstrap.n_samples,
          confidence: block.bootstrap.confidence_interval,
          types: TYPES,
        });
        for (const type of TYPES) {
          for (const bound of ['low', 'mid', 'high'] as const) {
            expectScore(boot[type][bound], block.bootstrap[type][bound]);
          }
          expect(Math.abs(boot[type].mid.fmeasure - block.hf_evaluate[type])).toBeLessThanOrEqual(
            1e-9,
          );
        }
      });
    }
  }
});

describe('Porter stemmer inside the tokenizer', () => {
  it('emits rouge_token for every row of porter_stems.tsv', () => {
    const rows = readFileSync(new URL('porter_stems.tsv', FIXTURES), 'utf8')
      .split('\n')
      .slice(1)
      .filter(Boolean);
    expect(rows).toHaveLength(6476);
    const wrong = rows.filter((row) => {
      const [word, , token] = row.split('\t');
      return tokenizeRouge(word, { useStemmer: true }).join(' ') !== token;
    });
    expect(wrong).toEqual([]);
  });
});

describe('tokenizer', () => {
  const tok = (text: string, useStemmer = false): string[] => tokenizeRouge(text, { useStemmer });

  it('keeps ASCII [a-z0-9] runs only, after full lowercasing', () => {
    expect(tok('café')).toEqual(['caf']);
    expect(tok("don't")).toEqual(['don', 't']);
    expect(tok('3.14')).toEqual(['3', '14']);
    expect(tok('x86_64')).toEqual(['x86', '64']);
    expect(tok('Straße')).toEqual(['stra', 'e']);
    expect(tok('\ufb01le')).toEqual(['le']);
    expect(tok('\u0130stanbul')).toEqual(['i', 'stanbul']);
    expect(tok('\u212a')).toEqual(['k']);
    expect(tok('cafe\u0301')).toEqual(['cafe']);
    expect(tok('東京 🎉')).toEqual([]);
  });

  it('stems only tokens longer than 3 characters', () => {
    expect(tok('was this hopefully', true)).toEqual(['was', 'thi', 'hope']);
    expect(tok('was this hopefully', false)).toEqual(['was', 'this', 'hopefully']);
  });

  it('splits rougeLsum sentences on \\n only', () => {
    expect(splitRougeSentences('a\r\nb\rc\u2028d\x0be\n\nf\n')).toEqual([
      'a\r',
      'b\rc\u2028d\x0be',
      'f',
    ]);
  });
});

describe('scoreRougePair', () => {
  it('measures precision over the prediction and recall over the reference', () => {
    const s = scoreRougePair('a b', ['a b c d'], { types: ['rouge1'], useStemmer: false });
    expect(s.rouge1).toEqual({ precision: 1, recall: 0.5, fmeasure: 2 / 3 });
  });

  it('gives 0, never NaN or 1, for empty sides', () => {
    for (const [p, r] of [
      ['', ''],
      ['', 'x'],
      ['x', '...'],
    ]) {
      const s = scoreRougePair(p, [r], { types: TYPES, useStemmer: true });
      for (const type of TYPES) expect(s[type]).toEqual({ precision: 0, recall: 0, fmeasure: 0 });
    }
    const one = scoreRougePair('x', ['x'], { types: TYPES, useStemmer: false });
    expect([one.rouge1.fmeasure, one.rouge2.fmeasure, one.rougeL.fmeasure]).toEqual([1, 0, 1]);
  });

  it('counts tokens named like Object.prototype members', () => {
    const s = scoreRougePair('constructor tostring', ['constructor'], {
      types: ['rouge1'],
      useStemmer: false,
    });
    expect(s.rouge1.recall).toBe(1);
  });

  it('picks the best reference per type, first on ties', () => {
    const s = scoreRougePair('a b c', ['x y z', 'a b c', 'a b c'], {
      types: ['rouge1'],
      useStemmer: false,
    });
    expect(s.rouge1.fmeasure).toBe(1);
  });

  it('rejects an empty reference list and unknown types', () => {
    expect(() => scoreRougePair('a', [], { types: ['rouge1'], useStemmer: false })).toThrow(
      RangeError,
    );
    expect(() =>
      scoreRougePair('a', ['a'], { types: ['rouge10' as RougeType], useStemmer: false }),
    ).toThrow(/unknown ROUGE type/);
    expect(isRougeType('rouge0')).toBe(false);
    expect(isRougeType('rouge9')).toBe(true);
  });
});

// A direct transcription of rouge-score's algorithms on string arrays (Map counters, full DP
// tables), to check the typed-array / bit-parallel implementation on random inputs.
function naiveNgrams(tokens: string[], n: number): Map<string, number> {
  const grams = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const key = tokens.slice(i, i + n).join(' ');
    grams.set(key, (grams.get(key) ?? 0) + 1);
  }
  return grams;
}

function naiveTable(a: string[], b: string[]): number[][] {
  const t = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      t[i][j] = a[i - 1] === b[j - 1] ? t[i - 1][j - 1] + 1 : Math.max(t[i - 1][j], t[i][j - 1]);
    }
  }
  return t;
}

function naiveScore(p: number, r: number): RougeScore {
  return { precision: p, recall: r, fmeasure: p + r > 0 ? (2 * p * r) / (p + r) : 0 };
}

function naiveRouge(prediction: string, reference: string, type: RougeType): RougeScore {
  const tok = (s: string): string[] => tokenizeRouge(s, { useStemmer: false });
  const pred = tok(prediction);
  const ref = tok(reference);
  if (type === 'rougeL') {
    if (!pred.length || !ref.length) return naiveScore(0, 0);
    const lcs = naiveTable(ref, pred)[ref.length][pred.length];
    return naiveScore(lcs / pred.length, lcs / ref.length);
  }
  if (type === 'rougeLsum') {
    const refSents = splitRougeSentences(reference).map(tok);
    const predSents = splitRougeSentences(prediction).map(tok);
    const m = refSents.flat().length;
    const n = predSents.flat().length;
    if (!m || !n) return naiveScore(0, 0);
    const budget = new Map<string, number>();
    for (const t of predSents.flat()) budget.set(t, (budget.get(t) ?? 0) + 1);
    let hits = 0;
    for (const r of refSents) {
      const union = new Set<number>();
      for (const c of predSents) {
        const t = naiveTable(r, c);
        let i = r.length;
        let j = c.length;
        while (i > 0 && j > 0) {
          if (r[i - 1] === c[j - 1]) {
            union.add(i - 1);
            i--;
            j--;
          } else if (t[i][j - 1] > t[i - 1][j]) j--;
          else i--;
        }
      }
      for (const pos of [...union].sort((a, b) => a - b)) {
        if ((budget.get(r[pos]) ?? 0) > 0) {
          budget.set(r[pos], (budget.get(r[pos]) ?? 0) - 1);
          hits++;
        }
      }
    }
    return naiveScore(hits / n, hits / m);
  }
  const n = Number(type.slice(5));
  const pg = naiveNgrams(pred, n);
  const rg = naiveNgrams(ref, n);
  let overlap = 0;
  for (const [g, c] of rg) overlap += Math.min(c, pg.get(g) ?? 0);
  const count = (g: Map<string, number>): number => [...g.values()].reduce((a, b) => a + b, 0);
  return naiveScore(overlap / Math.max(count(pg), 1), overlap / Math.max(count(rg), 1));
}

// Few distinct words, so there are many repeats and LCS ties; long lines exercise multi-word
// bit vectors (> 32 tokens).
const word = fc.constantFrom('a', 'b', 'c', 'd', 'the', 'cat');
const separator = fc.constantFrom(' ', ' ', ' ', ', ', '\n', '.\n', '\r\n');
const text = fc
  .array(fc.tuple(word, separator), { maxLength: 90 })
  .map((parts) => parts.map(([w, s]) => w + s).join(''));

// Mostly spaces: lines of 33+ tokens need more than one 32-bit word per DP row.
const longLines = fc
  .array(fc.tuple(word, fc.constantFrom(' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', '\n')), {
    minLength: 30,
    maxLength: 150,
  })
  .map((parts) => parts.map(([w, s]) => w + s).join(''));

describe('properties', () => {
  const allTypes: RougeType[] = ['rouge1', 'rouge2', 'rouge3', 'rougeL', 'rougeLsum'];

  it('matches a naive transcription of rouge-score on random texts', () => {
    fc.assert(
      fc.property(text, text, (prediction, reference) => {
        const got = scoreRougePair(prediction, [reference], { types: allTypes, useStemmer: false });
        for (const type of allTypes) {
          expect(got[type]).toEqual(naiveRouge(prediction, reference, type));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('matches the naive transcription on long lines too', () => {
    fc.assert(
      fc.property(longLines, longLines, (prediction, reference) => {
        const got = scoreRougePair(prediction, [reference], {
          types: ['rougeL', 'rougeLsum'],
          useStemmer: false,
        });
        expect(got.rougeL).toEqual(naiveRouge(prediction, reference, 'rougeL'));
        expect(got.rougeLsum).toEqual(naiveRouge(prediction, reference, 'rougeLsum'));
      }),
      { numRuns: 150 },
    );
  });

  it('scores F = 1 for every type when the prediction equals the reference', () => {
    const longText = fc
      .array(fc.tuple(fc.stringMatching(/^[A-Za-z0-9]{1,8}$/), separator), {
        minLength: 3,
        maxLength: 60,
      })
      .map((parts) => parts.map(([w, s]) => w + s).join(''));
    fc.assert(
      fc.property(longText, fc.boolean(), (t, useStemmer) => {
        const s = scoreRougePair(t, [t], { types: TYPES, useStemmer });
        for (const type of TYPES) expect(s[type].fmeasure).toBe(1);
      }),
    );
  });

  it('gives the same mean whatever the order of the examples', () => {
    const shuffledCorpus = fc
      .array(fc.tuple(text, text), { minLength: 1, maxLength: 12 })
      .chain((pairs) =>
        fc.tuple(
          fc.constant(pairs),
          fc.shuffledSubarray(
            pairs.map((_, i) => i),
            { minLength: pairs.length, maxLength: pairs.length },
          ),
        ),
      );
    fc.assert(
      fc.property(shuffledCorpus, ([pairs, order]) => {
        const run = (idx: number[]): Record<RougeType, RougeScore> =>
          scoreRougeCorpus(
            idx.map((i) => pairs[i][0]),
            idx.map((i) => pairs[i][1]),
            { types: TYPES, useStemmer: true },
          ).mean;
        const a = run(pairs.map((_, i) => i));
        const b = run(order);
        for (const type of TYPES) {
          for (const m of MEASURES) expect(b[type][m]).toBeCloseTo(a[type][m], 12);
        }
      }),
      { numRuns: 50 },
    );
  });
});

describe('RougeMetric (CorpusMetric)', () => {
  const c = cases.get('02_multi_sentence.json') as Case;
  const refs = c.references as string[];
  const metric = new RougeMetric({ types: [...TYPES], useStemmer: true });

  it('reports 100 × mean F of the first type, per-type means and a signature', () => {
    const score = metric.corpusScore(c.predictions, [refs]);
    const mean = c.expected.stem_true.mean;
    expect(score.name).toBe('ROUGE-1');
    expect(score.score).toBeCloseTo(100 * mean.rouge1.fmeasure, 10);
    const types = score.details.types as Record<RougeType, RougeScore>;
    for (const type of TYPES) expectScore(types[type], mean[type]);
    expect(score.signature).toBe(
      'nrefs:1|types:rouge1+rouge2+rougeL+rougeLsum|stem:yes|tok:rouge-score|agg:mean|version:ecoeval-1.0.0+rouge-score-0.1.2',
    );
    expect(new RougeMetric({ types: ['rougeL'], useStemmer: false }).signature('var')).toBe(
      'nrefs:var|types:rougeL|stem:no|tok:rouge-score|agg:mean|version:ecoeval-1.0.0+rouge-score-0.1.2',
    );
  });

  it('has summable statistics: any subset sum gives that subset mean', () => {
    const rows = metric.segmentStatistics(c.predictions, [refs]);
    expect(rows[0]).toHaveLength(TYPES.length * 3 + 1);
    const subset = [0, 3, 3, 7];
    const fromStats = metric.scoreFromStatistics(sumStatistics(rows, subset));
    const perExample = scoreRougeCorpus(c.predictions, refs, {
      types: TYPES,
      useStemmer: true,
    }).perExample;
    const direct = meanRougeScores(
      subset.map((i) => perExample[i]),
      TYPES,
    );
    const types = fromStats.details.types as Record<RougeType, RougeScore>;
    for (const type of TYPES) expectScore(types[type], direct[type], 1e-12);
  });

  it('uses every non-null reference stream and rejects a segment without one', () => {
    const multi = cases.get('12_multi_ref.json') as Case;
    const lists = multi.references as string[][];
    const streams = [0, 1].map((k) => lists.map((l) => l[k] ?? null));
    const viaMetric = metric.segmentScores(multi.predictions, streams);
    const direct = multi.predictions.map((p, i) =>
      scoreRougePair(p, lists[i].slice(0, 2), { types: TYPES, useStemmer: true }),
    );
    expect(viaMetric).toEqual(direct);
    expect(() => metric.corpusScore(['a'], [[null]])).toThrow(/no reference/);
  });

  it('scores one sentence against several references', () => {
    const s = metric.sentenceScore('the cat sat', ['a dog', 'the cat sat']);
    expect(s.score).toBe(100);
    expect(s.signature.startsWith('nrefs:2|')).toBe(true);
  });
});

describe('bootstrapAggregate', () => {
  const perExample = scoreRougeCorpus(
    (cases.get('20_batch_200.json') as Case).predictions,
    (cases.get('20_batch_200.json') as Case).references,
    { types: TYPES, useStemmer: false },
  ).perExample;

  it('orders low ≤ mid ≤ high and keeps mid near, but not equal to, the mean', () => {
    const boot = bootstrapAggregate(perExample, { seed: 7 });
    const mean = meanRougeScores(perExample, TYPES);
    for (const type of TYPES) {
      for (const m of MEASURES) {
        expect(boot[type].low[m]).toBeLessThanOrEqual(boot[type].mid[m]);
        expect(boot[type].mid[m]).toBeLessThanOrEqual(boot[type].high[m]);
        expect(Math.abs(boot[type].mid[m] - mean[type][m])).toBeLessThan(1e-2);
      }
    }
  });

  it('collapses to the example with one example, and to the value with constant scores', () => {
    const one = bootstrapAggregate(perExample.slice(0, 1), { seed: 3 });
    for (const type of TYPES) {
      for (const bound of ['low', 'mid', 'high'] as const) {
        expect(one[type][bound]).toEqual(perExample[0][type]);
      }
    }
    const same = bootstrapAggregate(new Array(5).fill(perExample[0]), { seed: 3 });
    expect(same.rouge1.mid).toEqual(perExample[0].rouge1);
  });

  it('is reproducible for a seed and moves with another seed', () => {
    const a = bootstrapAggregate(perExample, { seed: 1 });
    expect(bootstrapAggregate(perExample, { seed: 1 })).toEqual(a);
    expect(bootstrapAggregate(perExample, { seed: 2 }).rouge1.mid).not.toEqual(a.rouge1.mid);
  });

  it('rejects empty input and bad options', () => {
    expect(() => bootstrapAggregate([])).toThrow(RangeError);
    expect(() => bootstrapAggregate(perExample, { confidence: 1 })).toThrow(RangeError);
    expect(() => bootstrapAggregate(perExample, { nSamples: 0 })).toThrow(RangeError);
    expect(() => bootstrapAggregate(perExample, { seed: -1 })).toThrow(RangeError);
  });

  it('uses MT19937 init_genrand and numpy linear percentiles', () => {
    // Reference outputs of the MT19937 reference code (mt19937ar.c) for seeds 5489 and 0.
    expect(new Mt19937(5489).nextUint32()).toBe(3499211612);
    expect(new Mt19937(0).nextUint32()).toBe(2357136044);
    expect(numpyPercentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(numpyPercentile([0, 10], 25)).toBe(2.5);
    expect(numpyPercentile([0, 10], 100)).toBe(10);
  });
});
