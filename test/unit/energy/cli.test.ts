// `ecoeval energy` on a machine without counters (this VM, simulated with an empty sysfs root so
// the test is the same on a workstation with RAPL): probe says it falls back to the estimator
// and why; measure prints an estimator-labelled report with interval, grade and signature.
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { energyCommand } from '../../../main/cli/energy';
import { captureIO, UserError } from '../../../main/cli/io';
import { makeTree } from './helpers';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function vmEnv(extra: Record<string, string> = {}) {
  const t = makeTree({ 'sys/class/dmi/id/product_name': 'KVM\n' });
  cleanups.push(t.cleanup);
  return {
    root: t.root,
    env: {
      PATH: process.env.PATH,
      ECOEVAL_ENERGY_SYS_ROOT: t.root,
      ECOEVAL_ENERGY_NVML: 'off',
      ECOEVAL_ENERGY_SMI: 'off',
      ECOEVAL_ENERGY_IN_PROCESS: '1',
      LANG: 'fr_FR.UTF-8',
      ...extra,
    },
  };
}

describe('ecoeval energy probe', () => {
  it('says plainly that it falls back to the estimator, why, and how to enable counters', async () => {
    const io = captureIO({ env: vmEnv().env });
    expect(await energyCommand(['probe'], io)).toBe(0);
    const out = io.out();
    expect(out).toMatch(/CPU +estimate \(/);
    expect(out).toMatch(
      /falling back to the CPU-time × TDP estimator .* because no CPU energy counter is readable: .*powercap does not exist/,
    );
    expect(out).toMatch(/how to enable: On bare-metal Linux load the driver/);
    expect(out).toMatch(/CPU and RAM energy is ESTIMATED, not measured/);
  });

  it('--json gives the probe report', async () => {
    const io = captureIO({ env: vmEnv().env });
    await energyCommand(['probe', '--json'], io);
    const r = JSON.parse(io.out());
    expect(r.choices.map((c: { component: string }) => c.component)).toEqual(['cpu', 'ram']);
    expect(r.probes.some((p: { available: boolean }) => !p.available)).toBe(true);
  });
});

describe('ecoeval energy measure', () => {
  it('runs the command, forwards its output and exit code, reports an estimator-labelled figure (JSON)', async () => {
    const io = captureIO({ env: vmEnv().env, cwd: process.cwd() });
    const code = await energyCommand(
      ['measure', '--json', '--', process.execPath, '-e', 'console.log("hello"); process.exit(3)'],
      io,
    );
    expect(code).toBe(3);
    expect(io.out()).toBe('hello\n');
    const r = JSON.parse(io.err());
    expect(r.exitCode).toBe(3);
    expect(r.figure.status).toBe('complete');
    expect(r.figure.perComponent.map((c: { method: string }) => c.method)).toEqual([
      'estimate',
      'estimate',
    ]);
    expect(r.figure.lowJ).toBeLessThan(r.figure.joules);
    expect(r.figure.highJ).toBeGreaterThan(r.figure.joules);
    expect(r.figure.grade).toBe('D');
    expect(r.figure.flags).toContain('estimate-only');
    expect(r.figure.processShare.scope).toBe('process-share');
    expect(r.carbon.intensity).toMatchObject({ code: 'FR', basis: 'locale-assumed' });
    expect(r.signature).toMatch(
      /^meters:cpu=tdp\.estimate,ram=dimm\.estimate\|scope:cpu-package\+dimm-model\|basis:gross\|grid:FR\.CC\.2023\|version:/,
    );
  });

  it('text report names the method, interval, grade, carbon and signature; -o writes a file', async () => {
    const { env, root } = vmEnv();
    const io = captureIO({ env, cwd: root });
    await energyCommand(
      ['measure', '--country', 'PL', '-o', 'r.txt', '--', process.execPath, '-e', '0'],
      io,
    );
    const text = (await import('node:fs')).readFileSync(join(root, 'r.txt'), 'utf8');
    expect(text).toMatch(/J +\[.* J – .* J\] +gross energy, grade D/);
    expect(text).toMatch(/cpu .*estimate \(/);
    expect(text).toMatch(/gCO2e .* Poland/);
    expect(text).toMatch(/signature: meters:/);
  });

  it('measures through the real forked sampler process', async () => {
    const { env } = vmEnv();
    delete (env as Record<string, string | undefined>).ECOEVAL_ENERGY_IN_PROCESS;
    const io = captureIO({ env, cwd: process.cwd() });
    expect(await energyCommand(['measure', '--json', '--', process.execPath, '-e', '0'], io)).toBe(
      0,
    );
    const r = JSON.parse(io.err());
    expect(r.overhead.inProcess).toBe(false);
    expect(r.figure.status).toBe('complete');
  });

  it('explains a missing command, a bad baseline file and usage errors in one line', async () => {
    const { env, root } = vmEnv();
    await expect(
      energyCommand(['measure', '--', 'no-such-command-xyz'], captureIO({ env, cwd: root })),
    ).rejects.toThrow(/command not found: no-such-command-xyz/);
    writeFileSync(join(root, 'b.json'), '{"nope": 1}');
    await expect(
      energyCommand(
        ['measure', '--baseline', 'b.json', '--', 'true'],
        captureIO({ env, cwd: root }),
      ),
    ).rejects.toThrow(/b\.json: not a baseline file/);
    const e = await energyCommand(['measure'], captureIO({ env })).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UserError);
    expect((e as UserError).exitCode).toBe(2);
  });

  it('baseline --save writes a file that measure --baseline uses for an above-idle figure', async () => {
    const { env, root } = vmEnv();
    const io = captureIO({ env, cwd: root });
    expect(await energyCommand(['baseline', '--seconds', '0.2', '--save', 'idle.json'], io)).toBe(
      0,
    );
    expect(io.out()).toMatch(/Idle baseline: [\d.]+ W/);
    const io2 = captureIO({ env, cwd: root });
    await energyCommand(
      ['measure', '--json', '--baseline', 'idle.json', '--', process.execPath, '-e', '0'],
      io2,
    );
    expect(JSON.parse(io2.err()).figure.net.label).toMatch(
      /^active energy \(above idle baseline from/,
    );
  });
});
