/**
 * The checkpoint folder (docs/model-format.md): `model.json` (config, tokenizer, tensor table,
 * training record, file sizes and sha256), `weights-<tag>.bin` (all tensors, little-endian
 * float32, concatenated), `tokenizer.json` (the target side's when the vocabularies are separate),
 * `tokenizer.src.json` (separate vocabularies only) and optionally `optimizer-<tag>.bin` (Adam
 * moments).
 *
 * Writes are atomic: new uniquely named data files first (each written atomically), then
 * `model.json` replaced (the commit point), then data files no manifest names are removed. A
 * process killed at any moment leaves the previous checkpoint or the new one, both loadable.
 *
 * Reads check everything before any tensor is used and fail with one clear message naming the
 * file: missing, truncated or too long, corrupt (sha256), or inconsistent with the config. This
 * module has no tfjs dependency, so the ONNX exporter can read checkpoints with it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile, readdir, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { endianness } from 'node:os';
import { z } from 'zod';
import { writeFileAtomic, writeJsonAtomic } from '../workspace/atomic';
import { ServiceError } from '../errors';
import {
  PRESET_NAMES,
  SOURCE_TOKENIZER_FILE,
  TOKENIZER_FILE,
  modelConfigSchema,
  sizeOf,
  tensorSpecs,
} from './config';
import type { HostWeights, ModelConfig, PresetName } from './config';
import type { TrainingRecord } from './training-types';

export const MANIFEST_FILE = 'model.json';
export const FORMAT_NAME = 'ecoeval-transformer';

/** A model file that cannot be used; `file` names it (relative to the workspace's models/). */
export class ModelFileError extends ServiceError {
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message, 'bad-input');
    this.name = 'ModelFileError';
  }
}

const tensorEntry = z.object({
  name: z.string(),
  shape: z.array(z.number().int().min(1)),
  offset: z.number().int().min(0),
  length: z.number().int().min(1),
});
export type TensorEntry = z.infer<typeof tensorEntry>;

const fileRecord = {
  // A plain name inside the model folder: no path, not `.` or `..`.
  file: z.string().regex(/^\w[\w.-]*$/),
  bytes: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
};

/** One move of a model between workspaces (`ecoeval models export` / `import`; bundle.ts). */
const provenanceEntry = z.object({
  event: z.enum(['exported', 'imported']),
  at: z.string(),
  /** The model's id in the workspace it left (exported) or entered (imported). */
  modelId: z.string(),
  /** For imports: the id the model had in the bundle. */
  from: z.string().optional(),
});
export type ProvenanceEntry = z.infer<typeof provenanceEntry>;

export const modelManifestSchema = z.object({
  format: z.literal(FORMAT_NAME),
  schema: z.literal(1),
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  preset: z.enum(PRESET_NAMES as [PresetName, ...PresetName[]]).nullable(),
  parameters: z.number().int(),
  config: modelConfigSchema,
  task: z.object({
    kind: z.enum(['translation', 'summarization', 'language-modelling']),
    dataset: z.string(),
    sourceLanguage: z.string().nullable(),
    targetLanguage: z.string().nullable(),
  }),
  /** The target side's tokenizer (the only one when `shared`). */
  tokenizer: z.object({ ...fileRecord, vocabSize: z.number().int(), shared: z.boolean() }),
  /** The source side's tokenizer; present exactly when the config has `srcVocabSize`. */
  sourceTokenizer: z.object({ ...fileRecord, vocabSize: z.number().int() }).optional(),
  weights: z.object({ ...fileRecord, dtype: z.literal('float32'), tensors: z.array(tensorEntry) }),
  optimizer: z
    .object({ ...fileRecord, step: z.number().int().min(0), tensors: z.array(tensorEntry) })
    .nullable(),
  /** Absent on models trained here and never moved. */
  provenance: z.array(provenanceEntry).optional(),
  // The record is ours and versioned with `schema`; only the fields readers rely on are checked.
  training: z
    .object({
      status: z.enum(['running', 'completed', 'stopped-early', 'cancelled', 'failed']),
      step: z.number(),
      tokens: z.number(),
      elapsedS: z.number(),
      curve: z.array(z.object({ step: z.number() }).passthrough()),
    })
    .passthrough(),
});

export type ModelManifest = Omit<z.infer<typeof modelManifestSchema>, 'training'> & {
  training: TrainingRecord;
};
export type TaskInfo = ModelManifest['task'];

export function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Concatenates tensors in the given order into little-endian float32 bytes plus their table. */
export function packTensors(
  names: string[],
  tensors: HostWeights,
): { bytes: Uint8Array; table: TensorEntry[] } {
  const table: TensorEntry[] = [];
  let offset = 0;
  for (const name of names) {
    const t = tensors.get(name);
    if (!t) throw new Error(`no tensor "${name}" to save`);
    table.push({ name, shape: [...t.shape], offset, length: t.data.length });
    offset += t.data.length;
  }
  const all = new Float32Array(offset);
  for (const entry of table) all.set(tensors.get(entry.name)!.data, entry.offset);
  if (endianness() === 'BE') {
    const view = new DataView(all.buffer);
    for (let i = 0; i < all.length; i++) view.setFloat32(i * 4, all[i], true);
  }
  return { bytes: new Uint8Array(all.buffer), table };
}

function unpack(bytes: Uint8Array, table: TensorEntry[]): HostWeights {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  const all = new Float32Array(copy.buffer);
  if (endianness() === 'BE') {
    const view = new DataView(copy.buffer);
    for (let i = 0; i < all.length; i++) all[i] = view.getFloat32(i * 4, true);
  }
  const out: HostWeights = new Map();
  for (const e of table) {
    out.set(e.name, { shape: e.shape, data: all.subarray(e.offset, e.offset + e.length) });
  }
  return out;
}

function tag(step: number): string {
  return `s${step}-${randomBytes(3).toString('hex')}`;
}

export interface CheckpointContent {
  /** Manifest without the file records, which this module fills in. */
  manifest: Omit<ModelManifest, 'weights' | 'optimizer' | 'tokenizer' | 'sourceTokenizer'> & {
    tokenizer: { vocabSize: number };
    /** Separate vocabularies only (the config has `srcVocabSize`). */
    sourceTokenizer?: { vocabSize: number };
  };
  weights: HostWeights;
  /** Adam moments (`m.<name>`, `v.<name>`) for exact resume; omitted for inference-only saves. */
  optimizer?: { step: number; tensors: HostWeights };
  /** tokenizer.json text; written when given, else the existing file is kept. */
  tokenizerJson?: string;
  /** tokenizer.src.json text (separate vocabularies); written when given, else kept. */
  sourceTokenizerJson?: string;
}

/** Writes a tokenizer file when its text is given, else reads the one already there. */
async function tokenizerRecord(
  dir: string,
  file: string,
  text: string | undefined,
): Promise<{ file: string; bytes: number; sha256: string }> {
  if (text !== undefined) await writeFileAtomic(join(dir, file), text);
  else {
    try {
      text = await readFile(join(dir, file), 'utf8');
    } catch {
      throw new ModelFileError(
        `${shown(dir, file)} is missing and no tokenizer was given to save; the checkpoint needs it`,
        shown(dir, file),
      );
    }
  }
  const bytes = Buffer.from(text, 'utf8');
  return { file, bytes: bytes.byteLength, sha256: sha256(bytes) };
}

/** Writes a checkpoint into `dir` atomically; returns the manifest as committed. */
export async function writeCheckpoint(
  dir: string,
  content: CheckpointContent,
): Promise<ModelManifest> {
  const names = tensorSpecs(content.manifest.config).map((s) => s.name);
  const step = content.manifest.training.step;
  const weights = packTensors(names, content.weights);
  const weightsFile = `weights-${tag(step)}.bin`;
  await writeFileAtomic(join(dir, weightsFile), weights.bytes);
  let optimizer: ModelManifest['optimizer'] = null;
  if (content.optimizer) {
    const order = [...content.optimizer.tensors.keys()];
    const packed = packTensors(order, content.optimizer.tensors);
    const file = `optimizer-${tag(step)}.bin`;
    await writeFileAtomic(join(dir, file), packed.bytes);
    optimizer = {
      file,
      bytes: packed.bytes.byteLength,
      sha256: sha256(packed.bytes),
      step: content.optimizer.step,
      tensors: packed.table,
    };
  }
  const separate = content.manifest.config.srcVocabSize !== undefined;
  const { sourceTokenizer: sourceInfo, ...rest } = content.manifest;
  if (separate && !sourceInfo) {
    throw new Error('a model with separate vocabularies needs manifest.sourceTokenizer.vocabSize');
  }
  const target = await tokenizerRecord(dir, TOKENIZER_FILE, content.tokenizerJson);
  const manifest: ModelManifest = {
    ...rest,
    tokenizer: { ...target, vocabSize: content.manifest.tokenizer.vocabSize, shared: !separate },
    ...(separate
      ? {
          sourceTokenizer: {
            ...(await tokenizerRecord(dir, SOURCE_TOKENIZER_FILE, content.sourceTokenizerJson)),
            vocabSize: sourceInfo!.vocabSize,
          },
        }
      : {}),
    weights: {
      file: weightsFile,
      bytes: weights.bytes.byteLength,
      sha256: sha256(weights.bytes),
      dtype: 'float32',
      tensors: weights.table,
    },
    optimizer,
  };
  await writeJsonAtomic(join(dir, MANIFEST_FILE), manifest);
  await removeUnreferenced(dir, manifest);
  return manifest;
}

/** Deletes weights/optimizer files the committed manifest does not name. */
async function removeUnreferenced(dir: string, manifest: ModelManifest): Promise<void> {
  const keep = new Set([manifest.weights.file, manifest.optimizer?.file]);
  for (const entry of await readdir(dir)) {
    if (/^(weights|optimizer)-.*\.bin$/.test(entry) && !keep.has(entry)) {
      await rm(join(dir, entry), { force: true });
    }
  }
}

/** How to name a file in messages: `<model id>/<file>`. */
function shown(dir: string, file: string): string {
  return `${basename(dir)}/${file}`;
}

/** Reads and validates `model.json` alone (listing, showing). */
export async function readManifest(dir: string): Promise<ModelManifest> {
  const file = shown(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST_FILE), 'utf8');
  } catch {
    throw new ModelFileError(
      `${file} is missing: this folder holds no saved model (training may not have reached its first checkpoint)`,
      file,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ModelFileError(`${file} is not valid JSON (${(error as Error).message})`, file);
  }
  const parsed = modelManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ModelFileError(
      `${file} is not an EcoEval model manifest (${issue.path.join('.') || 'root'}: ${issue.message})`,
      file,
    );
  }
  const manifest = parsed.data as unknown as ModelManifest;
  checkTokenizers(manifest, file);
  checkTensorTable(manifest.config, manifest.weights.tensors, shown(dir, manifest.weights.file));
  return manifest;
}

/**
 * The tokenizer records must agree with the config: one shared tokenizer, or (`srcVocabSize`)
 * a target and a source one. A mismatch would feed ids from the wrong vocabulary to a side.
 */
function checkTokenizers(manifest: ModelManifest, file: string): void {
  const separate = manifest.config.srcVocabSize !== undefined;
  const source = manifest.sourceTokenizer;
  const problem = separate
    ? !source
      ? 'config.srcVocabSize says the source vocabulary is separate, but no sourceTokenizer is listed'
      : manifest.tokenizer.shared
        ? 'tokenizer.shared is true, but config.srcVocabSize says the source vocabulary is separate'
        : source.file === manifest.tokenizer.file
          ? 'sourceTokenizer and tokenizer name the same file'
          : null
    : source
      ? 'a sourceTokenizer is listed, but the config has no srcVocabSize'
      : !manifest.tokenizer.shared
        ? 'tokenizer.shared is false, but there is no source tokenizer'
        : null;
  if (problem) {
    throw new ModelFileError(
      `${file} is inconsistent (${problem}); re-copy the model folder or retrain it`,
      file,
    );
  }
}

/** The table must list exactly the config's tensors with their shapes, contiguous and in bounds. */
function checkTensorTable(config: ModelConfig, table: TensorEntry[], file: string): void {
  const byName = new Map(table.map((e) => [e.name, e]));
  for (const spec of tensorSpecs(config)) {
    const entry = byName.get(spec.name);
    if (!entry)
      throw new ModelFileError(`${file}: model.json lists no tensor "${spec.name}"`, file);
    if (entry.shape.join('x') !== spec.shape.join('x') || entry.length !== sizeOf(spec.shape)) {
      throw new ModelFileError(
        `${file}: tensor "${spec.name}" is [${entry.shape}] (${entry.length} values); the config needs [${spec.shape}]`,
        file,
      );
    }
  }
}

async function readDataFile(
  dir: string,
  record: { file: string; bytes: number; sha256: string },
  table: TensorEntry[],
): Promise<HostWeights> {
  const file = shown(dir, record.file);
  let bytes: Buffer;
  try {
    bytes = await readFile(join(dir, record.file));
  } catch {
    throw new ModelFileError(`${file} is missing (model.json names it)`, file);
  }
  const needed = table.reduce((m, e) => Math.max(m, (e.offset + e.length) * 4), 0);
  if (bytes.byteLength !== record.bytes || bytes.byteLength < needed) {
    const what = bytes.byteLength < record.bytes ? 'truncated' : 'the wrong size';
    throw new ModelFileError(
      `${file} is ${what}: ${bytes.byteLength.toLocaleString('en-US')} bytes, model.json expects ${record.bytes.toLocaleString('en-US')}; the model must be retrained or restored from a copy`,
      file,
    );
  }
  if (sha256(bytes) !== record.sha256) {
    throw new ModelFileError(
      `${file} is corrupt: its sha256 does not match model.json's; the model must be retrained or restored from a copy`,
      file,
    );
  }
  return unpack(bytes, table);
}

export interface LoadedCheckpoint {
  dir: string;
  manifest: ModelManifest;
  weights: HostWeights;
  /** tokenizer.json: the target side's (the only one when shared). */
  tokenizerJson: string;
  /** tokenizer.src.json with separate vocabularies, else null (the source side uses tokenizerJson). */
  sourceTokenizerJson: string | null;
}

/** Reads a tokenizer file the manifest names, checking its sha256. */
async function readTokenizerFile(
  dir: string,
  record: { file: string; sha256: string },
  what: string,
): Promise<string> {
  const file = shown(dir, record.file);
  let text: string;
  try {
    text = await readFile(join(dir, record.file), 'utf8');
  } catch {
    throw new ModelFileError(
      `${file} is missing (model.json names it as the ${what}); re-copy the whole model folder`,
      file,
    );
  }
  if (sha256(Buffer.from(text, 'utf8')) !== record.sha256) {
    throw new ModelFileError(`${file} does not match the sha256 in model.json`, file);
  }
  return text;
}

/** Reads a checkpoint with every check; optimizer moments only when asked (resume). */
export async function readCheckpoint(
  dir: string,
  options: { optimizer?: boolean } = {},
): Promise<LoadedCheckpoint & { optimizer?: { step: number; tensors: HostWeights } }> {
  const manifest = await readManifest(dir);
  const weights = await readDataFile(dir, manifest.weights, manifest.weights.tensors);
  const separate = manifest.sourceTokenizer !== undefined;
  const tokenizerJson = await readTokenizerFile(
    dir,
    manifest.tokenizer,
    separate ? 'target tokenizer' : 'tokenizer',
  );
  const sourceTokenizerJson = manifest.sourceTokenizer
    ? await readTokenizerFile(dir, manifest.sourceTokenizer, 'source tokenizer')
    : null;
  const result: LoadedCheckpoint & { optimizer?: { step: number; tensors: HostWeights } } = {
    dir,
    manifest,
    weights,
    tokenizerJson,
    sourceTokenizerJson,
  };
  if (options.optimizer) {
    if (!manifest.optimizer) {
      throw new ModelFileError(
        `${shown(dir, MANIFEST_FILE)} has no optimizer state, so training cannot resume exactly`,
        shown(dir, MANIFEST_FILE),
      );
    }
    result.optimizer = {
      step: manifest.optimizer.step,
      tensors: await readDataFile(dir, manifest.optimizer, manifest.optimizer.tensors),
    };
  }
  return result;
}

/** Total bytes of a model's files as its manifest lists them. */
export async function checkpointBytes(dir: string, manifest: ModelManifest): Promise<number> {
  let total = 0;
  const files = [
    manifest.weights.file,
    manifest.tokenizer.file,
    manifest.sourceTokenizer?.file,
    manifest.optimizer?.file,
  ];
  for (const f of files) {
    if (!f) continue;
    total += await stat(join(dir, f)).then(
      (s) => s.size,
      () => 0,
    );
  }
  return total;
}
