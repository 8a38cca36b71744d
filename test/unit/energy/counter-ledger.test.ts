// Counter arithmetic and the cumulative ledger: energy.md §5 scenarios 5–8, 10, 11, 13, 14, 21, 22.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { counterStep, maxSafePeriodS } from '../../../main/services/energy/counter';
import { Ledger } from '../../../main/services/energy/ledger';

const S = 1_000_000_000n;

describe('counterStep', () => {
  it('corrects one wrap: prev = max − 1,000, cur = 500 → 1,500 µJ (scenario 5)', () => {
    const max = 262_143_328_850n;
    const r = counterStep(max - 1000n, 500n, S, 1e-6, max, 300);
    expect(r).toEqual({ ok: true, joules: 1500e-6, wrapped: true, emitPower: true });
  });

  it('turns a backwards counter without a known range into a gap (scenario 6)', () => {
    const r = counterStep(5_000_000n, 1_000n, S, 1e-6, undefined, 300);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toBe('backwards-no-range');
  });

  it('calls a backwards jump far from max a reset when the wrap would imply > ceiling (scenario 7)', () => {
    const max = 262_143_328_850n;
    const r = counterStep(100_000_000n, 50_000_000n, S, 1e-6, max, 300);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toBe('reset');
  });

  it('keeps energy of two reads 0.2 ms apart but emits no power point (scenario 8)', () => {
    const r = counterStep(1_000_000n, 1_000_050n, 200_000n, 1e-6, 2n ** 32n, 300);
    expect(r).toMatchObject({ ok: true, wrapped: false, emitPower: false });
    expect(r.ok && r.joules).toBeCloseTo(50e-6, 15);
  });

  it('flags a forward jump above the power ceiling as implausible', () => {
    const r = counterStep(0n, 10_000_000_000n, S, 1e-6, undefined, 300);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toBe('implausible');
  });

  it('wrap period 65.5 kJ at 280 W is 234 s, so periods ≥ 117 s are unsafe (scenario 11)', () => {
    const rangeJ = 65_536_000_000 / 1e6;
    expect(maxSafePeriodS(rangeJ, 280)).toBeCloseTo(117.03, 1);
  });

  it('never yields negative or non-finite energy for any pair of raw values', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 2n ** 64n }),
        fc.bigInt({ min: 0n, max: 2n ** 64n }),
        fc.option(fc.bigInt({ min: 1n, max: 2n ** 64n })),
        (a, b, max) => {
          const r = counterStep(a, b, S, 1e-6, max ?? undefined, 500);
          if (r.ok) expect(r.joules >= 0 && Number.isFinite(r.joules)).toBe(true);
        },
      ),
    );
  });

  it('subtracts in BigInt above 2^53 without losing the delta (scenario 18, normalisation)', () => {
    const base = 2n ** 53n + 1n;
    const r = counterStep(base, base + 3n, S, 1e-3, undefined, 1000);
    expect(r.ok && r.joules).toBeCloseTo(0.003, 12);
  });
});

describe('Ledger', () => {
  const counter = (t: bigint, raw: bigint, maxRaw?: bigint) =>
    ({ t, kind: 'counter', raw, unitJ: 1e-6, maxRaw }) as const;

  it('interpolates windows: nested, overlapping and inside one interval (scenario 22)', () => {
    const l = new Ledger({ periodS: 1, ceilingW: 1000 });
    for (let i = 0n; i <= 10n; i++) l.add(counter(i * S, i * 100_000_000n)); // 100 W
    expect(l.window(0n, 10n * S).joules).toBeCloseTo(1000, 9);
    expect(l.window(2n * S, 4n * S).joules).toBeCloseTo(200, 9);
    expect(l.window(3n * S, 7n * S).joules).toBeCloseTo(400, 9);
    expect(l.window(S + S / 4n, S + S / 2n).joules).toBeCloseTo(25, 9);
    expect(l.window(S + S / 4n, S + S / 2n).samples).toBe(0);
  });

  it('integrates power with the trapezoid rule over irregular timestamps (scenario 21)', () => {
    const l = new Ledger({ periodS: 0.1, ceilingW: 1000 });
    const pts: Array<[number, number]> = [
      [0, 100],
      [0.05, 120],
      [0.2, 80],
      [0.23, 100],
    ];
    for (const [t, w] of pts) l.add({ t: BigInt(Math.round(t * 1e9)), kind: 'power', watts: w });
    const expected = 0.05 * 110 + 0.15 * 100 + 0.03 * 90;
    const w = l.window(0n, 230_000_000n);
    expect(w.joules).toBeCloseTo(expected, 9);
    expect(w.coverage).toBe(1);
  });

  it('marks a power silence longer than 3 periods as a gap that lowers coverage (scenario 21)', () => {
    const l = new Ledger({ periodS: 0.1, ceilingW: 1000 });
    for (const t of [0, 0.1, 0.2, 1.2, 1.3])
      l.add({ t: BigInt(Math.round(t * 1e9)), kind: 'power', watts: 50 });
    const w = l.window(0n, 1_300_000_000n);
    expect(w.coverage).toBeCloseTo(0.3 / 1.3, 6);
    expect(w.gapJ).toBeCloseTo(50, 6);
    expect(w.joules).toBeCloseTo(65, 6);
  });

  it('a failed read is not a gap: the next read carries the energy (scenario 10)', () => {
    const l = new Ledger({ periodS: 1, ceilingW: 1000 });
    l.add(counter(0n, 0n));
    l.miss();
    l.add(counter(2n * S, 200_000_000n));
    const w = l.window(0n, 2n * S);
    expect(w.joules).toBeCloseTo(200, 9);
    expect(w.coverage).toBe(1);
    expect(l.missedReads).toBe(1);
  });

  it('bridges a counter reset with neighbour power, flags it, never goes negative (scenario 14)', () => {
    const l = new Ledger({ periodS: 1, ceilingW: 1000 });
    l.add(counter(0n, 5_000_000_000n));
    l.add(counter(S, 5_100_000_000n));
    l.add(counter(2n * S, 1_000n)); // driver reload: counter restarts
    l.add(counter(3n * S, 100_001_000n));
    const w = l.window(0n, 3n * S);
    expect(w.resets).toBe(1);
    expect(w.measuredJ).toBeCloseTo(200, 6);
    expect(w.gapJ).toBeCloseTo(100, 6);
    expect(w.coverage).toBeCloseTo(2 / 3, 6);
  });

  it('approximates a window shorter than the counter update instead of reporting 0 (scenario 13)', () => {
    const l = new Ledger({ periodS: 1, ceilingW: 1000, updatePeriodS: 0.1 });
    l.add({ t: 0n, kind: 'counter', raw: 0n, unitJ: 1e-3 });
    l.add({ t: S, kind: 'counter', raw: 200_000n, unitJ: 1e-3 }); // 200 W
    l.add({ t: S + 10_000_000n, kind: 'counter', raw: 200_000n, unitJ: 1e-3 });
    l.add({ t: S + 20_000_000n, kind: 'counter', raw: 200_000n, unitJ: 1e-3 });
    const w = l.window(S + 10_000_000n, S + 20_000_000n);
    expect(w.approximated).toBe(true);
    expect(w.joules).toBeGreaterThan(1);
  });

  it('prunes old points but keeps the cumulative value for later windows', () => {
    const l = new Ledger({ periodS: 1, ceilingW: 1000 });
    for (let i = 0n; i <= 100n; i++) l.add(counter(i * S, i * 10_000_000n));
    l.prune(50n * S);
    expect(l.size).toBe(51);
    expect(l.window(60n * S, 70n * S).joules).toBeCloseTo(100, 9);
  });
});
