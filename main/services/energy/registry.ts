/**
 * The meter registry: probes every meter family, picks one meter per (component, device) in the
 * priority order of energy.md §0.2, and records which was chosen and why — including why the
 * better ones were not available — so `ecoeval energy probe` and every manifest can say it.
 */
import { totalmem } from 'node:os';
import { nodeFs, tryRead } from './fs';
import type { EnergyFs } from './fs';
import { resolveDataDir } from './data';
import { loadTdpTable, lookupTdp } from './tdp';
import { probeRapl } from './meters/rapl';
import { probeHwmon } from './meters/hwmon';
import { CpuEstimator, parseCpuInfo } from './meters/cpu-estimator';
import { RamEstimator } from './meters/ram-estimator';
import { loadKoffiNvml, nvmlLibraryCandidates } from './meters/nvml-binding';
import type { NvmlBinding } from './meters/nvml-binding';
import { probeNvml } from './meters/nvml';
import { probeNvidiaSmi } from './meters/nvidia-smi';
import type { Component, Meter, MeterDescriptor, ProbeResult } from './types';

/** Serialisable sampler configuration (it crosses into the sampler process). */
export interface SamplerConfig {
  /** Root of /sys (fake trees in tests). */
  sysRoot?: string;
  /** Root of /proc. */
  procRoot?: string;
  /** Counter poll period, s (1 Hz default). */
  counterPeriodS?: number;
  /** Power poll period, s (10 Hz default). */
  powerPeriodS?: number;
  /** Estimator period, s (1 Hz default). */
  estimatorPeriodS?: number;
  /** NVML library paths to try, or false to skip NVML. */
  nvmlLibrary?: string[] | false;
  /** nvidia-smi command, or false to skip the fallback. */
  nvidiaSmi?: string | false;
  /** Value of CUDA_VISIBLE_DEVICES for the run (undefined = all GPUs). */
  cudaVisibleDevices?: string;
  /** Process tree whose CPU share is tracked (the measured program). */
  trackPid?: number;
  /** Pids excluded from that tree (the sampler adds itself). */
  excludePids?: number[];
  /** Folder with the shipped tables. */
  dataDir?: string;
  /** Override of the CPU brand string. */
  cpuBrand?: string;
  /** Total RAM in GB (default: os.totalmem()). */
  totalMemGb?: number;
  /** User-entered RAM power, W. */
  ramWatts?: number;
  /** Skip NVML/nvidia-smi entirely (tests). */
  noGpu?: boolean;
}

/** Why a component is measured the way it is. */
export interface ComponentChoice {
  component: Component;
  chosen: MeterDescriptor[];
  why: string;
}

/** Everything `probe` reports. JSON-serialisable. */
export interface ProbeReport {
  probes: ProbeResult[];
  choices: ComponentChoice[];
  alternatives: Array<{ descriptor: MeterDescriptor; why: string }>;
  machine: { cpuBrand: string; sockets: number; logicalCpus: number; tdp: string; ramGb: number };
}

/** Registry output inside the sampler: the report plus live meters. */
export interface Registry {
  report: ProbeReport;
  meters: Meter[];
}

/** Optional injected pieces (tests). */
export interface RegistryDeps {
  now?: () => bigint;
  nvml?: NvmlBinding;
  sysFs?: EnergyFs;
  procFs?: EnergyFs;
  ownPids?: () => Set<number>;
}

/** Probe all meters and choose one per component. Never throws for hardware reasons. */
export function buildRegistry(config: SamplerConfig, deps: RegistryDeps = {}): Registry {
  const now = deps.now ?? (() => process.hrtime.bigint());
  const sys = deps.sysFs ?? nodeFs(config.sysRoot ?? '/');
  const proc = deps.procFs ?? nodeFs(config.procRoot ?? '/');
  const counterPeriodS = config.counterPeriodS ?? 1;
  const powerPeriodS = config.powerPeriodS ?? 0.1;
  const estimatorPeriodS = config.estimatorPeriodS ?? 1;
  const info = parseCpuInfo(tryRead(proc, '/proc/cpuinfo') ?? '');
  const brand = config.cpuBrand ?? info.brand;
  const tdp = lookupTdp(loadTdpTable(resolveDataDir(config.dataDir)), brand, info.logical);
  const cpuCeilingW =
    tdp.basis === 'table-exact' || tdp.basis === 'table-token-set'
      ? 2 * tdp.watts * info.sockets
      : 1500;
  const probes: ProbeResult[] = [];
  const meters: Meter[] = [];
  const alternatives: ProbeReport['alternatives'] = [];
  const choices: ComponentChoice[] = [];

  const rapl = probeRapl(sys, {
    periodS: counterPeriodS,
    cpuCeilingW,
    cpuName: brand || 'CPU',
    now,
  });
  const hw = probeHwmon(sys, {
    counterPeriodS,
    powerPeriodS,
    cpuCeilingW,
    cpuName: brand || 'CPU',
    now,
  });
  probes.push(...rapl.probes, ...hw.probes);
  alternatives.push(...rapl.alternatives);
  const raplFailures = rapl.probes.filter((p) => !p.available);
  const failText = (ps: ProbeResult[]): string =>
    ps
      .map((p) => p.reason)
      .filter(Boolean)
      .join(' ') || 'no hardware counter found';

  // CPU: RAPL package → hwmon socket counter → estimator.
  const raplCpu = rapl.meters.filter((m) => m.descriptor.component === 'cpu');
  const hwCpu = hw.meters.filter((m) => m.descriptor.component === 'cpu');
  const estimator = (crossCheck: boolean): CpuEstimator =>
    new CpuEstimator(proc, {
      tdp,
      sockets: info.sockets,
      brand,
      periodS: estimatorPeriodS,
      trackPid: config.trackPid,
      excludePids: config.excludePids,
      crossCheck,
      now,
    });
  if (raplCpu.length) {
    meters.push(...raplCpu);
    for (const m of hwCpu)
      alternatives.push({ descriptor: m.descriptor, why: 'RAPL package zones preferred' });
    choices.push({
      component: 'cpu',
      chosen: raplCpu.map((m) => m.descriptor),
      why: `RAPL package counter${raplCpu.length > 1 ? `s summed across ${raplCpu.length} zones` : ''} (hardware counter, ±5 % of the CPU package)`,
    });
  } else if (hwCpu.length) {
    meters.push(...hwCpu);
    choices.push({
      component: 'cpu',
      chosen: hwCpu.map((m) => m.descriptor),
      why: `hwmon socket counter; RAPL unavailable: ${failText(raplFailures)}`,
    });
  } else {
    const est = estimator(false);
    meters.push(est);
    choices.push({
      component: 'cpu',
      chosen: [est.descriptor],
      why: `falling back to the CPU-time × TDP estimator (−50 %/+100 %) because no CPU energy counter is readable: ${failText(raplFailures)}`,
    });
  }

  if (raplCpu.length || hwCpu.length) {
    // The estimator keeps running beside the counter: its ratio is shown (never applied) and
    // it measures the other processes' CPU load for the shared-machine flag (energy.md §3.9).
    const cross = estimator(true);
    meters.push(cross);
    alternatives.push({
      descriptor: cross.descriptor,
      why: 'cross-check for calibration and shared-machine detection; never summed',
    });
  }

  // RAM: RAPL dram → DIMM model.
  const ramGb = config.totalMemGb ?? totalmem() / 2 ** 30;
  const dram = rapl.meters.filter((m) => m.descriptor.component === 'ram');
  if (dram.length) {
    meters.push(...dram);
    choices.push({
      component: 'ram',
      chosen: dram.map((m) => m.descriptor),
      why: 'RAPL dram counter (the RAM estimator is disabled so DRAM is not counted twice)',
    });
  } else {
    const ram = new RamEstimator(
      ramGb,
      process.arch === 'arm64',
      estimatorPeriodS,
      now,
      config.ramWatts,
    );
    meters.push(ram);
    choices.push({
      component: 'ram',
      chosen: [ram.descriptor],
      why:
        config.ramWatts !== undefined
          ? 'user-entered RAM power'
          : 'no RAPL dram counter: DIMM-count model (−50 %/+100 %)',
    });
  }

  // GPUs: NVML → nvidia-smi; AMD/Intel via hwmon.
  const gpu: Meter[] = hw.meters.filter((m) => m.descriptor.component === 'gpu');
  if (!config.noGpu) {
    let nvml = deps.nvml;
    let nvmlReason: string | undefined;
    if (!nvml && config.nvmlLibrary !== false) {
      const loaded = loadKoffiNvml(config.nvmlLibrary ?? nvmlLibraryCandidates());
      nvml = loaded.binding;
      nvmlReason = loaded.reason;
    }
    if (nvml) {
      const n = probeNvml(nvml, {
        counterPeriodS,
        powerPeriodS,
        cudaVisibleDevices: config.cudaVisibleDevices,
        now,
        ownPids: deps.ownPids ?? (() => new Set<number>()),
      });
      probes.push(...n.probes);
      gpu.push(...n.meters);
    } else {
      probes.push({
        meter: 'NVIDIA NVML (koffi)',
        available: false,
        reason: nvmlReason ?? 'NVML disabled by configuration',
      });
      if (config.nvidiaSmi !== false) {
        const s = probeNvidiaSmi({
          command: config.nvidiaSmi ?? 'nvidia-smi',
          periodS: powerPeriodS,
          cudaVisibleDevices: config.cudaVisibleDevices,
          now,
        });
        probes.push(...s.probes);
        gpu.push(...s.meters);
      }
    }
  }
  meters.push(...gpu);
  if (gpu.length) {
    choices.push({
      component: 'gpu',
      chosen: gpu.map((m) => m.descriptor),
      why: gpu.map((m) => `${m.descriptor.device}: ${m.descriptor.label}`).join('; '),
    });
  }
  for (const m of hw.meters.filter((x) => x.descriptor.component === 'system'))
    alternatives.push({
      descriptor: m.descriptor,
      why: 'whole-system meter recorded as a cross-check; components are summed for the headline',
    });
  return {
    report: {
      probes,
      choices,
      alternatives,
      machine: {
        cpuBrand: brand,
        sockets: info.sockets,
        logicalCpus: info.logical,
        tdp: tdp.label,
        ramGb: Math.round(ramGb * 10) / 10,
      },
    },
    meters,
  };
}
