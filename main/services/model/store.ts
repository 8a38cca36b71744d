/**
 * The workspace's models: list (unreadable folders reported, never touched), show, delete, and
 * loading a checkpoint into a tfjs model with its tokenizer. A model whose training process is
 * alive cannot be deleted; one whose process died while `running` is shown as interrupted (its
 * last checkpoint is complete and can be resumed).
 */
import { randomBytes } from 'node:crypto';
import { readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TEMP_PREFIX, fsyncDirectory } from '../workspace/atomic';
import type { Workspace } from '../workspace/workspace';
import { linkProblem } from '../workspace/workspace';
import { BadRequestError, NotFoundError } from '../errors';
import { checkpointBytes, readCheckpoint, readManifest } from './checkpoint';
import type { ModelManifest } from './checkpoint';
import type { BackendName } from './backend';
import type { EnergyRecord, TrainingStatus } from './training-types';
import { isProcessAlive } from '../process-alive';

export interface ModelSummary {
  id: string;
  name: string;
  kind: ModelManifest['config']['kind'];
  task: ModelManifest['task'];
  preset: ModelManifest['preset'];
  parameters: number;
  /** The target side's vocabulary (the only one when shared). */
  vocabSize: number;
  /** The source side's vocabulary when separate (tokenizer.src.json), else null. */
  srcVocabSize: number | null;
  /** `interrupted` when the record says running but its process is gone. */
  status: TrainingStatus | 'interrupted';
  step: number;
  tokens: number;
  elapsedS: number;
  joules: number | null;
  bestBleu: number | null;
  lastBleu: number | null;
  backend: string;
  /** Why each other backend was not used (failed, or skipped), as the trainer recorded it. */
  backendReasons: Array<{ backend: string; reason: string }>;
  /** How the energy figure was obtained: `counter`, `estimate`, ... (see `energyMethod`). */
  energyMethod: string;
  /** Worst quality grade of the energy windows (A best), when measured. */
  energyGrade: string | null;
  /** Each move between workspaces (`ecoeval models export` / `import`). */
  provenance: NonNullable<ModelManifest['provenance']>;
  bytes: number;
  createdAt: string;
  updatedAt: string;
}

export interface ModelList {
  models: ModelSummary[];
  broken: Array<{ folder: string; problem: string }>;
}

/** Whether a process with this pid exists (ours counts). */
export const isAlive = isProcessAlive;

/**
 * Written into a new model folder together with the folder and removed once its step-0
 * checkpoint is saved: until then the folder has no manifest, and another process must see it as
 * a training that is starting (not list it as broken, not delete it from under the trainer).
 */
export const SETUP_CLAIM = '.setup-claim.json';

export async function writeSetupClaim(dir: string): Promise<void> {
  await writeFile(
    join(dir, SETUP_CLAIM),
    JSON.stringify({ pid: process.pid, since: new Date().toISOString() }),
  );
}

export async function clearSetupClaim(dir: string): Promise<void> {
  await rm(join(dir, SETUP_CLAIM), { force: true });
}

/** The live process setting the folder up, or null (no claim, or its process is gone). */
async function settingUp(dir: string): Promise<number | null> {
  try {
    const { pid } = JSON.parse(await readFile(join(dir, SETUP_CLAIM), 'utf8')) as { pid?: unknown };
    return typeof pid === 'number' && isAlive(pid) ? pid : null;
  } catch {
    return null;
  }
}

/** `<dataset>-<preset>-<yyyymmdd-hhmmss>`, suffixed when taken (call under the workspace lock). */
export async function newModelId(
  modelsDir: string,
  dataset: string,
  preset: string,
): Promise<string> {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const base = `${dataset}-${preset}-${stamp}`.replace(/[^\w.-]+/g, '-');
  const taken = new Set(await readdir(modelsDir).catch(() => [] as string[]));
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

/**
 * The method label of a model's training energy: the meters' methods joined (`counter`,
 * `estimate+counter`, ...), `off` or `unavailable` when there is no figure, and `estimate` for
 * records that predate the methods being kept (their figure's provenance is unknown).
 */
export function energyMethod(energy: EnergyRecord | undefined): string {
  if (!energy || energy.status === 'off') return 'off';
  if (energy.methods?.length) return energy.methods.join('+');
  return energy.status === 'unavailable' ? 'unavailable' : 'estimate';
}

export function summarise(manifest: ModelManifest, bytes: number): ModelSummary {
  const t = manifest.training;
  const bleus = t.curve.map((p) => p.validBleu).filter((b): b is number => b !== null);
  return {
    id: manifest.id,
    name: manifest.name,
    kind: manifest.config.kind,
    task: manifest.task,
    preset: manifest.preset,
    parameters: manifest.parameters,
    vocabSize: manifest.config.vocabSize,
    srcVocabSize: manifest.config.srcVocabSize ?? null,
    status: t.status === 'running' && !isAlive(t.pid) ? 'interrupted' : t.status,
    step: t.step,
    tokens: t.tokens,
    elapsedS: t.elapsedS,
    joules: t.joules ?? null,
    bestBleu: bleus.length ? Math.max(...bleus) : null,
    lastBleu: bleus.at(-1) ?? null,
    backend: (t.backend?.name as BackendName | undefined) ?? 'unknown',
    backendReasons: (t.backend?.attempts ?? [])
      .filter((a) => a.outcome !== 'used')
      .map((a) => ({ backend: a.name, reason: `${a.outcome}: ${a.reason}` })),
    energyMethod: energyMethod(t.energy),
    energyGrade: t.energy?.grade ?? null,
    provenance: manifest.provenance ?? [],
    bytes,
    createdAt: manifest.createdAt,
    updatedAt: manifest.updatedAt,
  };
}

const ID_PATTERN = /^[\w.-]+$/;

export class ModelStore {
  constructor(readonly workspace: Workspace) {}

  dir(id: string): string {
    if (!ID_PATTERN.test(id) || id.startsWith('.'))
      throw new BadRequestError(`"${id}" is not a model id.`);
    return join(this.workspace.modelsDir, id);
  }

  async list(): Promise<ModelList> {
    const models: ModelSummary[] = [];
    const broken: ModelList['broken'] = [];
    const entries = await readdir(this.workspace.modelsDir, { withFileTypes: true }).catch(
      () => [],
    );
    for (const entry of entries) {
      if (entry.isSymbolicLink() && !entry.name.startsWith('.')) {
        broken.push({ folder: entry.name, problem: linkProblem('models', entry.name) });
        continue;
      }
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      const dir = join(this.workspace.modelsDir, entry.name);
      try {
        const manifest = await readManifest(dir);
        models.push(summarise(manifest, await checkpointBytes(dir, manifest)));
      } catch (error) {
        // A training still writing its first checkpoint is not broken; it lists once saved.
        if ((await settingUp(dir)) !== null) continue;
        broken.push({ folder: entry.name, problem: (error as Error).message });
      }
    }
    models.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id));
    return { models, broken };
  }

  async get(id: string): Promise<ModelManifest> {
    const dir = this.dir(id);
    await stat(dir).catch(() => {
      throw new NotFoundError(`No model with id "${id}".`);
    });
    return readManifest(dir);
  }

  /** Reads and verifies a checkpoint (weights, tokenizers) without tfjs. */
  async read(id: string) {
    await this.get(id);
    return readCheckpoint(this.dir(id));
  }

  /** Deletes a model (refused while its training process runs): one rename, then removal. */
  async delete(id: string): Promise<{ deleted: string }> {
    const dir = this.dir(id);
    return this.workspace.lock.withLock(`delete of model ${id}`, async () => {
      await stat(dir).catch(() => {
        throw new NotFoundError(`No model with id "${id}".`);
      });
      const manifest = await readManifest(dir).catch(() => null);
      const starting = manifest ? null : await settingUp(dir);
      if (starting !== null && starting !== process.pid) {
        throw new BadRequestError(
          `Model "${id}" is being set up by process ${starting} (its training is starting); cancel the training first.`,
        );
      }
      const pid = manifest?.training.pid ?? null;
      if (manifest?.training.status === 'running' && isAlive(pid) && pid !== process.pid) {
        throw new BadRequestError(
          `Model "${id}" is being trained by process ${pid}; cancel the training first.`,
        );
      }
      const trash = join(
        this.workspace.modelsDir,
        `${TEMP_PREFIX}deleted-${id}-${process.pid}-${randomBytes(4).toString('hex')}`,
      );
      await rename(dir, trash);
      await fsyncDirectory(this.workspace.modelsDir);
      await rm(trash, { recursive: true, force: true });
      return { deleted: id };
    });
  }
}
