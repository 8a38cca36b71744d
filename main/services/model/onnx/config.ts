/**
 * The model configuration of docs/model-format.md (`ModelConfig` in model.json) as a zod schema,
 * and the list of tensors, with shapes, that a checkpoint of a given configuration must hold.
 * Both the loader and the random-checkpoint writer derive from this one list, so they cannot drift.
 */
import { z } from 'zod';

export const PAD_ID = 0;
export const BOS_ID = 1;
export const EOS_ID = 2;
export const UNK_ID = 3;

export const modelConfigSchema = z
  .object({
    kind: z.enum(['encoder-decoder', 'decoder-only']),
    vocabSize: z.number().int().min(4),
    dModel: z.number().int().positive(),
    heads: z.number().int().positive(),
    encoderLayers: z.number().int().min(0),
    decoderLayers: z.number().int().positive(),
    ffDim: z.number().int().positive(),
    dropout: z.number().min(0).max(1).default(0),
    maxLength: z.number().int().positive(),
    tiedEmbeddings: z.boolean(),
    layerNormEps: z.number().positive().default(1e-5),
  })
  .refine((c) => c.dModel % c.heads === 0, 'dModel must be a multiple of heads')
  .refine(
    (c) => c.kind === 'decoder-only' || c.encoderLayers > 0,
    'an encoder-decoder model needs at least one encoder layer',
  );

export type ModelConfig = z.infer<typeof modelConfigSchema>;

export interface TensorSpec {
  name: string;
  shape: number[];
}

function attention(prefix: string, d: number): TensorSpec[] {
  return ['q', 'k', 'v', 'o'].flatMap((p) => [
    { name: `${prefix}.${p}.weight`, shape: [d, d] },
    { name: `${prefix}.${p}.bias`, shape: [d] },
  ]);
}

function layerNorm(prefix: string, d: number): TensorSpec[] {
  return [
    { name: `${prefix}.gamma`, shape: [d] },
    { name: `${prefix}.beta`, shape: [d] },
  ];
}

function feedForward(prefix: string, d: number, ff: number): TensorSpec[] {
  return [
    { name: `${prefix}.ff1.weight`, shape: [d, ff] },
    { name: `${prefix}.ff1.bias`, shape: [ff] },
    { name: `${prefix}.ff2.weight`, shape: [ff, d] },
    { name: `${prefix}.ff2.bias`, shape: [d] },
  ];
}

/** Every tensor a checkpoint of `config` holds, in the order the format document lists them. */
export function expectedTensors(config: ModelConfig): TensorSpec[] {
  const d = config.dModel;
  const specs: TensorSpec[] = [{ name: 'embed.weight', shape: [config.vocabSize, d] }];
  if (config.kind === 'encoder-decoder') {
    for (let i = 0; i < config.encoderLayers; i++) {
      specs.push(...attention(`enc.${i}.self`, d));
      specs.push(...layerNorm(`enc.${i}.ln1`, d), ...layerNorm(`enc.${i}.ln2`, d));
      specs.push(...feedForward(`enc.${i}`, d, config.ffDim));
    }
    specs.push(...layerNorm('enc.ln', d));
  }
  for (let i = 0; i < config.decoderLayers; i++) {
    specs.push(...attention(`dec.${i}.self`, d));
    if (config.kind === 'encoder-decoder') specs.push(...attention(`dec.${i}.cross`, d));
    specs.push(...layerNorm(`dec.${i}.ln1`, d), ...layerNorm(`dec.${i}.ln2`, d));
    if (config.kind === 'encoder-decoder') specs.push(...layerNorm(`dec.${i}.ln3`, d));
    specs.push(...feedForward(`dec.${i}`, d, config.ffDim));
  }
  specs.push(...layerNorm('dec.ln', d));
  if (!config.tiedEmbeddings) {
    specs.push({ name: 'generator.weight', shape: [d, config.vocabSize] });
    specs.push({ name: 'generator.bias', shape: [config.vocabSize] });
  }
  return specs;
}

export function parameterCount(config: ModelConfig): number {
  return expectedTensors(config).reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0);
}
