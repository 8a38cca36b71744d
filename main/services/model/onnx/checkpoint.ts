/**
 * Loads a checkpoint folder (docs/model-format.md): model.json plus one little-endian float32
 * weights file. Everything that can be wrong with a copied, truncated or hand-edited checkpoint is
 * checked here, once, and reported as a CheckpointError that names the file and says what to do,
 * so the reference forward pass and the exporter can trust every tensor they read.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { z } from 'zod';
import { BadRequestError } from '../../errors';
import {
  SOURCE_TOKENIZER_FILE,
  TOKENIZER_FILE,
  expectedTensors,
  modelConfigSchema,
} from './config';
import type { ModelConfig } from './config';

export const MODEL_JSON = 'model.json';

/** A user-facing problem with a checkpoint folder (maps to the API's bad-request). */
export class CheckpointError extends BadRequestError {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

const tensorEntrySchema = z.object({
  name: z.string().min(1),
  shape: z.array(z.number().int().nonnegative()),
  offset: z.number().int().nonnegative(),
  length: z.number().int().nonnegative(),
});
export type TensorEntry = z.infer<typeof tensorEntrySchema>;

const weightsSchema = z.object({
  file: z.string().min(1),
  sha256: z
    .string()
    .regex(/^[a-f0-9]{64}$/)
    .optional(),
  tensors: z.array(tensorEntrySchema).optional(),
});

/**
 * model.json as this module reads it. The weights file is `weights.file`; the tensor table is
 * `weights.tensors` or a top-level `tensors` (the format document only fixes the entries' shape).
 * Unknown fields (training record, energy, optimizer file) are kept but not interpreted here.
 */
export const modelManifestSchema = z
  .object({
    config: modelConfigSchema,
    weights: weightsSchema,
    tensors: z.array(tensorEntrySchema).optional(),
    tokenizer: z.union([z.string(), z.object({ file: z.string() }).passthrough()]).optional(),
    /** Separate vocabularies: the source side's tokenizer (tokenizer.json is then the target's). */
    sourceTokenizer: z.union([z.string(), z.object({ file: z.string() }).passthrough()]).optional(),
  })
  .passthrough();
export type ModelManifest = z.infer<typeof modelManifestSchema>;

export interface Checkpoint {
  /** Absolute path of the checkpoint folder. */
  dir: string;
  config: ModelConfig;
  manifest: ModelManifest;
  /** Weights file name (inside `dir`) and its sha256, which identify this exact set of weights. */
  weightsFile: string;
  weightsSha256: string;
  tensors: ReadonlyMap<string, Float32Array>;
  /** Tokenizer file inside `dir` (the target side's), or null when the checkpoint has none. */
  tokenizerFile: string | null;
  /**
   * Separate vocabularies (`config.srcVocabSize`): the source tokenizer file inside `dir`, or null
   * when it is missing. Always null for a shared vocabulary.
   */
  sourceTokenizerFile: string | null;
}

type TokenizerField = ModelManifest['tokenizer'];

/** The file a manifest's tokenizer entry names, or `fallback`; null when it is not in `root`. */
async function presentFile(
  root: string,
  entry: TokenizerField,
  fallback: string,
): Promise<string | null> {
  const name = entry === undefined ? fallback : typeof entry === 'string' ? entry : entry.file;
  if (!name || basename(name) !== name || /^\.+$/.test(name)) return null;
  return stat(join(root, name)).then(
    () => name,
    () => null,
  );
}

const RETRAIN_HINT =
  'Re-copy the model folder, or retrain / re-save the checkpoint; do not edit model.json by hand.';

function describeZod(error: z.ZodError): string {
  return (
    error.issues
      .slice(0, 3)
      // zod says "expected object, received undefined" for a field that is not there.
      .map(
        (i) =>
          `${i.path.join('.') || '(root)'}: ${/received undefined$/.test(i.message) ? 'missing' : i.message}`,
      )
      .join('; ')
  );
}

async function readManifest(dir: string): Promise<ModelManifest> {
  const path = join(dir, MODEL_JSON);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    throw new CheckpointError(
      missing
        ? `${path}: no model.json here; point --model at a checkpoint folder (one with model.json and its weights file).`
        : `${path}: cannot read it (${(e as Error).message}).`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CheckpointError(
      `${path}: not valid JSON (${(e as Error).message}); the file is damaged. ${RETRAIN_HINT}`,
    );
  }
  const parsed = modelManifestSchema.safeParse(json);
  if (!parsed.success) {
    throw new CheckpointError(
      `${path}: not a model manifest (${describeZod(parsed.error)}). ${RETRAIN_HINT}`,
    );
  }
  return parsed.data;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Checks the tensor table against the configuration: every tensor present, right shape, in bounds. */
function checkTable(
  manifestPath: string,
  config: ModelConfig,
  table: readonly TensorEntry[],
  elements: number,
): Map<string, TensorEntry> {
  const byName = new Map(table.map((t) => [t.name, t]));
  const missing: string[] = [];
  for (const spec of expectedTensors(config)) {
    const entry = byName.get(spec.name);
    if (!entry) {
      missing.push(spec.name);
      continue;
    }
    const count = spec.shape.reduce((a, b) => a * b, 1);
    if (!sameShape(entry.shape, spec.shape) || entry.length !== count) {
      throw new CheckpointError(
        `${manifestPath}: tensor ${spec.name} has shape [${entry.shape.join(', ')}] (${entry.length} values) but the configuration needs [${spec.shape.join(', ')}]. ${RETRAIN_HINT}`,
      );
    }
    if (entry.offset + entry.length > elements) {
      throw new CheckpointError(
        `${manifestPath}: tensor ${spec.name} ends at element ${entry.offset + entry.length}, past the end of the weights file (${elements} values). ${RETRAIN_HINT}`,
      );
    }
  }
  if (missing.length) {
    const shown = missing.slice(0, 4).join(', ') + (missing.length > 4 ? ', …' : '');
    throw new CheckpointError(
      `${manifestPath}: ${missing.length} tensor(s) the configuration needs are missing (${shown}). ${RETRAIN_HINT}`,
    );
  }
  return byName;
}

/**
 * Reads and validates the checkpoint in `dir`. Throws CheckpointError for a missing or invalid
 * model.json, a missing, truncated or corrupt (sha256 mismatch) weights file, missing tensors or
 * wrong shapes, and non-finite weights.
 */
export async function loadCheckpoint(dir: string): Promise<Checkpoint> {
  const root = resolve(dir);
  const manifest = await readManifest(root);
  const manifestPath = join(root, MODEL_JSON);
  const config = manifest.config;
  const weightsFile = manifest.weights.file;
  // `..` passes the basename test but names the folder above.
  if (basename(weightsFile) !== weightsFile || /^\.+$/.test(weightsFile)) {
    throw new CheckpointError(
      `${manifestPath}: weights.file must be a file name inside the model folder, got "${weightsFile}".`,
    );
  }
  const weightsPath = join(root, weightsFile);
  let bytes: Buffer;
  try {
    bytes = await readFile(weightsPath);
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    throw new CheckpointError(
      `${weightsPath}: ${missing ? 'the weights file model.json names is missing' : `cannot read it (${(e as Error).message})`}. ${RETRAIN_HINT}`,
    );
  }
  const table = manifest.weights.tensors ?? manifest.tensors;
  if (!table) {
    throw new CheckpointError(
      `${manifestPath}: no tensor table (weights.tensors). ${RETRAIN_HINT}`,
    );
  }
  const needed = table.reduce((m, t) => Math.max(m, t.offset + t.length), 0);
  if (bytes.length % 4 !== 0 || bytes.length < needed * 4) {
    throw new CheckpointError(
      `${weightsPath}: truncated or damaged: ${bytes.length} bytes, but model.json describes ${needed * 4}. ${RETRAIN_HINT}`,
    );
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (manifest.weights.sha256 && manifest.weights.sha256 !== sha256) {
    throw new CheckpointError(
      `${weightsPath}: corrupt: its sha256 does not match the one model.json records. ${RETRAIN_HINT}`,
    );
  }
  // Copy into an aligned buffer: a Buffer from the pool may start at an odd offset.
  const all = new Float32Array(bytes.length / 4);
  new Uint8Array(all.buffer).set(bytes);
  const byName = checkTable(manifestPath, config, table, all.length);
  const tensors = new Map<string, Float32Array>();
  for (const spec of expectedTensors(config)) {
    const entry = byName.get(spec.name)!;
    const values = all.subarray(entry.offset, entry.offset + entry.length);
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i])) {
        throw new CheckpointError(
          `${weightsPath}: tensor ${spec.name} holds a non-finite value (NaN or infinity) at index ${i}; training diverged or the file is damaged. Use an earlier checkpoint or retrain with a lower learning rate.`,
        );
      }
    }
    tensors.set(spec.name, values);
  }
  // The format puts tokenizer.json (and tokenizer.src.json) beside the model; model.json may
  // name other files.
  const tokenizerFile = await presentFile(root, manifest.tokenizer, TOKENIZER_FILE);
  const sourceTokenizerFile =
    config.srcVocabSize === undefined
      ? null
      : await presentFile(root, manifest.sourceTokenizer, SOURCE_TOKENIZER_FILE);
  return {
    dir: root,
    config,
    manifest,
    weightsFile,
    weightsSha256: sha256,
    tensors,
    tokenizerFile,
    sourceTokenizerFile,
  };
}

/** The tensor `name` of a loaded checkpoint (always present after loadCheckpoint). */
export function tensorOf(checkpoint: Checkpoint, name: string): Float32Array {
  const t = checkpoint.tensors.get(name);
  if (!t) throw new Error(`internal: tensor ${name} not in checkpoint ${checkpoint.dir}`);
  return t;
}
