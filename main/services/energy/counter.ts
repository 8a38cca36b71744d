/**
 * Counter arithmetic for cumulative energy counters (RAPL µJ, NVML mJ, hwmon µJ): BigInt deltas,
 * one-wrap correction, and plausibility checks that turn resets into gaps — never a zero and
 * never a negative (energy.md §3.7; CodeCarbon #309, #322, #1309 went wrong exactly here).
 */

/** Outcome of one counter step. */
export type CounterStep =
  | { ok: true; joules: number; wrapped: boolean; emitPower: boolean }
  | { ok: false; reason: 'backwards-no-range' | 'implausible' | 'reset'; detail: string };

/**
 * Below this interval a power point is not emitted: dividing a few µJ by a few µs gives the
 * "2.5 MW" artefacts CodeCarbon documents. The energy is still kept.
 */
const MIN_POWER_INTERVAL_NS = 1_000_000n;

/**
 * Energy between two raw counter values.
 * @param prev previous raw value
 * @param cur current raw value
 * @param dtNs elapsed monotonic time in ns
 * @param unitJ joules per raw tick
 * @param maxRaw wrap point (`max_energy_range_uj`), if known
 * @param ceilingW highest plausible power of the device
 */
export function counterStep(
  prev: bigint,
  cur: bigint,
  dtNs: bigint,
  unitJ: number,
  maxRaw: bigint | undefined,
  ceilingW: number,
): CounterStep {
  let d = cur - prev;
  let wrapped = false;
  if (d < 0n) {
    if (maxRaw === undefined || maxRaw <= 0n) {
      return {
        ok: false,
        reason: 'backwards-no-range',
        detail: `counter went backwards (${prev} → ${cur}) and its range is unknown`,
      };
    }
    // One wrap: the counter ran to max and restarted at 0 (powercap sysfs ABI, energy_uj).
    d = maxRaw - prev + cur;
    wrapped = true;
    if (d < 0n) {
      return {
        ok: false,
        reason: 'reset',
        detail: `counter value ${prev} lies above its declared range ${maxRaw}: reset`,
      };
    }
  }
  // Subtract in BigInt, convert once: raw values may exceed 2^53 (NVML mJ since driver load).
  const joules = Number(d) * unitJ;
  // A tolerance of one update period's worth of energy at the ceiling keeps tiny intervals
  // (two reads 0.2 ms apart straddling a 1 ms RAPL update) from being called implausible.
  const dtS = Number(dtNs > 0n ? dtNs : 0n) / 1e9;
  const allowance = ceilingW * Math.max(dtS, 0.002);
  if (joules > allowance) {
    return {
      ok: false,
      reason: wrapped ? 'reset' : 'implausible',
      detail: wrapped
        ? `counter went backwards far from its range (${prev} → ${cur}): reset or double wrap`
        : `delta of ${joules.toFixed(1)} J in ${dtS.toFixed(3)} s exceeds the ${ceilingW} W ceiling`,
    };
  }
  return { ok: true, joules, wrapped, emitPower: dtNs >= MIN_POWER_INTERVAL_NS };
}

/**
 * Largest poll period that still sees every wrap: the counter must be read at least twice per
 * wrap period (`range / Pmax`), energy.md §1.1 and scenario 11.
 */
export function maxSafePeriodS(wrapRangeJ: number, ceilingW: number): number {
  return wrapRangeJ / ceilingW / 2;
}
