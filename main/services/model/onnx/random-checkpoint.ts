/**
 * Writes a checkpoint with seeded random weights in the docs/model-format.md layout, so the
 * reference forward pass, the exporter, the runtime and the benchmark can be tested without the
 * trainer. Same seed and configuration → byte-identical weights file.
 */
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../../workspace/atomic';
import { expectedTensors, modelConfigSchema } from './config';
import type { ModelConfig } from './config';
import { MODEL_JSON } from './checkpoint';
import type { TensorEntry } from './checkpoint';

/** mulberry32: small, fast, good enough for test weights, and identical on every platform. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function fill(name: string, shape: number[], random: () => number): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  const uniform = (scale: number, centre = 0): void => {
    for (let i = 0; i < n; i++) out[i] = centre + (random() * 2 - 1) * scale;
  };
  if (name.endsWith('.gamma')) uniform(0.1, 1);
  else if (name.endsWith('.beta') || name.endsWith('.bias')) uniform(0.05);
  else if (name === 'embed.weight') uniform(1 / Math.sqrt(shape[1]));
  else uniform(Math.sqrt(6 / (shape[0] + shape[1]))); // Xavier-uniform for [in, out] matrices
  return out;
}

export interface RandomCheckpointOptions {
  seed?: number;
  /** Written verbatim as tokenizer.json when given. */
  tokenizerJson?: string;
  /** Tag in the weights file name (weights-<tag>.bin). */
  tag?: string;
}

/** Writes model.json and weights-<tag>.bin for `config` into `dir`; returns the manifest written. */
export async function writeRandomCheckpoint(
  dir: string,
  config: Partial<ModelConfig> & Pick<ModelConfig, 'kind' | 'vocabSize' | 'dModel' | 'heads'>,
  options: RandomCheckpointOptions = {},
): Promise<Record<string, unknown>> {
  const full = modelConfigSchema.parse({
    encoderLayers: config.kind === 'decoder-only' ? 0 : 1,
    decoderLayers: 1,
    ffDim: config.dModel * 4,
    dropout: 0.1,
    maxLength: 128,
    tiedEmbeddings: true,
    layerNormEps: 1e-5,
    ...config,
  });
  const random = seededRandom(options.seed ?? 1);
  const specs = expectedTensors(full);
  const total = specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
  const all = new Float32Array(total);
  const tensors: TensorEntry[] = [];
  let offset = 0;
  for (const spec of specs) {
    const values = fill(spec.name, spec.shape, random);
    all.set(values, offset);
    tensors.push({ name: spec.name, shape: spec.shape, offset, length: values.length });
    offset += values.length;
  }
  const bytes = new Uint8Array(all.buffer);
  const tag = options.tag ?? `seed${options.seed ?? 1}`;
  const file = `weights-${tag}.bin`;
  await mkdir(dir, { recursive: true });
  await writeFileAtomic(join(dir, file), bytes);
  if (options.tokenizerJson !== undefined) {
    await writeFileAtomic(join(dir, 'tokenizer.json'), options.tokenizerJson);
  }
  const manifest = {
    format: 'ecoeval-model',
    formatVersion: 1,
    config: full,
    weights: {
      file,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      bytes: bytes.length,
      tensors,
    },
    ...(options.tokenizerJson !== undefined ? { tokenizer: 'tokenizer.json' } : {}),
    training: { source: 'random', seed: options.seed ?? 1 },
  };
  await writeJsonAtomic(join(dir, MODEL_JSON), manifest);
  return manifest;
}
