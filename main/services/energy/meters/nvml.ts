/**
 * NVIDIA GPU meters over an `NvmlBinding` (energy.md §1.2, §3.4 item 2): the total-energy
 * counter on Volta and newer (architecture ≥ 5) when a probe read succeeds, else board power
 * polled at 10 Hz and integrated — never a zero from an unsupported counter (CodeCarbon #1316).
 * CUDA_VISIBLE_DEVICES is mapped to NVML devices by UUID; unused GPUs are reported, not summed.
 */
import { NVML } from './nvml-binding';
import type { NvmlBinding } from './nvml-binding';
import type { FamilyProbe, Meter, MeterDescriptor, RawReading } from '../types';

/** NVML architecture numbers (nvml.h): Volta is the first with the energy counter. */
const ARCH_VOLTA = 5;
const ARCH_NAMES: Record<number, string> = {
  2: 'Kepler',
  3: 'Maxwell',
  4: 'Pascal',
  5: 'Volta',
  6: 'Turing',
  7: 'Ampere',
  8: 'Ada',
  9: 'Hopper',
  10: 'Blackwell',
};

/** A GPU as NVML reports it. */
export interface NvmlDevice {
  index: number;
  uuid: string;
  name: string;
}

/**
 * Which NVML devices CUDA_VISIBLE_DEVICES selects. UUID entries (or unique prefixes, as CUDA
 * accepts) map by UUID; integer entries assume PCI bus order, NVML's order — CUDA's default
 * order differs unless CUDA_DEVICE_ORDER=PCI_BUS_ID, which the returned note says.
 */
export function mapCudaVisibleDevices(
  value: string | undefined,
  devices: NvmlDevice[],
): { used: Set<number>; notes: string[] } {
  if (value === undefined) return { used: new Set(devices.map((d) => d.index)), notes: [] };
  const used = new Set<number>();
  const notes: string[] = [];
  for (const raw of value.split(',').map((s) => s.trim())) {
    if (!raw) continue;
    if (/^-?\d+$/.test(raw)) {
      const i = Number(raw);
      // CUDA stops at the first invalid index (CUDA docs, "CUDA_VISIBLE_DEVICES").
      if (i < 0 || !devices.some((d) => d.index === i)) break;
      used.add(i);
      continue;
    }
    const hits = devices.filter((d) => d.uuid.startsWith(raw));
    if (hits.length !== 1) {
      notes.push(`CUDA_VISIBLE_DEVICES entry ${raw} matches ${hits.length} GPUs; ignored`);
      break;
    }
    used.add(hits[0].index);
  }
  if (/(^|,)\s*\d/.test(value))
    notes.push(
      'integer CUDA_VISIBLE_DEVICES entries were mapped in PCI bus order; set CUDA_DEVICE_ORDER=PCI_BUS_ID or use GPU UUIDs to be sure',
    );
  return { used, notes };
}

class NvmlMeter implements Meter {
  private lost = false;

  constructor(
    readonly descriptor: MeterDescriptor,
    private readonly nvml: NvmlBinding,
    private readonly handle: unknown,
    private readonly counter: boolean,
    private readonly now: () => bigint,
    private readonly ownPids: () => Set<number>,
  ) {}

  async read(): Promise<RawReading> {
    return this.readSync();
  }

  readSync(): RawReading {
    if (this.lost) throw new Error('GPU is lost');
    if (this.counter) {
      const r = this.nvml.totalEnergy(this.handle);
      const t = this.now();
      this.check(r.rc);
      return { t, kind: 'counter', raw: r.mJ, unitJ: 1e-3 };
    }
    const r = this.nvml.power(this.handle);
    const t = this.now();
    this.check(r.rc);
    return { t, kind: 'power', watts: r.mW / 1000 };
  }

  private check(rc: number): void {
    if (rc === NVML.SUCCESS) return;
    // GPU_IS_LOST: the meter is dead for the rest of the run; the sampler marks it, the
    // training code never sees an exception (energy.md scenario 15).
    if (rc === NVML.GPU_IS_LOST) this.lost = true;
    throw new Error(`NVML: ${this.nvml.errorString(rc)} (${rc})`);
  }

  dead(): boolean {
    return this.lost;
  }

  async foreignPids(): Promise<number[]> {
    if (this.lost) return [];
    const r = this.nvml.computePids(this.handle);
    if (r.rc !== NVML.SUCCESS) return [];
    const own = this.ownPids();
    return r.pids.filter((p) => !own.has(p));
  }

  async close(): Promise<void> {}
}

/** Options for the NVML family. */
export interface NvmlOptions {
  counterPeriodS: number;
  powerPeriodS: number;
  cudaVisibleDevices: string | undefined;
  now: () => bigint;
  ownPids: () => Set<number>;
}

/** Probe NVML devices; never throws. Shutdown happens when the returned meters close. */
export function probeNvml(nvml: NvmlBinding, options: NvmlOptions): FamilyProbe {
  const family = 'NVIDIA NVML (koffi)';
  const out: FamilyProbe = { probes: [], meters: [], alternatives: [] };
  const rc = nvml.init();
  if (rc !== NVML.SUCCESS) {
    out.probes.push({
      meter: family,
      available: false,
      reason: `nvmlInit failed: ${nvml.errorString(rc)} (${rc})`,
      fix:
        rc === NVML.DRIVER_NOT_LOADED
          ? 'Load the NVIDIA kernel driver (nvidia-smi should then work).'
          : rc === NVML.NO_PERMISSION
            ? 'Give this user access to /dev/nvidia* (video group).'
            : undefined,
    });
    return out;
  }
  const count = nvml.deviceCount();
  if (count.rc !== NVML.SUCCESS || count.count === 0) {
    out.probes.push({ meter: family, available: false, reason: 'NVML reports no GPUs.' });
    nvml.shutdown();
    return out;
  }
  const devices: Array<NvmlDevice & { handle: unknown }> = [];
  for (let i = 0; i < count.count; i++) {
    const h = nvml.handle(i);
    if (h.rc !== NVML.SUCCESS) {
      out.probes.push({
        meter: `${family} GPU ${i}`,
        available: false,
        reason: `cannot open GPU ${i}: ${nvml.errorString(h.rc)} (${h.rc})`,
      });
      continue;
    }
    devices.push({
      index: i,
      handle: h.handle,
      uuid: nvml.uuid(h.handle).value || `GPU-index-${i}`,
      name: nvml.name(h.handle).value || `NVIDIA GPU ${i}`,
    });
  }
  const { used, notes: mapNotes } = mapCudaVisibleDevices(options.cudaVisibleDevices, devices);
  for (const d of devices) {
    const arch = nvml.architecture(d.handle);
    const archName = ARCH_NAMES[arch.value] ?? `arch ${arch.value}`;
    const limit = nvml.powerLimit(d.handle);
    const ceiling = limit.rc === NVML.SUCCESS && limit.mW > 0 ? (2 * limit.mW) / 1000 : 1500;
    let counter = false;
    const notes = [...mapNotes];
    if (arch.rc === NVML.SUCCESS && arch.value >= ARCH_VOLTA) {
      const probe = nvml.totalEnergy(d.handle);
      if (probe.rc === NVML.SUCCESS) counter = true;
      else
        notes.push(
          `energy counter not usable (${nvml.errorString(probe.rc)}, ${probe.rc}); power is integrated instead`,
        );
    } else {
      notes.push(`${archName} has no energy counter (Volta or newer needed); power is integrated`);
    }
    if (!counter) {
      const p = nvml.power(d.handle);
      if (p.rc !== NVML.SUCCESS) {
        out.probes.push({
          meter: `${family} GPU ${d.index}`,
          available: false,
          reason: `${d.name}: neither the energy counter nor power readings work (${nvml.errorString(p.rc)}, ${p.rc})`,
        });
        continue;
      }
    }
    const usedByRun = used.has(d.index);
    if (!usedByRun) notes.push('not in CUDA_VISIBLE_DEVICES: reported separately, not summed');
    const descriptor: MeterDescriptor = {
      id: `nvml:${d.uuid}:${counter ? 'energy' : 'power'}`,
      component: 'gpu',
      device: `${d.name} (GPU ${d.index})`,
      method: counter ? 'counter' : 'integrated',
      scope: 'gpu-board',
      source: 'NVML via koffi',
      label: counter ? 'NVML energy counter (measured)' : 'NVML power, integrated at 10 Hz',
      updatePeriodS: 0.1,
      relUncertainty: counter ? { lo: 0.05, hi: 0.05 } : { lo: 0.1, hi: 0.1 },
      powerCeilingW: ceiling,
      periodS: counter ? options.counterPeriodS : options.powerPeriodS,
      deviceKey: d.uuid,
      usedByRun,
      notes,
    };
    out.meters.push(
      new NvmlMeter(descriptor, nvml, d.handle, counter, options.now, options.ownPids),
    );
    out.probes.push({ meter: `${family} GPU ${d.index}`, available: true, descriptor });
  }
  if (out.meters.length > 0) {
    // Shut NVML down once, when the last meter closes.
    let open = out.meters.length;
    for (const m of out.meters) {
      const close = m.close.bind(m);
      m.close = async () => {
        await close();
        if (--open === 0) nvml.shutdown();
      };
    }
  } else {
    nvml.shutdown();
  }
  return out;
}
