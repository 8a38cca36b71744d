/**
 * Model bundles: moving a trained model from one workspace to another. Export copies a model's
 * checkpoint (model.json, weights, tokenizer.json and, with separate vocabularies,
 * tokenizer.src.json; optionally the optimizer moments and its current ONNX exports) into a new
 * folder. Import checks a bundle as loading would (model.json, tensor shapes, sizes and sha256,
 * finite values, each tokenizer's special ids and size) and copies it
 * into `models/` under a new id. The training record travels unchanged (energy, curve, backend
 * and why the other backends were not used); each move is appended to `provenance`.
 *
 * Both sides assemble the folder out of sight and rename it into place, so a crash leaves nothing
 * half-copied where users or the model list look. No tfjs here.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { BadRequestError } from '../errors';
import { TEMP_PREFIX, fsyncDirectory, writeFileAtomic, writeJsonAtomic } from '../workspace/atomic';
import { MANIFEST_FILE, ModelFileError, readCheckpoint, readManifest } from './checkpoint';
import type { ModelManifest } from './checkpoint';
import type { HostWeights } from './config';
import { EXPORT_JSON, readExportManifest } from './onnx/export';
import type { ExportManifest } from './onnx/export';
import { loadTokenizerFile } from './onnx/tokenizer';
import { newModelId } from './store';
import type { ModelStore } from './store';
import type { TrainingRecord } from './training-types';

/** Folder of a model's ONNX exports (`onnx/<precision>`, as `ecoeval export` writes them). */
const ONNX_DIR = 'onnx';

export interface BundleOptions {
  /** Include the Adam moments, so training can resume exactly after import (default false). */
  optimizer?: boolean;
  /** Include the model's ONNX exports that match its current weights (default false). */
  onnx?: boolean;
}

export interface BundleResult {
  /** The bundle folder (export) or the new model folder (import). */
  dir: string;
  modelId: string;
  files: { file: string; bytes: number }[];
  totalBytes: number;
  /** What was left out, and why. */
  notes: string[];
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function stamp(): string {
  return `${process.pid}-${randomBytes(4).toString('hex')}`;
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * A record that no longer belongs to a live process: the pid means nothing in another
 * workspace, and a copy taken mid-training is that run's last checkpoint, not a running model.
 */
function settled(training: TrainingRecord, how: 'exported' | 'imported'): TrainingRecord {
  if (training.status !== 'running') return { ...training, pid: null };
  return {
    ...training,
    status: 'cancelled',
    pid: null,
    stopReason: `${how} while training was still running: this is its checkpoint at step ${training.step}`,
  };
}

/** Copies `file` from `from` to `to`, checking the bytes against the manifest's sha256. */
async function copyChecked(
  from: string,
  to: string,
  file: string,
  expected: { sha256: string } | null,
  raced: string,
): Promise<{ file: string; bytes: number }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(join(from, file));
  } catch {
    throw new BadRequestError(
      `${join(from, file)} disappeared while it was being copied. ${raced}`,
    );
  }
  if (expected && sha256(bytes) !== expected.sha256) {
    throw new BadRequestError(`${join(from, file)} changed while it was being copied. ${raced}`);
  }
  await writeFileAtomic(join(to, file), bytes);
  return { file, bytes: bytes.byteLength };
}

/**
 * Copies the ONNX exports under `<from>/onnx/` that were made from `weightsSha256` and whose
 * files all match export.json; others are left out with a note (they can be exported again).
 */
async function copyExports(
  from: string,
  to: string,
  weightsSha256: string,
  finalDir: string,
  notes: string[],
): Promise<{ file: string; bytes: number }[]> {
  const copied: { file: string; bytes: number }[] = [];
  const root = join(from, ONNX_DIR);
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const rel = `${ONNX_DIR}/${entry.name}`;
    let manifest: ExportManifest;
    try {
      manifest = await readExportManifest(join(root, entry.name));
    } catch {
      notes.push(`left out ${rel}: its export.json is missing or damaged`);
      continue;
    }
    if (manifest.source.weightsSha256 !== weightsSha256) {
      notes.push(`left out ${rel}: it was exported from older weights`);
      continue;
    }
    const files: { file: string; bytes: Buffer }[] = [];
    let problem: string | null = null;
    for (const f of manifest.files) {
      const bytes = await readFile(join(root, entry.name, f.file)).catch(() => null);
      if (!bytes) problem = `${f.file} is missing`;
      else if (bytes.byteLength !== f.bytes || sha256(bytes) !== f.sha256)
        problem = `${f.file} does not match export.json`;
      else files.push({ file: f.file, bytes });
      if (problem) break;
    }
    if (problem) {
      notes.push(`left out ${rel}: ${problem}`);
      continue;
    }
    for (const f of files) {
      await writeFileAtomic(join(to, ONNX_DIR, entry.name, f.file), f.bytes);
      copied.push({ file: `${rel}/${f.file}`, bytes: f.bytes.byteLength });
    }
    const rewritten: ExportManifest = {
      ...manifest,
      source: { ...manifest.source, dir: finalDir },
    };
    await writeJsonAtomic(join(to, ONNX_DIR, entry.name, EXPORT_JSON), rewritten);
  }
  return copied;
}

/** Checkpoint files a manifest names (optimizer only when kept). */
function checkpointFiles(manifest: ModelManifest, optimizer: boolean) {
  const files: { file: string; sha256: string }[] = [manifest.weights, manifest.tokenizer];
  if (manifest.sourceTokenizer) files.push(manifest.sourceTokenizer);
  if (optimizer && manifest.optimizer) files.push(manifest.optimizer);
  return files;
}

function summed(dir: string, modelId: string, files: BundleResult['files'], notes: string[]) {
  return { dir, modelId, files, totalBytes: files.reduce((n, f) => n + f.bytes, 0), notes };
}

/** Writes model `id` of `store` as a bundle folder `outDir` (which must not exist, or be empty). */
export async function exportBundle(
  store: ModelStore,
  id: string,
  outDir: string,
  options: BundleOptions = {},
): Promise<BundleResult> {
  const manifest = await store.get(id);
  const source = store.dir(id);
  const target = resolve(outDir);
  if (await exists(target)) {
    if (!(await isDirectory(target)) || (await readdir(target)).length > 0) {
      throw new BadRequestError(
        `${target} already exists and is not an empty folder; give --out a new folder name.`,
      );
    }
  }
  // Every file is checked before anything is written (a damaged model is not passed on).
  await readCheckpoint(source, { optimizer: Boolean(options.optimizer && manifest.optimizer) });
  const notes: string[] = [];
  const withOptimizer = Boolean(options.optimizer && manifest.optimizer);
  if (options.optimizer && !manifest.optimizer) {
    notes.push('the model has no optimizer state, so training cannot resume exactly after import');
  }
  const raced = `Model ${id} is probably being trained; export it again after its next checkpoint, or when training stops.`;
  const staging = join(dirname(target), `${TEMP_PREFIX}${basename(target)}-${stamp()}`);
  await mkdir(staging, { recursive: true });
  try {
    const files: BundleResult['files'] = [];
    for (const f of checkpointFiles(manifest, withOptimizer)) {
      files.push(await copyChecked(source, staging, f.file, f, raced));
    }
    if (options.onnx) {
      files.push(...(await copyExports(source, staging, manifest.weights.sha256, target, notes)));
    }
    const bundled: ModelManifest = {
      ...manifest,
      optimizer: withOptimizer ? manifest.optimizer : null,
      training: settled(manifest.training, 'exported'),
      provenance: [
        ...(manifest.provenance ?? []),
        { event: 'exported', at: new Date().toISOString(), modelId: manifest.id },
      ],
    };
    await writeJsonAtomic(join(staging, MANIFEST_FILE), bundled);
    files.unshift({
      file: MANIFEST_FILE,
      bytes: (await stat(join(staging, MANIFEST_FILE))).size,
    });
    if (await exists(target)) await rmdir(target);
    await rename(staging, target);
    await fsyncDirectory(dirname(target));
    return summed(target, manifest.id, files, notes);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

/** Explains a folder that is not a bundle (nothing there, or an ONNX export alone). */
async function notABundle(dir: string): Promise<never> {
  if (!(await isDirectory(dir))) {
    throw new BadRequestError(`${dir} is not a folder; give the folder of a model bundle.`);
  }
  const onnx = await readExportManifest(dir).catch(() => null);
  if (onnx || (await exists(join(dir, EXPORT_JSON)))) {
    const from = onnx ? ` (its export.json says it was made from ${onnx.source.dir})` : '';
    throw new BadRequestError(
      `${dir} holds an ONNX export but no model.json${from}. The workspace keeps models as checkpoints, and an ONNX export cannot be turned back into one: import the checkpoint folder instead (model.json, its weights-*.bin and tokenizer.json, plus tokenizer.src.json for separate vocabularies), e.g. one written by \`ecoeval models export ID --out DIR\`.`,
    );
  }
  throw new BadRequestError(
    `${join(dir, MANIFEST_FILE)} is missing: ${dir} is not a model bundle. Make one with \`ecoeval models export ID --out DIR\` in the workspace that has the model.`,
  );
}

/** Fails on a NaN or infinite weight, naming the file and the tensor. */
function checkFinite(dir: string, manifest: ModelManifest, weights: HostWeights): void {
  for (const [name, t] of weights) {
    const at = t.data.findIndex((x) => !Number.isFinite(x));
    if (at >= 0) {
      const file = `${basename(dir)}/${manifest.weights.file}`;
      throw new ModelFileError(
        `${file}: tensor ${name} holds a non-finite value (NaN or infinity) at index ${at}; training diverged or the file is damaged, so this model cannot be used`,
        file,
      );
    }
  }
}

/**
 * Imports the bundle in `bundleDir` into `store` under a new id; `name` renames it. Fails, with
 * nothing written, on anything loading the model would fail on.
 */
export async function importBundle(
  store: ModelStore,
  bundleDir: string,
  /** `id` keeps a fixed id (the bundled demo models); it must not exist in the workspace. */
  options: { name?: string; id?: string } = {},
): Promise<BundleResult & { manifest: ModelManifest }> {
  const source = resolve(bundleDir);
  if (!(await exists(join(source, MANIFEST_FILE)))) await notABundle(source);
  const workspace = store.workspace;
  let manifest: ModelManifest;
  try {
    manifest = await readManifest(source);
    const saved = await readCheckpoint(source, { optimizer: manifest.optimizer !== null });
    checkFinite(source, manifest, saved.weights);
  } catch (error) {
    if (error instanceof ModelFileError) {
      throw new ModelFileError(`Cannot import ${source}: ${error.message}`, error.file);
    }
    throw error;
  }
  const tokenizers = [{ file: manifest.tokenizer.file, side: '', size: manifest.config.vocabSize }];
  if (manifest.sourceTokenizer && manifest.config.srcVocabSize !== undefined) {
    tokenizers.push({
      file: manifest.sourceTokenizer.file,
      side: 'source ',
      size: manifest.config.srcVocabSize,
    });
  }
  for (const { file, side, size } of tokenizers) {
    const tokenizer = await loadTokenizerFile(join(source, file), size);
    if (tokenizer.vocabSize !== size) {
      throw new BadRequestError(
        `Cannot import ${source}: ${file} has ${tokenizer.vocabSize} tokens but the model's ${side}vocabulary has ${size}; this tokenizer does not belong to the model.`,
      );
    }
  }
  const name = options.name?.trim() || manifest.name;
  const raced = 'Copy the bundle again and retry.';
  const notes: string[] = [];
  const staging = join(workspace.stagingDir, `${stamp()}-model-import`);
  await mkdir(staging, { recursive: true });
  try {
    const files: BundleResult['files'] = [];
    for (const f of checkpointFiles(manifest, true)) {
      files.push(await copyChecked(source, staging, f.file, f, raced));
    }
    return await workspace.lock.withLock('import of a model', async () => {
      const preset = manifest.preset ?? 'custom';
      const id =
        options.id ?? (await newModelId(workspace.modelsDir, manifest.task.dataset, preset));
      const finalDir = store.dir(id);
      files.push(...(await copyExports(source, staging, manifest.weights.sha256, finalDir, notes)));
      const imported: ModelManifest = {
        ...manifest,
        id,
        name,
        training: settled(manifest.training, 'imported'),
        provenance: [
          ...(manifest.provenance ?? []),
          { event: 'imported', at: new Date().toISOString(), modelId: id, from: manifest.id },
        ],
      };
      await writeJsonAtomic(join(staging, MANIFEST_FILE), imported);
      files.unshift({
        file: MANIFEST_FILE,
        bytes: (await stat(join(staging, MANIFEST_FILE))).size,
      });
      await rename(staging, finalDir);
      await fsyncDirectory(workspace.modelsDir);
      return { ...summed(finalDir, id, files, notes), manifest: imported };
    });
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}
