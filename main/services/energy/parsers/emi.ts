/**
 * Parsers for the Windows Energy Meter Interface (energy.md §1.6, scenario 38), ready for the v2
 * koffi → DeviceIoControl meter: metadata blobs (v1: one channel; v2: named channels) and
 * measurement arrays (absolute energy in picowatt-hours, absolute time in 100 ns). Only `PKG`
 * channels count as CPU; per-core, PP0/PP1 and DRAM channels are not added to it.
 */

/** 1 pWh in joules. */
export const PWH_J = 3.6e-9;

/** A channel as the metadata names it. */
export interface EmiChannel {
  name: string;
  unit: number;
}

function utf16(buf: Buffer, offset: number, bytes: number): string {
  return buf
    .toString('utf16le', offset, offset + bytes)
    .replace(/\0.*$/s, '')
    .trim();
}

/** Parse EMI_METADATA_V1 or EMI_METADATA_V2 (version from IOCTL_EMI_GET_VERSION). */
export function parseEmiMetadata(buf: Buffer, version: 1 | 2): EmiChannel[] {
  if (version === 1) {
    // MeasurementUnit u32, HardwareOEM wchar[16], HardwareModel wchar[16], HardwareRevision u16,
    // MeteredHardwareNameSize u16 (bytes), MeteredHardwareName wchar[]
    const unit = buf.readUInt32LE(0);
    const size = buf.readUInt16LE(4 + 32 + 32 + 2);
    return [{ unit, name: utf16(buf, 4 + 32 + 32 + 4, size) }];
  }
  // HardwareOEM wchar[16], HardwareModel wchar[16], HardwareRevision u16, ChannelCount u16,
  // then per channel: MeasurementUnit u32, ChannelNameSize u16 (bytes), ChannelName wchar[].
  const count = buf.readUInt16LE(32 + 32 + 2);
  let off = 32 + 32 + 4;
  const out: EmiChannel[] = [];
  for (let i = 0; i < count; i++) {
    const unit = buf.readUInt32LE(off);
    const size = buf.readUInt16LE(off + 4);
    out.push({ unit, name: utf16(buf, off + 6, size) });
    off += 6 + size;
  }
  return out;
}

/** Parse EMI_CHANNEL_MEASUREMENT_DATA[n]: {AbsoluteEnergy u64 pWh, AbsoluteTime u64 100 ns}. */
export function parseEmiMeasurements(
  buf: Buffer,
  channels: number,
): Array<{ energyPwh: bigint; time100ns: bigint }> {
  const out: Array<{ energyPwh: bigint; time100ns: bigint }> = [];
  for (let i = 0; i < channels; i++)
    out.push({
      energyPwh: buf.readBigUInt64LE(i * 16),
      time100ns: buf.readBigUInt64LE(i * 16 + 8),
    });
  return out;
}

/** Indices of package channels (`RAPL_Package0_PKG`), the only ones summed for CPU. */
export function packageChannels(channels: EmiChannel[]): number[] {
  return channels.flatMap((c, i) => (/_PKG$/i.test(c.name) ? [i] : []));
}

/** Joules between two EMI readings of one channel; a backwards counter is dropped (undefined). */
export function emiDeltaJ(prevPwh: bigint, curPwh: bigint): number | undefined {
  return curPwh >= prevPwh ? Number(curPwh - prevPwh) * PWH_J : undefined;
}
