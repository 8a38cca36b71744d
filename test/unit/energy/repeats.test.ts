// Repeat-to-repeat 95 % t-interval (energy.md §3.11).
import { describe, expect, it } from 'vitest';
import { summariseRepeats } from '../../../main/services/energy/repeats';

describe('summariseRepeats', () => {
  it('gives mean, sd and the t-interval for n ≥ 3', () => {
    const r = summariseRepeats([10, 12, 14]);
    expect(r.mean).toBe(12);
    expect(r.sd).toBeCloseTo(2, 12);
    // t(0.975, 2) = 4.303 → half-width 4.303 × 2 / √3
    expect(r.ci95![0]).toBeCloseTo(12 - (4.303 * 2) / Math.sqrt(3), 9);
    expect(r.ci95![1]).toBeCloseTo(12 + (4.303 * 2) / Math.sqrt(3), 9);
  });
  it('has no interval below 3 repeats', () => {
    expect(summariseRepeats([5, 7]).ci95).toBeUndefined();
    expect(summariseRepeats([])).toEqual({ n: 0, mean: 0, sd: 0 });
  });
});
