/**
 * NVML as a small binding interface, with the real implementation calling `libnvidia-ml` through
 * koffi (energy.md §3.4 item 2, §3.12). Tests pass a fake binding or point the koffi loader at a
 * gcc-built fake library. koffi is required lazily so a platform without its prebuilt binary
 * degrades to "NVML unavailable" instead of crashing the sampler.
 */
import { createRequire } from 'node:module';
import type * as Koffi from 'koffi';

/** NVML return codes that matter here (nvml.h). */
export const NVML = {
  SUCCESS: 0,
  UNINITIALIZED: 1,
  NOT_SUPPORTED: 3,
  NO_PERMISSION: 4,
  DRIVER_NOT_LOADED: 9,
  LIBRARY_NOT_FOUND: 12,
  FUNCTION_NOT_FOUND: 13,
  GPU_IS_LOST: 15,
  UNKNOWN: 999,
} as const;

/** The NVML calls the meters need; every call returns its NVML status code. */
export interface NvmlBinding {
  init(): number;
  shutdown(): number;
  deviceCount(): { rc: number; count: number };
  handle(index: number): { rc: number; handle: unknown };
  name(h: unknown): { rc: number; value: string };
  uuid(h: unknown): { rc: number; value: string };
  architecture(h: unknown): { rc: number; value: number };
  /** Millijoules since driver load, normalised to BigInt (koffi gives a number below 2^53). */
  totalEnergy(h: unknown): { rc: number; mJ: bigint };
  power(h: unknown): { rc: number; mW: number };
  powerLimit(h: unknown): { rc: number; mW: number };
  computePids(h: unknown): { rc: number; pids: number[] };
  errorString(rc: number): string;
}

/** Library names tried in order (energy.md §3.4 item 2). */
export function nvmlLibraryCandidates(platform = process.platform): string[] {
  if (platform === 'win32') {
    return ['nvml.dll', 'C:\\Program Files\\NVIDIA Corporation\\NVSMI\\nvml.dll'];
  }
  return ['libnvidia-ml.so.1', 'libnvidia-ml.so', '/usr/lib/wsl/lib/libnvidia-ml.so.1'];
}

type KoffiModule = typeof Koffi;
type Fn = (...args: unknown[]) => unknown;

/**
 * Load NVML through koffi. Returns the binding or a one-line reason. Missing optional symbols
 * (old drivers) answer FUNCTION_NOT_FOUND rather than failing the load.
 */
export function loadKoffiNvml(paths: string[]): { binding?: NvmlBinding; reason?: string } {
  let koffi: KoffiModule;
  try {
    koffi = createRequire(import.meta.url)('koffi') as KoffiModule;
  } catch (e) {
    return { reason: `koffi (the FFI module) could not load: ${(e as Error).message}` };
  }
  let lib: ReturnType<KoffiModule['load']> | undefined;
  const tried: string[] = [];
  for (const p of paths) {
    try {
      lib = koffi.load(p);
      break;
    } catch (e) {
      tried.push(`${p} (${(e as Error).message.split('\n')[0]})`);
    }
  }
  if (!lib) return { reason: `NVML library not found: tried ${tried.join('; ')}` };
  const l = lib;
  // One opaque handle type per process: koffi rejects redefining a named type.
  let dev: unknown;
  try {
    dev = koffi.type('nvmlDevice_t');
  } catch {
    dev = koffi.pointer('nvmlDevice_t', koffi.opaque());
  }
  void dev;
  const fn = (decl: string): Fn | undefined => {
    try {
      return l.func(decl) as Fn;
    } catch {
      return undefined;
    }
  };
  const f = {
    init: fn('int nvmlInit_v2()'),
    shutdown: fn('int nvmlShutdown()'),
    count: fn('int nvmlDeviceGetCount_v2(_Out_ unsigned int *count)'),
    handle: fn('int nvmlDeviceGetHandleByIndex_v2(unsigned int index, _Out_ nvmlDevice_t *device)'),
    name: fn(
      'int nvmlDeviceGetName(nvmlDevice_t device, _Out_ uint8_t *name, unsigned int length)',
    ),
    uuid: fn(
      'int nvmlDeviceGetUUID(nvmlDevice_t device, _Out_ uint8_t *uuid, unsigned int length)',
    ),
    arch: fn('int nvmlDeviceGetArchitecture(nvmlDevice_t device, _Out_ unsigned int *arch)'),
    energy: fn(
      'int nvmlDeviceGetTotalEnergyConsumption(nvmlDevice_t device, _Out_ uint64_t *energy)',
    ),
    power: fn('int nvmlDeviceGetPowerUsage(nvmlDevice_t device, _Out_ unsigned int *power)'),
    limit: fn(
      'int nvmlDeviceGetEnforcedPowerLimit(nvmlDevice_t device, _Out_ unsigned int *limit)',
    ),
    procs: fn(
      'int nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t device, _Inout_ unsigned int *count, _Out_ uint8_t *infos)',
    ),
    errorString: fn('const char *nvmlErrorString(int result)'),
  };
  if (!f.init || !f.count || !f.handle) {
    return { reason: `${paths.join(', ')}: not an NVML library (nvmlInit_v2 missing)` };
  }
  const missing = NVML.FUNCTION_NOT_FOUND;
  const text = (b: Buffer): string => {
    const end = b.indexOf(0);
    return b.subarray(0, end < 0 ? b.length : end).toString('utf8');
  };
  const call = (g: Fn | undefined, ...args: unknown[]): number =>
    g ? (g(...args) as number) : missing;
  const binding: NvmlBinding = {
    init: () => call(f.init),
    shutdown: () => call(f.shutdown),
    deviceCount() {
      const out = [0];
      const rc = call(f.count, out);
      return { rc, count: Number(out[0]) };
    },
    handle(index) {
      const out: unknown[] = [null];
      const rc = call(f.handle, index, out);
      return { rc, handle: out[0] };
    },
    name(h) {
      const b = Buffer.alloc(96);
      const rc = call(f.name, h, b, b.length);
      return { rc, value: text(b) };
    },
    uuid(h) {
      const b = Buffer.alloc(96);
      const rc = call(f.uuid, h, b, b.length);
      return { rc, value: text(b) };
    },
    architecture(h) {
      const out = [0];
      const rc = call(f.arch, h, out);
      return { rc, value: Number(out[0]) };
    },
    totalEnergy(h) {
      const out: Array<number | bigint> = [0];
      const rc = call(f.energy, h, out);
      // koffi returns uint64 as a number when it fits in 2^53 and as a BigInt above.
      return { rc, mJ: BigInt(out[0]) };
    },
    power(h) {
      const out = [0];
      const rc = call(f.power, h, out);
      return { rc, mW: Number(out[0]) };
    },
    powerLimit(h) {
      const out = [0];
      const rc = call(f.limit, h, out);
      return { rc, mW: Number(out[0]) };
    },
    computePids(h) {
      // nvmlProcessInfo_t (v2 layout used by _v3): pid u32, usedGpuMemory u64,
      // gpuInstanceId u32, computeInstanceId u32 → 24 bytes; pid at offset 0.
      const stride = 24;
      const cap = 64;
      const count = [cap];
      const buf = Buffer.alloc(stride * cap);
      const rc = call(f.procs, h, count, buf);
      const n = Math.min(cap, Number(count[0]));
      const pids: number[] = [];
      if (rc === NVML.SUCCESS) for (let i = 0; i < n; i++) pids.push(buf.readUInt32LE(i * stride));
      return { rc, pids };
    },
    errorString(rc) {
      return f.errorString ? String(f.errorString(rc)) : `NVML error ${rc}`;
    },
  };
  return { binding };
}
