/**
 * Benchmark: BLEU (13a, intl), chrF, chrF++ and TER corpus scoring on 3,000 segments with one
 * reference, against sacreBLEU 2.6.0's CPU times in design/metric-speed.md (synthetic row).
 * Input: fixtures A-26, A-27, A-28, A-29 (first reference stream) concatenated and repeated
 * until 3,000 segments.
 *
 * The headline is the median process CPU time (user + system) of the timed runs after warm-up:
 * the reference figures are CPU seconds, and CPU time stays meaningful on a shared, loaded
 * machine where wall time does not. Median wall time is printed beside it. sacreBLEU was timed
 * on a larger input (about 74,000 words), so the ratio is printed both on raw time (the goal,
 * and the figure's `ratio`) and per hypothesis word (stricter: ours has about 28,000 words).
 * Run alone with `npx tsx test/bench/metrics-mt.ts`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CorpusMetric } from '../../shared/metrics/base';
import { BLEU } from '../../shared/metrics/bleu';
import { CHRF } from '../../shared/metrics/chrf';
import { TER } from '../../shared/metrics/ter';
import type { BenchFigure, BenchSuite } from './types';

const FIXTURES = fileURLToPath(new URL('../fixtures/metrics/mt/', import.meta.url));
const SEGMENTS = 3000;
const WARMUP = 3;
const RUNS = 11;

/** sacreBLEU 2.6.0 CPU seconds, 3,000 synthetic segments (design/metric-speed.md). */
const SACREBLEU_SECONDS = { bleu13a: 0.41, bleuIntl: 0.37, chrf: 0.98, chrfpp: 1.12, ter: 17.5 };
/** Hypothesis words of sacreBLEU's synthetic input (about 74k, as reported with the times). */
const SACREBLEU_WORDS = 74_000;

/** The benchmark input: hypotheses and one reference stream. */
export function workload(): { hyps: string[]; refs: string[] } {
  const hyps: string[] = [];
  const refs: string[] = [];
  const cases = ['A-26', 'A-27', 'A-28', 'A-29'].map(
    (id) =>
      JSON.parse(readFileSync(`${FIXTURES}case-${id}.json`, 'utf8')) as {
        hyps: string[];
        refs: (string | null)[][];
      },
  );
  while (hyps.length < SEGMENTS) {
    for (const c of cases) {
      for (let i = 0; i < c.hyps.length && hyps.length < SEGMENTS; i++) {
        hyps.push(c.hyps[i]);
        refs.push(c.refs[0][i] ?? '');
      }
    }
  }
  return { hyps, refs };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Median CPU and wall milliseconds of `fn` over `runs` timed calls after `warmup` calls. */
export function measure(
  fn: () => void,
  runs = RUNS,
  warmup = WARMUP,
): { cpuMs: number; wallMs: number } {
  for (let i = 0; i < warmup; i++) fn();
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { cpuMs: median(cpu), wallMs: median(wall) };
}

interface Entry {
  label: string;
  metric: CorpusMetric;
  /** sacreBLEU CPU seconds on its synthetic input. */
  ref: number;
  runs?: number;
  warmup?: number;
}

export const suite: BenchSuite = async (log) => {
  const { hyps, refs } = workload();
  const words = hyps.reduce((n, h) => n + h.split(/\s+/).filter(Boolean).length, 0);
  const input = `${SEGMENTS.toLocaleString('en')} segments (A-26..A-29 repeated), 1 ref, ${words.toLocaleString('en')} hyp words`;
  log(`metrics-mt: ${input}; median CPU time (wall time beside)`);
  const entries: Entry[] = [
    { label: 'BLEU 13a', metric: new BLEU(), ref: SACREBLEU_SECONDS.bleu13a },
    { label: 'BLEU intl', metric: new BLEU({ tokenize: 'intl' }), ref: SACREBLEU_SECONDS.bleuIntl },
    { label: 'chrF', metric: new CHRF(), ref: SACREBLEU_SECONDS.chrf },
    { label: 'chrF++', metric: new CHRF({ wordOrder: 2 }), ref: SACREBLEU_SECONDS.chrfpp },
    // TER is slow per run; fewer repetitions keep the suite short.
    { label: 'TER', metric: new TER(), ref: SACREBLEU_SECONDS.ter, runs: 3, warmup: 1 },
  ];
  const figures: BenchFigure[] = [];
  for (const e of entries) {
    const { cpuMs, wallMs } = measure(() => e.metric.corpusScore(hyps, [refs]), e.runs, e.warmup);
    const wordsPerSec = (words / cpuMs) * 1000;
    const refWordsPerSec = SACREBLEU_WORDS / e.ref;
    const rawRatio = (e.ref * 1000) / cpuMs;
    const perWordRatio = wordsPerSec / refWordsPerSec;
    const isBleu = e.label.startsWith('BLEU');
    const goal = isBleu ? '≥10× sacreBLEU CPU time and < 40 ms' : '≥10× sacreBLEU CPU time';
    const met = rawRatio >= 10 && (!isBleu || cpuMs < 40);
    log(
      `  ${e.label.padEnd(9)} CPU ${cpuMs.toFixed(1).padStart(8)} ms  (wall ${wallMs.toFixed(1).padStart(8)} ms)` +
        `  ${(wordsPerSec / 1e6).toFixed(2).padStart(6)} M words/s` +
        `  vs sacreBLEU ${e.ref} s: ×${rawRatio.toFixed(1)} raw, ×${perWordRatio.toFixed(1)} per word` +
        `  ${met ? 'ok' : 'MISSED'}`,
    );
    figures.push({
      name: `${e.label} CPU time, ${input} (×${perWordRatio.toFixed(1)} sacreBLEU per word)`,
      value: cpuMs,
      unit: 'ms',
      reference: { label: 'sacreBLEU 2.6.0 CPU time (74k words)', value: e.ref * 1000, unit: 'ms' },
      ratio: rawRatio,
      goal,
      met,
    });
  }
  const rssMb = process.resourceUsage().maxRSS / 1024;
  log(`  peak RSS ${rssMb.toFixed(0)} MB`);
  figures.push({ name: 'metrics-mt peak RSS (whole process)', value: rssMb, unit: 'MB' });
  return figures;
};

// Run directly: `npx tsx test/bench/metrics-mt.ts`.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await suite((line) => console.log(line));
}
