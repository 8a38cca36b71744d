/**
 * rouge-score 0.1.2's `BootstrapAggregator` (`scoring.py`), bit-exact given the same seed: the
 * result equals rouge-score's after `np.random.seed(seed)` with numpy's legacy global RNG.
 *
 * Recipe (checked against numpy 1.24): MT19937 seeded with `init_genrand(seed)`; per type in
 * order, per sample, per index, `np.random.choice(N, N)` draws `next_uint32() & mask` until the
 * value is ≤ N−1 (`mask` = smallest 2^k−1 ≥ N−1; no draw when N = 1); column means are sums in
 * draw order divided by N; percentiles use numpy's default linear method and its `_lerp`.
 * Hugging Face `evaluate` never seeds numpy, so its figures jitter between runs; ours do not.
 */

import type { RougeScore, RougeType } from './rouge-types';

/** The 32-bit Mersenne Twister, as numpy's legacy `RandomState` runs it. */
export class Mt19937 {
  private readonly state = new Uint32Array(624);
  private index = 624;

  /** Seeds like `init_genrand(seed)`, which is `np.random.seed(seed)` for 0 ≤ seed < 2^32. */
  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`seed must be an integer from 0 to 2^32-1, got ${seed}`);
    }
    const mt = this.state;
    mt[0] = seed >>> 0;
    for (let i = 1; i < 624; i++) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
  }

  /** Next raw 32-bit output (`genrand_int32`). */
  nextUint32(): number {
    const mt = this.state;
    if (this.index >= 624) {
      for (let k = 0; k < 624; k++) {
        const y = (mt[k] & 0x80000000) | (mt[(k + 1) % 624] & 0x7fffffff);
        mt[k] = mt[(k + 397) % 624] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.index = 0;
    }
    let y = mt[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** An index in [0, n) the way legacy `randint(0, n)` draws it (masked rejection sampling). */
  nextIndex(n: number): number {
    const max = n - 1;
    if (max === 0) return 0;
    let mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    let v: number;
    do v = (this.nextUint32() & mask) >>> 0;
    while (v > max);
    return v;
  }
}

/**
 * numpy's default (`linear`) percentile of ascending `sorted` values, `q` in percent, including
 * numpy's `_lerp` rounding (`a + (b-a)*t` below t = 0.5, `b - (b-a)*(1-t)` from it).
 */
export function numpyPercentile(sorted: ArrayLike<number>, q: number): number {
  const count = sorted.length;
  const position = (count - 1) * (q / 100);
  const lowerIndex = Math.min(Math.max(Math.floor(position), 0), count - 1);
  const upperIndex = Math.min(lowerIndex + 1, count - 1);
  const t = position - Math.floor(position);
  const a = sorted[lowerIndex];
  const b = sorted[upperIndex];
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/** A bootstrap interval for one type: each bound is a (P, R, F) triple. */
export interface RougeInterval {
  low: RougeScore;
  mid: RougeScore;
  high: RougeScore;
}

export interface BootstrapOptions<T extends RougeType = RougeType> {
  /** Resamples; rouge-score's default is 1000. */
  nSamples?: number;
  /** Two-sided confidence level; rouge-score's default is 0.95. */
  confidence?: number;
  /** `np.random.seed` value, 0 ≤ seed < 2^32. Default 0. */
  seed?: number;
  /** Types in the order rouge-score adds them (the RNG draws type by type). Default: keys of the first segment. */
  types?: readonly T[];
}

const MEASURES = ['precision', 'recall', 'fmeasure'] as const;

/**
 * rouge-score `BootstrapAggregator.aggregate()` over per-segment scores.
 * `mid` is the median of the bootstrap means, not the plain mean (they differ by up to ~1e-2 on
 * small sets); with one segment low = mid = high = that segment.
 * @throws RangeError on an empty input or bad options.
 */
export function bootstrapAggregate<T extends RougeType>(
  perSegment: readonly Readonly<Record<T, RougeScore>>[],
  options: BootstrapOptions<T> = {},
): Record<T, RougeInterval> {
  const nSamples = options.nSamples ?? 1000;
  const confidence = options.confidence ?? 0.95;
  const seed = options.seed ?? 0;
  if (perSegment.length === 0)
    throw new RangeError('bootstrap aggregation needs at least one segment');
  if (!Number.isInteger(nSamples) || nSamples < 1) {
    throw new RangeError(`nSamples must be a positive integer, got ${nSamples}`);
  }
  if (!(confidence > 0 && confidence < 1)) {
    throw new RangeError(`confidence must be between 0 and 1, got ${confidence}`);
  }
  const types = options.types ?? (Object.keys(perSegment[0]) as T[]);
  const rng = new Mt19937(seed);
  const n = perSegment.length;
  // Same float steps as rouge-score + np.percentile: q = 100*[d, 0.5, 1-d], then q/100 inside.
  const delta = (1 - confidence) / 2;
  const percents = [100 * delta, 100 * 0.5, 100 * (1 - delta)];
  const result = {} as Record<T, RougeInterval>;
  const columns = MEASURES.map(() => new Float64Array(n));
  const means = MEASURES.map(() => new Float64Array(nSamples));
  for (const type of types) {
    for (let i = 0; i < n; i++) {
      const score = perSegment[i][type];
      if (score === undefined) throw new RangeError(`segment ${i} has no "${type}" score`);
      columns[0][i] = score.precision;
      columns[1][i] = score.recall;
      columns[2][i] = score.fmeasure;
    }
    const [pCol, rCol, fCol] = columns;
    for (let s = 0; s < nSamples; s++) {
      let p = 0;
      let r = 0;
      let f = 0;
      for (let k = 0; k < n; k++) {
        const row = rng.nextIndex(n);
        p += pCol[row];
        r += rCol[row];
        f += fCol[row];
      }
      means[0][s] = p / n;
      means[1][s] = r / n;
      means[2][s] = f / n;
    }
    const bounds = percents.map(() => ({ precision: 0, recall: 0, fmeasure: 0 }));
    MEASURES.forEach((measure, m) => {
      const sorted = means[m].slice().sort();
      percents.forEach((q, b) => (bounds[b][measure] = numpyPercentile(sorted, q)));
    });
    result[type] = { low: bounds[0], mid: bounds[1], high: bounds[2] };
  }
  return result;
}
