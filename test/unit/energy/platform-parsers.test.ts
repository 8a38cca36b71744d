// v2 platform parsers (energy.md §5 scenarios 38, 39): Windows EMI blobs and macOS powermetrics.
import { describe, expect, it } from 'vitest';
import {
  emiDeltaJ,
  packageChannels,
  parseEmiMeasurements,
  parseEmiMetadata,
  PWH_J,
} from '../../../main/services/energy/parsers/emi';
import {
  parsePowermetrics,
  powermetricsUnavailable,
} from '../../../main/services/energy/parsers/powermetrics';

const wchar = (s: string, bytes?: number) => {
  const b = Buffer.from(`${s}\0`, 'utf16le');
  return bytes === undefined ? b : Buffer.concat([b, Buffer.alloc(bytes - b.length)]);
};
const u16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
};
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};

describe('EMI (scenario 38)', () => {
  it('parses v1 metadata', () => {
    const name = wchar('RAPL_Package0_PKG');
    const buf = Buffer.concat([
      u32(0),
      wchar('Intel', 32),
      wchar('RAPL', 32),
      u16(1),
      u16(name.length),
      name,
    ]);
    expect(parseEmiMetadata(buf, 1)).toEqual([{ unit: 0, name: 'RAPL_Package0_PKG' }]);
  });
  it('parses v2 metadata and keeps only PKG channels', () => {
    const names = [
      'RAPL_Package0_PKG',
      'RAPL_Package0_PP0',
      'RAPL_Package0_DRAM',
      'RAPL_Package0_Core3_CORE',
      'RAPL_Package1_PKG',
    ];
    const chans = names.flatMap((n) => {
      const w = wchar(n);
      return [u32(0), u16(w.length), w];
    });
    const buf = Buffer.concat([
      wchar('Intel', 32),
      wchar('RAPL', 32),
      u16(1),
      u16(names.length),
      ...chans,
    ]);
    const parsed = parseEmiMetadata(buf, 2);
    expect(parsed.map((c) => c.name)).toEqual(names);
    expect(packageChannels(parsed)).toEqual([0, 4]);
  });
  it('converts pWh to J and drops a backwards counter', () => {
    const b = Buffer.alloc(32);
    b.writeBigUInt64LE(1_000_000_000_000n, 0);
    b.writeBigUInt64LE(10_000_000n, 8);
    b.writeBigUInt64LE(5n, 16);
    b.writeBigUInt64LE(10_000_000n, 24);
    const m = parseEmiMeasurements(b, 2);
    expect(m[0]).toEqual({ energyPwh: 1_000_000_000_000n, time100ns: 10_000_000n });
    expect(emiDeltaJ(0n, 1_000_000_000_000n)).toBeCloseTo(1e12 * PWH_J, 9); // 1 Wh = 3600 J
    expect(emiDeltaJ(1_000_000_000_000n, 1_000_000_000_000n)).toBe(0);
    expect(emiDeltaJ(10n, 5n)).toBeUndefined();
  });
});

describe('powermetrics (scenario 39)', () => {
  it('reads mW lines per sample, missing lines stay undefined', () => {
    const text = [
      '*** Sampled system activity (Mon Jan 01 10:00:00 2026) (1000.12ms elapsed) ***',
      'CPU Power: 1234 mW',
      'GPU Power: 56 mW',
      'ANE Power: 0 mW',
      'Combined Power (CPU + GPU + ANE): 1290 mW',
      '*** Sampled system activity (Mon Jan 01 10:00:01 2026) (1000.03ms elapsed) ***',
      'CPU Power: 2000 mW',
    ].join('\n');
    expect(parsePowermetrics(text)).toEqual([
      { cpuW: 1.234, gpuW: 0.056, aneW: 0, combinedW: 1.29 },
      { cpuW: 2, gpuW: undefined, aneW: undefined, combinedW: undefined },
    ]);
  });
  it('detects the sudo password prompt and the superuser error', () => {
    expect(powermetricsUnavailable('Password:')).toMatch(/sudoers/);
    expect(powermetricsUnavailable('powermetrics must be invoked as the superuser')).toMatch(
      /root/,
    );
    expect(powermetricsUnavailable('CPU Power: 1 mW')).toBeUndefined();
  });
});
