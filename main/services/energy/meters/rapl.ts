/**
 * Linux RAPL through powercap sysfs (Intel, and AMD Zen since kernel 5.8). Selection rules of
 * energy.md §1.1/§3.5: package zones summed across sockets (one meter each, so the per-socket
 * breakdown is kept); core/uncore never added; psys only as an alternative scope; DRAM as RAM;
 * MMIO and MSR copies of one zone counted once (MMIO preferred); mirrored die zones deduplicated.
 */
import { errnoOf, parseBigIntAttr, tryList, tryRead } from '../fs';
import type { EnergyFs } from '../fs';
import { maxSafePeriodS } from '../counter';
import type { FamilyProbe, Meter, MeterDescriptor, RawReading } from '../types';

const POWERCAP = '/sys/class/powercap';

/** The fix offered when `energy_uj` is root-only (CVE-2020-8694, kernels ≥ 5.10). */
export const RAPL_PERMISSION_FIX =
  'energy_uj is readable by root only since Linux 5.10 (PLATYPUS, CVE-2020-8694). To let EcoEval ' +
  'read it, accept the side-channel trade-off and run once: ' +
  "echo 'z /sys/class/powercap/intel-rapl:*/energy_uj 0444 - - -' | sudo tee /etc/tmpfiles.d/ecoeval-rapl.conf " +
  '&& sudo systemd-tmpfiles --create /etc/tmpfiles.d/ecoeval-rapl.conf ' +
  '(or run the measurement as root). Until then EcoEval uses the CPU-time × TDP estimator.';

interface Zone {
  dir: string;
  name: string;
  mmio: boolean;
  /** Parent package name for sub-zones. */
  parent?: string;
}

/** Options for the RAPL family. */
export interface RaplOptions {
  /** Poll period for counters, seconds (1 s default). */
  periodS: number;
  /** Plausibility ceiling for a CPU package, W (2 × TDP, else 1,500 W). */
  cpuCeilingW: number;
  /** CPU brand for labels. */
  cpuName: string;
  /** Monotonic clock, ns. */
  now: () => bigint;
}

/** Detects die zones that each carry the whole-socket counter (Threadripper, CodeCarbon #788). */
export class MirrorDetector {
  private deltas = new Map<string, bigint[]>();
  private prev = new Map<string, bigint>();
  private mirrors = new Map<string, string>();
  private order: string[] = [];

  /** Record one raw read of `zone`. */
  observe(zone: string, raw: bigint): void {
    if (!this.order.includes(zone)) this.order.push(zone);
    const p = this.prev.get(zone);
    this.prev.set(zone, raw);
    if (p === undefined) return;
    const list = this.deltas.get(zone) ?? [];
    list.push(raw - p);
    if (list.length > 5) list.shift();
    this.deltas.set(zone, list);
    if (list.length < 5 || this.mirrors.has(zone)) return;
    // Only a later zone can mirror an earlier one, so exactly one copy survives.
    for (const other of this.order) {
      if (other === zone) break;
      if (this.mirrors.has(other)) continue;
      const o = this.deltas.get(other);
      if (o && o.length === 5 && o.every((d, i) => d === list[i])) {
        this.mirrors.set(zone, other);
        return;
      }
    }
  }

  /** The zone `zone` mirrors, if it was found to be a duplicate. */
  mirrorOf(zone: string): string | undefined {
    return this.mirrors.get(zone);
  }
}

class RaplZoneMeter implements Meter {
  constructor(
    readonly descriptor: MeterDescriptor,
    private readonly fs: EnergyFs,
    private readonly path: string,
    private readonly maxRaw: bigint | undefined,
    private readonly now: () => bigint,
    private readonly mirror?: { detector: MirrorDetector; zone: string },
  ) {}

  async read(): Promise<RawReading> {
    return this.readSync();
  }

  readSync(): RawReading {
    const raw = parseBigIntAttr(this.fs.readText(this.path), this.path);
    const t = this.now();
    this.mirror?.detector.observe(this.mirror.zone, raw);
    return { t, kind: 'counter', raw, unitJ: 1e-6, maxRaw: this.maxRaw };
  }

  /** Set when this die zone turned out to duplicate another; its energy is then not summed. */
  excludedBecause(): string | undefined {
    const of = this.mirror && this.mirror.detector.mirrorOf(this.mirror.zone);
    return of ? `deduplicated mirrored zone (identical to ${of})` : undefined;
  }

  async close(): Promise<void> {}
}

function scanZones(fs: EnergyFs): Zone[] {
  const zones: Zone[] = [];
  const entries = tryList(fs, POWERCAP).sort();
  for (const entry of entries) {
    const m = /^intel-rapl(-mmio)?:(\d+)(?::(\d+))?$/.exec(entry);
    if (!m) continue;
    const dir = `${POWERCAP}/${entry}`;
    const name = tryRead(fs, `${dir}/name`)?.trim();
    if (!name) continue;
    const zone: Zone = { dir, name, mmio: m[1] !== undefined };
    if (m[3] !== undefined) {
      const parentDir = `${POWERCAP}/intel-rapl${m[1] ?? ''}:${m[2]}`;
      zone.parent = tryRead(fs, `${parentDir}/name`)?.trim() ?? `zone-${m[2]}`;
    }
    zones.push(zone);
  }
  return zones;
}

/** Check a zone's counter is readable now; returns the errno on failure. */
function readable(fs: EnergyFs, zone: Zone): { ok: true } | { ok: false; code: string } {
  try {
    parseBigIntAttr(fs.readText(`${zone.dir}/energy_uj`), `${zone.dir}/energy_uj`);
    return { ok: true };
  } catch (e) {
    return { ok: false, code: errnoOf(e) };
  }
}

/** Probe powercap RAPL; never throws. */
export function probeRapl(fs: EnergyFs, options: RaplOptions): FamilyProbe {
  const family = 'RAPL (powercap sysfs)';
  const out: FamilyProbe = { probes: [], meters: [], alternatives: [] };
  const root = fs.root === '/' ? '' : fs.root;
  if (tryList(fs, POWERCAP).length === 0) {
    out.probes.push({
      meter: family,
      available: false,
      reason:
        `${root}${POWERCAP} does not exist or is empty: no RAPL energy counters are exposed here. ` +
        'Virtual machines, most cloud instances and containers (which mask /sys/devices/virtual/powercap) have none.',
      fix:
        'On bare-metal Linux load the driver (sudo modprobe intel_rapl_msr); in Docker mount ' +
        '/sys/class/powercap read-only into the container. Otherwise the CPU-time × TDP estimator is used.',
    });
    return out;
  }
  const zones = scanZones(fs);
  if (zones.length === 0) {
    out.probes.push({
      meter: family,
      available: false,
      reason: `${root}${POWERCAP} has no intel-rapl zones.`,
      fix: 'Load the RAPL driver: sudo modprobe intel_rapl_msr (Intel, and AMD Zen on kernel ≥ 5.8).',
    });
    return out;
  }
  // One logical zone per (parent, name); MMIO first, MSR if the MMIO copy is unreadable.
  const byKey = new Map<string, Zone[]>();
  for (const z of zones) {
    const key = z.parent ? `${z.parent}/${z.name}` : z.name;
    const list = byKey.get(key) ?? [];
    list.push(z);
    byKey.set(key, list);
  }
  const detector = new MirrorDetector();
  const dieCount = [...byKey.keys()].filter((k) => /^package-\d+-die-\d+$/.test(k)).length;
  for (const [key, copies] of byKey) {
    const leaf = key.split('/').pop() ?? key;
    const isPackage = /^package-\d+/.test(key) && !key.includes('/');
    const isDram = leaf === 'dram';
    const isPsys = key === 'psys';
    if (!isPackage && !isDram && !isPsys) continue; // core, uncore: parts of a package, never added
    copies.sort((a, b) => Number(b.mmio) - Number(a.mmio));
    let chosen: Zone | undefined;
    const failures: string[] = [];
    for (const z of copies) {
      const r = readable(fs, z);
      if (r.ok) {
        chosen = z;
        break;
      }
      failures.push(`${root}${z.dir}/energy_uj (${r.code})`);
    }
    if (!chosen) {
      const denied = failures.some((f) => f.includes('EACCES') || f.includes('EPERM'));
      out.probes.push({
        meter: `${family} ${key}`,
        available: false,
        reason: denied
          ? `zone ${key} is visible but its counter is not readable: ${failures.join(', ')}.`
          : `zone ${key} counter could not be read: ${failures.join(', ')}.`,
        fix: denied ? RAPL_PERMISSION_FIX : 'Check the kernel log (dmesg) for powercap errors.',
      });
      continue;
    }
    const maxText = tryRead(fs, `${chosen.dir}/max_energy_range_uj`)?.trim();
    const maxRaw = maxText && /^\d+$/.test(maxText) ? BigInt(maxText) : undefined;
    const wrapRangeJ = maxRaw !== undefined ? Number(maxRaw) / 1e6 : undefined;
    const ceiling = isPsys ? options.cpuCeilingW * 2 : options.cpuCeilingW;
    const notes: string[] = [];
    if (copies.length > 1)
      notes.push(
        `${copies.length} copies (MMIO/MSR) of this zone; counted once from ${chosen.mmio ? 'MMIO' : 'MSR'}`,
      );
    if (maxRaw === undefined)
      notes.push('max_energy_range_uj unreadable: a backwards counter becomes a gap');
    const descriptor: MeterDescriptor = {
      id: `rapl:${key}`,
      component: isDram ? 'ram' : isPsys ? 'system' : 'cpu',
      device: isDram
        ? `DRAM (${chosen.parent ?? 'package'})`
        : isPsys
          ? 'platform'
          : options.cpuName,
      method: 'counter',
      scope: isDram ? 'dram' : isPsys ? 'platform-psys' : 'cpu-package',
      source: `powercap sysfs (${chosen.mmio ? 'MMIO' : 'MSR'})`,
      label: isDram
        ? 'RAPL dram (measured)'
        : isPsys
          ? 'RAPL psys (measured)'
          : 'RAPL pkg (measured)',
      relUncertainty: isDram ? { lo: 0.15, hi: 0.15 } : { lo: 0.05, hi: 0.05 },
      wrapRangeJ,
      powerCeilingW: ceiling,
      periodS: options.periodS,
      notes,
    };
    if (wrapRangeJ !== undefined) {
      const safe = maxSafePeriodS(wrapRangeJ, ceiling);
      if (options.periodS >= safe) {
        out.probes.push({
          meter: `${family} ${key}`,
          available: false,
          reason: `poll period ${options.periodS} s is not below half the counter's wrap period (${safe.toFixed(0)} s at ${ceiling} W); wraps would be missed.`,
          fix: `Use a counter period below ${Math.floor(safe)} s (1 s is the default).`,
        });
        continue;
      }
    }
    const mirror = dieCount > 1 && /-die-\d+$/.test(key) ? { detector, zone: key } : undefined;
    const meter = new RaplZoneMeter(
      descriptor,
      fs,
      `${chosen.dir}/energy_uj`,
      maxRaw,
      options.now,
      mirror,
    );
    out.probes.push({ meter: `${family} ${key}`, available: true, descriptor });
    if (isPsys) {
      out.alternatives.push({
        descriptor,
        why: 'psys is a platform scope that contains the package zones; offered as an alternative, never summed with them',
      });
      void meter.close();
    } else {
      out.meters.push(meter);
    }
  }
  return out;
}
