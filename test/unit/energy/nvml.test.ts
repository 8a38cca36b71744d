// NVIDIA meters over a fake NVML binding: energy.md §5 scenarios 12–17 and 33.
import { describe, expect, it } from 'vitest';
import { NVML } from '../../../main/services/energy/meters/nvml-binding';
import type { NvmlBinding } from '../../../main/services/energy/meters/nvml-binding';
import { mapCudaVisibleDevices, probeNvml } from '../../../main/services/energy/meters/nvml';
import { SamplerCore } from '../../../main/services/energy/sampler-core';
import { FakeClock } from './helpers';

interface FakeGpu {
  uuid: string;
  name: string;
  arch: number;
  energyRc?: number;
  powerMw: number;
  energyMj: bigint;
  pids?: number[];
  lost?: boolean;
}

function fakeNvml(gpus: FakeGpu[]): NvmlBinding & { shutdowns: number } {
  const f = {
    shutdowns: 0,
    init: () => NVML.SUCCESS,
    shutdown: () => (f.shutdowns++, NVML.SUCCESS),
    deviceCount: () => ({ rc: 0, count: gpus.length }),
    handle: (i: number) => ({ rc: 0, handle: gpus[i] }),
    name: (h: unknown) => ({ rc: 0, value: (h as FakeGpu).name }),
    uuid: (h: unknown) => ({ rc: 0, value: (h as FakeGpu).uuid }),
    architecture: (h: unknown) => ({ rc: 0, value: (h as FakeGpu).arch }),
    totalEnergy: (h: unknown) => {
      const g = h as FakeGpu;
      if (g.lost) return { rc: NVML.GPU_IS_LOST, mJ: 0n };
      if (g.arch < 5) return { rc: NVML.NOT_SUPPORTED, mJ: 0n };
      return { rc: g.energyRc ?? 0, mJ: g.energyMj };
    },
    power: (h: unknown) => ({
      rc: (h as FakeGpu).lost ? NVML.GPU_IS_LOST : 0,
      mW: (h as FakeGpu).powerMw,
    }),
    powerLimit: () => ({ rc: 0, mW: 300_000 }),
    computePids: (h: unknown) => ({ rc: 0, pids: (h as FakeGpu).pids ?? [] }),
    errorString: (rc: number) => `error ${rc}`,
  };
  return f;
}

const clock = new FakeClock();
const base = {
  counterPeriodS: 1,
  powerPeriodS: 0.1,
  cudaVisibleDevices: undefined,
  now: clock.now,
  ownPids: () => new Set([4242]),
};
const gpu = (over: Partial<FakeGpu>): FakeGpu => ({
  uuid: 'GPU-aaaa-0000',
  name: 'Tesla V100',
  arch: 5,
  powerMw: 150_000,
  energyMj: 1_000_000n,
  ...over,
});

describe('probeNvml', () => {
  it('uses the counter on arch ≥ 5, power on arch 4, power when the counter says NOT_SUPPORTED (scenario 12)', () => {
    const r = probeNvml(
      fakeNvml([
        gpu({ uuid: 'GPU-a' }),
        gpu({ uuid: 'GPU-b', arch: 4, name: 'Tesla P100' }),
        gpu({ uuid: 'GPU-c', arch: 7, energyRc: NVML.NOT_SUPPORTED, name: 'A100 vGPU' }),
      ]),
      base,
    );
    expect(
      r.meters.map((m) => [m.descriptor.id, m.descriptor.method, m.descriptor.periodS]),
    ).toEqual([
      ['nvml:GPU-a:energy', 'counter', 1],
      ['nvml:GPU-b:power', 'integrated', 0.1],
      ['nvml:GPU-c:power', 'integrated', 0.1],
    ]);
    expect(r.meters[1].descriptor.notes.join()).toMatch(/Pascal has no energy counter/);
    expect(r.meters[2].descriptor.notes.join()).toMatch(/not usable.*integrated/);
  });

  it('integrates power on a power-only board: energy is never zero (CodeCarbon #1316)', async () => {
    const r = probeNvml(fakeNvml([gpu({ arch: 4, powerMw: 200_000 })]), base);
    const core = new SamplerCore(r.meters, clock.now);
    const t0 = await core.mark();
    for (let i = 0; i < 20; i++) {
      clock.advance(0.1);
      await core.readGroup(0.1);
    }
    const w = core.window(t0, clock.ns);
    expect(w.components[0].joules).toBeCloseTo(400, 6);
    expect(w.components[0].method).toBe('integrated');
  });

  it('turns a counter that goes backwards (driver reload) into a gap and a reset (scenario 14)', async () => {
    const g = gpu({ energyMj: 5_000_000n });
    const r = probeNvml(fakeNvml([g]), base);
    const core = new SamplerCore(r.meters, clock.now);
    const t0 = await core.mark();
    clock.advance(1);
    g.energyMj += 100_000n;
    await core.readGroup(1);
    clock.advance(1);
    g.energyMj = 50n;
    await core.readGroup(1);
    clock.advance(1);
    g.energyMj += 100_000n;
    await core.readGroup(1);
    const w = core.window(t0, clock.ns);
    expect(w.resets).toBe(1);
    expect(w.components[0].joules).toBeGreaterThan(0);
    expect(w.components[0].coverage).toBeCloseTo(2 / 3, 6);
  });

  it('marks a lost GPU dead without throwing (scenario 15)', async () => {
    const g = gpu({});
    const r = probeNvml(fakeNvml([g]), base);
    const core = new SamplerCore(r.meters, clock.now);
    const t0 = await core.mark();
    g.lost = true;
    clock.advance(1);
    await expect(core.readGroup(1)).resolves.toBeUndefined();
    const w = core.window(t0, clock.ns);
    expect(w.deadMeters).toEqual(['nvml:GPU-aaaa-0000:energy']);
  });

  it('reports foreign processes on a used GPU (scenario 17) and ignores our own', async () => {
    const r = probeNvml(fakeNvml([gpu({ pids: [4242, 777] })]), base);
    const core = new SamplerCore(r.meters, clock.now);
    const t0 = await core.mark();
    await core.pollForeign();
    clock.advance(1);
    await core.mark();
    expect(core.window(t0, clock.ns).foreignGpuPids).toEqual([777]);
  });

  it('reports GPUs outside CUDA_VISIBLE_DEVICES separately, not summed (scenario 33)', async () => {
    const r = probeNvml(fakeNvml([gpu({ uuid: 'GPU-a' }), gpu({ uuid: 'GPU-b' })]), {
      ...base,
      cudaVisibleDevices: 'GPU-b',
    });
    const core = new SamplerCore(r.meters, clock.now);
    const t0 = await core.mark();
    clock.advance(1);
    await core.mark();
    const w = core.window(t0, clock.ns);
    expect(w.components.map((c) => c.meterId)).toEqual(['nvml:GPU-b:energy']);
    expect(w.idleDevices.map((c) => c.meterId)).toEqual(['nvml:GPU-a:energy']);
  });

  it('shuts NVML down once after the last meter closes', async () => {
    const f = fakeNvml([gpu({ uuid: 'GPU-a' }), gpu({ uuid: 'GPU-b' })]);
    const r = probeNvml(f, base);
    await r.meters[0].close();
    expect(f.shutdowns).toBe(0);
    await r.meters[1].close();
    expect(f.shutdowns).toBe(1);
  });
});

describe('mapCudaVisibleDevices (scenario 16)', () => {
  const devs = [
    { index: 0, uuid: 'GPU-1111-aaaa', name: 'a' },
    { index: 1, uuid: 'GPU-2222-bbbb', name: 'b' },
    { index: 2, uuid: 'GPU-3333-cccc', name: 'c' },
  ];
  it('maps UUIDs (and unique prefixes) and indices', () => {
    const r = mapCudaVisibleDevices('GPU-3333,1', devs);
    expect([...r.used].sort()).toEqual([1, 2]);
    expect(r.notes.join()).toMatch(/CUDA_DEVICE_ORDER=PCI_BUS_ID/);
  });
  it('uses all GPUs when unset, none when empty, stops at an invalid index', () => {
    expect(mapCudaVisibleDevices(undefined, devs).used.size).toBe(3);
    expect(mapCudaVisibleDevices('', devs).used.size).toBe(0);
    expect([...mapCudaVisibleDevices('0,7,1', devs).used]).toEqual([0]);
  });
});
