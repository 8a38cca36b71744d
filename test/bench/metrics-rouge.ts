/**
 * Benchmark: ROUGE on the 2,000 pairs of fixture 26_perf_2000_pairs.json (about 60-word
 * multi-sentence references), the workload rouge-score 0.1.2 was timed on in
 * shared/design/metric-speed.md. Each timed run scores every pair and takes the plain mean, with
 * a fresh scorer and an emptied stem memo, so no work carries over between runs (rouge-score has
 * no stem cache either). Reports the median process CPU time of the timed runs after warm-up
 * (the reference figures are CPU seconds, and CPU time is steadier than wall time on a shared
 * machine), the median wall time beside it, the ratio to rouge-score, and peak RSS. Run alone with `npx tsx test/bench/metrics-rouge.ts`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { scoreRougeCorpus } from '../../shared/metrics/rouge';
import type { RougeType } from '../../shared/metrics/rouge';
import { clearStemCache } from '../../shared/metrics/rouge-tokenize';
import type { BenchFigure, BenchSuite } from './types';

const FIXTURE = new URL('../fixtures/metrics/rouge/26_perf_2000_pairs.json', import.meta.url);
const WARM_UP = 3;
const RUNS = 9;
const GOAL_MS = 250;

interface Config {
  label: string;
  types: RougeType[];
  useStemmer: boolean;
  /** rouge-score 0.1.2 CPU seconds on the same input (design/metric-speed.md). */
  rougeScoreSeconds: number;
  goal?: boolean;
}

const CONFIGS: Config[] = [
  {
    label: 'rouge1+rouge2+rougeL+rougeLsum, stemmer on',
    types: ['rouge1', 'rouge2', 'rougeL', 'rougeLsum'],
    useStemmer: true,
    rougeScoreSeconds: 4.97,
    goal: true,
  },
  {
    label: 'rouge1+rouge2+rougeL+rougeLsum, stemmer off',
    types: ['rouge1', 'rouge2', 'rougeL', 'rougeLsum'],
    useStemmer: false,
    rougeScoreSeconds: 2.02,
  },
  {
    label: 'rougeL only, stemmer on',
    types: ['rougeL'],
    useStemmer: true,
    rougeScoreSeconds: 2.21,
  },
  {
    label: 'rougeLsum only, stemmer on',
    types: ['rougeLsum'],
    useStemmer: true,
    rougeScoreSeconds: 2.57,
  },
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export const suite: BenchSuite = async (log) => {
  const data = JSON.parse(readFileSync(FIXTURE, 'utf8')) as {
    predictions: string[];
    references: string[];
  };
  const pairs = data.predictions.length;
  const input = `${pairs.toLocaleString('en-US')} pairs (fixture 26_perf_2000_pairs)`;
  const figures: BenchFigure[] = [];
  for (const config of CONFIGS) {
    const cpuTimes: number[] = [];
    const wallTimes: number[] = [];
    let f = 0;
    for (let run = 0; run < WARM_UP + RUNS; run++) {
      clearStemCache();
      const cpuStart = process.cpuUsage();
      const start = performance.now();
      const result = scoreRougeCorpus(data.predictions, data.references, {
        types: config.types,
        useStemmer: config.useStemmer,
      });
      const wall = performance.now() - start;
      const cpu = process.cpuUsage(cpuStart);
      f = result.mean[config.types[0]].fmeasure;
      if (run >= WARM_UP) {
        cpuTimes.push((cpu.user + cpu.system) / 1000);
        wallTimes.push(wall);
      }
    }
    const ms = median(cpuTimes);
    const ratio = (config.rougeScoreSeconds * 1000) / ms;
    log(
      `ROUGE ${config.label}, ${input}: median CPU ${ms.toFixed(1)} ms ` +
        `(wall ${median(wallTimes).toFixed(1)} ms) of ${RUNS} runs after ${WARM_UP} warm-up, ` +
        `${((ms / pairs) * 1000).toFixed(1)} µs/pair, mean ${config.types[0]} F ${f.toFixed(4)}, ` +
        `${ratio.toFixed(0)}x vs rouge-score ${config.rougeScoreSeconds} s`,
    );
    figures.push({
      name: `ROUGE ${config.label}, ${input} (CPU time)`,
      value: ms,
      unit: 'ms',
      reference: {
        label: 'rouge-score 0.1.2 + nltk 3.8, same input (CPU time)',
        value: config.rougeScoreSeconds,
        unit: 's',
      },
      ratio,
      ...(config.goal ? { goal: `under ${GOAL_MS} ms (≥20x rouge-score)`, met: ms < GOAL_MS } : {}),
    });
  }
  const rssMiB = process.resourceUsage().maxRSS / 1024;
  log(`ROUGE bench peak RSS ${rssMiB.toFixed(0)} MiB`);
  figures.push({ name: 'ROUGE bench peak RSS', value: rssMiB, unit: 'MiB' });
  return figures;
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await suite((line) => console.log(line));
}
