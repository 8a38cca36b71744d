// Meter choice per component and why (energy.md §0.2, §3.5), including scenario 9's
// "estimator chosen, grade reflects it" and the estimator kept as a never-summed cross-check.
import { afterEach, describe, expect, it } from 'vitest';
import { buildRegistry } from '../../../main/services/energy/registry';
import { SamplerCore } from '../../../main/services/energy/sampler-core';
import { FakeClock, failingFs, makeTree, zone } from './helpers';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));
const base = { nvmlLibrary: false as const, nvidiaSmi: false as const, totalMemGb: 16 };

function tree(files: Record<string, string>): string {
  const t = makeTree({
    ...files,
    'proc/stat': 'cpu  100 0 100 800 0 0 0 0 0 0\n',
    'proc/cpuinfo':
      'processor\t: 0\nmodel name\t: Intel(R) Core(TM) i7-7600U CPU @ 2.80GHz\nphysical id\t: 0\n',
  });
  cleanups.push(t.cleanup);
  return t.root;
}

describe('buildRegistry', () => {
  it('RAPL package + dram: counters chosen, RAM estimator off, CPU estimator only as cross-check', async () => {
    const root = tree({
      ...zone('intel-rapl:0', 'package-0', '0'),
      ...zone('intel-rapl:0:0', 'dram', '0'),
    });
    const clock = new FakeClock();
    const reg = buildRegistry({ ...base, sysRoot: root, procRoot: root }, { now: clock.now });
    expect(reg.report.choices.map((c) => [c.component, c.chosen.map((d) => d.id)])).toEqual([
      ['cpu', ['rapl:package-0']],
      ['ram', ['rapl:package-0/dram']],
    ]);
    expect(reg.report.choices[1].why).toMatch(/not counted twice/);
    expect(reg.report.alternatives.map((a) => a.descriptor.id)).toContain('est:cpu-tdp');
    expect(reg.report.machine.tdp).toBe('TDP 15 W (table)');
    const core = new SamplerCore(reg.meters, clock.now);
    const t0 = await core.mark();
    clock.advance(1);
    await core.mark();
    const w = core.window(t0, clock.ns);
    expect(w.components.map((c) => c.meterId)).toEqual(['rapl:package-0', 'rapl:package-0/dram']);
    expect(w.crossChecks.map((c) => c.meterId)).toEqual(['est:cpu-tdp']);
  });

  it('EACCES on energy_uj: the estimator is chosen and the why names the path (scenario 9)', () => {
    const root = tree(zone('intel-rapl:0', 'package-0', '0'));
    const sysFs = failingFs(root, (p) => (p.endsWith('energy_uj') ? 'EACCES' : undefined));
    const reg = buildRegistry({ ...base, procRoot: root }, { sysFs });
    const cpu = reg.report.choices[0];
    expect(cpu.chosen[0].id).toBe('est:cpu-tdp');
    expect(cpu.why).toMatch(
      /falling back to the CPU-time × TDP estimator.*intel-rapl:0\/energy_uj \(EACCES\)/,
    );
    expect(reg.report.probes.find((p) => p.fix)?.fix).toMatch(/tmpfiles/);
  });

  it('no counters at all (VM): estimators for CPU and RAM, with the reason', () => {
    const root = tree({});
    const reg = buildRegistry({ ...base, sysRoot: root, procRoot: root });
    expect(reg.report.choices.map((c) => c.chosen[0].method)).toEqual(['estimate', 'estimate']);
    expect(reg.report.choices[0].why).toMatch(/powercap does not exist/);
    expect(reg.report.choices[1].why).toMatch(/DIMM-count model/);
  });

  it('a user-entered RAM power replaces the model and is labelled as such', () => {
    const root = tree({});
    const reg = buildRegistry({ ...base, sysRoot: root, procRoot: root, ramWatts: 7 });
    expect(reg.report.choices[1].chosen[0]).toMatchObject({
      method: 'user-constant',
      label: 'user constant (7 W)',
    });
  });
});
