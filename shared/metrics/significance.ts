/**
 * Statistical tests of sacreBLEU 2.6.0 (`significance.py`), generic over any `CorpusMetric`:
 * single-system bootstrap confidence intervals (`-ci`), paired bootstrap resampling
 * (`--paired-bs`, Koehn 2004) and paired approximate randomization (`--paired-ar`, Riezler &
 * Maxwell 2005), plus sacreBLEU's text table and a structured result for the UI.
 *
 * Resampling indices come from a bit-exact port of NumPy's `default_rng(seed)` (SeedSequence →
 * PCG64 → Lemire bounded integers / buffered booleans), so with the same seed the resamples,
 * and therefore means, intervals and p-values, are the ones sacreBLEU draws. sacreBLEU casts
 * statistics to float32 before bootstrap sums; we round each statistic to float32 too but sum in
 * float64 (NumPy sums pairwise in float32), which only matters for non-integer statistics (TER's
 * averaged reference lengths) and far below display precision.
 */
import type { CorpusMetric, ReferenceStream } from './base';
import { pyFixed, pyJsonDumps } from './format';
import type { PyJson } from './format';

// ---------------------------------------------------------------------------------------------
// NumPy SeedSequence (numpy/random/bit_generator.pyx), 32-bit hashing constants from there.
const INIT_A = 0x43b0d7e5;
const MULT_A = 0x931e8875;
const INIT_B = 0x8b51f9dd;
const MULT_B = 0x58f38ded;
const MIX_MULT_L = 0xca01f9dd;
const MIX_MULT_R = 0x4973f715;
const XSHIFT = 16;
const POOL_SIZE = 4;

/** NumPy `SeedSequence(seed).generate_state(nWords, uint32)` for a non-negative integer seed. */
export function seedSequenceState(seed: number | bigint, nWords: number): Uint32Array {
  // _coerce_to_uint32_array: little-endian 32-bit words of the integer (at least one).
  const entropy: number[] = [];
  let big = BigInt(seed);
  if (big < 0n) throw new Error('seed must be non-negative');
  do {
    entropy.push(Number(big & 0xffffffffn));
    big >>= 32n;
  } while (big > 0n);
  let hashConst = INIT_A;
  const hashmix = (value: number): number => {
    value = (value ^ hashConst) >>> 0;
    hashConst = Math.imul(hashConst, MULT_A) >>> 0;
    value = Math.imul(value, hashConst) >>> 0;
    return (value ^ (value >>> XSHIFT)) >>> 0;
  };
  const mix = (x: number, y: number): number => {
    const result = (Math.imul(MIX_MULT_L, x) - Math.imul(MIX_MULT_R, y)) >>> 0;
    return (result ^ (result >>> XSHIFT)) >>> 0;
  };
  const pool = new Array<number>(POOL_SIZE);
  for (let i = 0; i < POOL_SIZE; i++) pool[i] = hashmix(i < entropy.length ? entropy[i] : 0);
  for (let src = 0; src < POOL_SIZE; src++) {
    for (let dst = 0; dst < POOL_SIZE; dst++) {
      if (src !== dst) pool[dst] = mix(pool[dst], hashmix(pool[src]));
    }
  }
  for (let src = POOL_SIZE; src < entropy.length; src++) {
    for (let dst = 0; dst < POOL_SIZE; dst++) pool[dst] = mix(pool[dst], hashmix(entropy[src]));
  }
  const state = new Uint32Array(nWords);
  let hb = INIT_B;
  for (let i = 0; i < nWords; i++) {
    let v = (pool[i % POOL_SIZE] ^ hb) >>> 0;
    hb = Math.imul(hb, MULT_B) >>> 0;
    v = Math.imul(v, hb) >>> 0;
    state[i] = (v ^ (v >>> XSHIFT)) >>> 0;
  }
  return state;
}

// PCG64 multiplier (numpy pcg64.h PCG_DEFAULT_MULTIPLIER_128), as eight 16-bit limbs, low first.
const PCG_MULT = [0xf645, 0x9fcc, 0xdf64, 0x4385, 0x5da4, 0x1fc6, 0xed05, 0x2360];

/**
 * NumPy's `Generator(PCG64(SeedSequence(seed)))`, enough of it for sacreBLEU: `integers` in
 * `[0, n)` (int64 path: Lemire on 32-bit draws when n ≤ 2^32) and booleans (buffered bits).
 * 128-bit arithmetic uses 16-bit limbs in plain numbers, which is far faster than BigInt.
 */
export class NumpyRandom {
  private readonly state = new Array<number>(8).fill(0);
  private readonly inc = new Array<number>(8).fill(0);
  private hasUint32 = false;
  private uinteger = 0;
  private boolBuf = 0;
  private boolCount = 0;

  constructor(seed: number | bigint) {
    const w = seedSequenceState(seed, 8);
    // generate_state(4, uint64) views the words as little-endian uint64s: s = v0<<64 | v1.
    const v = (k: number): [number, number] => [w[2 * k], w[2 * k + 1]];
    const initstate = this.limbs128(v(0), v(1));
    const initseq = this.limbs128(v(2), v(3));
    // pcg_setseq_128_srandom_r: inc = initseq << 1 | 1; step; state += initstate; step.
    let carry = 0;
    for (let i = 0; i < 8; i++) {
      const x = initseq[i] * 2 + carry;
      this.inc[i] = x & 0xffff;
      carry = x >>> 16;
    }
    this.inc[0] |= 1;
    this.step();
    carry = 0;
    for (let i = 0; i < 8; i++) {
      const x = this.state[i] + initstate[i] + carry;
      this.state[i] = x & 0xffff;
      carry = x >>> 16;
    }
    this.step();
  }

  /** 128-bit value (hi uint64, lo uint64), each as [low32, high32], to 16-bit limbs. */
  private limbs128(hi: [number, number], lo: [number, number]): number[] {
    const words = [lo[0], lo[1], hi[0], hi[1]];
    const out: number[] = [];
    for (const word of words) out.push(word & 0xffff, word >>> 16);
    return out;
  }

  /** state = state * MULT + inc (mod 2^128). */
  private step(): void {
    const s = this.state;
    const prod = new Array<number>(8).fill(0);
    for (let i = 0; i < 8; i++) {
      const si = s[i];
      if (si === 0) continue;
      for (let j = 0; i + j < 8; j++) prod[i + j] += si * PCG_MULT[j];
    }
    let carry = 0;
    for (let k = 0; k < 8; k++) {
      const x = prod[k] + this.inc[k] + carry;
      s[k] = x % 65536;
      carry = Math.floor(x / 65536);
    }
  }

  /** Next 64-bit output as [low32, high32] (pcg64 XSL-RR of the stepped state). */
  private next64(): [number, number] {
    this.step();
    const s = this.state;
    const lo = ((s[0] | (s[1] << 16)) ^ (s[4] | (s[5] << 16))) >>> 0;
    const hi = ((s[2] | (s[3] << 16)) ^ (s[6] | (s[7] << 16))) >>> 0;
    const rot = s[7] >>> 10; // state >> 122
    if (rot === 0) return [lo, hi];
    if (rot === 32) return [hi, lo];
    if (rot < 32) {
      return [((lo >>> rot) | (hi << (32 - rot))) >>> 0, ((hi >>> rot) | (lo << (32 - rot))) >>> 0];
    }
    const r = rot - 32;
    return [((hi >>> r) | (lo << (32 - r))) >>> 0, ((lo >>> r) | (hi << (32 - r))) >>> 0];
  }

  /** pcg64 `next_uint32`: the low half of a 64-bit draw, then its high half. */
  nextUint32(): number {
    if (this.hasUint32) {
      this.hasUint32 = false;
      return this.uinteger;
    }
    const [lo, hi] = this.next64();
    this.hasUint32 = true;
    this.uinteger = hi;
    return lo;
  }

  /** One `Generator.integers(0, n)` draw for 1 ≤ n ≤ 2^32 (numpy `buffered_bounded_lemire_uint32`). */
  integer(n: number): number {
    const rng = n - 1;
    if (rng === 0) return 0;
    if (rng === 0xffffffff) return this.nextUint32();
    const excl = n;
    let [hi, lo] = mul32(this.nextUint32(), excl);
    if (lo < excl) {
      const threshold = (0x100000000 - excl) % excl;
      while (lo < threshold) [hi, lo] = mul32(this.nextUint32(), excl);
    }
    return hi;
  }

  /**
   * `Generator.choice(n, size=count, replace=True)` flattened in C order (sacreBLEU's bootstrap
   * index matrix). Requires n ≤ 2^32.
   */
  choice(n: number, count: number): Int32Array {
    const out = new Int32Array(count);
    for (let i = 0; i < count; i++) out[i] = this.integer(n);
    return out;
  }

  /** One `integers(2, dtype=bool)` draw (numpy `buffered_bounded_bool`, low bit first). */
  bool(): boolean {
    if (this.boolCount === 0) {
      this.boolBuf = this.nextUint32();
      this.boolCount = 31;
    } else {
      this.boolBuf >>>= 1;
      this.boolCount--;
    }
    return (this.boolBuf & 1) !== 0;
  }

  /** `integers(2, size=count, dtype=bool)` flattened in C order, as 0/1 bytes. */
  bools(count: number): Uint8Array {
    // Each numpy fill call starts with an empty bit buffer.
    this.boolCount = 0;
    const out = new Uint8Array(count);
    for (let i = 0; i < count; i++) out[i] = this.bool() ? 1 : 0;
    this.boolCount = 0;
    return out;
  }
}

/** Exact 64-bit product of two uint32 values as [high32, low32]. */
function mul32(a: number, b: number): [number, number] {
  const aLo = a & 0xffff;
  const aHi = a >>> 16;
  const t = aLo * b; // < 2^48
  const u = aHi * b + Math.floor(t / 65536); // < 2^49
  const hi = Math.floor(u / 65536);
  const lo = (u % 65536) * 65536 + (t % 65536);
  return [hi, lo];
}

// ---------------------------------------------------------------------------------------------

/** sacreBLEU's default seed (`SACREBLEU_SEED` unset). */
export const DEFAULT_SEED = 12345;
/** sacreBLEU CLI defaults: `--paired-bs-n 1000`, `--paired-ar-n 10000`, `--confidence-n 1000`. */
export const DEFAULT_BOOTSTRAP_SAMPLES = 1000;
export const DEFAULT_AR_TRIALS = 10000;

/** Mean and half-width of the 95% interval (sacreBLEU `estimate_ci`: 1/40 cut on each side). */
export function estimateCi(scores: readonly number[]): { mean: number; ci: number } {
  const sorted = Float64Array.from(scores).sort();
  const n = sorted.length;
  const lowerIdx = Math.floor(n / 40);
  const upperIdx = n - lowerIdx - 1;
  let sum = 0;
  for (const s of scores) sum += s;
  return { mean: sum / n, ci: 0.5 * (sorted[upperIdx] - sorted[lowerIdx]) };
}

/** sacreBLEU `_compute_p_value`: (#samples strictly above the real statistic + 1) / (n + 1). */
export function computePValue(stats: ArrayLike<number>, realDifference: number): number {
  let c = 0;
  for (let i = 0; i < stats.length; i++) if (stats[i] > realDifference) c++;
  return (c + 1) / (stats.length + 1);
}

function toFloat32Rows(rows: readonly (readonly number[])[]): Float64Array[] {
  return rows.map((r) => Float64Array.from(r, (x) => Math.fround(x)));
}

/** Scores of bootstrap resamples: row b sums the statistics at idxs[b*n .. b*n+n). */
function resampleScores(
  metric: CorpusMetric,
  rows: readonly Float64Array[],
  idxs: Int32Array,
  nSamples: number,
): number[] {
  const n = rows.length;
  const width = n > 0 ? rows[0].length : 0;
  const sum = new Array<number>(width);
  const scores = new Array<number>(nSamples);
  for (let b = 0; b < nSamples; b++) {
    sum.fill(0);
    const base = b * n;
    for (let i = 0; i < n; i++) {
      const row = rows[idxs[base + i]];
      for (let j = 0; j < width; j++) sum[j] += row[j];
    }
    scores[b] = metric.scoreFromStatistics(sum).score;
  }
  return scores;
}

/** Result of single-system bootstrap (`-ci`). */
export interface ConfidenceResult {
  score: number;
  mean: number;
  ci: number;
  nSamples: number;
  seed: number;
}

/**
 * sacreBLEU `_bootstrap_resample` + `estimate_ci`: resample segments with replacement
 * `nSamples` times (default 1000, seed 12345) and report the mean and 95% half-width.
 */
export function bootstrapConfidence(
  metric: CorpusMetric,
  statistics: readonly (readonly number[])[],
  options: { nSamples?: number; seed?: number } = {},
): ConfidenceResult {
  const nSamples = options.nSamples ?? DEFAULT_BOOTSTRAP_SAMPLES;
  const seed = options.seed ?? DEFAULT_SEED;
  const n = statistics.length;
  const idxs = new NumpyRandom(seed).choice(n, nSamples * n);
  const scores = resampleScores(metric, toFloat32Rows(statistics), idxs, nSamples);
  const sum = statistics.reduce<number[]>((acc, row) => {
    row.forEach((x, j) => (acc[j] = (acc[j] ?? 0) + x));
    return acc;
  }, []);
  const { mean, ci } = estimateCi(scores);
  return { score: metric.scoreFromStatistics(sum).score, mean, ci, nSamples, seed };
}

/** One system's row in a paired test (sacreBLEU `Result`). */
export interface PairedResult {
  system: string;
  score: number;
  /** p-value against the baseline; absent for the baseline itself. */
  pValue?: number;
  /** Bootstrap mean and 95% half-width (paired bootstrap only). */
  mean?: number;
  ci?: number;
}

/** Structured output of a paired test, for the UI and for JSON. */
export interface PairedTestResult {
  test: 'bs' | 'ar';
  nSamples: number;
  seed: number;
  /** Per metric name (e.g. `BLEU`, `chrF2`): baseline first, then each system. */
  metrics: {
    name: string;
    signatureExtras: { bs?: number; ar?: number; seed: string };
    rows: PairedResult[];
  }[];
}

/** A system to compare: display name and hypotheses aligned with the references. */
export interface NamedSystem {
  name: string;
  hypotheses: readonly string[];
}

/**
 * sacreBLEU's `PairedTest`: the first system is the baseline; every other system is compared
 * with it for every metric, by paired bootstrap (`bs`, default 1000 resamples) or approximate
 * randomization (`ar`, default 10000 trials). Seed 12345 by default, fresh RNG per comparison.
 */
export function pairedTest(
  systems: readonly NamedSystem[],
  references: readonly ReferenceStream[],
  metrics: readonly CorpusMetric[],
  options: { test: 'bs' | 'ar'; nSamples?: number; seed?: number },
): PairedTestResult {
  if (systems.length < 2) throw new Error('paired tests need a baseline and at least one system');
  const test = options.test;
  const nSamples =
    options.nSamples && options.nSamples > 0
      ? options.nSamples
      : test === 'bs'
        ? DEFAULT_BOOTSTRAP_SAMPLES
        : DEFAULT_AR_TRIALS;
  const seed = options.seed ?? DEFAULT_SEED;
  const n = systems[0].hypotheses.length;
  // Every comparison (and the baseline's own interval) draws the same indices from a fresh RNG.
  const bsIdxs = test === 'bs' ? new NumpyRandom(seed).choice(n, nSamples * n) : null;
  const arSel = test === 'ar' ? new NumpyRandom(seed).bools(nSamples * n) : null;

  const out: PairedTestResult = { test, nSamples, seed, metrics: [] };
  for (const metric of metrics) {
    const blStats = metric.segmentStatistics(systems[0].hypotheses, references);
    const blScore = metric.corpusScore(systems[0].hypotheses, references);
    const rows: PairedResult[] = [];
    const blRow: PairedResult = { system: systems[0].name, score: blScore.score };
    const bl32 = toFloat32Rows(blStats);
    const blSamples = bsIdxs ? resampleScores(metric, bl32, bsIdxs, nSamples) : null;
    if (blSamples) Object.assign(blRow, estimateCi(blSamples));
    rows.push(blRow);
    for (const sys of systems.slice(1)) {
      const sysStats = metric.segmentStatistics(sys.hypotheses, references);
      const sysScore = metric.corpusScore(sys.hypotheses, references).score;
      const diff = Math.abs(blScore.score - sysScore);
      if (blSamples && bsIdxs) {
        const sysSamples = resampleScores(metric, toFloat32Rows(sysStats), bsIdxs, nSamples);
        const { mean, ci } = estimateCi(sysSamples);
        const absDiffs = sysSamples.map((s, i) => Math.abs(s - blSamples[i]));
        const meanDiff = absDiffs.reduce((a, b) => a + b, 0) / absDiffs.length;
        const pValue = computePValue(
          absDiffs.map((d) => d - meanDiff),
          diff,
        );
        rows.push({ system: sys.name, score: sysScore, pValue, mean, ci });
      } else if (arSel) {
        const width = blStats.length > 0 ? blStats[0].length : 0;
        const a = new Array<number>(width);
        const b = new Array<number>(width);
        const diffs = new Float64Array(nSamples);
        for (let t = 0; t < nSamples; t++) {
          a.fill(0);
          b.fill(0);
          const base = t * n;
          for (let i = 0; i < n; i++) {
            const swap = arSel[base + i] === 1;
            const fromA = swap ? blStats[i] : sysStats[i];
            const fromB = swap ? sysStats[i] : blStats[i];
            for (let j = 0; j < width; j++) {
              a[j] += fromA[j];
              b[j] += fromB[j];
            }
          }
          diffs[t] = Math.abs(
            metric.scoreFromStatistics(a).score - metric.scoreFromStatistics(b).score,
          );
        }
        rows.push({ system: sys.name, score: sysScore, pValue: computePValue(diffs, diff) });
      }
    }
    const signatureExtras =
      test === 'bs' ? { bs: nSamples, seed: String(seed) } : { ar: nSamples, seed: String(seed) };
    out.metrics.push({ name: blScore.name, signatureExtras, rows });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Text output (sacreBLEU utils.print_results_table with tabulate's `fancy_grid`, no colours).

/** Display width of a string in terminal cells (wide East Asian characters count as two). */
function cellWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    w +=
      (cp >= 0x1100 && cp <= 0x115f) ||
      (cp >= 0x2e80 && cp <= 0xa4cf) ||
      (cp >= 0xac00 && cp <= 0xd7a3) ||
      (cp >= 0xf900 && cp <= 0xfaff) ||
      (cp >= 0xff00 && cp <= 0xff60) ||
      (cp >= 0xffe0 && cp <= 0xffe6)
        ? 2
        : 1;
  }
  return w;
}

function pad(s: string, width: number, align: 'right' | 'center'): string {
  const extra = width - cellWidth(s);
  if (extra <= 0) return s;
  if (align === 'right') return ' '.repeat(extra) + s;
  // tabulate centres with Python's str.center (extra space goes to the right on odd padding
  // when the string length is even... str.center puts the odd space on the left when len is odd).
  const left = Math.floor(extra / 2) + (extra % 2 && s.length % 2 ? 1 : 0);
  return ' '.repeat(left) + s + ' '.repeat(extra - left);
}

/** tabulate `fancy_grid` with multi-line cells; first column right-aligned, others centred. */
export function fancyGrid(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const cols = headers.length;
  const widths = headers.map((h, c) =>
    Math.max(cellWidth(h), ...rows.map((r) => Math.max(...r[c].split('\n').map(cellWidth)))),
  );
  const line = (l: string, m: string, r: string, fill: string) =>
    l + widths.map((w) => fill.repeat(w + 2)).join(m) + r;
  const renderRow = (cells: readonly string[], headerRow: boolean): string[] => {
    const split = cells.map((c) => c.split('\n'));
    const height = Math.max(...split.map((s) => s.length));
    const out: string[] = [];
    for (let k = 0; k < height; k++) {
      const parts = split.map((s, c) => {
        const text = s[k] ?? '';
        return (
          ' ' +
          pad(
            text,
            widths[c],
            c === 0 && !headerRow ? 'right' : headerRow && c === 0 ? 'right' : 'center',
          ) +
          ' '
        );
      });
      out.push('│' + parts.join('│') + '│');
    }
    return out;
  };
  const out = [line('╒', '╤', '╕', '═'), ...renderRow(headers, true), line('╞', '╪', '╡', '═')];
  rows.forEach((r, i) => {
    out.push(...renderRow(r, false));
    out.push(i === rows.length - 1 ? line('╘', '╧', '╛', '═') : line('├', '┼', '┤', '─'));
  });
  void cols;
  return out.join('\n');
}

/** `(p = 0.0123)` with sacreBLEU's `*` mark for p ≤ 0.05. */
function pValueText(p: number): string {
  const msg = `(p = ${pyFixed(p, 4)})`;
  return p > 0.05 ? msg : msg + '*';
}

/**
 * sacreBLEU's multi-system text report for a paired test: the table, the explanation block and
 * the signature list. `signatures` maps metric name → signature string (with test fields).
 */
export function formatPairedTable(
  result: PairedTestResult,
  signatures: Record<string, string>,
  width: number,
): string {
  const headers = ['System'];
  const columns: string[][] = [result.metrics[0]?.rows.map((r) => r.system) ?? []];
  for (const m of result.metrics) {
    const isBootstrap = m.rows.some((r) => r.mean !== undefined);
    headers.push(isBootstrap ? `${m.name} (μ ± 95% CI)` : m.name);
    columns.push(
      m.rows.map((r) => {
        let s = pyFixed(r.score, width);
        if (r.mean !== undefined && r.ci !== undefined) {
          s += ` (${pyFixed(r.mean, width)} ± ${pyFixed(r.ci, width)})`;
        }
        if (r.pValue !== undefined) s += '\n' + pValueText(r.pValue);
        return s;
      }),
    );
  }
  const rows = columns[0].map((_, i) => columns.map((c) => c[i]));
  const lines = [fancyGrid(headers, rows), ''];
  const isBs = result.test === 'bs';
  const testType = isBs ? 'bootstrap resampling' : 'approximate randomization';
  const msg = `Paired ${testType} test with ${result.nSamples} ${isBs ? 'resampling trials' : 'trials'}`;
  const baselineName = columns[0][0] ?? '';
  lines.push(
    '-'.repeat(msg.length) + '\n' + msg + '\n' + '-'.repeat(msg.length),
    ` - Each system is pairwise compared to ${baselineName}.`,
    isBs
      ? '   Actual system score / bootstrap estimated true mean / 95% CI are provided for each metric.'
      : '   Actual system score is provided for each metric.',
    '',
    ' - Null hypothesis: the system and the baseline translations are essentially',
    '   generated by the same underlying process. For a given system and the baseline,',
    '   the p-value is roughly the probability of the absolute score difference (delta)',
    '   or higher occurring due to chance, under the assumption that the null hypothesis is correct.',
    '',
    ' - Assuming a significance threshold of 0.05, the null hypothesis can be rejected',
    '   for p-values < 0.05 (marked with "*"). This means that the delta is unlikely to be attributed',
    '   to chance, hence the system is significantly "different" than the baseline.',
    '   Otherwise, the p-values are highlighted in red.',
    '',
    ' - NOTE: Significance does not tell whether a system is "better" than the baseline but rather',
    '   emphasizes the "difference" of the systems in terms of the replicability of the delta.',
    '',
    '-----------------',
    'Metric signatures',
    '-----------------',
  );
  for (const [name, sig] of Object.entries(signatures)) lines.push(` - ${name.padEnd(10)} ${sig}`);
  return lines.join('\n') + '\n';
}

/** sacreBLEU's `-f json` for paired tests: `[{"system": ..., "BLEU": {score, p_value, mean, ci}}]`. */
export function formatPairedJson(result: PairedTestResult): string {
  const systems = result.metrics[0]?.rows.map((r) => r.system) ?? [];
  const list: PyJson[] = systems.map((system, i) => {
    const entry: { [key: string]: PyJson } = { system };
    for (const m of result.metrics) {
      const r = m.rows[i];
      entry[m.name] = {
        score: r.score,
        p_value: r.pValue ?? null,
        mean: r.mean ?? null,
        ci: r.ci ?? null,
      };
    }
    return entry;
  });
  // sacreBLEU dumps this list with indent=4 and the default ensure_ascii=True.
  return pyJsonDumps(list, 4, true) + '\n';
}
