// CPU-time × TDP estimator, TDP lookup and RAM model: energy.md §5 scenarios 23–25.
import { afterEach, describe, expect, it } from 'vitest';
import { rmSync, writeFileSync } from 'node:fs';
import { nodeFs } from '../../../main/services/energy/fs';
import { resolveDataDir } from '../../../main/services/energy/data';
import {
  buildTdpTable,
  loadTdpTable,
  lookupTdp,
  normaliseCpuName,
} from '../../../main/services/energy/tdp';
import {
  CpuEstimator,
  parsePidStat,
  parseProcStat,
  treeTicks,
} from '../../../main/services/energy/meters/cpu-estimator';
import { guessDimms, ramWatts } from '../../../main/services/energy/meters/ram-estimator';
import { FakeClock, makeTree } from './helpers';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

const stat = (busy: number, idle: number) => `cpu  ${busy} 0 0 ${idle} 0 0 0 0 0 0\ncpu0 1 2 3 4\n`;
const pidStat = (pid: number, ppid: number, ticks: number, comm = 'node') =>
  `${pid} (${comm}) S ${ppid} 1 1 0 -1 0 0 0 0 0 ${ticks} 0 0 0 20 0 1 0 100 0 0\n`;

describe('TDP lookup (scenario 24)', () => {
  const table = loadTdpTable(resolveDataDir());
  it('finds exact models after normalisation', () => {
    expect(lookupTdp(table, 'Intel(R) Core(TM) i7-7600U CPU @ 2.80GHz', 4)).toMatchObject({
      watts: 15,
      basis: 'table-exact',
    });
    expect(lookupTdp(table, 'AMD Ryzen 9 5950X 16-Core Processor', 32)).toMatchObject({
      watts: 105,
      basis: 'table-exact',
    });
  });
  it('treats an ambiguous token-set match as unknown → 4 W per logical CPU', () => {
    const r = lookupTdp(table, 'AMD EPYC', 2);
    expect(r).toMatchObject({ watts: 8, basis: 'unknown-model' });
    expect(r.label).toContain('4 W × 2 logical CPUs');
  });
  it('uses 85 W for an empty brand', () => {
    expect(lookupTdp(table, '', 8)).toMatchObject({ watts: 85, basis: 'undetectable' });
  });
  it('ignores malformed table rows', () => {
    const t = buildTdpTable([
      { name: 'Intel Celeron 1000A', tdp_w: '', note: 'malformed' },
      { name: 'Chip X 1', tdp_w: '27.29.5', note: '' },
      { name: 'Chip Y 2', tdp_w: '0', note: '' },
      { name: 'Chip Z 3', tdp_w: '35', note: '' },
    ]);
    expect(t.rows.map((r) => r.name)).toEqual(['Chip Z 3']);
    expect(lookupTdp(t, 'Intel Celeron 1000A', 1).basis).toBe('unknown-model');
  });
  it('normalises brand strings', () => {
    expect(normaliseCpuName('Intel(R) Xeon(R) Gold 6130 CPU @ 2.10GHz')).toBe(
      'intel xeon gold 6130',
    );
  });
});

describe('RAM model (scenario 25)', () => {
  it.each([
    [8, 10],
    [32, 20],
    [64, 20],
    [128, 38],
    [1024, 38],
    [2048, 70],
  ])('%i GB → %i W', (gb, w) => expect(ramWatts(gb)).toBeCloseTo(w, 9));
  it('ARM 8 GB → 3 W', () => expect(ramWatts(8, true)).toBe(3));
  it('guesses DIMMs', () =>
    expect([2, 16, 32, 2048].map((g) => guessDimms(g))).toEqual([1, 2, 4, 16]));
});

describe('CPU estimator (scenario 23)', () => {
  it('parses /proc/stat and pid stat with spaces in the command name', () => {
    expect(parseProcStat(stat(300, 700))).toEqual({ busy: 300, total: 1000 });
    expect(parsePidStat(pidStat(42, 1, 7, 'my (odd) proc'))).toEqual({
      pid: 42,
      ppid: 1,
      ticks: 7,
    });
  });

  it('machine power follows utilisation; process share and foreign load are reported', async () => {
    const t = makeTree({
      'proc/stat': stat(0, 0),
      'proc/10/stat': pidStat(10, 1, 0),
      'proc/11/stat': pidStat(11, 10, 0),
      'proc/12/stat': pidStat(12, 10, 0),
      'proc/99/stat': pidStat(99, 1, 0),
    });
    cleanups.push(t.cleanup);
    const clock = new FakeClock();
    const est = new CpuEstimator(nodeFs(t.root), {
      tdp: { watts: 100, basis: 'table-exact', label: 'TDP 100 W (table)' },
      sockets: 1,
      brand: 'X',
      periodS: 1,
      trackPid: 10,
      excludePids: [12],
      now: clock.now,
    });
    await est.read();
    // Over the interval: machine 50 % busy; our tree (10 + child 11) used 20 % of capacity.
    writeFileSync(`${t.root}/proc/stat`, stat(500, 500));
    writeFileSync(`${t.root}/proc/10/stat`, pidStat(10, 1, 100));
    writeFileSync(`${t.root}/proc/11/stat`, pidStat(11, 10, 100));
    writeFileSync(`${t.root}/proc/12/stat`, pidStat(12, 10, 50)); // the sampler: excluded
    const r = await est.read();
    expect(r.kind).toBe('model');
    if (r.kind !== 'model') return;
    expect(r.watts).toBeCloseTo(100 * (0.1 + 0.9 * 0.5), 9);
    expect(r.inputs.oursU).toBeCloseTo(0.2, 9);
    expect(r.inputs.foreignU).toBeCloseTo(0.3, 9);
    expect(r.inputs.shareW).toBeCloseTo((55 * 0.2) / 0.5, 9);
    expect(est.descriptor).toMatchObject({
      method: 'estimate',
      relUncertainty: { lo: 0.5, hi: 1 },
    });
  });

  it('a child that exits keeps its CPU time through the parent cutime', () => {
    const t = makeTree({
      'proc/10/stat': pidStat(10, 1, 100),
      'proc/11/stat': pidStat(11, 10, 40),
    });
    cleanups.push(t.cleanup);
    expect(treeTicks(nodeFs(t.root), 10, []).ticks).toBe(140);
    // Child reaped: its 40 ticks now sit in the parent's cutime (field 16).
    writeFileSync(
      `${t.root}/proc/10/stat`,
      `10 (node) S 1 1 1 0 -1 0 0 0 0 0 100 0 40 0 20 0 1 0 100 0 0\n`,
    );
    rmSync(`${t.root}/proc/11`, { recursive: true });
    expect(treeTicks(nodeFs(t.root), 10, []).ticks).toBe(140);
  });
});
