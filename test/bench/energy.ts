/**
 * Energy benchmarks (issue 4): (1) the sampler process's own CPU use while sampling every meter
 * available on this machine — goal < 1 % of one core; (2) the same with a heavier synthetic set
 * (two RAPL packages + DRAM at 1 Hz, four hwmon power sensors at 10 Hz) from a fake sysfs tree;
 * (3) window-energy error against a synthetic RAPL-like counter with known, varying power
 * (61 µJ units, 1 ms updates, wrap every ~27 s, jittered 1 Hz reads) — goal < 0.1 %.
 * The sampling duration is ECOEVAL_BENCH_ENERGY_S (default 60 s) or `makeEnergySuite({ durationS })`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createEnergyMonitor } from '../../main/services/energy/monitor';
import type { SamplerConfig } from '../../main/services/energy/registry';
import { SamplerCore } from '../../main/services/energy/sampler-core';
import type { Meter, MeterDescriptor, RawReading } from '../../main/services/energy/types';
import type { BenchFigure, BenchSuite } from './types';

async function samplerOverhead(config: SamplerConfig, durationS: number) {
  const m = await createEnergyMonitor({ sampler: config });
  const meters = m.probe().choices.flatMap((c) => c.chosen.map((d) => `${d.id}@${d.periodS}s`));
  await new Promise((r) => setTimeout(r, durationS * 1000));
  const o = await m.overhead();
  await m.close();
  return { o, meters };
}

function fakeSysTree(): { root: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'ecoeval-bench-energy-'));
  const files: Record<string, string> = {};
  const zone = (d: string, name: string) => {
    files[`sys/class/powercap/${d}/name`] = `${name}\n`;
    files[`sys/class/powercap/${d}/energy_uj`] = '123456789\n';
    files[`sys/class/powercap/${d}/max_energy_range_uj`] = '262143328850\n';
  };
  zone('intel-rapl:0', 'package-0');
  zone('intel-rapl:0:0', 'dram');
  zone('intel-rapl:1', 'package-1');
  zone('intel-rapl:1:0', 'dram');
  for (let i = 0; i < 4; i++) {
    files[`sys/class/hwmon/hwmon${i}/name`] = 'amdgpu\n';
    files[`sys/class/hwmon/hwmon${i}/power1_average`] = '45000000\n';
  }
  for (const [p, t] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), t);
  }
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** RAPL-like counter: 61 µJ units, updated every 1 ms, 24-bit range, power P0·(1 + 0.2 sin). */
class SyntheticCounter implements Meter {
  static readonly UNIT = 61.035e-6;
  static readonly MAX = 2n ** 24n;
  static readonly P0 = 37.3;
  readonly descriptor: MeterDescriptor = {
    id: 'synthetic:rapl',
    component: 'cpu',
    device: 'synthetic',
    method: 'counter',
    scope: 'cpu-package',
    source: 'bench',
    label: 'synthetic counter',
    relUncertainty: { lo: 0.05, hi: 0.05 },
    powerCeilingW: 200,
    periodS: 1,
    notes: [],
  };
  constructor(private readonly now: () => bigint) {}
  /** Exact energy at t seconds. */
  static energy(t: number): number {
    const w = (2 * Math.PI) / 7;
    return SyntheticCounter.P0 * (t + (0.2 / w) * (1 - Math.cos(w * t)));
  }
  async read(): Promise<RawReading> {
    const t = this.now();
    const ms = Number(t / 1_000_000n) / 1000; // counter updated every 1 ms
    const ticks = BigInt(Math.floor(SyntheticCounter.energy(ms) / SyntheticCounter.UNIT));
    return {
      t,
      kind: 'counter',
      raw: ticks % SyntheticCounter.MAX,
      unitJ: SyntheticCounter.UNIT,
      maxRaw: SyntheticCounter.MAX,
    };
  }
  async close(): Promise<void> {}
}

async function windowError(): Promise<{ maxRel: number; meanRel: number; windows: number }> {
  let ns = 0n;
  const now = () => ns;
  const core = new SamplerCore([new SyntheticCounter(now)], now);
  // Deterministic PRNG so the figure is reproducible.
  let seed = 42;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const events: Array<{ t: number; kind: 'read' | 'mark' }> = [];
  for (let s = 1; s < 7200; s++) events.push({ t: s + (rand() - 0.5) * 0.1, kind: 'read' });
  const windows: Array<[number, number]> = [];
  for (let i = 0; i < 200; i++) {
    const a = 10 + rand() * 6000;
    const len = 10 + rand() * 590;
    windows.push([a, a + len]);
    events.push({ t: a, kind: 'mark' }, { t: a + len, kind: 'mark' });
  }
  events.sort((x, y) => x.t - y.t);
  const markAt = new Map<number, bigint>();
  for (const e of events) {
    ns = BigInt(Math.round(e.t * 1e9));
    if (e.kind === 'read') await core.readGroup(1);
    else markAt.set(e.t, await core.mark());
  }
  let maxRel = 0;
  let sum = 0;
  for (const [a, b] of windows) {
    const got = core.window(markAt.get(a) as bigint, markAt.get(b) as bigint).components[0].joules;
    const want = SyntheticCounter.energy(b) - SyntheticCounter.energy(a);
    const rel = Math.abs(got - want) / want;
    maxRel = Math.max(maxRel, rel);
    sum += rel;
  }
  return { maxRel, meanRel: sum / windows.length, windows: windows.length };
}

/** Build the suite with a given sampling duration. */
export function makeEnergySuite(options: { durationS?: number } = {}): BenchSuite {
  const durationS = options.durationS ?? Number(process.env.ECOEVAL_BENCH_ENERGY_S ?? 60);
  return async (log) => {
    const figures: BenchFigure[] = [];
    log(`energy: sampling all available meters for ${durationS} s …`);
    const real = await samplerOverhead({ trackPid: process.pid }, durationS);
    log(
      `energy: meters ${real.meters.join(', ')}; ${real.o.reads} reads, ${real.o.missedTicks} missed ticks`,
    );
    figures.push({
      name: `sampler CPU, this machine's meters (${real.meters.length}: ${real.meters.join(', ')}), ${durationS} s`,
      value: real.o.fractionOfCore * 100,
      unit: '% of one core',
      goal: '< 1 % of one core',
      met: real.o.fractionOfCore < 0.01,
    });
    const tree = fakeSysTree();
    try {
      log(
        `energy: sampling a synthetic 2-socket RAPL + DRAM + 4×10 Hz hwmon set for ${durationS} s …`,
      );
      const heavy = await samplerOverhead(
        { sysRoot: tree.root, trackPid: process.pid, nvmlLibrary: false, nvidiaSmi: false },
        durationS,
      );
      log(`energy: ${heavy.o.reads} reads, ${heavy.o.missedTicks} missed ticks`);
      figures.push({
        name: `sampler CPU, 4 counters @1 Hz + 4 power @10 Hz (fake sysfs), ${durationS} s`,
        value: heavy.o.fractionOfCore * 100,
        unit: '% of one core',
        goal: '< 1 % of one core',
        met: heavy.o.fractionOfCore < 0.01,
      });
    } finally {
      tree.cleanup();
    }
    const e = await windowError();
    log(
      `energy: window error over ${e.windows} windows: max ${(e.maxRel * 100).toFixed(4)} %, mean ${(e.meanRel * 100).toFixed(4)} %`,
    );
    figures.push({
      name: `window energy error, synthetic RAPL counter (61 µJ, 1 ms updates, wraps, ${e.windows} windows 10–600 s)`,
      value: e.maxRel * 100,
      unit: '% (max)',
      goal: '< 0.1 %',
      met: e.maxRel < 0.001,
    });
    return figures;
  };
}

export const suite: BenchSuite = makeEnergySuite();
