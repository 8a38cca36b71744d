/**
 * Shared vocabulary of the energy module: what a meter is, what it reads, and the figure objects
 * that leave the module. Everything exported here is plain data so it can cross the IPC bridge
 * (structured clone / JSON) unchanged — except `Meter`, which lives only inside the sampler.
 */

/** The hardware part a meter covers. */
export type Component = 'cpu' | 'gpu' | 'ram' | 'soc' | 'system';

/** How a number was obtained (energy.md §3.3). `imported` = taken from another tool's file. */
export type Method =
  'counter' | 'integrated' | 'estimate' | 'external' | 'user-constant' | 'imported';

/** What the number covers physically. */
export type Scope =
  | 'cpu-package'
  | 'platform-psys'
  | 'gpu-board'
  | 'dram'
  | 'dimm-model'
  | 'soc-subsystem'
  | 'wall'
  | 'process-share';

/** Static description of one meter, recorded in every run's manifest. */
export interface MeterDescriptor {
  /** Stable id, e.g. `rapl:package-0`, `nvml:GPU-…:energy`, `est:cpu-tdp`. */
  id: string;
  component: Component;
  /** Human name of the device, e.g. `Intel Core i7-7600U`, `NVIDIA A100-SXM4-40GB`. */
  device: string;
  method: Method;
  scope: Scope;
  /** Where the data comes from: `powercap sysfs`, `NVML via koffi`, `nvidia-smi`, `hwmon`, ... */
  source: string;
  /** Short badge text, e.g. `RAPL pkg (measured)`. */
  label: string;
  /** Sensor/counter update period if known, seconds. */
  updatePeriodS?: number;
  /** Default relative band of this method (energy.md §3.11). */
  relUncertainty: { lo: number; hi: number };
  /** Counters that wrap: the range in joules. */
  wrapRangeJ?: number;
  /** Highest plausible power; deltas implying more are gaps (energy.md §3.7). */
  powerCeilingW: number;
  /** Poll period the sampler should use for this meter, seconds. */
  periodS: number;
  /** GPU index/UUID etc. when the meter belongs to a device the run may or may not use. */
  deviceKey?: string;
  /** False for a device the run does not use (outside CUDA_VISIBLE_DEVICES): reported, not summed. */
  usedByRun?: boolean;
  /** Sampled next to the chosen meter for calibration only (energy.md §3.4 item 5); never summed. */
  crossCheck?: boolean;
  notes: string[];
}

/** Result of probing a meter. Probing never throws; `reason`/`fix` are shown to the user verbatim. */
export interface ProbeResult {
  /** Which meter family was probed, e.g. `RAPL (powercap sysfs)`. */
  meter: string;
  available: boolean;
  reason?: string;
  fix?: string;
  descriptor?: MeterDescriptor;
}

/** One raw reading, timestamped on the shared monotonic clock (ns, `process.hrtime.bigint()`). */
export type RawReading =
  /** Cumulative counter in `unitJ` joules per tick. `maxRaw` is the wrap point if known. */
  | { t: bigint; kind: 'counter'; raw: bigint; unitJ: number; maxRaw?: bigint }
  /** Instantaneous (or sensor-averaged) power; integrated with the trapezoid rule. */
  | { t: bigint; kind: 'power'; watts: number }
  /** Model output: average power over the interval since the previous reading. */
  | { t: bigint; kind: 'model'; watts: number; inputs: Record<string, number> };

/** A meter as the sampler sees it. Lives only inside the sampler process. */
export interface Meter {
  readonly descriptor: MeterDescriptor;
  /** Read once: cheap, never sleeps. Throws on a failed read (the sampler records a missed read). */
  read(): Promise<RawReading>;
  /** Same as `read` for meters whose source is synchronous (sysfs, procfs, NVML); the sampler
   * prefers it to skip a promise per reading at 10 Hz. */
  readSync?(): RawReading;
  /** Streaming meters (nvidia-smi) hand over everything received since the last call instead. */
  drain?(): RawReading[];
  /** Foreign process ids seen on this meter's device (GPU meters), for the shared-machine flag. */
  foreignPids?(): Promise<number[]>;
  /** True once the meter is permanently gone (GPU lost); the run is then incomplete. */
  dead?(): boolean;
  /** Set when the meter's energy must not be summed (e.g. a mirrored RAPL die zone). */
  excludedBecause?(): string | undefined;
  close(): Promise<void>;
}

/** Phases a window may carry (energy.md §3.9). */
export type Phase = 'load' | 'warm-up' | 'train' | 'evaluate' | 'generate' | 'idle' | 'other';

/** Quality grade of a figure (energy.md §3.11). */
export type Grade = 'A' | 'B' | 'C' | 'D';

/** Flags that explain a grade or a caveat. */
export type EnergyFlag =
  | 'shared-machine'
  | 'shared-gpu'
  | 'counter-reset'
  | 'short-window'
  | 'stale-baseline'
  | 'suspend'
  | 'approximated'
  | 'gap'
  | 'meter-lost'
  | 'estimate-only'
  | 'net-clamped';

/** One component's share of a window. */
export interface ComponentFigure {
  component: Component;
  meterId: string;
  device: string;
  label: string;
  method: Method;
  scope: Scope;
  joules: number;
  lowJ: number;
  highJ: number;
  /** Fraction of the window with valid data (0–1). */
  coverage: number;
  /** True when this device was not used by the run; shown separately, not summed. */
  idleDevice?: boolean;
  notes: string[];
}

/** Units of work a window can be normalised by. */
export interface WorkUnits {
  outputTokens?: number;
  evaluatedTokens?: number;
  samples?: number;
  trainingSamples?: number;
  epochs?: number;
  responses?: number;
}

/** A per-unit figure, e.g. J per output token. */
export interface PerUnitFigure {
  unit: string;
  count: number;
  joules: number;
  lowJ: number;
  highJ: number;
}

/** Energy above an idle baseline — always secondary and labelled. */
export interface NetFigure {
  label: string;
  joules: number;
  lowJ: number;
  highJ: number;
  baselineAt: string;
  baselineW: number;
  stale: boolean;
  clamped: boolean;
}

/** A window's energy figure: never a bare float (energy.md §3.11). JSON-serialisable. */
export interface EnergyFigure {
  label: string;
  phase: Phase;
  /** Headline: gross energy the devices drew. */
  joules: number;
  lowJ: number;
  highJ: number;
  basis: 'gross';
  windowS: number;
  startedAt: string;
  endedAt: string;
  perComponent: ComponentFigure[];
  /** Devices present but unused by the run (not summed). */
  idleDevices: ComponentFigure[];
  /** Energy-weighted coverage over the summed components (0–1). */
  coverage: number;
  grade: Grade;
  /** One line per reason the grade is not A. */
  gradeReasons: string[];
  flags: EnergyFlag[];
  net?: NetFigure;
  /** Per-unit figures; empty for warm-up windows (excluded by design). */
  perUnit: PerUnitFigure[];
  /** Energy of nested warm-up windows, subtracted before per-unit division. */
  warmUpExcludedJ: number;
  /**
   * Secondary, labelled view: our process tree's busy-time share of the CPU figure (estimator
   * running as meter or cross-check), and other processes' share of the machine's CPU time.
   */
  processShare?: { joules: number; scope: 'process-share'; foreignCpuFraction: number };
  /** Number of repeats the caller looped (not single-shot when ≥ 10 and ≥ 10 s). */
  repeats?: number;
  /** The sacreBLEU-style signature (see `energySignature`). */
  signature: string;
}

/** Idle baseline measured on request (energy.md §3.8). */
export interface Baseline {
  at: string;
  /** Wall-clock ms at measurement, used for staleness. */
  atMs: number;
  durationS: number;
  watts: number;
  lowW: number;
  highW: number;
  perComponent: Array<{ meterId: string; component: Component; watts: number }>;
}

/** What probing one meter family yields: the user-facing results and the live meters. */
export interface FamilyProbe {
  probes: ProbeResult[];
  meters: Meter[];
  /** Working meters deliberately not used (e.g. psys next to package zones), with the reason. */
  alternatives: Array<{ descriptor: MeterDescriptor; why: string }>;
}
