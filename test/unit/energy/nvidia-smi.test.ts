// The nvidia-smi fallback stream against a fake `nvidia-smi` first on PATH (energy.md §5
// scenario 19): parsing, [N/A]/[Not Supported] as missing (never zero), driver failure as a
// reason, and an exit mid-run as a gap followed by a restart.
import { afterAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSmiLine, probeNvidiaSmi } from '../../../main/services/energy/meters/nvidia-smi';
import type { FamilyProbe } from '../../../main/services/energy/types';

const dir = mkdtempSync(join(tmpdir(), 'fake-smi-'));
const script = fileURLToPath(new URL('../../fixtures/energy/fake-nvidia-smi.mjs', import.meta.url));
writeFileSync(join(dir, 'nvidia-smi'), `#!/bin/sh\nexec "${process.execPath}" "${script}" "$@"\n`);
chmodSync(join(dir, 'nvidia-smi'), 0o755);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = (mode: string) => ({
  ...process.env,
  PATH: `${dir}${delimiter}${process.env.PATH}`,
  FAKE_SMI_MODE: mode,
});
const probe = (mode: string): FamilyProbe =>
  probeNvidiaSmi({
    command: 'nvidia-smi',
    periodS: 0.05,
    now: () => process.hrtime.bigint(),
    env: env(mode),
  });

async function until<T>(f: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const v = f();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('parseSmiLine', () => {
  it('parses values and treats [N/A], [Not Supported], headers and errors as missing', () => {
    expect(parseSmiLine('0, GPU-x, 123.45')).toEqual({ index: 0, uuid: 'GPU-x', watts: 123.45 });
    expect(parseSmiLine('0, GPU-x, [N/A]')).toBeUndefined();
    expect(parseSmiLine('1, GPU-y, [Not Supported]')).toBeUndefined();
    expect(parseSmiLine('index, uuid, power.draw [W]')).toBeUndefined();
    expect(parseSmiLine("NVIDIA-SMI has failed because it couldn't communicate")).toBeUndefined();
  });
});

describe.skipIf(process.platform === 'win32')('nvidia-smi stream (fake binary on PATH)', () => {
  it('streams two GPUs as power meters labelled as the fallback', async () => {
    const r = probe('ok');
    expect(r.meters.map((m) => m.descriptor.id)).toEqual([
      'smi:GPU-smi-0000:power',
      'smi:GPU-smi-0001:power',
    ]);
    expect(r.meters[0].descriptor.label).toMatch(/nvidia-smi power\.draw/);
    const got = await until(() => {
      const d = r.meters[1].drain!();
      return d.length ? d : undefined;
    }, 'samples');
    expect(got[0]).toMatchObject({ kind: 'power', watts: 50 });
    await Promise.all(r.meters.map((m) => m.close()));
  });

  it('maps CUDA_VISIBLE_DEVICES: unused GPUs are reported, not summed', async () => {
    const r = probeNvidiaSmi({
      command: 'nvidia-smi',
      periodS: 0.05,
      now: () => process.hrtime.bigint(),
      env: env('ok'),
      cudaVisibleDevices: 'GPU-smi-0001',
    });
    expect(r.meters.map((m) => m.descriptor.usedByRun)).toEqual([false, true]);
    await Promise.all(r.meters.map((m) => m.close()));
  });

  it('reports [N/A] power as unavailable, never as 0 W', () => {
    const r = probe('na');
    expect(r.meters).toHaveLength(0);
    expect(r.probes.map((p) => p.reason)).toEqual([
      'GPU 0: power.draw is [N/A] (not supported on this board/driver)',
      'GPU 1: power.draw is [Not Supported] (not supported on this board/driver)',
    ]);
  });

  it('reports the driver failure message as the reason', () => {
    const r = probe('failed');
    expect(r.probes[0]).toMatchObject({ available: false });
    expect(r.probes[0].reason).toMatch(/couldn't communicate with the NVIDIA driver/);
  });

  it('restarts after an exit mid-run and keeps streaming', async () => {
    const r = probe('exit');
    const m = r.meters[0];
    let total = 0;
    // The fake exits after 3 lines per run; more than 3 samples means it was restarted.
    await until(() => ((total += m.drain!().length), total > 3 ? true : undefined), 'a restart');
    await Promise.all(r.meters.map((x) => x.close()));
  });

  it('says when nvidia-smi is not installed', () => {
    const r = probeNvidiaSmi({ command: 'nvidia-smi-absent-xyz', periodS: 0.1, now: () => 0n });
    expect(r.probes[0].reason).toMatch(/not found on PATH/);
  });
});
