/**
 * The energy client used by evaluation and training code: starts the sampler in its own process,
 * opens and closes (nestable) windows around phases, measures an idle baseline on request, and
 * turns the sampler's window results into `EnergyFigure` objects. If the sampler dies the run is
 * not lost: windows then end as "incomplete" figures instead of throwing into model code.
 */
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gradeOf, netFigure, perUnit } from './figure';
import { buildSignature, ENERGY_METHOD_VERSION } from './signature';
import { runSamplerHost } from './sampler-host';
import type { HostOptions } from './sampler-host';
import { childProcessPort, inProcessPair } from './transport';
import type { MessagePortLike } from './transport';
import type { ClientMessage, HostMessage, PowerSeries, SamplerOverhead } from './protocol';
import type { ProbeReport, SamplerConfig } from './registry';
import type { WindowResult } from './sampler-core';
import type { Baseline, EnergyFigure, EnergyFlag, Phase, WorkUnits } from './types';

/** How to reach the sampler. */
export interface EnergyMonitorOptions {
  /** Meter configuration (roots, periods, tracked pid, ...). */
  sampler?: SamplerConfig;
  /**
   * `fork` (default): a child process running `sampler-process`; `in-process`: same process
   * (tests; overhead figures then include the caller); or a port already connected to a host
   * (the Electron utility process).
   */
  transport?: 'fork' | 'in-process' | MessagePortLike;
  /** Script to fork; default: `sampler-process.ts` via tsx from sources, `energy-sampler.js` next to a bundle. */
  scriptPath?: string;
  /** execArgv for the fork (default `--import tsx` for a .ts script). */
  execArgv?: string[];
  /** Injected pieces for an in-process host (fake meters, clocks). */
  hostDeps?: HostOptions;
  /** Wall clock in ms (suspend and baseline staleness). */
  wallNow?: () => number;
  /** A previously measured idle baseline. */
  baseline?: Baseline;
  /** How long to wait for the sampler to start, ms. */
  readyTimeoutMs?: number;
}

/** An open window. Plain data; pass it back to `end`. */
export interface WindowHandle {
  id: number;
  label: string;
  phase: Phase;
  /** Monotonic ns of the opening mark, as a decimal string. */
  t0: string;
  wall0: number;
}

/** Extra information when closing a window. */
export interface EndOptions {
  units?: WorkUnits;
  /** Number of repetitions looped inside the window (≥ 10 over ≥ 10 s is not single-shot). */
  repeats?: number;
}

/** A window whose energy could not be measured (the sampler died); never a silent zero. */
export interface IncompleteFigure {
  status: 'incomplete';
  label: string;
  phase: Phase;
  reason: string;
  grade: 'D';
  flags: EnergyFlag[];
}

/** What `end` returns. */
export type WindowFigure = (EnergyFigure & { status: 'complete' }) | IncompleteFigure;

/** The client API. */
export interface EnergyMonitor {
  /** Which meters work, which do not (and how to enable them), and what was chosen. */
  probe(): ProbeReport;
  begin(label: string, phase?: Phase): Promise<WindowHandle>;
  end(handle: WindowHandle, options?: EndOptions): Promise<WindowFigure>;
  /** The figure so far of a window that stays open (progress: "joules so far"). */
  peek(handle: WindowHandle, options?: EndOptions): Promise<WindowFigure>;
  /** Power per meter since the window opened, for charts (≤ maxPoints per meter). */
  timeline(handle: WindowHandle, maxPoints?: number): Promise<PowerSeries[]>;
  /** Measure idle power for `seconds`; later figures gain a labelled above-idle figure. */
  measureIdle(seconds: number, signal?: AbortSignal): Promise<Baseline>;
  baseline(): Baseline | undefined;
  setBaseline(b: Baseline | undefined): void;
  /** The sampler's own CPU use so far. */
  overhead(): Promise<SamplerOverhead>;
  /**
   * What a run store keeps with every run (energy.md §3.13): probe results and choices (including
   * failed meters and why), sampler periods and measured overhead, baseline, method version.
   */
  manifest(): Promise<EnergyManifest>;
  /** Set when the sampler is gone; figures are then incomplete. */
  lostReason(): string | undefined;
  close(): Promise<void>;
}

/** The measurement manifest of a run. JSON-serialisable. */
export interface EnergyManifest {
  methodVersion: string;
  createdAt: string;
  probe: ProbeReport;
  periods: { counterS: number; powerS: number; estimatorS: number };
  overhead?: SamplerOverhead;
  baseline?: Baseline;
  lost?: string;
}

/** Where the sampler script lives, from sources or from a bundle. */
export function defaultSamplerScript(): { script: string; execArgv: string[] } {
  const self = fileURLToPath(import.meta.url);
  if (self.endsWith('.ts')) {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    return { script: join(dirname(self), 'sampler-process.ts'), execArgv: ['--import', tsx] };
  }
  // Bundled: this code may sit in out/main/chunks/, the entry in out/main/.
  const candidates = [
    join(dirname(self), 'energy-sampler.js'),
    join(dirname(self), '..', 'energy-sampler.js'),
  ];
  return { script: candidates.find((c) => existsSync(c)) ?? candidates[0], execArgv: [] };
}

/** Start a sampler and return the client. Rejects only if the sampler cannot start at all. */
export async function createEnergyMonitor(
  options: EnergyMonitorOptions = {},
): Promise<EnergyMonitor> {
  const wallNow = options.wallNow ?? Date.now;
  let port: MessagePortLike;
  const mode = options.transport ?? 'fork';
  let stderrTail = '';
  if (mode === 'in-process') {
    const [client, host] = inProcessPair();
    runSamplerHost(host, { inProcess: true, ...options.hostDeps });
    port = client;
  } else if (mode === 'fork') {
    const def = defaultSamplerScript();
    const script = options.scriptPath ?? def.script;
    const child = fork(script, [], {
      execArgv: options.execArgv ?? (script.endsWith('.ts') ? def.execArgv : []),
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (c: string) => void (stderrTail = (stderrTail + c).slice(-2000)));
    port = childProcessPort(child);
  } else {
    port = mode;
  }

  let nextId = 1;
  let lost: string | undefined;
  const pending = new Map<
    number,
    { resolve: (m: HostMessage) => void; reject: (e: Error) => void }
  >();
  let readyResolve: ((m: HostMessage) => void) | undefined;
  port.onMessage((raw) => {
    const m = raw as HostMessage;
    if (m.type === 'ready' || m.type === 'fatal') return readyResolve?.(m);
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.type === 'error') p.reject(new Error(m.message));
    else p.resolve(m);
  });
  port.onClose((reason) => {
    const tail = stderrTail.trim().split('\n').slice(-3).join(' | ');
    lost = `measurement incomplete: ${reason}${tail ? ` (${tail})` : ''}`;
    for (const p of pending.values()) p.reject(new Error(lost));
    pending.clear();
    readyResolve?.({ type: 'fatal', message: lost });
  });
  const request = <T extends HostMessage['type']>(
    msg: ClientMessage,
  ): Promise<Extract<HostMessage, { type: T }>> => {
    if (lost) return Promise.reject(new Error(lost));
    return new Promise((resolve, reject) => {
      pending.set((msg as { id: number }).id, {
        resolve: resolve as (m: HostMessage) => void,
        reject,
      });
      port.postMessage(msg);
    });
  };

  const ready = await new Promise<HostMessage>((resolve) => {
    readyResolve = resolve;
    const timer = setTimeout(
      () => resolve({ type: 'fatal', message: 'sampler did not start in time' }),
      options.readyTimeoutMs ?? 30_000,
    );
    timer.unref();
    port.postMessage({ type: 'init', config: options.sampler ?? {} } satisfies ClientMessage);
  });
  readyResolve = undefined;
  if (ready.type !== 'ready') {
    port.close();
    throw new Error(`energy sampler failed to start: ${(ready as { message?: string }).message}`);
  }
  const report = ready.report;
  let baseline = options.baseline;
  /** Open windows and the warm-up energy of their closed nested warm-up windows. */
  const open = new Map<number, { warmUpJ: number }>();

  const begin = async (label: string, phase: Phase = 'other'): Promise<WindowHandle> => {
    const id = nextId++;
    const wall0 = wallNow();
    if (lost) return { id, label, phase, t0: '0', wall0 };
    const m = await request<'marked'>({ type: 'mark', id, open: true });
    open.set(id, { warmUpJ: 0 });
    return { id, label, phase, t0: m.t, wall0 };
  };

  const incomplete = (h: WindowHandle, reason: string): IncompleteFigure => ({
    status: 'incomplete',
    label: h.label,
    phase: h.phase,
    reason,
    grade: 'D',
    flags: ['meter-lost'],
  });

  const end = async (h: WindowHandle, eo: EndOptions = {}): Promise<WindowFigure> => {
    const state = open.get(h.id);
    open.delete(h.id);
    if (lost || !state) return incomplete(h, lost ?? 'window was not opened on this monitor');
    let result: WindowResult;
    let wall1: number;
    try {
      const m = await request<'marked'>({ type: 'mark', id: nextId++ });
      wall1 = wallNow();
      const w = await request<'window'>({
        type: 'window',
        id: nextId++,
        t0: h.t0,
        t1: m.t,
        release: String(h.id),
      });
      result = w.result;
    } catch (e) {
      return incomplete(h, (e as Error).message);
    }
    const fig = assemble(h, result, wall1, eo, state.warmUpJ);
    if (h.phase === 'warm-up') for (const o of open.values()) o.warmUpJ += fig.joules;
    return fig;
  };

  const peek = async (h: WindowHandle, eo: EndOptions = {}): Promise<WindowFigure> => {
    const state = open.get(h.id);
    if (lost || !state) return incomplete(h, lost ?? 'window is not open on this monitor');
    try {
      const m = await request<'marked'>({ type: 'mark', id: nextId++ });
      const w = await request<'window'>({ type: 'window', id: nextId++, t0: h.t0, t1: m.t });
      return assemble(h, w.result, wallNow(), eo, state.warmUpJ);
    } catch (e) {
      return incomplete(h, (e as Error).message);
    }
  };

  const timeline = async (h: WindowHandle, maxPoints = 500): Promise<PowerSeries[]> => {
    if (lost) return [];
    const m = await request<'marked'>({ type: 'mark', id: nextId++ });
    const r = await request<'timeline'>({
      type: 'timeline',
      id: nextId++,
      t0: h.t0,
      t1: m.t,
      maxPoints,
    });
    return r.series;
  };

  const assemble = (
    h: WindowHandle,
    r: WindowResult,
    wall1: number,
    eo: EndOptions,
    warmUpJ: number,
  ): EnergyFigure & { status: 'complete' } => {
    const flags = new Set<EnergyFlag>();
    const joules = r.components.reduce((a, c) => a + c.joules, 0);
    const lowJ = r.components.reduce((a, c) => a + c.lowJ, 0);
    const highJ = r.components.reduce((a, c) => a + c.highJ, 0);
    const coverage =
      joules > 0
        ? r.components.reduce((a, c) => a + c.coverage * c.joules, 0) / joules
        : r.components.reduce((a, c) => Math.min(a, c.coverage), 1);
    if (r.resets > 0) flags.add('counter-reset');
    if (r.approximated) flags.add('approximated');
    if (r.gaps) flags.add('gap');
    if (r.deadMeters.length) flags.add('meter-lost');
    if (r.foreignGpuPids.length) flags.add('shared-gpu');
    if ((r.foreignCpuFraction ?? 0) > 0.1) flags.add('shared-machine');
    const singleShot = !(eo.repeats !== undefined && eo.repeats >= 10);
    if (singleShot && r.windowS < 10) flags.add('short-window');
    // Suspend: the wall clock advances across a suspend, CLOCK_MONOTONIC does not (Linux).
    if ((wall1 - h.wall0) / 1000 - r.windowS > 5) flags.add('suspend');
    if (r.components.every((c) => c.method === 'estimate' || c.method === 'user-constant'))
      flags.add('estimate-only');
    const gross = { joules, lowJ, highJ };
    let net;
    if (baseline) {
      net = netFigure(gross, r.windowS, baseline, wall1);
      if (net.stale) flags.add('stale-baseline');
      if (net.clamped) flags.add('net-clamped');
    }
    const flagList = [...flags];
    const { grade, reasons } = gradeOf({
      components: r.components,
      windowS: r.windowS,
      samples: r.samples,
      coverage,
      flags: flagList.filter((f) => f !== 'estimate-only' && f !== 'net-clamped'),
      repeats: eo.repeats,
    });
    const notes = [...r.excluded];
    if (r.foreignCpuFraction !== undefined)
      notes.push(
        `other processes used ${(r.foreignCpuFraction * 100).toFixed(1)} % of the machine's CPU time`,
      );
    if (r.processShareJ !== undefined)
      notes.push(
        `our process tree's share of CPU power: ${r.processShareJ.toFixed(1)} J (process-share scope)`,
      );
    if (r.foreignGpuPids.length)
      notes.push(`other processes on our GPUs: ${r.foreignGpuPids.join(', ')}`);
    for (const x of r.crossChecks ?? []) {
      const measured = r.components
        .filter((c) => c.component === x.component)
        .reduce((a, c) => a + c.joules, 0);
      notes.push(
        `cross-check ${x.meterId}: ${x.joules.toFixed(1)} J` +
          (x.joules > 0
            ? ` (measured/estimate ratio ${(measured / x.joules).toFixed(2)}, not applied)`
            : ''),
      );
    }
    return {
      status: 'complete',
      label: h.label,
      phase: h.phase,
      joules,
      lowJ,
      highJ,
      basis: 'gross',
      windowS: r.windowS,
      startedAt: new Date(h.wall0).toISOString(),
      endedAt: new Date(wall1).toISOString(),
      perComponent: r.components.map((c) => ({ ...c, notes: [...c.notes] })),
      idleDevices: r.idleDevices,
      coverage,
      grade,
      gradeReasons: [...reasons, ...notes],
      flags: flagList,
      ...(net ? { net } : {}),
      perUnit: h.phase === 'warm-up' ? [] : perUnit(gross, warmUpJ, eo.units),
      warmUpExcludedJ: warmUpJ,
      ...(r.processShareJ !== undefined
        ? {
            processShare: {
              joules: r.processShareJ,
              scope: 'process-share' as const,
              foreignCpuFraction: r.foreignCpuFraction ?? 0,
            },
          }
        : {}),
      ...(eo.repeats !== undefined ? { repeats: eo.repeats } : {}),
      signature: buildSignature(r.components, 'gross'),
    };
  };

  const measureIdle = async (seconds: number, signal?: AbortSignal): Promise<Baseline> => {
    const h = await begin('idle baseline', 'idle');
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, seconds * 1000);
      signal?.addEventListener('abort', () => {
        clearTimeout(t);
        resolve();
      });
    });
    const saved = baseline;
    baseline = undefined;
    const f = await end(h);
    baseline = saved;
    if (f.status !== 'complete') throw new Error(f.reason);
    const T = f.windowS;
    const b: Baseline = {
      at: f.endedAt,
      atMs: wallNow(),
      durationS: T,
      watts: f.joules / T,
      lowW: f.lowJ / T,
      highW: f.highJ / T,
      perComponent: f.perComponent.map((c) => ({
        meterId: c.meterId,
        component: c.component,
        watts: c.joules / T,
      })),
    };
    baseline = b;
    return b;
  };

  return {
    probe: () => report,
    begin,
    end,
    peek,
    timeline,
    measureIdle,
    baseline: () => baseline,
    setBaseline: (b) => void (baseline = b),
    overhead: async () => (await request<'stats'>({ type: 'stats', id: nextId++ })).overhead,
    lostReason: () => lost,
    manifest: async () => {
      const cfg = options.sampler ?? {};
      return {
        methodVersion: ENERGY_METHOD_VERSION,
        createdAt: new Date(wallNow()).toISOString(),
        probe: report,
        periods: {
          counterS: cfg.counterPeriodS ?? 1,
          powerS: cfg.powerPeriodS ?? 0.1,
          estimatorS: cfg.estimatorPeriodS ?? 1,
        },
        ...(lost
          ? { lost }
          : { overhead: (await request<'stats'>({ type: 'stats', id: nextId++ })).overhead }),
        ...(baseline ? { baseline } : {}),
      };
    },
    close: async () => {
      if (!lost) {
        await request<'closed'>({ type: 'close', id: nextId++ }).catch(() => undefined);
      }
      lost ??= 'monitor closed';
      port.close();
    },
  };
}
