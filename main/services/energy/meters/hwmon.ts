/**
 * Generic hwmon scanner (energy.md §1.3, §1.4, §3.4 item 4): AMD GPU board power (`amdgpu`,
 * `power1_average` or `power1_input`, µW, polled and integrated), Intel GPU energy (`i915`/`xe`,
 * `energy1_input`, µJ counter), AMD CPU socket counters (`zenergy`/`amd_energy`, only `Esocket*`
 * labels — the per-core ones are parts of the socket) and ACPI `power_meter` (whole system).
 */
import { parseBigIntAttr, tryList, tryRead } from '../fs';
import type { EnergyFs } from '../fs';
import type { FamilyProbe, Meter, MeterDescriptor, RawReading } from '../types';

const HWMON = '/sys/class/hwmon';

/** Options for the hwmon family. */
export interface HwmonOptions {
  counterPeriodS: number;
  powerPeriodS: number;
  cpuCeilingW: number;
  cpuName: string;
  now: () => bigint;
}

class HwmonCounter implements Meter {
  constructor(
    readonly descriptor: MeterDescriptor,
    private readonly fs: EnergyFs,
    private readonly path: string,
    private readonly now: () => bigint,
  ) {}
  async read(): Promise<RawReading> {
    return this.readSync();
  }

  readSync(): RawReading {
    const raw = parseBigIntAttr(this.fs.readText(this.path), this.path);
    // amd_energy/i915 accumulate to 64 bit in the kernel: no wrap range, backwards = gap.
    return { t: this.now(), kind: 'counter', raw, unitJ: 1e-6 };
  }
  async close(): Promise<void> {}
}

class HwmonPower implements Meter {
  constructor(
    readonly descriptor: MeterDescriptor,
    private readonly fs: EnergyFs,
    private readonly path: string,
    private readonly now: () => bigint,
  ) {}
  async read(): Promise<RawReading> {
    return this.readSync();
  }

  readSync(): RawReading {
    const uw = parseBigIntAttr(this.fs.readText(this.path), this.path);
    return { t: this.now(), kind: 'power', watts: Number(uw) / 1e6 };
  }
  async close(): Promise<void> {}
}

function readable(fs: EnergyFs, path: string): boolean {
  try {
    parseBigIntAttr(fs.readText(path), path);
    return true;
  } catch {
    return false;
  }
}

/** Probe hwmon devices; never throws. Returns no probe lines when no hwmon class exists. */
export function probeHwmon(fs: EnergyFs, options: HwmonOptions): FamilyProbe {
  const out: FamilyProbe = { probes: [], meters: [], alternatives: [] };
  const dirs = tryList(fs, HWMON)
    .filter((d) => /^hwmon\d+$/.test(d))
    .sort();
  if (dirs.length === 0) {
    out.probes.push({
      meter: 'hwmon',
      available: false,
      reason: `${fs.root === '/' ? '' : fs.root}${HWMON} has no devices (no amdgpu, i915, zenergy or power_meter sensors).`,
    });
    return out;
  }
  for (const d of dirs) {
    const dir = `${HWMON}/${d}`;
    const name = tryRead(fs, `${dir}/name`)?.trim() ?? '';
    const files = tryList(fs, dir);
    if (name === 'amdgpu') {
      // Usually only one of the two exists (MangoHud #1202/#1620); average first.
      const file = ['power1_average', 'power1_input'].find(
        (f) => files.includes(f) && readable(fs, `${dir}/${f}`),
      );
      if (!file) {
        out.probes.push({
          meter: `hwmon amdgpu ${d}`,
          available: false,
          reason: `${dir} has neither a readable power1_average nor power1_input.`,
        });
        continue;
      }
      const descriptor: MeterDescriptor = {
        id: `hwmon:${d}:amdgpu`,
        component: 'gpu',
        device: `AMD GPU (${d})`,
        method: 'integrated',
        scope: 'gpu-board',
        source: `hwmon ${file}`,
        label:
          file === 'power1_average'
            ? 'AMD GPU (integrated, board power average)'
            : 'AMD GPU (integrated, board power)',
        relUncertainty: { lo: 0.15, hi: 0.15 },
        powerCeilingW: 1500,
        periodS: options.powerPeriodS,
        deviceKey: d,
        notes: [],
      };
      out.meters.push(new HwmonPower(descriptor, fs, `${dir}/${file}`, options.now));
      out.probes.push({ meter: `hwmon amdgpu ${d}`, available: true, descriptor });
    } else if (name === 'i915' || name === 'xe') {
      if (!readable(fs, `${dir}/energy1_input`)) continue;
      const descriptor: MeterDescriptor = {
        id: `hwmon:${d}:${name}`,
        component: 'gpu',
        device: `Intel GPU (${d})`,
        method: 'counter',
        scope: 'gpu-board',
        source: 'hwmon energy1_input',
        label: 'Intel GPU (measured)',
        relUncertainty: { lo: 0.1, hi: 0.1 },
        powerCeilingW: 1500,
        periodS: options.counterPeriodS,
        deviceKey: d,
        notes: [],
      };
      out.meters.push(new HwmonCounter(descriptor, fs, `${dir}/energy1_input`, options.now));
      out.probes.push({ meter: `hwmon ${name} ${d}`, available: true, descriptor });
    } else if (name === 'zenergy' || name === 'amd_energy') {
      for (const f of files.filter((x) => /^energy\d+_input$/.test(x)).sort()) {
        const n = f.slice('energy'.length, -'_input'.length);
        const label = tryRead(fs, `${dir}/energy${n}_label`)?.trim() ?? '';
        if (!/^Esocket\d*$/.test(label)) continue; // Ecore* are parts of the socket
        if (!readable(fs, `${dir}/${f}`)) {
          out.probes.push({
            meter: `hwmon ${name} ${label}`,
            available: false,
            reason: `${dir}/${f} is not readable (root-only on most kernels).`,
            fix: 'Make it readable (udev rule, mode 0444) or run as root.',
          });
          continue;
        }
        const descriptor: MeterDescriptor = {
          id: `hwmon:${d}:${label}`,
          component: 'cpu',
          device: options.cpuName,
          method: 'counter',
          scope: 'cpu-package',
          source: `hwmon ${name}`,
          label: `${name} socket (measured)`,
          relUncertainty: { lo: 0.05, hi: 0.05 },
          powerCeilingW: options.cpuCeilingW,
          periodS: options.counterPeriodS,
          notes: [],
        };
        out.meters.push(new HwmonCounter(descriptor, fs, `${dir}/${f}`, options.now));
        out.probes.push({ meter: `hwmon ${name} ${label}`, available: true, descriptor });
      }
    } else if (name === 'power_meter') {
      if (!readable(fs, `${dir}/power1_average`)) continue;
      const descriptor: MeterDescriptor = {
        id: `hwmon:${d}:power_meter`,
        component: 'system',
        device: 'ACPI power meter',
        method: 'external',
        scope: 'wall',
        source: 'hwmon power_meter power1_average',
        label: 'ACPI power meter (whole system)',
        relUncertainty: { lo: 0.05, hi: 0.05 },
        powerCeilingW: 10000,
        periodS: options.powerPeriodS,
        notes: ['whole-system power, treated like an external meter'],
      };
      out.meters.push(new HwmonPower(descriptor, fs, `${dir}/power1_average`, options.now));
      out.probes.push({ meter: 'hwmon power_meter', available: true, descriptor });
    }
  }
  return out;
}
