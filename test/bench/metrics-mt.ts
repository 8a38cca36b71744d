/**
 * Benchmark: BLEU (13a, intl), chrF, chrF++ and TER corpus scoring on 3,000 segments with one
 * reference, against sacreBLEU 2.6.0's CPU times in design/metric-speed.md (synthetic row).
 * Input: fixtures A-26, A-27, A-28, A-29 (first reference stream) concatenated and repeated
 * until 3,000 segments. Median of 7 timed runs after 2 warm-up runs.
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
const WARMUP = 2;
const RUNS = 7;

/** sacreBLEU 2.6.0 CPU seconds, 3,000 synthetic segments (design/metric-speed.md). */
const SACREBLEU_SECONDS = { bleu13a: 0.41, bleuIntl: 0.37, chrf: 0.98, chrfpp: 1.12, ter: 17.5 };

function workload(): { hyps: string[]; refs: string[] } {
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

function medianMs(fn: () => void, runs = RUNS, warmup = WARMUP): number {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

export const suite: BenchSuite = async (log) => {
  const { hyps, refs } = workload();
  const words = hyps.reduce((n, h) => n + h.split(/\s+/).filter(Boolean).length, 0);
  const input = `${SEGMENTS.toLocaleString('en')} segments (A-26..A-29 repeated), 1 ref, ${words.toLocaleString('en')} hyp words`;
  log(`metrics-mt: ${input}`);
  const entries: {
    label: string;
    metric: CorpusMetric;
    ref: number;
    runs?: number;
    warmup?: number;
  }[] = [
    { label: 'BLEU 13a', metric: new BLEU(), ref: SACREBLEU_SECONDS.bleu13a },
    { label: 'BLEU intl', metric: new BLEU({ tokenize: 'intl' }), ref: SACREBLEU_SECONDS.bleuIntl },
    { label: 'chrF', metric: new CHRF(), ref: SACREBLEU_SECONDS.chrf },
    { label: 'chrF++', metric: new CHRF({ wordOrder: 2 }), ref: SACREBLEU_SECONDS.chrfpp },
    // TER is slow per run; fewer repetitions keep the suite short.
    { label: 'TER', metric: new TER(), ref: SACREBLEU_SECONDS.ter, runs: 3, warmup: 1 },
  ];
  const figures: BenchFigure[] = [];
  for (const e of entries) {
    const ms = medianMs(() => e.metric.corpusScore(hyps, [refs]), e.runs, e.warmup);
    const ratio = (e.ref * 1000) / ms;
    const goal = e.label.startsWith('BLEU') ? '≥10× sacreBLEU and < 40 ms' : '≥10× sacreBLEU';
    const met = ratio >= 10 && (!e.label.startsWith('BLEU') || ms < 40);
    log(
      `  ${e.label.padEnd(9)} ${ms.toFixed(1).padStart(8)} ms  sacreBLEU ${e.ref} s  ×${ratio.toFixed(1)}  ${met ? 'ok' : 'MISSED'}`,
    );
    figures.push({
      name: `${e.label}, ${input}`,
      value: ms,
      unit: 'ms',
      reference: { label: 'sacreBLEU 2.6.0 CPU time', value: e.ref * 1000, unit: 'ms' },
      ratio,
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
