// The client/sampler pair: windows, nesting, warm-up exclusion, baseline, flags, a crashed
// sampler (scenario 29), suspend (27), and the real forked sampler process with a blocked
// caller event loop (28).
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { createEnergyMonitor } from '../../../main/services/energy/monitor';
import type { WindowFigure } from '../../../main/services/energy/monitor';
import { runSamplerHost } from '../../../main/services/energy/sampler-host';
import { inProcessPair } from '../../../main/services/energy/transport';
import type { Registry } from '../../../main/services/energy/registry';
import type { Meter } from '../../../main/services/energy/types';
import { FakeClock, FakeCounterMeter, FakeModelMeter, descriptor, makeTree, zone } from './helpers';

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function registry(meters: Meter[]): () => Registry {
  return () => ({
    meters,
    report: {
      probes: [],
      choices: [],
      alternatives: [],
      machine: { cpuBrand: 'x', sockets: 1, logicalCpus: 1, tdp: '', ramGb: 1 },
    },
  });
}

function complete(f: WindowFigure) {
  if (f.status !== 'complete') throw new Error(`incomplete: ${f.reason}`);
  return f;
}

async function fakeMonitor(meters: Meter[], clock: FakeClock, wall = { ms: 1_800_000_000_000 }) {
  const m = await createEnergyMonitor({
    transport: 'in-process',
    hostDeps: { registry: registry(meters), now: clock.now },
    wallNow: () => wall.ms,
  });
  cleanups.push(() => m.close());
  return m;
}

describe('EnergyMonitor (in-process, fake meters)', () => {
  it('gross headline from counters, nested windows, warm-up excluded from per-unit figures (scenario 30)', async () => {
    const clock = new FakeClock();
    const cpu = new FakeCounterMeter(descriptor({ id: 'rapl:package-0' }), clock, 50);
    const gpu = new FakeCounterMeter(
      descriptor({
        id: 'nvml:GPU-a:energy',
        component: 'gpu',
        scope: 'gpu-board',
        updatePeriodS: 0.1,
      }),
      clock,
      200,
    );
    const wall = { ms: 1_800_000_000_000 };
    const m = await fakeMonitor([cpu, gpu], clock, wall);
    const run = await m.begin('generate', 'generate');
    const warm = await m.begin('warm-up', 'warm-up');
    clock.advance(10);
    wall.ms += 10_000;
    const wf = complete(await m.end(warm, { units: { outputTokens: 5 } }));
    expect(wf.joules).toBeCloseTo(2500, 6);
    expect(wf.perUnit).toEqual([]);
    clock.advance(90);
    wall.ms += 90_000;
    const f = complete(await m.end(run, { units: { outputTokens: 1000 } }));
    expect(f.joules).toBeCloseTo(25_000, 6);
    expect(f.perComponent.map((c) => [c.meterId, Math.round(c.joules)])).toEqual([
      ['rapl:package-0', 5000],
      ['nvml:GPU-a:energy', 20000],
    ]);
    expect(f.warmUpExcludedJ).toBeCloseTo(2500, 6);
    expect(f.perUnit[0]).toMatchObject({ unit: 'J/output token', count: 1000 });
    expect(f.perUnit[0].joules).toBeCloseTo(22.5, 6);
    expect(f.grade).toBe('A');
    expect(f.flags).toEqual([]);
    expect(f.lowJ).toBeLessThan(f.joules);
    expect(f.highJ).toBeGreaterThan(f.joules);
    expect(f.signature).toBe(
      'meters:cpu=rapl.counter,gpu=nvml.counter|scope:cpu-package+gpu-board|basis:gross|grid:none|version:0.1.0',
    );
    expect(JSON.parse(JSON.stringify(f))).toEqual(f);
  });

  it('peeks at an open window (joules so far) and gives a power timeline for charts', async () => {
    const clock = new FakeClock();
    const m = await fakeMonitor([new FakeCounterMeter(descriptor(), clock, 40)], clock);
    const h = await m.begin('train', 'train');
    for (let i = 0; i < 5; i++) {
      clock.advance(1);
      await m.peek(h);
    }
    const so = complete(await m.peek(h));
    expect(so.joules).toBeCloseTo(200, 6);
    const tl = await m.timeline(h, 3);
    expect(tl[0].meterId).toBe('fake:counter');
    expect(tl[0].points.length).toBeLessThanOrEqual(3);
    expect(tl[0].points.every(([, w]) => Math.abs(w - 40) < 1e-6)).toBe(true);
    clock.advance(5);
    expect(complete(await m.end(h)).joules).toBeCloseTo(400, 6);
    const man = await m.manifest();
    expect(man).toMatchObject({ methodVersion: '0.1.0', periods: { counterS: 1, powerS: 0.1 } });
    expect(man.overhead?.inProcess).toBe(true);
    expect(JSON.parse(JSON.stringify(man))).toEqual(man);
  });

  it('flags a suspend (wall clock jumps 60 s, monotonic 1 s) and grades D (scenario 27)', async () => {
    const clock = new FakeClock();
    const wall = { ms: 1_800_000_000_000 };
    const m = await fakeMonitor([new FakeCounterMeter(descriptor(), clock, 10)], clock, wall);
    const h = await m.begin('train', 'train');
    clock.advance(1);
    wall.ms += 61_000;
    const f = complete(await m.end(h, { repeats: 20 }));
    expect(f.flags).toContain('suspend');
    expect(f.grade).toBe('D');
  });

  it('flags a counter reset inside a window and keeps the energy positive', async () => {
    const clock = new FakeClock();
    const gpu = new FakeCounterMeter(descriptor({ component: 'gpu' }), clock, 100);
    const m = await fakeMonitor([gpu], clock);
    const h = await m.begin('eval', 'evaluate');
    clock.advance(30);
    await m.begin('inner mark', 'evaluate');
    gpu.energyUj = 0n; // driver reload
    clock.advance(10);
    const f = complete(await m.end(h));
    expect(f.flags).toContain('counter-reset');
    expect(f.grade).not.toBe('A');
    expect(f.joules).toBeCloseTo(4000, 6); // 3000 J measured + 10 s bridged at 100 W
  });

  it('measures an idle baseline and adds a labelled above-idle figure (scenario 32)', async () => {
    const meter = new FakeModelMeter(
      descriptor({ id: 'est:ram-dimm', method: 'estimate', component: 'ram' }),
      { now: () => process.hrtime.bigint() } as unknown as FakeClock,
      10,
    );
    const m = await createEnergyMonitor({
      transport: 'in-process',
      hostDeps: { registry: registry([meter]) },
    });
    cleanups.push(() => m.close());
    const b = await m.measureIdle(0.05);
    expect(b.watts).toBeCloseTo(10, 6);
    expect(b.perComponent).toEqual([{ meterId: 'est:ram-dimm', component: 'ram', watts: b.watts }]);
    meter.watts = 30;
    const h = await m.begin('run', 'evaluate');
    await new Promise((r) => setTimeout(r, 50));
    const f = complete(await m.end(h));
    expect(f.net?.label).toMatch(/^active energy \(above idle baseline from /);
    expect(f.net!.joules / f.windowS).toBeCloseTo(20, 1);
    expect(f.flags).toContain('estimate-only');
  });

  it('returns an incomplete figure, not an exception, when the sampler dies (scenario 29)', async () => {
    const clock = new FakeClock();
    const [client, host] = inProcessPair();
    runSamplerHost(host, {
      registry: registry([new FakeCounterMeter(descriptor(), clock, 10)]),
      now: clock.now,
      inProcess: true,
    });
    const m = await createEnergyMonitor({ transport: client });
    const h = await m.begin('train', 'train');
    host.close();
    const f = await m.end(h);
    expect(f).toMatchObject({ status: 'incomplete', grade: 'D', flags: ['meter-lost'] });
    expect(m.lostReason()).toMatch(/measurement incomplete/);
    await m.close();
  });
});

describe('EnergyMonitor with the forked sampler process', () => {
  it('measures a RAPL counter exactly across processes while the caller is blocked (scenario 28), then survives a sampler crash', async () => {
    const t = makeTree({
      ...zone('intel-rapl:0', 'package-0', '1000000'),
      'proc/cpuinfo': 'model name\t: Test CPU\n',
    });
    cleanups.push(t.cleanup);
    const m = await createEnergyMonitor({
      sampler: {
        sysRoot: t.root,
        procRoot: t.root,
        nvmlLibrary: false,
        nvidiaSmi: false,
        totalMemGb: 8,
      },
    });
    cleanups.push(() => m.close());
    expect(m.probe().choices.find((c) => c.component === 'cpu')?.chosen[0].id).toBe(
      'rapl:package-0',
    );
    const h = await m.begin('blocked', 'train');
    writeFileSync(`${t.root}/sys/class/powercap/intel-rapl:0/energy_uj`, '6000000\n');
    const until = Date.now() + 300;
    while (Date.now() < until) {
      // the training thread is busy; the sampler keeps its own clock
    }
    const f = complete(await m.end(h));
    const cpu = f.perComponent.find((c) => c.meterId === 'rapl:package-0');
    expect(cpu?.joules).toBeCloseTo(5, 9);
    expect(cpu?.method).toBe('counter');
    const o = await m.overhead();
    expect(o.inProcess).toBe(false);
    expect(o.pid).not.toBe(process.pid);
    const h2 = await m.begin('after crash', 'train');
    process.kill(o.pid, 'SIGKILL');
    const f2 = await m.end(h2);
    expect(f2.status).toBe('incomplete');
  });
});
