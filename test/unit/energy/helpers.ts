// Shared fakes for the energy tests: a controllable monotonic clock, counter/power meters with
// a known power, temporary sysfs/procfs trees, and an fs adapter that injects errno failures
// (CI runs as root, so chmod cannot simulate EACCES — energy.md §5).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { nodeFs } from '../../../main/services/energy/fs';
import type { EnergyFs } from '../../../main/services/energy/fs';
import type { Meter, MeterDescriptor, RawReading } from '../../../main/services/energy/types';

export class FakeClock {
  ns = 1_000_000_000_000n;
  now = (): bigint => this.ns;
  advance(seconds: number): void {
    this.ns += BigInt(Math.round(seconds * 1e9));
  }
}

export function descriptor(over: Partial<MeterDescriptor> = {}): MeterDescriptor {
  return {
    id: 'fake:counter',
    component: 'cpu',
    device: 'fake CPU',
    method: 'counter',
    scope: 'cpu-package',
    source: 'test',
    label: 'fake counter (measured)',
    relUncertainty: { lo: 0.05, hi: 0.05 },
    powerCeilingW: 1000,
    periodS: 1,
    notes: [],
    ...over,
  };
}

/** A counter meter whose energy grows at `watts(t)` (integrated exactly for constant power). */
export class FakeCounterMeter implements Meter {
  energyUj = 0n;
  private lastNs: bigint;
  failNext = false;
  lost = false;
  foreign: number[] = [];
  constructor(
    readonly descriptor: MeterDescriptor,
    private readonly clock: FakeClock,
    public watts: number,
    readonly maxRaw?: bigint,
  ) {
    this.lastNs = clock.ns;
  }
  private update(): void {
    const dt = this.clock.ns - this.lastNs;
    this.lastNs = this.clock.ns;
    this.energyUj += (BigInt(Math.round(this.watts * 1e6)) * dt) / 1_000_000_000n;
    if (this.maxRaw !== undefined) this.energyUj %= this.maxRaw;
  }
  async read(): Promise<RawReading> {
    this.update();
    if (this.lost) throw new Error('GPU is lost');
    if (this.failNext) {
      this.failNext = false;
      throw new Error('EIO');
    }
    return {
      t: this.clock.ns,
      kind: 'counter',
      raw: this.energyUj,
      unitJ: 1e-6,
      maxRaw: this.maxRaw,
    };
  }
  dead(): boolean {
    return this.lost;
  }
  async foreignPids(): Promise<number[]> {
    return this.foreign;
  }
  async close(): Promise<void> {}
}

/** A constant-power model meter. */
export class FakeModelMeter implements Meter {
  constructor(
    readonly descriptor: MeterDescriptor,
    private readonly clock: FakeClock,
    public watts: number,
    public inputs: Record<string, number> = {},
  ) {}
  async read(): Promise<RawReading> {
    return { t: this.clock.now(), kind: 'model', watts: this.watts, inputs: this.inputs };
  }
  async close(): Promise<void> {}
}

/** Write a file tree under a fresh temp dir; returns the root and a cleanup. */
export function makeTree(files: Record<string, string>): { root: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'ecoeval-energy-'));
  for (const [p, text] of Object.entries(files)) {
    const full = join(root, p);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** nodeFs with injected errno failures for matching paths. */
export function failingFs(root: string, fail: (path: string) => string | undefined): EnergyFs {
  const base = nodeFs(root);
  const check = (p: string): void => {
    const code = fail(p);
    if (code) throw Object.assign(new Error(`${code}: ${p}`), { code });
  };
  return {
    root,
    readText: (p) => (check(p), base.readText(p)),
    list: (p) => (check(p), base.list(p)),
  };
}

/** A RAPL zone's files. */
export function zone(
  dir: string,
  name: string,
  energyUj: string,
  maxUj = '262143328850',
): Record<string, string> {
  return {
    [`sys/class/powercap/${dir}/name`]: `${name}\n`,
    [`sys/class/powercap/${dir}/energy_uj`]: `${energyUj}\n`,
    [`sys/class/powercap/${dir}/max_energy_range_uj`]: `${maxUj}\n`,
  };
}
