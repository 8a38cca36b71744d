// A browser host of the spec's own, on a fresh workspace and port, for specs that must not share
// state with web.spec.ts (which expects a first launch on the config's server).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..', '..');

export interface OwnHost {
  baseURL: string;
  workspace: string;
  stop(): void;
}

export async function startOwnHost(port: number, token: string): Promise<OwnHost> {
  const workspace = mkdtempSync(join(tmpdir(), 'ecoeval-e2e-own-'));
  const server = spawn(
    process.execPath,
    [join(ROOT, 'out/main/web-server.js'), '--port', String(port), '--workspace', workspace],
    { cwd: ROOT, env: { ...process.env, ECOEVAL_BRIDGE_TOKEN: token }, stdio: 'ignore' },
  );
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      server.kill();
      throw new Error(`the browser host did not start on port ${port}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    baseURL: `http://127.0.0.1:${port}`,
    workspace,
    stop() {
      server.kill();
      rmSync(workspace, { recursive: true, force: true });
    },
  };
}
