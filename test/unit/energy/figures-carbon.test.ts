// Grades, bands, above-idle figures, per-unit normalisation, signatures and carbon:
// energy.md §5 scenarios 30, 32, 34–37.
import { describe, expect, it } from 'vitest';
import { componentFigure, gradeOf, netFigure, perUnit } from '../../../main/services/energy/figure';
import { energySignature } from '../../../main/services/energy/signature';
import {
  carbonFor,
  joulesToKWh,
  loadIntensityTable,
  localeCountry,
  resolveIntensity,
} from '../../../main/services/energy/carbon';
import type { ComponentFigure } from '../../../main/services/energy/types';
import { descriptor } from './helpers';

const comp = (
  method: ComponentFigure['method'],
  joules: number,
  over: Partial<ComponentFigure> = {},
): ComponentFigure => ({
  component: 'cpu',
  meterId: `m:${method}`,
  device: 'd',
  label: method,
  method,
  scope: 'cpu-package',
  joules,
  lowJ: joules * 0.95,
  highJ: joules * 1.05,
  coverage: 1,
  notes: [],
  ...over,
});
const g = (o: Partial<Parameters<typeof gradeOf>[0]>) =>
  gradeOf({
    components: [comp('counter', 100)],
    windowS: 60,
    samples: 60,
    coverage: 1,
    flags: [],
    ...o,
  }).grade;

describe('grades at each boundary (scenario 34)', () => {
  it('A needs ≥ 90 % counters, ≥ 60 s or 60 samples, ≥ 98 % coverage, no flags', () => {
    expect(g({})).toBe('A');
    expect(g({ windowS: 59.9, samples: 59 })).toBe('B');
    expect(g({ windowS: 30, samples: 60 })).toBe('A');
    expect(g({ coverage: 0.979 })).toBe('B');
    expect(g({ flags: ['gap'] })).toBe('B');
    expect(g({ components: [comp('counter', 90), comp('estimate', 10)] })).toBe('A');
    expect(g({ components: [comp('counter', 89), comp('estimate', 11)] })).toBe('C');
  });
  it('B needs ≥ 90 % measured (counter or integrated) and ≥ 10 s', () => {
    expect(g({ components: [comp('integrated', 100)] })).toBe('B');
    expect(g({ components: [comp('integrated', 100)], windowS: 9.99, samples: 0 })).toBe('D');
    expect(
      g({ components: [comp('integrated', 100)], windowS: 9.99, samples: 0, repeats: 10 }),
    ).toBe('C');
  });
  it('C is 50–90 % measured, D below', () => {
    expect(g({ components: [comp('counter', 50), comp('estimate', 50)] })).toBe('C');
    expect(g({ components: [comp('counter', 49), comp('estimate', 51)] })).toBe('D');
    expect(g({ components: [comp('estimate', 100)] })).toBe('D');
  });
  it('D on shared machine, suspend, stale baseline, lost meter; approximated caps at C', () => {
    for (const f of [
      'shared-machine',
      'shared-gpu',
      'suspend',
      'stale-baseline',
      'meter-lost',
    ] as const)
      expect(g({ flags: [f] })).toBe('D');
    expect(g({ flags: ['approximated'] })).toBe('C');
  });
  it('says why the grade is not A', () => {
    const r = gradeOf({
      components: [comp('estimate', 1)],
      windowS: 3,
      samples: 3,
      coverage: 1,
      flags: [],
    });
    expect(r.reasons.join(' ')).toMatch(/single-shot window of 3\.00 s/);
  });
});

describe('component bands', () => {
  it('counter band: ±5 % plus 2·τ/T edge term; gap energy widens only the top', () => {
    const d = descriptor({ updatePeriodS: 0.1 });
    const f = componentFigure(
      d,
      {
        joules: 1100,
        measuredJ: 1000,
        gapJ: 100,
        coverage: 0.9,
        resets: 0,
        approximated: false,
        samples: 10,
      },
      10,
    );
    expect(f.lowJ).toBeCloseTo(1000 * (1 - 0.07), 9);
    expect(f.highJ).toBeCloseTo(1000 * 1.07 + 200, 9);
  });
  it('estimate band is −50 %/+100 %', () => {
    const d = descriptor({ method: 'estimate', relUncertainty: { lo: 0.5, hi: 1 } });
    const f = componentFigure(
      d,
      {
        joules: 100,
        measuredJ: 100,
        gapJ: 0,
        coverage: 1,
        resets: 0,
        approximated: false,
        samples: 5,
      },
      10,
    );
    expect([f.lowJ, f.highJ]).toEqual([50, 200]);
  });
});

describe('idle baseline and per-unit (scenarios 30, 32)', () => {
  const baseline = {
    at: '2026-01-01T00:00:00.000Z',
    atMs: 0,
    durationS: 30,
    watts: 10,
    lowW: 9,
    highW: 11,
    perComponent: [],
  };
  it('net = gross − P_idle·T, labelled', () => {
    const n = netFigure({ joules: 500, lowJ: 450, highJ: 550 }, 20, baseline, 1000);
    expect(n).toMatchObject({ joules: 300, lowJ: 230, highJ: 370, stale: false, clamped: false });
    expect(n.label).toBe('active energy (above idle baseline from 2026-01-01T00:00:00.000Z)');
  });
  it('clamps net below zero and detects a stale baseline', () => {
    const n = netFigure({ joules: 100, lowJ: 90, highJ: 110 }, 20, baseline, 25 * 3600 * 1000);
    expect(n).toMatchObject({ joules: 0, clamped: true, stale: true });
  });
  it('excludes warm-up energy before dividing by units', () => {
    const p = perUnit({ joules: 1000, lowJ: 900, highJ: 1100 }, 200, {
      outputTokens: 400,
      epochs: 2,
    });
    expect(p).toEqual([
      { unit: 'J/output token', count: 400, joules: 2, lowJ: 1.8, highJ: 2.2 },
      { unit: 'J/epoch', count: 2, joules: 400, lowJ: 360, highJ: 440 },
    ]);
  });
});

describe('schema (scenario 35)', () => {
  it('every component figure carries label, method, scope, lowJ, highJ', () => {
    const f = componentFigure(
      descriptor(),
      { joules: 1, measuredJ: 1, gapJ: 0, coverage: 1, resets: 0, approximated: false, samples: 2 },
      1,
    );
    for (const k of ['label', 'method', 'scope', 'lowJ', 'highJ', 'joules', 'coverage', 'meterId'])
      expect(f).toHaveProperty(k);
    expect(JSON.parse(JSON.stringify(f))).toEqual(f);
  });
  it('signature lists meters, scopes, basis, grid and version in sacreBLEU style', () => {
    const s = energySignature(
      {
        perComponent: [
          comp('counter', 1, { meterId: 'rapl:package-0' }),
          comp('counter', 1, { meterId: 'rapl:package-1' }),
          comp('estimate', 1, { component: 'ram', meterId: 'est:ram-dimm', scope: 'dimm-model' }),
        ],
      },
      { code: 'FR', source: 'CC', year: 2023 },
    );
    expect(s).toBe(
      'meters:cpu=rapl.counterx2,ram=dimm.estimate|scope:cpu-package+dimm-model|basis:gross|grid:FR.CC.2023|version:0.1.0',
    );
  });
});

describe('carbon (scenarios 36, 37)', () => {
  const table = loadIntensityTable();
  it('looks up alpha-2 and alpha-3; NA is Namibia', () => {
    expect(resolveIntensity({ country: 'FR', table })).toMatchObject({
      code: 'FR',
      g: 56.039,
      year: 2023,
      lowG: 44.179,
    });
    expect(resolveIntensity({ country: 'fra', table }).code).toBe('FR');
    expect(resolveIntensity({ country: 'NA', table })).toMatchObject({
      country: 'Namibia',
      g: 59.259,
    });
  });
  it('unknown code → 475 world default, labelled, band 445–475', () => {
    const i = resolveIntensity({ country: 'XX', table });
    expect(i).toMatchObject({
      g: 475,
      lowG: 445,
      highG: 475,
      basis: 'world-default',
      assumed: true,
    });
    expect(i.label).toMatch(/world default.*unknown country code "XX"/);
  });
  it('user value wins; locale is assumed; empty locale → world default (scenario 37)', () => {
    expect(resolveIntensity({ userIntensity: 100, country: 'PL', table }).basis).toBe('user-value');
    const l = resolveIntensity({ localeCountry: 'PL', table });
    expect(l).toMatchObject({ basis: 'locale-assumed', assumed: true });
    expect(l.label).toMatch(/assumed from OS locale/);
    expect(resolveIntensity({ localeCountry: '', table }).basis).toBe('world-default');
  });
  it('J → kWh → g round trip with overhead factor and country band', () => {
    const fr = resolveIntensity({ country: 'FR', table });
    const c = carbonFor(
      { joules: 2.16e6, lowJ: 2e6, highJ: 2.3e6, perComponent: [] },
      { country: 'FR', overheadFactor: 1.5, table },
    );
    expect(joulesToKWh(2.16e6)).toBeCloseTo(0.6, 12);
    expect(c.grams).toBeCloseTo(0.6 * fr.g * 1.5, 9);
    expect(c.lowG).toBeCloseTo((2e6 / 3.6e6) * fr.lowG * 1.5, 9);
    expect(c.highG).toBeCloseTo((2.3e6 / 3.6e6) * fr.highG * 1.5, 9);
    expect(c.signature).toContain('grid:FR.CC.2023');
    const w = carbonFor({ joules: 1000, lowJ: 1000, highJ: 1000, perComponent: [] }, 'ZZ');
    expect(w.grams).toBeCloseTo(0.132, 3);
  });
  it('reads the locale country from LANG', () => {
    expect(localeCountry({ LANG: 'de_DE.UTF-8' })).toBe('DE');
  });
});
