/**
 * Benchmark: corpus TER (sacreBLEU 2.6.0 defaults) on 3,000 segments with one reference.
 * Input: fixture cases A-26..A-29 (1,800 segments) concatenated and repeated cyclically to 3,000
 * segments, first reference stream only (~28k hypothesis words). sacreBLEU needs 17.5 s on its
 * synthetic 3,000-segment set (~74k words, a different input), so that ratio is indicative only; ms
 * per segment is reported alongside, and the goal is judged against sacreBLEU on this same input.
 * Run alone with `npx tsx test/bench/metrics-ter.ts`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TER } from '../../shared/metrics/ter';
import type { BenchFigure, BenchSuite } from './types';

const FIXTURES = new URL('../fixtures/metrics/mt-ter/', import.meta.url);
const SEGMENTS = 3000;
const WARM_UP = 2;
const RUNS = 7;
// sacreBLEU 2.6.0 CPU seconds for TER on its synthetic 3,000-segment set (design/metric-speed.md).
const SACREBLEU_SECONDS = 17.5;
// sacreBLEU 2.6.0's `lib_ter.translation_edit_rate` on exactly this input (lowercase + split
// only, so tokenization is not counted): 3.63 s CPU, Python 3.11.7, on the 2-core dev container.
const SACREBLEU_SAME_INPUT_SECONDS = 3.63;
const GOAL_RATIO = 10;

interface Case {
  hyps: string[];
  refs: (string | null)[][];
}

/** A-26..A-29, first reference stream, repeated to {@link SEGMENTS} segments. */
function loadInput(): { hyps: string[]; refs: string[] } {
  const hyps: string[] = [];
  const refs: string[] = [];
  for (const id of ['A-26', 'A-27', 'A-28', 'A-29']) {
    const data = JSON.parse(readFileSync(new URL(`case-${id}.json`, FIXTURES), 'utf8')) as Case;
    data.hyps.forEach((hyp, i) => {
      hyps.push(hyp);
      refs.push(data.refs[0][i] ?? '');
    });
  }
  const base = hyps.length;
  for (let i = base; i < SEGMENTS; i++) {
    hyps.push(hyps[i % base]);
    refs.push(refs[i % base]);
  }
  return { hyps: hyps.slice(0, SEGMENTS), refs: refs.slice(0, SEGMENTS) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export const suite: BenchSuite = async (log) => {
  const { hyps, refs } = loadInput();
  const times: number[] = [];
  let score = 0;
  for (let run = 0; run < WARM_UP + RUNS; run++) {
    // A fresh metric per run: nothing carries over between runs.
    const ter = new TER();
    const start = performance.now();
    score = ter.corpusScore(hyps, [refs]).score;
    const elapsed = performance.now() - start;
    if (run >= WARM_UP) times.push(elapsed);
  }
  const ms = median(times);
  const ratio = (SACREBLEU_SECONDS * 1000) / ms;
  const sameInputRatio = (SACREBLEU_SAME_INPUT_SECONDS * 1000) / ms;
  const words = hyps.reduce((sum, hyp) => sum + hyp.split(' ').filter(Boolean).length, 0);
  const rssMiB = process.resourceUsage().maxRSS / 1024;
  const input =
    `${SEGMENTS.toLocaleString('en-US')} segments, ~${Math.round(words / 1000)}k hyp words ` +
    '(A-26..A-29 repeated, 1 ref)';
  log(
    `TER ${input}: median ${ms.toFixed(1)} ms of ${RUNS} runs after ${WARM_UP} warm-up, ` +
      `${((ms / SEGMENTS) * 1000).toFixed(1)} µs/segment, TER ${score.toFixed(2)}, ` +
      `${sameInputRatio.toFixed(0)}x vs sacreBLEU on this input (${SACREBLEU_SAME_INPUT_SECONDS} s), ` +
      `${ratio.toFixed(0)}x vs its synthetic-set ${SACREBLEU_SECONDS} s, ` +
      `peak RSS ${rssMiB.toFixed(0)} MiB`,
  );
  const figures: BenchFigure[] = [
    {
      name: `TER corpus vs sacreBLEU on the same input, ${input}`,
      value: ms,
      unit: 'ms',
      reference: {
        label: 'sacreBLEU 2.6.0 lib_ter, same input',
        value: SACREBLEU_SAME_INPUT_SECONDS,
        unit: 's',
      },
      ratio: sameInputRatio,
      goal: `≥${GOAL_RATIO}x faster than sacreBLEU on the same input`,
      met: sameInputRatio >= GOAL_RATIO,
    },
    {
      name: `TER corpus vs sacreBLEU's synthetic set, ${input}`,
      value: ms,
      unit: 'ms',
      reference: {
        label: 'sacreBLEU 2.6.0, synthetic 3,000 segments (different input)',
        value: SACREBLEU_SECONDS,
        unit: 's',
      },
      ratio,
    },
    { name: `TER per segment, ${input}`, value: ms / SEGMENTS, unit: 'ms/segment' },
    { name: 'TER bench peak RSS', value: rssMiB, unit: 'MiB' },
  ];
  return figures;
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await suite((line) => console.log(line));
}
