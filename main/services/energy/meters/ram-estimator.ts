/**
 * RAM power model (CodeCarbon v3, energy.md §2.2): 5 W per DIMM on x86 (1.5 W on ARM), DIMM
 * count guessed from total memory, later DIMMs at 90/80/70 %, floor 10 W x86 / 3 W ARM. Only
 * used when no RAPL `dram` counter exists. Band −50 % / +100 %.
 */
import type { Meter, MeterDescriptor, RawReading } from '../types';

/** Guess the DIMM count from total RAM in GB. */
export function guessDimms(totalGb: number): number {
  if (totalGb <= 2) return 1;
  if (totalGb <= 16) return 2;
  if (totalGb <= 64) return 4;
  if (totalGb <= 128) return 8;
  const size = [128, 64, 32, 16, 8, 4].find((s) => s <= totalGb / 8) ?? 4;
  return Math.min(32, Math.ceil(totalGb / size));
}

/** Modelled RAM power in W for `totalGb` of memory. */
export function ramWatts(totalGb: number, arm = false, dimms = guessDimms(totalGb)): number {
  const per = arm ? 1.5 : 5;
  let w = 0;
  for (let i = 1; i <= dimms; i++) w += per * (i <= 4 ? 1 : i <= 8 ? 0.9 : i <= 16 ? 0.8 : 0.7);
  return Math.max(w, arm ? 3 : 10);
}

/** Constant-power RAM meter. */
export class RamEstimator implements Meter {
  readonly descriptor: MeterDescriptor;
  readonly watts: number;

  constructor(
    totalGb: number,
    arm: boolean,
    periodS: number,
    private readonly now: () => bigint,
    overrideW?: number,
  ) {
    const dimms = guessDimms(totalGb);
    this.watts = overrideW ?? ramWatts(totalGb, arm, dimms);
    this.descriptor = {
      id: 'est:ram-dimm',
      component: 'ram',
      device: `${Math.round(totalGb)} GB RAM`,
      method: overrideW !== undefined ? 'user-constant' : 'estimate',
      scope: 'dimm-model',
      source: overrideW !== undefined ? 'user-entered RAM power' : 'DIMM-count model',
      label:
        overrideW !== undefined
          ? `user constant (${overrideW} W)`
          : `estimate (${dimms} DIMMs guessed from ${Math.round(totalGb)} GB → ${this.watts} W)`,
      relUncertainty: { lo: 0.5, hi: 1.0 },
      powerCeilingW: this.watts * 4,
      periodS,
      notes: [],
    };
  }

  async read(): Promise<RawReading> {
    return this.readSync();
  }

  readSync(): RawReading {
    return { t: this.now(), kind: 'model', watts: this.watts, inputs: {} };
  }

  async close(): Promise<void> {}
}
