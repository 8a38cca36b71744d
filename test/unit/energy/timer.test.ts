// Drift-free scheduling (energy.md §3.6): deadlines are previous + period, so a slow tick does
// not push later ticks back, and ticks that could not run are counted, not bunched up.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { driftFreeTimer } from '../../../main/services/energy/sampler-host';

beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

describe('driftFreeTimer', () => {
  it('keeps ticks on the 1 s grid even when each tick takes 300 ms', async () => {
    const now = () => BigInt(Date.now()) * 1_000_000n;
    const start = Date.now();
    const ticks: number[] = [];
    const stop = driftFreeTimer(
      1_000_000_000n,
      now,
      async () => {
        ticks.push(Date.now() - start);
        vi.setSystemTime(Date.now() + 300); // the read itself takes 300 ms
      },
      () => undefined,
    );
    await vi.advanceTimersByTimeAsync(10_050);
    stop();
    expect(ticks.slice(0, 5)).toEqual([1000, 2000, 3000, 4000, 5000]);
  });

  it('counts missed deadlines after a stall instead of firing a burst', async () => {
    const now = () => BigInt(Date.now()) * 1_000_000n;
    let calls = 0;
    let missed = 0;
    const stop = driftFreeTimer(
      100_000_000n,
      now,
      async () => {
        if (++calls === 2) vi.setSystemTime(Date.now() + 1000); // a 1 s stall
      },
      () => missed++,
    );
    await vi.advanceTimersByTimeAsync(2000);
    stop();
    // 2 s of timers + the 1 s stall = 30 deadlines: ~10 skipped and counted, the rest run once.
    expect(missed).toBeGreaterThanOrEqual(9);
    expect(calls + missed).toBeGreaterThanOrEqual(29);
    expect(calls + missed).toBeLessThanOrEqual(31);
  });
});
