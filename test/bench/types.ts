/**
 * Shape of one benchmark suite run by `npm run bench` (test/bench/index.ts).
 * Each suite prints its own lines through `log` and returns figures for the summary table.
 */
export interface BenchFigure {
  /** What was measured, including the input (e.g. "BLEU 13a, 3,000 segments (A-26..A-29 repeated)"). */
  name: string;
  /** Measured value and its unit. */
  value: number;
  unit: string;
  /** Optional reference figure (e.g. sacreBLEU's CPU seconds) and the resulting speed-up ratio. */
  reference?: { label: string; value: number; unit: string };
  ratio?: number;
  /** Goal in words, and whether it was met. */
  goal?: string;
  met?: boolean;
}

export type BenchSuite = (log: (line: string) => void) => Promise<BenchFigure[]>;
