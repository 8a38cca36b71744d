/**
 * `ecoeval energy probe | baseline | measure -- COMMAND ARGS`: which energy meters work here (and
 * how to enable the others), an idle baseline, and `perf stat` for joules — run any command and
 * report its energy with interval, grade, carbon and signature (text or --json). Like perf stat,
 * the report goes to standard error so the command's own output stays clean; -o writes it to a file.
 * Exit codes: measure returns the command's own exit code; 1 bad input; 2 usage.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { carbonFor, localeCountry } from '../services/energy/carbon';
import type { CarbonFigure } from '../services/energy/carbon';
import { createEnergyMonitor } from '../services/energy/monitor';
import type { EnergyMonitor, EnergyMonitorOptions, WindowFigure } from '../services/energy/monitor';
import type { ProbeReport, SamplerConfig } from '../services/energy/registry';
import type { SamplerOverhead } from '../services/energy/protocol';
import type { Baseline, ComponentFigure } from '../services/energy/types';
import type { CliCommand, CliIO } from './io';
import { EXIT_OK, EXIT_USAGE, UserError } from './io';

const USAGE = `usage: ecoeval energy probe [--json]
       ecoeval energy baseline [--seconds N] [--save FILE] [--json]
       ecoeval energy measure [--json] [-o FILE] [--country CC] [--overhead F] [--baseline FILE] -- COMMAND [ARGS...]`;

const HELP = `${USAGE}

probe      List the energy meters on this machine: which work, which do not and how to enable
           them, and which one is used for each component (CPU, RAM, GPU) and why.
baseline   Measure idle power for --seconds (default 30) with nothing else running; --save FILE
           keeps it for \`measure --baseline FILE\`, which then adds a labelled above-idle figure.
measure    Run COMMAND and report the energy the machine drew while it ran: gross joules with an
           interval, per-component meters and methods, grade A–D, flags, carbon and the energy
           signature. Exits with COMMAND's exit code.

  --json             machine-readable report
  -o, --output FILE  write the report to FILE instead of standard error
  --country CC       grid country (ISO alpha-2/alpha-3) for carbon; default: OS locale, marked assumed
  --intensity G      your own grid intensity in gCO2e/kWh (overrides --country)
  --overhead F       overhead factor (PUE), default 1.0
  -h, --help         this help

Environment: ECOEVAL_ENERGY_SYS_ROOT / ECOEVAL_ENERGY_PROC_ROOT (read sysfs/procfs from another
root), ECOEVAL_ENERGY_NVML (library path, or "off"), ECOEVAL_ENERGY_SMI (nvidia-smi command, or
"off"), ECOEVAL_ENERGY_IN_PROCESS=1 (sample in this process; for tests).
`;

interface Args {
  sub: string;
  json: boolean;
  output?: string;
  country?: string;
  intensity?: number;
  overhead?: number;
  seconds: number;
  save?: string;
  baseline?: string;
  command: string[];
  help: boolean;
}

function usageError(message: string): UserError {
  return new UserError(`${message}\n${USAGE}`, EXIT_USAGE);
}

function positive(flag: string, v: string | undefined): number {
  const n = Number(v);
  if (v === undefined || !Number.isFinite(n) || n <= 0)
    throw usageError(`${flag} needs a positive number`);
  return n;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { sub: '', json: false, seconds: 30, command: [], help: false };
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i];
    if (x === '--') {
      a.command = argv.slice(i + 1);
      break;
    }
    if (x === '-h' || x === '--help') a.help = true;
    else if (x === '--json') a.json = true;
    else if (x === '-o' || x === '--output') a.output = argv[++i];
    else if (x === '--country') a.country = argv[++i];
    else if (x === '--intensity') a.intensity = positive(x, argv[++i]);
    else if (x === '--overhead') a.overhead = positive(x, argv[++i]);
    else if (x === '--seconds') a.seconds = positive(x, argv[++i]);
    else if (x === '--save') a.save = argv[++i];
    else if (x === '--baseline') a.baseline = argv[++i];
    else if (!a.sub && !x.startsWith('-')) a.sub = x;
    else if (a.sub === 'measure' && !x.startsWith('-')) {
      // Allow `measure CMD ARGS` without `--` too.
      a.command = argv.slice(i);
      break;
    } else throw usageError(`unknown option "${x}"`);
  }
  return a;
}

/** Monitor options from the environment (injectable roots for tests and containers). */
function monitorOptions(io: CliIO, trackPid?: number): EnergyMonitorOptions {
  const env = io.env;
  const sampler: SamplerConfig = {};
  if (env.ECOEVAL_ENERGY_SYS_ROOT) sampler.sysRoot = resolve(io.cwd, env.ECOEVAL_ENERGY_SYS_ROOT);
  if (env.ECOEVAL_ENERGY_PROC_ROOT)
    sampler.procRoot = resolve(io.cwd, env.ECOEVAL_ENERGY_PROC_ROOT);
  if (env.ECOEVAL_ENERGY_NVML === 'off') sampler.nvmlLibrary = false;
  else if (env.ECOEVAL_ENERGY_NVML) sampler.nvmlLibrary = [env.ECOEVAL_ENERGY_NVML];
  if (env.ECOEVAL_ENERGY_SMI === 'off') sampler.nvidiaSmi = false;
  else if (env.ECOEVAL_ENERGY_SMI) sampler.nvidiaSmi = env.ECOEVAL_ENERGY_SMI;
  if (env.CUDA_VISIBLE_DEVICES !== undefined) sampler.cudaVisibleDevices = env.CUDA_VISIBLE_DEVICES;
  if (trackPid !== undefined) sampler.trackPid = trackPid;
  return {
    sampler,
    transport: env.ECOEVAL_ENERGY_IN_PROCESS === '1' ? 'in-process' : 'fork',
  };
}

const fmtJ = (j: number): string =>
  j >= 3.6e6
    ? `${(j / 3.6e6).toFixed(3)} kWh`
    : j >= 1e4
      ? `${(j / 1000).toFixed(2)} kJ`
      : `${j.toFixed(2)} J`;

/** Text rendering of a probe report. */
export function renderProbe(r: ProbeReport): string {
  const lines: string[] = ['Energy meters on this machine', ''];
  const m = r.machine;
  lines.push(
    `Machine: ${m.cpuBrand || 'unknown CPU'}, ${m.sockets} socket(s), ${m.logicalCpus} logical CPUs, ${m.ramGb} GB RAM`,
  );
  lines.push('');
  lines.push('Used for each component:');
  for (const c of r.choices) {
    lines.push(
      `  ${c.component.toUpperCase().padEnd(4)} ${c.chosen.map((d) => d.label).join(' + ')}`,
    );
    lines.push(`       why: ${c.why}`);
  }
  if (!r.choices.some((c) => c.component === 'gpu')) lines.push('  GPU  none found (see below)');
  const estimated = r.choices.filter((c) => c.chosen.every((d) => d.method === 'estimate'));
  if (estimated.length) {
    lines.push('');
    lines.push(
      `Note: ${estimated.map((c) => c.component.toUpperCase()).join(' and ')} energy is ESTIMATED, not measured; figures are labelled as estimates with a −50 %/+100 % band and grade C or D.`,
    );
  }
  const bad = r.probes.filter((p) => !p.available);
  if (bad.length) {
    lines.push('', 'Not available:');
    for (const p of bad) {
      lines.push(`  ✗ ${p.meter}: ${p.reason ?? 'unavailable'}`);
      if (p.fix) lines.push(`      how to enable: ${p.fix}`);
    }
  }
  const good = r.probes.filter((p) => p.available);
  if (good.length) {
    lines.push('', 'Available:');
    for (const p of good) lines.push(`  ✓ ${p.meter}: ${p.descriptor?.label ?? ''}`);
  }
  for (const a of r.alternatives)
    lines.push(`  (alternative, not summed) ${a.descriptor.id}: ${a.why}`);
  return `${lines.join('\n')}\n`;
}

function componentLine(c: ComponentFigure): string {
  return `    ${c.component.padEnd(6)} ${fmtJ(c.joules).padStart(10)}  [${fmtJ(c.lowJ)} – ${fmtJ(c.highJ)}]  ${c.label} · ${c.scope} · coverage ${Math.round(c.coverage * 100)} %`;
}

/** Text rendering of a measured figure. */
export function renderFigure(
  title: string,
  f: WindowFigure,
  carbon: CarbonFigure | undefined,
  overhead: SamplerOverhead | undefined,
): string {
  if (f.status !== 'complete')
    return `\n Energy report for ${title}: INCOMPLETE (${f.reason}); grade D\n`;
  const lines = [
    '',
    ` Energy report for ${title}:`,
    '',
    `  ${fmtJ(f.joules)}  [${fmtJ(f.lowJ)} – ${fmtJ(f.highJ)}]  gross energy, grade ${f.grade}, ${f.windowS.toFixed(2)} s, coverage ${Math.round(f.coverage * 100)} %`,
    ...f.perComponent.map(componentLine),
  ];
  for (const c of f.idleDevices)
    lines.push(`  (idle device, not summed) ${componentLine(c).trim()}`);
  if (f.net)
    lines.push(
      `  ${fmtJ(f.net.joules)}  [${fmtJ(f.net.lowJ)} – ${fmtJ(f.net.highJ)}]  ${f.net.label}${f.net.stale ? ' — STALE baseline' : ''}${f.net.clamped ? ' — below idle, shown as 0' : ''}`,
    );
  if (carbon)
    lines.push(
      `  ${carbon.grams.toPrecision(3)} gCO2e  [${carbon.lowG.toPrecision(3)} – ${carbon.highG.toPrecision(3)}]  at ${carbon.intensity.label}${carbon.overheadFactor !== 1 ? ` × ${carbon.overheadFactor}` : ''}`,
    );
  if (f.flags.length) lines.push(`  flags: ${f.flags.join(', ')}`);
  for (const r of f.gradeReasons) lines.push(`  · ${r}`);
  if (overhead)
    lines.push(
      `  sampler overhead: ${(overhead.fractionOfCore * 100).toFixed(2)} % of one core${overhead.inProcess ? ' (in-process: includes this command)' : ''}`,
    );
  lines.push(`  signature: ${carbon?.signature ?? f.signature}`, '');
  return lines.join('\n');
}

async function openMonitor(io: CliIO, trackPid?: number): Promise<EnergyMonitor> {
  try {
    return await createEnergyMonitor(monitorOptions(io, trackPid));
  } catch (e) {
    throw new UserError(`could not start the energy sampler: ${(e as Error).message}`);
  }
}

function readBaseline(io: CliIO, file: string): Baseline {
  const path = resolve(io.cwd, file);
  let b: Baseline;
  try {
    b = JSON.parse(readFileSync(path, 'utf8')) as Baseline;
  } catch (e) {
    throw new UserError(
      `${file}: cannot read the baseline (${(e as Error).message}). Create one with \`ecoeval energy baseline --save ${file}\`.`,
    );
  }
  if (typeof b?.watts !== 'number' || typeof b?.atMs !== 'number')
    throw new UserError(
      `${file}: not a baseline file (no watts/atMs). Create one with \`ecoeval energy baseline --save ${file}\`.`,
    );
  return b;
}

function emit(io: CliIO, a: Args, text: string): void {
  if (a.output) writeFileSync(resolve(io.cwd, a.output), text);
  else io.stderr(text);
}

/** Run the measured command, forwarding its output; resolves to its exit code. */
function runCommand(io: CliIO, command: string[]): Promise<number> {
  return new Promise((resolveExit, reject) => {
    const [cmd, ...args] = command;
    const child = spawn(cmd, args, {
      cwd: io.cwd,
      env: { ...process.env, ...io.env } as NodeJS.ProcessEnv,
      stdio: ['inherit', 'pipe', 'pipe'],
    });
    child.stdout.setEncoding('utf8').on('data', (c: string) => io.stdout(c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => io.stderr(c));
    const onAbort = (): void => void child.kill('SIGINT');
    io.signal.addEventListener('abort', onAbort);
    child.on('error', (e) => {
      io.signal.removeEventListener('abort', onAbort);
      const code = (e as NodeJS.ErrnoException).code;
      reject(
        new UserError(
          code === 'ENOENT'
            ? `command not found: ${cmd}. Check the name and your PATH.`
            : `cannot run ${cmd}: ${e.message}`,
          127,
        ),
      );
    });
    child.on('close', (code, signal) => {
      io.signal.removeEventListener('abort', onAbort);
      if (io.signal.aborted) return resolveExit(130);
      const signo: Record<string, number> = { SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
      resolveExit(code ?? 128 + (signal ? (signo[signal] ?? 1) : 1));
    });
  });
}

async function measure(a: Args, io: CliIO): Promise<number> {
  if (a.command.length === 0) throw usageError('measure needs a command after --');
  const baseline = a.baseline ? readBaseline(io, a.baseline) : undefined;
  // Track this process's tree: it contains the command (and its children once reaped).
  const monitor = await openMonitor(io, process.pid);
  if (baseline) monitor.setBaseline(baseline);
  let exit: number;
  let figure: WindowFigure;
  try {
    const h = await monitor.begin(a.command.join(' '), 'other');
    try {
      exit = await runCommand(io, a.command);
    } finally {
      figure = await monitor.end(h);
    }
  } catch (e) {
    await monitor.close();
    throw e;
  }
  const overhead = await monitor.overhead().catch(() => undefined);
  await monitor.close();
  const locale = localeCountry(io.env);
  const carbon =
    figure.status === 'complete'
      ? carbonFor(figure, {
          country: a.country,
          localeCountry: a.country ? undefined : locale,
          userIntensity: a.intensity,
          overheadFactor: a.overhead,
        })
      : undefined;
  const title = `'${a.command.join(' ')}' (exit ${exit})`;
  if (a.json) {
    const report = {
      command: a.command,
      exitCode: exit,
      figure,
      carbon,
      overhead,
      meters: monitor.probe().choices,
      signature: carbon?.signature ?? (figure.status === 'complete' ? figure.signature : undefined),
    };
    emit(io, a, `${JSON.stringify(report, null, 2)}\n`);
  } else {
    emit(io, a, renderFigure(title, figure, carbon, overhead));
  }
  return exit;
}

/** The `energy` subcommand. */
export const energyCommand: CliCommand = async (argv, io) => {
  const a = parseArgs(argv);
  if (a.help || !a.sub) {
    io.stdout(HELP);
    return a.help ? EXIT_OK : EXIT_USAGE;
  }
  if (a.sub === 'probe') {
    const m = await openMonitor(io);
    const r = m.probe();
    await m.close();
    io.stdout(a.json ? `${JSON.stringify(r, null, 2)}\n` : renderProbe(r));
    return EXIT_OK;
  }
  if (a.sub === 'baseline') {
    const m = await openMonitor(io);
    io.stderr(`Measuring idle power for ${a.seconds} s; keep the machine idle…\n`);
    const b = await m.measureIdle(a.seconds, io.signal);
    await m.close();
    if (io.signal.aborted) return 130;
    if (a.save) writeFileSync(resolve(io.cwd, a.save), `${JSON.stringify(b, null, 2)}\n`);
    io.stdout(
      a.json
        ? `${JSON.stringify(b, null, 2)}\n`
        : `Idle baseline: ${b.watts.toFixed(2)} W [${b.lowW.toFixed(2)} – ${b.highW.toFixed(2)} W] over ${b.durationS.toFixed(1)} s at ${b.at}\n` +
            b.perComponent
              .map((c) => `  ${c.component.padEnd(6)} ${c.watts.toFixed(2)} W  (${c.meterId})\n`)
              .join('') +
            (a.save
              ? `Saved to ${a.save}; use it with \`ecoeval energy measure --baseline ${a.save} -- …\`\n`
              : ''),
    );
    return EXIT_OK;
  }
  if (a.sub === 'measure') return measure(a, io);
  throw usageError(`unknown energy command "${a.sub}"`);
};
