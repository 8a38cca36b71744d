/**
 * NVIDIA fallback when NVML cannot be loaded through koffi: one resident
 * `nvidia-smi --query-gpu=… -lms 100` child, parsed line by line and timestamped on arrival with
 * our monotonic clock (energy.md §1.2, §3.4 item 3). `[N/A]`/`[Not Supported]` are missing values;
 * an exit is a gap followed by a restart with back-off — never zeros.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mapCudaVisibleDevices } from './nvml';
import type { FamilyProbe, Meter, MeterDescriptor, RawReading } from '../types';

const QUERY = ['--query-gpu=index,uuid,power.draw', '--format=csv,noheader,nounits'];

/** Parse one CSV line of the query above; undefined for headers, errors and missing power. */
export function parseSmiLine(
  line: string,
): { index: number; uuid: string; watts: number } | undefined {
  const f = line.split(',').map((s) => s.trim());
  if (f.length < 3 || !/^\d+$/.test(f[0])) return undefined;
  const w = Number(f[2]);
  // "[N/A]", "[Not Supported]" and empty fields are missing, not zero.
  if (f[2] === '' || !Number.isFinite(w) || w < 0) return undefined;
  return { index: Number(f[0]), uuid: f[1], watts: w };
}

/** The resident nvidia-smi child shared by all GPUs' meters. */
export class SmiStream {
  private child: ChildProcess | undefined;
  private closed = false;
  private backoffMs = 500;
  private buffer = '';
  private queues = new Map<number, RawReading[]>();
  /** Exits and restarts seen, for the manifest. */
  readonly events: string[] = [];

  constructor(
    private readonly command: string,
    private readonly periodMs: number,
    private readonly now: () => bigint,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  start(): void {
    if (this.closed) return;
    const child = spawn(this.command, [...QUERY, `-lms`, String(this.periodMs)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: this.env,
    });
    this.child = child;
    let err = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      this.backoffMs = 500;
      const t = this.now();
      this.buffer += chunk;
      const lines = this.buffer.split('\n');
      this.buffer = lines.pop() ?? '';
      for (const line of lines) {
        const p = parseSmiLine(line);
        if (!p) continue;
        const q = this.queues.get(p.index) ?? [];
        q.push({ t, kind: 'power', watts: p.watts });
        this.queues.set(p.index, q);
      }
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (c: string) => void (err += c));
    child.on('error', (e) => this.events.push(`nvidia-smi failed to start: ${e.message}`));
    child.on('exit', (code) => {
      this.child = undefined;
      if (this.closed) return;
      this.events.push(
        `nvidia-smi exited (${code ?? 'signal'})${err ? `: ${err.trim().split('\n')[0]}` : ''}; restarting in ${this.backoffMs} ms`,
      );
      const delay = this.backoffMs;
      this.backoffMs = Math.min(this.backoffMs * 2, 30_000);
      setTimeout(() => this.start(), delay).unref();
    });
  }

  /** Readings of one GPU since the last call. */
  drain(index: number): RawReading[] {
    const q = this.queues.get(index) ?? [];
    this.queues.set(index, []);
    return q;
  }

  close(): void {
    this.closed = true;
    this.child?.kill();
  }
}

class SmiMeter implements Meter {
  constructor(
    readonly descriptor: MeterDescriptor,
    private readonly stream: SmiStream,
    private readonly index: number,
    private readonly release: () => void,
  ) {}
  async read(): Promise<RawReading> {
    throw new Error('nvidia-smi is a streaming meter; use drain()');
  }
  drain(): RawReading[] {
    return this.stream.drain(this.index);
  }
  async close(): Promise<void> {
    this.release();
  }
}

/** Options for the nvidia-smi family. */
export interface SmiOptions {
  command: string;
  periodS: number;
  now: () => bigint;
  /** CUDA_VISIBLE_DEVICES of the run (undefined = all GPUs used). */
  cudaVisibleDevices?: string;
  env?: NodeJS.ProcessEnv;
}

/** Probe nvidia-smi with one short query; never throws. Starts the stream when usable. */
export function probeNvidiaSmi(o: SmiOptions): FamilyProbe {
  const family = 'nvidia-smi power stream';
  const out: FamilyProbe = { probes: [], meters: [], alternatives: [] };
  const r = spawnSync(o.command, QUERY, { encoding: 'utf8', timeout: 5000, env: o.env });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    out.probes.push({
      meter: family,
      available: false,
      reason:
        code === 'ENOENT'
          ? `${o.command} not found on PATH (no NVIDIA driver installed)`
          : `${o.command} could not run: ${r.error.message}`,
    });
    return out;
  }
  const text = `${r.stdout ?? ''}\n${r.stderr ?? ''}`;
  if (r.status !== 0 || /has failed|couldn't communicate/i.test(text)) {
    out.probes.push({
      meter: family,
      available: false,
      reason: `${o.command} failed: ${text.trim().split('\n')[0]}`,
      fix: 'Check that the NVIDIA driver is loaded (a reboot after a driver update often fixes this).',
    });
    return out;
  }
  const rows = (r.stdout ?? '').split('\n').filter((l) => /^\s*\d+\s*,/.test(l));
  const { used } = mapCudaVisibleDevices(
    o.cudaVisibleDevices,
    rows.map((row) => {
      const f = row.split(',').map((x) => x.trim());
      return { index: Number(f[0]), uuid: f[1], name: '' };
    }),
  );
  const stream = new SmiStream(o.command, Math.round(o.periodS * 1000), o.now, o.env);
  let open = 0;
  for (const row of rows) {
    const f = row.split(',').map((s) => s.trim());
    const index = Number(f[0]);
    if (!parseSmiLine(row)) {
      out.probes.push({
        meter: `${family} GPU ${index}`,
        available: false,
        reason: `GPU ${index}: power.draw is ${f[2] || 'empty'} (not supported on this board/driver)`,
      });
      continue;
    }
    const descriptor: MeterDescriptor = {
      id: `smi:${f[1]}:power`,
      component: 'gpu',
      device: `NVIDIA GPU ${index}`,
      method: 'integrated',
      scope: 'gpu-board',
      source: 'nvidia-smi',
      label: 'integrated, nvidia-smi power.draw (1 s average on Ampere+)',
      relUncertainty: { lo: 0.15, hi: 0.15 },
      powerCeilingW: 1500,
      periodS: o.periodS,
      deviceKey: f[1],
      usedByRun: used.has(index),
      notes: ['fallback: NVML could not be loaded'],
    };
    open++;
    out.meters.push(
      new SmiMeter(descriptor, stream, index, () => {
        if (--open === 0) stream.close();
      }),
    );
    out.probes.push({ meter: `${family} GPU ${index}`, available: true, descriptor });
  }
  if (open > 0) stream.start();
  return out;
}
