/**
 * ONNX export of a checkpoint: builds the encoder/decoder (or LM) graphs at one precision,
 * encodes them, and writes them with an `export.json` manifest recording each file's size and
 * sha256. Each graph's metadata names the tokenizer file its ids come from (tokenizer.src.json
 * for the encoder of a model with separate vocabularies). Same commit protocol as checkpoints:
 * new uniquely named .onnx files first, then export.json replaced atomically (the commit point),
 * then files it no longer names removed.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic, writeJsonAtomic } from '../../workspace/atomic';
import type { Checkpoint } from './checkpoint';
import { CheckpointError, tensorOf } from './checkpoint';
import { SOURCE_TOKENIZER_FILE, TOKENIZER_FILE, modelConfigSchema } from './config';
import { encodeModel } from './onnx-proto';
import { buildDecoderGraph, buildEncoderGraph } from './transformer-graphs';
import type { GraphOptions, Int8Kernel, Precision } from './transformer-graphs';

export const EXPORT_JSON = 'export.json';
export const OPSETS = { '': 17, 'com.microsoft': 1 } as const;
export const PRODUCER = 'ecoeval';
export const PRODUCER_VERSION = '1';

export type GraphRole = 'encoder' | 'decoder';

const exportedFileSchema = z.object({
  role: z.enum(['encoder', 'decoder']),
  file: z.string().regex(/^[\w.-]+\.onnx$/),
  bytes: z.number().int().positive(),
  sha256: z.string().regex(/^[a-f0-9]{64}$/),
});
export type ExportedFile = z.infer<typeof exportedFileSchema>;

export const exportManifestSchema = z.object({
  format: z.literal('ecoeval-onnx'),
  formatVersion: z.literal(1),
  precision: z.enum(['fp32', 'fp16', 'int8']),
  options: z.object({
    fp16Compute: z.boolean(),
    int8Kernel: z.enum(['DynamicQuantizeMatMul', 'MatMulInteger']),
    reduceRange: z.boolean(),
    quantizeEmbedding: z.boolean(),
    attention: z.enum(['fused', 'standard']),
  }),
  config: modelConfigSchema,
  source: z.object({ dir: z.string(), weightsFile: z.string(), weightsSha256: z.string() }),
  opsets: z.record(z.string(), z.number()),
  files: z.array(exportedFileSchema).min(1),
  totalBytes: z.number().int().positive(),
  createdAt: z.string(),
});
export type ExportManifest = z.infer<typeof exportManifestSchema>;

export interface ExportOptions {
  precision: Precision;
  fp16Compute?: boolean;
  int8Kernel?: Int8Kernel;
  reduceRange?: boolean;
  quantizeEmbedding?: boolean;
  attention?: 'fused' | 'standard';
}

function resolvedOptions(options: ExportOptions): ExportManifest['options'] & GraphOptions {
  return {
    precision: options.precision,
    fp16Compute: options.precision === 'fp16' && options.fp16Compute === true,
    int8Kernel: options.int8Kernel ?? 'DynamicQuantizeMatMul',
    // Full-range int8 weights saturate onnxruntime's u8×s8 AVX2 kernel on CPUs without VNNI:
    // measured 10 % argmax agreement with fp32 versus 97 % with 7-bit weights (model-infer bench).
    reduceRange: options.reduceRange ?? true,
    quantizeEmbedding: options.quantizeEmbedding ?? true,
    // The fused contrib kernels are float32-only: float16 compute always uses standard ops.
    attention:
      options.precision === 'fp16' && options.fp16Compute
        ? 'standard'
        : (options.attention ?? 'fused'),
  };
}

/** The ONNX model bytes of each graph of `checkpoint` at `options.precision`, in memory. */
export function buildOnnxModels(
  checkpoint: Checkpoint,
  options: ExportOptions,
): { role: GraphRole; bytes: Uint8Array }[] {
  const { config } = checkpoint;
  const graphOptions = resolvedOptions(options);
  const weights = (name: string): Float32Array => tensorOf(checkpoint, name);
  const metadata = (role: GraphRole): Record<string, string> => ({
    'ecoeval.role': role,
    'ecoeval.precision': options.precision,
    'ecoeval.config': JSON.stringify(config),
    'ecoeval.weightsSha256': checkpoint.weightsSha256,
    // Which tokenizer's ids the graph takes: the encoder reads sources, which have their own
    // tokenizer when the vocabularies are separate.
    'ecoeval.tokenizer':
      role === 'encoder' && config.srcVocabSize !== undefined
        ? SOURCE_TOKENIZER_FILE
        : TOKENIZER_FILE,
  });
  const encode = (role: GraphRole, graph: ReturnType<typeof buildEncoderGraph>) => ({
    role,
    bytes: encodeModel({
      graph,
      opsets: { ...OPSETS },
      producerName: PRODUCER,
      producerVersion: PRODUCER_VERSION,
      docString: `EcoEval ${config.kind} Transformer, ${role} graph, ${options.precision}`,
      metadata: metadata(role),
    }),
  });
  const models = [];
  if (config.kind === 'encoder-decoder') {
    models.push(encode('encoder', buildEncoderGraph(config, weights, graphOptions)));
  }
  models.push(encode('decoder', buildDecoderGraph(config, weights, graphOptions)));
  return models;
}

export function defaultExportDir(checkpoint: Checkpoint, precision: Precision): string {
  return join(checkpoint.dir, 'onnx', precision);
}

/** Exports `checkpoint` into `outDir` (default `<model>/onnx/<precision>`); returns the manifest. */
export async function exportOnnx(
  checkpoint: Checkpoint,
  options: ExportOptions & { outDir?: string },
): Promise<{ dir: string; manifest: ExportManifest }> {
  const dir = resolve(options.outDir ?? defaultExportDir(checkpoint, options.precision));
  const files: ExportedFile[] = [];
  for (const { role, bytes } of buildOnnxModels(checkpoint, options)) {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const file = `${role}-${sha256.slice(0, 12)}.onnx`;
    await writeFileAtomic(join(dir, file), bytes);
    files.push({ role, file, bytes: bytes.length, sha256 });
  }
  const { precision: _precision, ...rest } = resolvedOptions(options);
  const manifest: ExportManifest = {
    format: 'ecoeval-onnx',
    formatVersion: 1,
    precision: options.precision,
    options: rest,
    config: checkpoint.config,
    source: {
      dir: checkpoint.dir,
      weightsFile: checkpoint.weightsFile,
      weightsSha256: checkpoint.weightsSha256,
    },
    opsets: { ...OPSETS },
    files,
    totalBytes: files.reduce((n, f) => n + f.bytes, 0),
    createdAt: new Date().toISOString(),
  };
  await writeJsonAtomic(join(dir, EXPORT_JSON), manifest);
  const keep = new Set(files.map((f) => f.file));
  for (const name of await readdir(dir)) {
    if (name.endsWith('.onnx') && !keep.has(name)) await rm(join(dir, name), { force: true });
  }
  return { dir, manifest };
}

/** Reads and validates `<dir>/export.json`. */
export async function readExportManifest(dir: string): Promise<ExportManifest> {
  const path = join(resolve(dir), EXPORT_JSON);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    throw new CheckpointError(
      missing
        ? `${path}: no ONNX export here; run \`ecoeval export\` first.`
        : `${path}: damaged (${(e as Error).message}); run \`ecoeval export\` again.`,
    );
  }
  const parsed = exportManifestSchema.safeParse(json);
  if (!parsed.success) {
    throw new CheckpointError(
      `${path}: not an EcoEval ONNX export manifest (${parsed.error.issues[0]?.message}); run \`ecoeval export\` again.`,
    );
  }
  return parsed.data;
}
