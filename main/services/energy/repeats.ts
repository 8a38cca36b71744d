/**
 * Repeat-to-repeat variation, reported separately from the measurement band (energy.md §3.11):
 * mean and a 95 % Student-t interval over n ≥ 3 repeats of the same window.
 */

/** Two-sided 95 % t quantiles for 1–30 degrees of freedom; 1.96 beyond. */
const T95 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145,
  2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048,
  2.045, 2.042,
];

/** Summary of repeated measurements (joules of each repeat). */
export interface RepeatSummary {
  n: number;
  mean: number;
  sd: number;
  /** 95 % t-interval of the mean; undefined below 3 repeats (too few to say). */
  ci95?: [number, number];
}

/** Mean, standard deviation and 95 % t-interval of repeated window energies. */
export function summariseRepeats(joules: number[]): RepeatSummary {
  const n = joules.length;
  const mean = n ? joules.reduce((a, b) => a + b, 0) / n : 0;
  const sd = n > 1 ? Math.sqrt(joules.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1)) : 0;
  if (n < 3) return { n, mean, sd };
  const t = T95[n - 2] ?? 1.96;
  const half = (t * sd) / Math.sqrt(n);
  return { n, mean, sd, ci95: [mean - half, mean + half] };
}
