// End-to-end NVML through koffi against a fake libnvidia-ml.so.1 compiled with gcc at test time
// (energy.md §5 scenario 18). Skipped, with the reason printed, where no C compiler exists.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadKoffiNvml } from '../../../main/services/energy/meters/nvml-binding';
import { probeNvml } from '../../../main/services/energy/meters/nvml';
import { SamplerCore } from '../../../main/services/energy/sampler-core';
import { buildRegistry } from '../../../main/services/energy/registry';
import { FakeClock } from './helpers';

const gcc = spawnSync('gcc', ['--version']);
const haveGcc = gcc.status === 0;
if (!haveGcc)
  console.warn('nvml-ffi tests skipped: no gcc on PATH to build the fake libnvidia-ml.so.1');

let dir = '';
let lib = '';
beforeAll(() => {
  if (!haveGcc || process.platform !== 'linux') return;
  dir = mkdtempSync(join(tmpdir(), 'fake-nvml-'));
  lib = join(dir, 'libnvidia-ml.so.1');
  const src = fileURLToPath(new URL('../../fixtures/energy/fake-nvml.c', import.meta.url));
  const r = spawnSync('gcc', ['-shared', '-fPIC', '-O1', '-o', lib, src], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`gcc failed: ${r.stderr}`);
});
afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));

const clock = new FakeClock();
const opts = {
  counterPeriodS: 1,
  powerPeriodS: 0.1,
  cudaVisibleDevices: undefined,
  now: clock.now,
  ownPids: () => new Set([1]),
};

describe.skipIf(!haveGcc || process.platform !== 'linux')('NVML via koffi (fake library)', () => {
  it('reads names, UUIDs, arch; counter boards give BigInt-exact deltas above 2^53', async () => {
    // Device 0: Volta counter starting at 2^53 + 1 mJ, +1,000 mJ per read; device 1: Pascal, 75 W.
    process.env.FAKE_NVML = `5,c,${2n ** 53n + 1n},1000,150000;4,c,0,0,75000`;
    process.env.FAKE_NVML_PIDS = '1,31337';
    const { binding, reason } = loadKoffiNvml([lib]);
    expect(reason).toBeUndefined();
    const r = probeNvml(binding!, opts);
    expect(
      r.meters.map((m) => [m.descriptor.id, m.descriptor.device, m.descriptor.method]),
    ).toEqual([
      ['nvml:GPU-fake-0000:energy', 'Fake GPU 0 (GPU 0)', 'counter'],
      ['nvml:GPU-fake-0001:power', 'Fake GPU 1 (GPU 1)', 'integrated'],
    ]);
    const first = await r.meters[0].read();
    expect(first).toMatchObject({ kind: 'counter', unitJ: 1e-3 });
    if (first.kind === 'counter') expect(first.raw).toBe(2n ** 53n + 1n + 1000n);
    const core = new SamplerCore(r.meters, clock.now);
    const t0 = await core.mark();
    clock.advance(1);
    await core.mark();
    await core.pollForeign();
    const w = core.window(t0, clock.ns);
    expect(w.components[0].joules).toBe(1);
    expect(w.components[1].joules).toBeCloseTo(75, 9);
    expect(await r.meters[0].foreignPids!()).toEqual([31337]);
    for (const m of r.meters) await m.close();
  });

  it('falls back to power when the counter is not supported, and survives GPU_IS_LOST', async () => {
    process.env.FAKE_NVML = '7,n,0,0,200000;8,l,0,500,100000';
    const { binding } = loadKoffiNvml([lib]);
    const r = probeNvml(binding!, opts);
    expect(r.meters.map((m) => m.descriptor.method)).toEqual(['integrated', 'counter']);
    const core = new SamplerCore(r.meters, clock.now);
    for (let i = 0; i < 4; i++) {
      clock.advance(0.1);
      await core.mark();
    }
    expect(r.meters[1].dead!()).toBe(true);
    for (const m of r.meters) await m.close();
  });

  it('reports a missing library and a driver that is not loaded as reasons, not exceptions', () => {
    expect(loadKoffiNvml([join(dir, 'nope.so')]).reason).toMatch(
      /NVML library not found: tried .*nope\.so/,
    );
    delete process.env.FAKE_NVML;
    const { binding } = loadKoffiNvml([lib]);
    const r = probeNvml(binding!, opts);
    expect(r.meters).toHaveLength(0);
    expect(r.probes[0].reason).toBe('nvmlInit failed: Driver Not Loaded (9)');
  });

  it('the registry uses the library path from the config', () => {
    process.env.FAKE_NVML = '9,c,0,10,300000';
    const reg = buildRegistry(
      { nvmlLibrary: [lib], nvidiaSmi: false, totalMemGb: 8, sysRoot: dir },
      { now: clock.now },
    );
    const gpu = reg.report.choices.find((c) => c.component === 'gpu');
    expect(gpu?.chosen[0].id).toBe('nvml:GPU-fake-0000:energy');
    return Promise.all(reg.meters.map((m) => m.close()));
  });
});
