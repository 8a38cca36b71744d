/**
 * The browser host as a process of its own for the load tests (load-harness.ts): main/web-server.ts
 * through tsx (no build) on a free 127.0.0.1 port with its per-launch token and a temporary
 * workspace; its resident memory read from /proc/<pid>/status, so the product needs no test hook;
 * a WebSocket client speaking the bridge's wire protocol (numbered requests, pushed events); and
 * uploads as the page makes them. No vitest here: the `load` benchmark runs it with tsx.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';

const repoRoot = join(import.meta.dirname, '..', '..');

export interface HostProcess {
  pid: number;
  port: number;
  token: string;
  workspace: string;
  /** What the host printed (its log). */
  output(): string;
  stop(): Promise<void>;
}

/** The host's resident memory in MB from /proc, or null where there is no /proc. */
export function rssMb(pid: number): number | null {
  const file = `/proc/${pid}/status`;
  if (!existsSync(file)) return null;
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(file, 'utf8'));
  return match ? Number(match[1]) / 1024 : null;
}

export const procAvailable = existsSync('/proc/self/status');

/** Samples a process's RSS every `everyMs`; `peak` is the highest seen since the last reset. */
export class RssSampler {
  peak = 0;
  readonly #timer: NodeJS.Timeout;
  constructor(
    readonly pid: number,
    everyMs = 50,
  ) {
    this.#timer = setInterval(() => this.sample(), everyMs);
    this.#timer.unref();
  }
  sample(): number {
    const now = rssMb(this.pid) ?? 0;
    this.peak = Math.max(this.peak, now);
    return now;
  }
  reset(): number {
    this.peak = 0;
    return this.sample();
  }
  stop(): void {
    clearInterval(this.#timer);
  }
}

/** Starts main/web-server.ts as its own process on a free loopback port with a fresh workspace. */
export async function startHostProcess(): Promise<HostProcess> {
  const workspace = await mkdtemp(join(tmpdir(), 'ecoeval-load-'));
  const token = randomBytes(16).toString('hex');
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(repoRoot, 'main/web-server.ts'),
      '--port',
      '0',
      '--workspace',
      workspace,
    ],
    {
      cwd: repoRoot,
      env: { ...process.env, ECOEVAL_BRIDGE_TOKEN: token },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (t: string) => (output += t));
  child.stderr!.setEncoding('utf8').on('data', (t: string) => (output += t));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the host did not start:\n${output}`)), 60_000);
    const check = () => {
      const match = /serving the workbench at http:\/\/127\.0\.0\.1:(\d+)\//.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the host exited (${code}) before serving:\n${output}`));
    });
  });
  return {
    pid: child.pid!,
    port,
    token,
    workspace,
    output: () => output,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      // A child the host forked (trainer, sampler) may still be finishing a write: retry, and
      // sweep once more after it has had a moment to exit.
      const sweep = () =>
        rm(workspace, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
      await sweep();
      await new Promise((r) => setTimeout(r, 500));
      await sweep();
    },
  };
}

export interface Reply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: { code: string; message: string };
}

export interface PushedEvent {
  event: string;
  payload: Record<string, unknown>;
}

/** A client of the bridge: numbered requests, replies by id, pushed events kept in order. */
export class BridgeClient {
  readonly events: PushedEvent[] = [];
  bytes = 0;
  /** The largest frame received. */
  largest = 0;
  #next = 1;
  readonly #waiting = new Map<number, (reply: Reply) => void>();
  readonly #listeners = new Set<(event: PushedEvent) => void>();
  closed = false;

  private constructor(
    readonly ws: WebSocket,
    /** Keep each event's payload (the event-stream clients) or only count them. */
    readonly keepEvents: boolean,
  ) {
    ws.on('message', (data: Buffer) => {
      this.bytes += data.length;
      this.largest = Math.max(this.largest, data.length);
      const message = JSON.parse(data.toString()) as Reply | PushedEvent;
      if ('event' in message) {
        if (this.keepEvents) this.events.push(summarise(message));
        for (const listener of this.#listeners) listener(message);
        return;
      }
      this.#waiting.get(message.id)?.(message);
      this.#waiting.delete(message.id);
    });
    ws.on('close', () => {
      this.closed = true;
    });
  }

  static open(host: HostProcess, keepEvents = false): Promise<BridgeClient> {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/bridge?token=${host.token}`);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new BridgeClient(ws, keepEvents)));
      ws.once('error', reject);
    });
  }

  call(channel: string, args: unknown[] = []): Promise<Reply> {
    const id = this.#next++;
    return new Promise((resolve) => {
      this.#waiting.set(id, resolve);
      this.ws.send(JSON.stringify({ id, channel, args }));
    });
  }

  /** Calls and returns the result; throws with the host's message when the call failed. */
  async invoke<T>(channel: string, args: unknown[] = []): Promise<T> {
    const reply = await this.call(channel, args);
    if (!reply.ok) throw new Error(`${channel}: ${reply.error?.code}: ${reply.error?.message}`);
    return reply.result as T;
  }

  on(listener: (event: PushedEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Resolves when `test` holds for an event (already received or to come). */
  until(test: (event: PushedEvent) => boolean, what: string, timeoutMs = 60_000): Promise<void> {
    if (this.events.some(test)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.on((event) => {
        if (!test(summarise(event))) return;
        clearTimeout(timer);
        off();
        resolve();
      });
    });
  }

  close(): void {
    this.ws.close();
  }
}

/**
 * What the checks need of an event, so the event-stream clients do not keep megabytes of job
 * lists: progress keeps its job and state; a queue change keeps each job's state.
 */
function summarise(event: PushedEvent): PushedEvent {
  if (event.event !== 'queue:changed') return event;
  const jobs = (event.payload.jobs as { jobId: string; state: string }[]).map((j) => ({
    jobId: j.jobId,
    state: j.state,
  }));
  return { event: event.event, payload: { jobs } };
}

/** Uploads a file to the host (as the page does) and returns the file reference for the API. */
export async function upload(
  host: HostProcess,
  name: string,
  body: string,
): Promise<{ upload: string }> {
  const response = await fetch(
    `http://127.0.0.1:${host.port}/upload?name=${encodeURIComponent(name)}`,
    { method: 'POST', body, headers: { 'x-ecoeval-token': host.token } },
  );
  if (!response.ok) throw new Error(`upload of ${name}: ${response.status}`);
  return { upload: ((await response.json()) as { upload: string }).upload };
}
