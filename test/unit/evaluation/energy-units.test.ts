import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  energyLabel,
  formatEnergy,
  runEnergyValue,
  runSegmentCount,
} from '../../../shared/evaluation/energy-units';
import type { EnergySettings } from '../../../shared/evaluation/energy-units';
import { WORLD_G_PER_J, makeRun } from './run-factory';

const settings = (o: Partial<EnergySettings> = {}): EnergySettings => ({
  unit: 'J',
  scale: 'total',
  includeTraining: false,
  amortiseOver: 1_000_000,
  ...o,
});

describe('runEnergyValue: units and scales', () => {
  const run = makeRun('r1', { joules: 1200, band: 0.05, segments: 500 });

  it('gives the run’s joules with their interval and kind', () => {
    expect(runEnergyValue(run, settings())).toEqual({
      value: 1200,
      low: 1140,
      high: 1260,
      label: 'J',
      kind: 'measured',
      trainingShare: 0,
    });
  });

  it('converts J to Wh (÷ 3600)', () => {
    const v = runEnergyValue(run, settings({ unit: 'Wh' }))!;
    expect(v.value).toBeCloseTo(1200 / 3600, 12);
    expect(v.low).toBeCloseTo(1140 / 3600, 12);
    expect(v.high).toBeCloseTo(1260 / 3600, 12);
    expect(v.label).toBe('Wh');
  });

  it('uses the run’s carbon figure for gCO2e', () => {
    const v = runEnergyValue(run, settings({ unit: 'gCO2e' }))!;
    expect(v.value).toBeCloseTo(1200 * WORLD_G_PER_J, 12);
    expect(v.low).toBe(run.energy!.carbon!.lowG);
    expect(v.high).toBe(run.energy!.carbon!.highG);
  });

  it('divides by the segment count for per-segment and per-1k-segment scales', () => {
    const per = runEnergyValue(run, settings({ scale: 'per-segment' }))!;
    expect(per).toMatchObject({ value: 1200 / 500, low: 1140 / 500, high: 1260 / 500 });
    expect(per.label).toBe('J per segment');
    const perK = runEnergyValue(run, settings({ scale: 'per-1k-segments', unit: 'Wh' }))!;
    expect(perK.value).toBeCloseTo((1200 / 3600 / 500) * 1000, 12);
    expect(perK.label).toBe('Wh per 1k segments');
  });

  it('is null without energy, without carbon for gCO2e, or without a segment count', () => {
    expect(runEnergyValue(makeRun('x', { energy: null }), settings())).toBeNull();
    expect(runEnergyValue(makeRun('x', { gPerJ: null }), settings({ unit: 'gCO2e' }))).toBeNull();
    const noCount = makeRun('x');
    noCount.energy!.perUnit = [];
    noCount.throughput = null;
    expect(runEnergyValue(noCount, settings())).not.toBeNull();
    expect(runEnergyValue(noCount, settings({ scale: 'per-segment' }))).toBeNull();
    expect(
      runEnergyValue(
        { ...noCount, training: makeRun('t', { training: {} }).training },
        settings({ includeTraining: true }),
      ),
    ).toBeNull();
  });

  it('keeps estimated and imported kinds so they are never shown as measured', () => {
    expect(runEnergyValue(makeRun('e', { kind: 'estimated' }), settings())!.kind).toBe('estimated');
    expect(runEnergyValue(makeRun('i', { kind: 'imported' }), settings())!.kind).toBe('imported');
  });
});

describe('runEnergyValue: amortised training energy', () => {
  const run = makeRun('r', { joules: 1200, band: 0.05, segments: 500, training: {} });
  const training = run.training!;

  it('adds training J × segments / amortiseOver, with the interval ends', () => {
    const share = 500 / 1_000_000;
    const v = runEnergyValue(run, settings({ includeTraining: true }))!;
    expect(v.value).toBeCloseTo(1200 + training.joules * share, 9);
    expect(v.low).toBeCloseTo(1140 + training.lowJ * share, 9);
    expect(v.high).toBeCloseTo(1260 + training.highJ * share, 9);
    expect(v.trainingShare).toBeCloseTo((training.joules * share) / v.value, 12);
    expect(v.kind).toBe('measured');
  });

  it('moves the value by exactly the amortised share when amortiseOver changes', () => {
    const a = runEnergyValue(run, settings({ includeTraining: true, amortiseOver: 1e5 }))!;
    const b = runEnergyValue(run, settings({ includeTraining: true, amortiseOver: 1e6 }))!;
    expect(a.value - b.value).toBeCloseTo(training.joules * 500 * (1 / 1e5 - 1 / 1e6), 6);
    const perSeg = runEnergyValue(
      run,
      settings({ includeTraining: true, amortiseOver: 1e6, scale: 'per-segment' }),
    )!;
    expect(perSeg.value).toBeCloseTo(1200 / 500 + training.joules / 1e6, 12);
  });

  it('ignores training when it is not included or not linked', () => {
    expect(runEnergyValue(run, settings())!.value).toBe(1200);
    expect(runEnergyValue(makeRun('n'), settings({ includeTraining: true }))!.trainingShare).toBe(
      0,
    );
  });

  it('marks measured inference plus estimated training as mixed', () => {
    const mixed = makeRun('m', { training: { kind: 'estimated' } });
    expect(runEnergyValue(mixed, settings({ includeTraining: true }))!.kind).toBe('mixed');
  });

  it('prices training carbon at the run’s own intensity', () => {
    const v = runEnergyValue(run, settings({ includeTraining: true, unit: 'gCO2e' }))!;
    const c = run.energy!.carbon!;
    const share = 500 / 1_000_000;
    expect(v.value).toBeCloseTo(c.grams + training.joules * share * (c.grams / 1200), 9);
    expect(v.low).toBeCloseTo(c.lowG + training.lowJ * share * (c.lowG / 1140), 9);
    expect(v.high).toBeCloseTo(c.highG + training.highJ * share * (c.highG / 1260), 9);
  });

  it('rejects a non-positive amortisation count', () => {
    expect(() => runEnergyValue(run, settings({ includeTraining: true, amortiseOver: 0 }))).toThrow(
      RangeError,
    );
  });

  it('keeps low ≤ value ≤ high for any run, unit, scale and amortisation', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-3, max: 1e9, noNaN: true }),
        fc.double({ min: 0, max: 0.9, noNaN: true }),
        fc.integer({ min: 1, max: 1e6 }),
        fc.constantFrom('J' as const, 'Wh' as const, 'gCO2e' as const),
        fc.constantFrom('total' as const, 'per-segment' as const, 'per-1k-segments' as const),
        fc.boolean(),
        fc.double({ min: 1, max: 1e9, noNaN: true }),
        (joules, band, segments, unit, scale, includeTraining, amortiseOver) => {
          const r = makeRun('p', { joules, band, segments, training: {} });
          const v = runEnergyValue(r, { unit, scale, includeTraining, amortiseOver })!;
          expect(v.low).toBeLessThanOrEqual(v.value * (1 + 1e-12));
          expect(v.high).toBeGreaterThanOrEqual(v.value * (1 - 1e-12));
          expect(v.trainingShare).toBeGreaterThanOrEqual(0);
          expect(v.trainingShare).toBeLessThanOrEqual(1);
        },
      ),
    );
  });
});

describe('runSegmentCount', () => {
  it('reads the per-unit segment entry, then throughput', () => {
    const run = makeRun('s', { segments: 321 });
    expect(runSegmentCount(run)).toBe(321);
    run.energy!.perUnit = [{ unit: 'segments', count: 99, joules: 1, lowJ: 1, highJ: 1 }];
    expect(runSegmentCount(run)).toBe(99);
    run.energy!.perUnit = [];
    expect(runSegmentCount(run)).toBe(321);
    run.throughput = null;
    expect(runSegmentCount(run)).toBeNull();
  });

  it('prefers a segment entry to samples and responses', () => {
    const run = makeRun('s');
    run.energy!.perUnit = [
      { unit: 'J/response', count: 7, joules: 1, lowJ: 1, highJ: 1 },
      { unit: 'J/segment', count: 8, joules: 1, lowJ: 1, highJ: 1 },
      { unit: 'J/output token', count: 900, joules: 1, lowJ: 1, highJ: 1 },
    ];
    expect(runSegmentCount(run)).toBe(8);
  });
});

describe('formatEnergy and labels', () => {
  it.each([
    [0, 'J', '0 J'],
    [0.000412, 'J', '412 µJ'],
    [0.412, 'J', '412 mJ'],
    [1.5, 'J', '1.50 J'],
    [1234, 'J', '1.23 kJ'],
    [999.6, 'J', '1.00 kJ'],
    [2.16e6, 'J', '2.16 MJ'],
    [0.0123, 'Wh', '12.3 mWh'],
    [600, 'Wh', '600 Wh'],
    [3400, 'Wh', '3.40 kWh'],
    [0.85, 'gCO2e', '850 mgCO2e'],
    [33.6, 'gCO2e', '33.6 gCO2e'],
    [1200, 'gCO2e', '1.20 kgCO2e'],
    [2.5e6, 'gCO2e', '2.50 tCO2e'],
  ] as const)('%d %s → %s', (value, unit, text) => {
    expect(formatEnergy(value, unit)).toBe(text);
  });

  it('labels unit and scale', () => {
    expect(energyLabel('J', 'total')).toBe('J');
    expect(energyLabel('gCO2e', 'per-segment')).toBe('gCO2e per segment');
    expect(energyLabel('Wh', 'per-1k-segments')).toBe('Wh per 1k segments');
  });
});
