/**
 * The sampler host: answers client messages over a MessagePortLike, runs drift-free timers per
 * meter period (counters 1 Hz, power 10 Hz, estimators 1 Hz) and reports its own CPU cost. It runs
 * in its own process so a blocked model thread never starves power sampling (energy.md §3.2).
 */
import { buildRegistry } from './registry';
import type { Registry, RegistryDeps, SamplerConfig } from './registry';
import { SamplerCore } from './sampler-core';
import type { ClientMessage, HostMessage } from './protocol';
import type { MessagePortLike } from './transport';

/**
 * Call `fn` every `periodNs` on fixed deadlines (next = previous + period, not now + period), so
 * timer lateness does not accumulate into drift. Late ticks are skipped and counted.
 */
export function driftFreeTimer(
  periodNs: bigint,
  now: () => bigint,
  fn: (tick: number) => Promise<void>,
  onMissed: () => void,
): () => void {
  let next = now() + periodNs;
  let index = 1;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const schedule = (): void => {
    if (stopped) return;
    const delayMs = Math.max(0, Number(next - now()) / 1e6);
    timer = setTimeout(tick, delayMs);
    timer.unref();
  };
  const tick = (): void => {
    const t = now();
    if (t < next) return schedule();
    const served = index;
    next += periodNs;
    index++;
    while (next <= t) {
      next += periodNs;
      index++;
      onMissed();
    }
    void fn(served).finally(schedule);
  };
  schedule();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}

/** Options of the host. */
export interface HostOptions extends RegistryDeps {
  /** The host shares its caller's process (overhead then includes the caller). */
  inProcess?: boolean;
  /** Called after `close` was answered (the process entry exits here). */
  onClosed?: () => void;
  /** Replace meter discovery entirely (tests with fake meters). */
  registry?: (config: SamplerConfig) => Registry;
}

/** Serve one client on `port`. */
export function runSamplerHost(port: MessagePortLike, options: HostOptions = {}): void {
  const now = options.now ?? (() => process.hrtime.bigint());
  let core: SamplerCore | undefined;
  const stops: Array<() => void> = [];
  const open = new Map<string, bigint>();
  let missedTicks = 0;
  let cpu0 = process.cpuUsage();
  let t0 = now();
  const send = (m: HostMessage): void => port.postMessage(m);

  const handle = async (msg: ClientMessage): Promise<void> => {
    if (msg.type === 'init') {
      try {
        const config = {
          ...msg.config,
          excludePids: [...(msg.config.excludePids ?? []), process.pid],
        };
        const reg = options.registry ? options.registry(config) : buildRegistry(config, options);
        core = new SamplerCore(reg.meters, now);
        const c = core;
        await c.mark();
        // One timer at the fastest period serves every group (fewer process wake-ups than a
        // timer per period); slower groups run on every k-th deadline.
        const periods = c.periods();
        const base = periods[0] ?? 1;
        const counterPeriod = config.counterPeriodS ?? 1;
        const every = (p: number): number => Math.max(1, Math.round(p / base));
        const housekeeping = async (): Promise<void> => {
          await c.pollForeign();
          // Keep history back to the oldest open window (plus a minute for interpolation).
          const oldest = [...open.values()].reduce<bigint | undefined>(
            (a, b) => (a === undefined || b < a ? b : a),
            undefined,
          );
          c.prune((oldest ?? now()) - 60_000_000_000n);
        };
        stops.push(
          driftFreeTimer(
            BigInt(Math.round(base * 1e9)),
            now,
            async (tick) => {
              await Promise.all(
                periods.filter((p) => tick % every(p) === 0).map((p) => c.readGroup(p)),
              );
              if (tick % every(counterPeriod) === 0) await housekeeping();
            },
            () => missedTicks++,
          ),
        );
        cpu0 = process.cpuUsage();
        t0 = now();
        send({ type: 'ready', report: reg.report, pid: process.pid });
      } catch (e) {
        send({ type: 'fatal', message: (e as Error).message });
      }
      return;
    }
    if (!core) {
      if ('id' in msg) send({ type: 'error', id: msg.id, message: 'sampler not initialised' });
      return;
    }
    switch (msg.type) {
      case 'mark': {
        const t = await core.mark();
        if (msg.open) open.set(String(msg.id), t);
        if (msg.release) open.delete(msg.release);
        send({ type: 'marked', id: msg.id, t: t.toString(), wallMs: Date.now() });
        return;
      }
      case 'window':
        send({ type: 'window', id: msg.id, result: core.window(BigInt(msg.t0), BigInt(msg.t1)) });
        // Released only after the window is computed, so pruning cannot drop its start.
        if (msg.release) open.delete(msg.release);
        return;
      case 'timeline':
        send({
          type: 'timeline',
          id: msg.id,
          series: core.timeline(BigInt(msg.t0), BigInt(msg.t1), msg.maxPoints),
        });
        return;
      case 'stats': {
        const u = process.cpuUsage(cpu0);
        const cpuS = (u.user + u.system) / 1e6;
        const elapsedS = Number(now() - t0) / 1e9;
        send({
          type: 'stats',
          id: msg.id,
          overhead: {
            cpuS,
            elapsedS,
            fractionOfCore: elapsedS > 0 ? cpuS / elapsedS : 0,
            reads: core.reads,
            missedTicks,
            inProcess: options.inProcess ?? false,
            pid: process.pid,
          },
        });
        return;
      }
      case 'close':
        stops.forEach((s) => s());
        await core.close();
        send({ type: 'closed', id: msg.id });
        options.onClosed?.();
        return;
    }
  };
  port.onMessage((m) => {
    handle(m as ClientMessage).catch((e: unknown) => {
      const id = (m as { id?: number }).id ?? -1;
      send({ type: 'error', id, message: (e as Error).message });
    });
  });
  port.onClose(() => {
    stops.forEach((s) => s());
    void core?.close();
  });
}
