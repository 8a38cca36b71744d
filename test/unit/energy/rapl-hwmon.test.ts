// RAPL powercap and hwmon scanners on fake trees: energy.md §5 scenarios 1–4, 9–11, 20.
import { afterEach, describe, expect, it } from 'vitest';
import { nodeFs } from '../../../main/services/energy/fs';
import { probeRapl } from '../../../main/services/energy/meters/rapl';
import { probeHwmon } from '../../../main/services/energy/meters/hwmon';
import { SamplerCore } from '../../../main/services/energy/sampler-core';
import { FakeClock, failingFs, makeTree, zone } from './helpers';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));
function tree(files: Record<string, string>): string {
  const t = makeTree(files);
  cleanups.push(t.cleanup);
  return t.root;
}
const clock = new FakeClock();
const opts = { periodS: 1, cpuCeilingW: 300, cpuName: 'Test CPU', now: clock.now };

describe('probeRapl', () => {
  it('uses package-0 for CPU, dram for RAM, never core/uncore, psys only as alternative (scenario 1)', () => {
    const root = tree({
      ...zone('intel-rapl:0', 'package-0', '1000'),
      ...zone('intel-rapl:0:0', 'core', '500'),
      ...zone('intel-rapl:0:1', 'uncore', '100'),
      ...zone('intel-rapl:0:2', 'dram', '300'),
      ...zone('intel-rapl:1', 'psys', '5000'),
    });
    const r = probeRapl(nodeFs(root), opts);
    expect(r.meters.map((m) => m.descriptor.id).sort()).toEqual([
      'rapl:package-0',
      'rapl:package-0/dram',
    ]);
    expect(
      r.meters.find((m) => m.descriptor.id === 'rapl:package-0/dram')?.descriptor.component,
    ).toBe('ram');
    expect(r.alternatives.map((a) => a.descriptor.id)).toEqual(['rapl:psys']);
    expect(r.alternatives[0].why).toMatch(/never summed/);
  });

  it('counts MMIO and MSR copies once, MMIO first, MSR when MMIO is unreadable (scenario 2)', () => {
    const files = {
      ...zone('intel-rapl:0', 'package-0', '1000'),
      ...zone('intel-rapl-mmio:0', 'package-0', '2000'),
    };
    const root = tree(files);
    const both = probeRapl(nodeFs(root), opts);
    expect(both.meters).toHaveLength(1);
    expect(both.meters[0].descriptor.source).toBe('powercap sysfs (MMIO)');
    const denied = failingFs(root, (p) =>
      p.includes('mmio') && p.endsWith('energy_uj') ? 'EACCES' : undefined,
    );
    const msr = probeRapl(denied, opts);
    expect(msr.meters).toHaveLength(1);
    expect(msr.meters[0].descriptor.source).toBe('powercap sysfs (MSR)');
  });

  it('keeps one meter per socket so packages are summed with a per-socket breakdown (scenario 3)', async () => {
    const root = tree({
      ...zone('intel-rapl:0', 'package-0', '0'),
      ...zone('intel-rapl:1', 'package-1', '0'),
    });
    const r = probeRapl(nodeFs(root), opts);
    expect(r.meters.map((m) => m.descriptor.id)).toEqual(['rapl:package-0', 'rapl:package-1']);
    const reading = await r.meters[1].read();
    expect(reading).toMatchObject({ kind: 'counter', raw: 0n, unitJ: 1e-6, maxRaw: 262143328850n });
  });

  async function dieRun(deltas: [number, number][]): Promise<string[]> {
    const files = {
      ...zone('intel-rapl:0', 'package-0-die-0', '0'),
      ...zone('intel-rapl:1', 'package-0-die-1', '0'),
    };
    const root = tree(files);
    const fs = nodeFs(root);
    const r = probeRapl(fs, opts);
    const core = new SamplerCore(r.meters, clock.now);
    const { writeFileSync } = await import('node:fs');
    let a = 0;
    let b = 0;
    await core.mark();
    for (const [da, db] of deltas) {
      a += da;
      b += db;
      writeFileSync(`${root}/sys/class/powercap/intel-rapl:0/energy_uj`, String(a));
      writeFileSync(`${root}/sys/class/powercap/intel-rapl:1/energy_uj`, String(b));
      clock.advance(1);
      await core.readGroup(1);
    }
    return core.window(clock.ns - 6_000_000_000n, clock.ns).components.map((c) => c.meterId);
  }

  it('deduplicates two die zones with identical deltas for 5 samples (scenario 4)', async () => {
    const same = Array.from({ length: 6 }, (_, i) => [1000 + i, 1000 + i] as [number, number]);
    expect(await dieRun(same)).toEqual(['rapl:package-0-die-0']);
  });

  it('sums die zones whose deltas differ (scenario 4)', async () => {
    const diff = Array.from({ length: 6 }, (_, i) => [1000 + i, 700 + i] as [number, number]);
    expect(await dieRun(diff)).toEqual(['rapl:package-0-die-0', 'rapl:package-0-die-1']);
  });

  it('explains EACCES with the path and the fix, and offers no meter (scenario 9)', () => {
    const root = tree(zone('intel-rapl:0', 'package-0', '1000'));
    const fs = failingFs(root, (p) => (p.endsWith('energy_uj') ? 'EACCES' : undefined));
    const r = probeRapl(fs, opts);
    expect(r.meters).toHaveLength(0);
    expect(r.probes[0].available).toBe(false);
    expect(r.probes[0].reason).toContain('/sys/class/powercap/intel-rapl:0/energy_uj (EACCES)');
    expect(r.probes[0].fix).toMatch(/root only since Linux 5\.10.*tmpfiles/);
  });

  it('says plainly that there is no powercap tree (VM) and how to enable it', () => {
    const root = tree({ 'sys/class/other/x': '' });
    const r = probeRapl(nodeFs(root), opts);
    expect(r.probes[0]).toMatchObject({ available: false });
    expect(r.probes[0].reason).toMatch(/Virtual machines/);
    expect(r.probes[0].fix).toMatch(/estimator/);
  });

  it('a bad read on one sample is a missed read, the meter stays alive (scenario 10)', async () => {
    const root = tree(zone('intel-rapl:0', 'package-0', '1000000'));
    let broken = false;
    const fs = failingFs(root, (p) => (broken && p.endsWith('energy_uj') ? 'EIO' : undefined));
    const r = probeRapl(fs, opts);
    const core = new SamplerCore(r.meters, clock.now);
    const t0 = await core.mark();
    broken = true;
    clock.advance(1);
    await core.readGroup(1);
    broken = false;
    const { writeFileSync } = await import('node:fs');
    writeFileSync(`${root}/sys/class/powercap/intel-rapl:0/energy_uj`, '0\n'); // empty-ish garbage next
    writeFileSync(`${root}/sys/class/powercap/intel-rapl:0/energy_uj`, '\n');
    clock.advance(1);
    await core.readGroup(1);
    writeFileSync(`${root}/sys/class/powercap/intel-rapl:0/energy_uj`, '31000000\n');
    clock.advance(1);
    await core.readGroup(1);
    const w = core.window(t0, clock.ns);
    expect(w.components[0].joules).toBeCloseTo(30, 6);
    expect(core.ledgers.get('rapl:package-0')?.missedReads).toBe(2);
  });

  it('refuses a poll period that could miss a wrap (scenario 11)', () => {
    const root = tree(zone('intel-rapl:0', 'package-0', '0', '65536000000'));
    const r = probeRapl(nodeFs(root), { ...opts, cpuCeilingW: 280, periodS: 120 });
    expect(r.meters).toHaveLength(0);
    expect(r.probes[0].reason).toMatch(/wrap period \(117 s at 280 W\)/);
    expect(
      probeRapl(nodeFs(root), { ...opts, cpuCeilingW: 280, periodS: 100 }).meters,
    ).toHaveLength(1);
  });
});

describe('probeHwmon (scenario 20)', () => {
  it('finds amdgpu power (average or input), i915 energy, zenergy Esocket only, ACPI power_meter', async () => {
    const h = 'sys/class/hwmon';
    const root = tree({
      [`${h}/hwmon0/name`]: 'amdgpu\n',
      [`${h}/hwmon0/power1_average`]: '45000000\n',
      [`${h}/hwmon1/name`]: 'amdgpu\n',
      [`${h}/hwmon1/power1_input`]: '12000000\n',
      [`${h}/hwmon2/name`]: 'i915\n',
      [`${h}/hwmon2/energy1_input`]: '123456\n',
      [`${h}/hwmon3/name`]: 'zenergy\n',
      [`${h}/hwmon3/energy1_input`]: '1000\n',
      [`${h}/hwmon3/energy1_label`]: 'Ecore000\n',
      [`${h}/hwmon3/energy17_input`]: '9000\n',
      [`${h}/hwmon3/energy17_label`]: 'Esocket0\n',
      [`${h}/hwmon4/name`]: 'power_meter\n',
      [`${h}/hwmon4/power1_average`]: '250000000\n',
    });
    const r = probeHwmon(nodeFs(root), {
      counterPeriodS: 1,
      powerPeriodS: 0.1,
      cpuCeilingW: 300,
      cpuName: 'AMD',
      now: clock.now,
    });
    const ids = r.meters.map((m) => m.descriptor.id);
    expect(ids).toEqual([
      'hwmon:hwmon0:amdgpu',
      'hwmon:hwmon1:amdgpu',
      'hwmon:hwmon2:i915',
      'hwmon:hwmon3:Esocket0',
      'hwmon:hwmon4:power_meter',
    ]);
    expect(r.meters[0].descriptor.source).toBe('hwmon power1_average');
    expect(r.meters[1].descriptor.source).toBe('hwmon power1_input');
    expect(await r.meters[0].read()).toMatchObject({ kind: 'power', watts: 45 });
    expect(await r.meters[3].read()).toMatchObject({ kind: 'counter', raw: 9000n });
    expect(r.meters[4].descriptor).toMatchObject({ component: 'system', scope: 'wall' });
  });
});
