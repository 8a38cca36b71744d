/**
 * Shared by the concurrency tests: the browser host (main/web-server.ts) and `ecoeval` commands
 * (cli-entry.ts) as real processes on one workspace, both run from sources through tsx (no build,
 * so a source edit elsewhere never triggers a rebuild), each in a process group of its own so a
 * SIGKILL takes it with every process it forked; a client of the host's WebSocket bridge that
 * records the events it pushes; uploads to the host; and the workspace files the tests read.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { WebSocket } from 'ws';
import type { Transport, WorkbenchEvents } from '../../shared/api/contract';
import { connectWebSocket } from '../../renderer/src/lib/ws-transport';
import { repoRoot } from '../helpers/services';
import { Spawned, waitFor } from './crash-helpers';

/** tsx's loader by URL: `--import tsx` would be resolved from the (temporary) working folder. */
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/**
 * The environment of every spawned process: no workspace or Node options inherited from the test
 * runner, plain log lines (CI), and one cap on threads so two hosts on two cores stay responsive.
 */
function childEnv(extra: Record<string, string> = {}): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env, CI: '1', ...extra };
  delete env.ECOEVAL_WORKSPACE;
  delete env.NODE_OPTIONS;
  delete env.ECOEVAL_DEBUG;
  return env;
}

/** Starts `ecoeval ARGS` from sources in its own process group. */
export function spawnEcoeval(args: string[], options: { cwd: string }): Spawned {
  const child = spawn(
    process.execPath,
    ['--import', TSX, join(repoRoot, 'test/hardening/cli-entry.ts'), ...args],
    { cwd: options.cwd, env: childEnv(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Spawned(child, null);
}

/** Runs `ecoeval ARGS` to the end. */
export async function runEcoeval(
  args: string[],
  options: { cwd: string },
): Promise<{ code: number | null; stdout: string; stderr: string; spawned: Spawned }> {
  const spawned = spawnEcoeval(args, options);
  const { code } = await spawned.exited;
  // Streams may still hold their last chunk after 'exit'.
  await new Promise((r) => setImmediate(r));
  return { code, stdout: spawned.stdout, stderr: spawned.stderr, spawned };
}

export type HostEvent = {
  [E in keyof WorkbenchEvents]: { event: E; payload: WorkbenchEvents[E]; at: number };
}[keyof WorkbenchEvents];

export interface Host {
  process: Spawned;
  port: number;
  token: string;
  api: Transport;
  /** Every event the host pushed, with the time it arrived (Date.now()). */
  events: HostEvent[];
  /** Resolves with the first event (already pushed, or to come) that matches. */
  event(predicate: (e: HostEvent) => boolean, what: string, timeoutMs?: number): Promise<HostEvent>;
  /** Uploads a file as the browser does; the reference importDataset takes. */
  upload(name: string, body: string): Promise<{ upload: string }>;
  stop(): Promise<void>;
}

/** Starts the browser host on `workspace` (any free port) and connects to its bridge. */
export async function startHost(workspace: string): Promise<Host> {
  const token = randomBytes(16).toString('hex');
  const child = spawn(
    process.execPath,
    [
      '--import',
      TSX,
      join(repoRoot, 'main/web-server.ts'),
      '--port',
      '0',
      '--workspace',
      workspace,
    ],
    {
      cwd: repoRoot,
      env: childEnv({ ECOEVAL_BRIDGE_TOKEN: token }),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const spawned = new Spawned(child, null);
  const url = await waitFor(
    () => /serving the workbench at (http:\/\/127\.0\.0\.1:\d+)\//.exec(spawned.stdout)?.[1],
    'the browser host to listen',
    90_000,
    50,
    spawned,
  );
  const port = Number(new URL(url).port);
  const api = await connectWebSocket(
    `ws://127.0.0.1:${port}/bridge?token=${token}`,
    WebSocket as never,
  );
  const events: HostEvent[] = [];
  const names: (keyof WorkbenchEvents)[] = [
    'job:progress',
    'queue:changed',
    'runs:changed',
    'datasets:changed',
    'training:progress',
    'training:validation',
  ];
  for (const name of names) {
    api.on(name, (payload) => events.push({ event: name, payload, at: Date.now() } as HostEvent));
  }
  return {
    process: spawned,
    port,
    token,
    api,
    events,
    event: (predicate, what, timeoutMs = 60_000) =>
      waitFor(() => events.find(predicate), what, timeoutMs, 20, spawned),
    async upload(name, body) {
      const reply = await fetch(
        `http://127.0.0.1:${port}/upload?name=${encodeURIComponent(name)}`,
        { method: 'POST', headers: { 'x-ecoeval-token': token }, body },
      );
      if (!reply.ok) throw new Error(`upload failed: ${reply.status} ${await reply.text()}`);
      return { upload: ((await reply.json()) as { upload: string }).upload };
    },
    async stop() {
      try {
        process.kill(-spawned.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      const ended = await Promise.race([
        spawned.exited.then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), 10_000)),
      ]);
      if (!ended) await spawned.killGroup();
    },
  };
}

/** The entries of runs/queue.json (it must parse). */
export function queueFile(workspace: string): {
  jobId: string;
  state: string;
  label: string;
  owner?: { pid: number };
}[] {
  const path = join(workspace, 'runs', 'queue.json');
  if (!existsSync(path)) return [];
  return (JSON.parse(readFileSync(path, 'utf8')) as { jobs: never[] }).jobs;
}

/** Milliseconds since the epoch of an ISO timestamp (NaN stays NaN and fails comparisons). */
export const ms = (iso: string | undefined) => (iso ? Date.parse(iso) : NaN);
