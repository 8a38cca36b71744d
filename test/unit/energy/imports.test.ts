// Wall-meter CSV and CodeCarbon emissions.csv imports: energy.md §5 scenario 26 (without the
// sync-pulse alignment, which v1 leaves to a manual offset) and bad-row errors naming the line.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  importWallMeterCsv,
  parseTimestamp,
  wallMeterWindow,
} from '../../../main/services/energy/imports/wall-meter';
import { importCodeCarbonCsv } from '../../../main/services/energy/imports/codecarbon';
import { EnergyInputError } from '../../../main/services/energy/imports/errors';

const fixture = (n: string) =>
  readFileSync(new URL(`../../fixtures/energy/${n}`, import.meta.url), 'utf8');

describe('wall-meter CSV', () => {
  it('integrates W, kW and cumulative Wh to the same energy', () => {
    const t0 = 1_780_000_000;
    const w = ['timestamp,power_w', ...[0, 1, 2, 3].map((i) => `${t0 + i},100`)].join('\n');
    const kw = ['timestamp,power_kw', ...[0, 1, 2, 3].map((i) => `${(t0 + i) * 1000},0.1`)].join(
      '\n',
    );
    const wh = [
      'timestamp,energy_wh',
      ...[0, 1, 2, 3].map((i) => `${t0 + i},${(100 * i) / 3600}`),
    ].join('\n');
    for (const [text, name] of [
      [w, 'w.csv'],
      [kw, 'kw.csv'],
      [wh, 'wh.csv'],
    ]) {
      const s = importWallMeterCsv(text, name);
      const f = wallMeterWindow(s, t0 * 1000, (t0 + 3) * 1000);
      expect(f.joules).toBeCloseTo(300, 6);
      expect(f).toMatchObject({
        component: 'system',
        method: 'external',
        scope: 'wall',
        coverage: 1,
      });
      expect(f.lowJ).toBeCloseTo(300 * (1 - 0.02 - 1 / 3), 6);
    }
  });

  it('reads ISO timestamps with offsets across a daylight-saving change (1 s apart)', () => {
    const s = importWallMeterCsv(
      'timestamp,power_w\n2026-03-29T01:59:59+01:00,50\n2026-03-29T03:00:00+02:00,50\n',
      'dst.csv',
    );
    expect(s.points[1].tMs - s.points[0].tMs).toBe(1000);
    expect(wallMeterWindow(s, s.points[0].tMs, s.points[1].tMs).joules).toBeCloseTo(50, 9);
  });

  it('distinguishes epoch seconds from milliseconds and applies a user offset', () => {
    expect(parseTimestamp('1780000000')).toBe(1_780_000_000_000);
    expect(parseTimestamp('1780000000123')).toBe(1_780_000_000_123);
    const s = importWallMeterCsv('timestamp,power_w\n1780000000,1\n1780000001,1\n', 'o.csv', {
      offsetS: 3.2,
    });
    expect(s.points[0].tMs).toBe(1_780_000_003_200);
  });

  it.each([
    [
      'timestamp,power_w\n2026-03-29T01:00:00,5\n',
      /naive\.csv:2: timestamp "2026-03-29T01:00:00" has no UTC offset.*Add Z/,
    ],
    [
      'timestamp,power_w\n1780000000,5\n1780000001,abc\n',
      /naive\.csv:3: power_w "abc" is not a non-negative number/,
    ],
    [
      'timestamp,power_w\n1780000001,5\n1780000000,5\n',
      /naive\.csv:3: timestamp "1780000000" is not after/,
    ],
    [
      'timestamp,energy_wh\n1780000000,5\n1780000001,4\n',
      /naive\.csv:3: cumulative energy_wh went down/,
    ],
    ['time,volts\n1780000000,5\n', /naive\.csv:1: no power or energy column.*power_w/],
    ['timestamp,power_w\nyesterday,5\n', /naive\.csv:2: "yesterday" is not a timestamp/],
  ])('rejects bad rows with file and line: %#', (text, re) => {
    expect(() => importWallMeterCsv(text, 'naive.csv')).toThrow(re);
    expect(() => importWallMeterCsv(text, 'naive.csv')).toThrow(EnergyInputError);
  });
});

describe('CodeCarbon emissions.csv', () => {
  it('imports runs with per-component joules, labelled as imported, graded honestly', () => {
    const runs = importCodeCarbonCsv(fixture('emissions.csv'), 'emissions.csv');
    expect(runs).toHaveLength(2);
    const r = runs[0];
    expect(r).toMatchObject({ runId: 'run-1', project: 'nmt-big', country: 'FRA', line: 2 });
    expect(r.figure.joules).toBeCloseTo(0.3125 * 3.6e6, 3);
    expect(r.figure.perComponent.map((c) => [c.component, c.method])).toEqual([
      ['cpu', 'imported'],
      ['gpu', 'imported'],
      ['ram', 'imported'],
    ]);
    expect(r.figure.grade).toBe('D');
    expect(r.figure.gradeReasons[0]).toMatch(/does not record whether/);
    expect(r.reportedGrams).toBeCloseTo(56.3, 6);
    expect(runs[1].figure.perComponent.map((c) => c.component)).toEqual(['cpu', 'ram']);
  });

  it('names the bad line', () => {
    expect(() => importCodeCarbonCsv(fixture('emissions-bad.csv'), 'emissions-bad.csv')).toThrow(
      'emissions-bad.csv:3: duration "abc" is not a non-negative number. Fix or delete the row',
    );
  });
});

describe('sync-pulse alignment (scenario 26)', () => {
  it('recovers a known 3.2 s clock offset by cross-correlating the pulse', async () => {
    const { alignBySyncPulse } = await import('../../../main/services/energy/imports/wall-meter');
    const T0 = 1_780_000_000_000;
    // Reference (app clock): 10 s busy pulse from 20 s to 30 s, then a 5 s pulse at 50 s.
    const pulse = (s: number) => ((s >= 20 && s < 30) || (s >= 50 && s < 55) ? 60 : 10);
    const reference = Array.from({ length: 800 }, (_, i) => ({
      tMs: T0 + i * 100,
      watts: pulse(i / 10),
    }));
    // The wall meter's clock runs 3.2 s behind: it logs the pulse at 16.8 s; it also sees +40 W of PSU/fans.
    const lines = ['timestamp,power_w'];
    for (let i = 0; i < 1000; i++) {
      const wallS = i * 0.1;
      lines.push(`${(T0 + wallS * 1000) / 1000},${pulse(wallS + 3.2) + 40}`);
    }
    const wall = importWallMeterCsv(lines.join('\n'), 'wall.csv');
    const a = alignBySyncPulse(wall, reference, { maxOffsetS: 10, stepS: 0.1 });
    expect(a.offsetS).toBeCloseTo(3.2, 6);
    expect(a.correlation).toBeGreaterThan(0.95);
  });
});
