/**
 * The workspace: one folder holding `datasets/`, `models/` and `runs/` as human-readable JSON
 * manifests beside their data files. Resolves the folder (flag, ECOEVAL_WORKSPACE, else the OS's
 * per-user app-data folder), creates the layout, and sweeps leftovers of killed writers.
 */
import { lstat, mkdir, readdir, rm, writeFile, readFile } from 'node:fs/promises';
import { homedir, platform } from 'node:os';
import { join, resolve } from 'node:path';
import { TEMP_PREFIX } from './atomic';
import { WorkspaceLock, breakStaleLock, isStale, readLock } from './lock';
import { MeasurementSlot } from './measure-slot';
import { isProcessAlive } from '../process-alive';
import { systemError } from '../errors';

export const WORKSPACE_SCHEMA = 1;

/** The OS's per-user application-data folder for EcoEval. */
export function defaultWorkspaceDir(env: Record<string, string | undefined> = process.env): string {
  const home = homedir();
  switch (platform()) {
    case 'win32':
      return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'EcoEval', 'workspace');
    case 'darwin':
      return join(home, 'Library', 'Application Support', 'EcoEval', 'workspace');
    default:
      return join(env.XDG_DATA_HOME ?? join(home, '.local', 'share'), 'ecoeval', 'workspace');
  }
}

/** `--workspace DIR` wins, then ECOEVAL_WORKSPACE, then the per-user default. */
export function resolveWorkspaceDir(
  flag: string | undefined,
  env: Record<string, string | undefined> = process.env,
  cwd = process.cwd(),
): string {
  if (flag) return resolve(cwd, flag);
  if (env.ECOEVAL_WORKSPACE) return resolve(cwd, env.ECOEVAL_WORKSPACE);
  return defaultWorkspaceDir(env);
}

export class Workspace {
  readonly lock: WorkspaceLock;
  /** One measured job at a time across every process on the workspace (measure-slot.ts). */
  readonly measureSlot: MeasurementSlot;
  readonly datasetsDir: string;
  readonly modelsDir: string;
  readonly runsDir: string;
  readonly stagingDir: string;
  readonly uploadsDir: string;

  private constructor(readonly root: string) {
    this.lock = new WorkspaceLock(root);
    this.measureSlot = new MeasurementSlot(root);
    this.datasetsDir = join(root, 'datasets');
    this.modelsDir = join(root, 'models');
    this.runsDir = join(root, 'runs');
    this.stagingDir = join(root, '.staging');
    this.uploadsDir = join(root, '.uploads');
  }

  /** Opens (creating if needed) the workspace at `root`. */
  static async open(root: string): Promise<Workspace> {
    const ws = new Workspace(resolve(root));
    for (const dir of [ws.root, ws.datasetsDir, ws.modelsDir, ws.runsDir, ws.stagingDir]) {
      await mkdir(dir, { recursive: true });
    }
    const marker = join(ws.root, 'workspace.json');
    try {
      await readFile(marker, 'utf8');
    } catch {
      await writeFile(
        marker,
        JSON.stringify({ schema: WORKSPACE_SCHEMA, app: 'ecoeval' }, null, 2) + '\n',
        { flag: 'wx' },
      ).catch(() => undefined);
    }
    await ws.sweep();
    return ws;
  }

  /**
   * Removes what killed writers left: staging folders whose owner process is gone, temp files
   * beside manifests, and a measurement slot whose holder is gone. Neither was ever visible as a saved object, so nothing saved is lost. A
   * read-only workspace (or a full disk) is left as it is: it can still be browsed.
   */
  async sweep(): Promise<void> {
    await this.#sweep().catch((error: unknown) => {
      if (!systemError(error)) throw error;
    });
  }

  async #sweep(): Promise<void> {
    await this.lock.withLock('sweep', async () => {
      // A measurement slot a killed process still holds (it would be taken over anyway).
      try {
        const slot = readLock(this.measureSlot.file);
        if (slot && isStale(slot)) breakStaleLock(this.measureSlot.file, slot);
      } catch {
        // Unreadable: the next measured job reports it.
      }
      for (const entry of await readdir(this.stagingDir).catch(() => [] as string[])) {
        const pid = Number(entry.split('-')[0]);
        if (!Number.isInteger(pid) || !isProcessAlive(pid) || pid === process.pid) {
          if (pid !== process.pid)
            await rm(join(this.stagingDir, entry), { recursive: true, force: true });
        }
      }
      for (const dir of [this.datasetsDir, this.modelsDir, this.runsDir]) {
        for (const entry of await readdir(dir).catch(() => [] as string[])) {
          if (entry.startsWith(TEMP_PREFIX))
            await rm(join(dir, entry), { recursive: true, force: true });
          // Never through a link: it may lead out of the workspace, to files that are not ours.
          else if (!(await isLinkOrGone(join(dir, entry)))) {
            for (const inner of await readdir(join(dir, entry)).catch(() => [] as string[])) {
              if (inner.startsWith(TEMP_PREFIX) && !ownedByLiveProcess(inner)) {
                await rm(join(dir, entry, inner), { force: true });
              }
            }
          }
        }
      }
    });
  }
}

/** The `broken` entry of a symbolic link where a saved folder should be (datasets, models, runs). */
export function linkProblem(kind: 'datasets' | 'models' | 'runs', name: string): string {
  return `${kind}/${name} is a symbolic link, not a folder; EcoEval lists only folders inside the workspace — replace the link with a copy of the folder, or remove it`;
}

async function isLinkOrGone(path: string): Promise<boolean> {
  return lstat(path).then(
    (info) => info.isSymbolicLink(),
    () => true,
  );
}

/** Temp names end in `-<pid>-<hex>`: keep those of live writers. */
function ownedByLiveProcess(name: string): boolean {
  const match = /-(\d+)-[0-9a-f]{8}$/.exec(name);
  return match ? isProcessAlive(Number(match[1])) && Number(match[1]) !== process.pid : false;
}
