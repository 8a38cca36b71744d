/**
 * The seed Transformer's configuration (docs/model-format.md): the `ModelConfig` stored in
 * `model.json`, the `tiny`/`small`/`base` presets, the special-token ids and sequence conventions
 * every implementation (tfjs here, onnxruntime in the ONNX module) must share, and the canonical
 * tensor list with shapes, from which parameter counts follow.
 */
import { z } from 'zod';

/** Special tokens, fixed by the contract: every tokenizer.json puts them at these ids. */
export const PAD_ID = 0;
export const BOS_ID = 1;
export const EOS_ID = 2;
export const UNK_ID = 3;
export const SPECIAL_TOKENS = ['<pad>', '<s>', '</s>', '<unk>'] as const;

/**
 * Sequence conventions (shared with the ONNX side so both decode the same way):
 * - encoder input: source tokens then `</s>`, truncated to `maxLength`;
 * - decoder input: `<s>` then target tokens; decoder output (labels): target tokens then `</s>`;
 * - decoder-only: `<s>` text `</s>`, predicting each next token.
 * Padding is `<pad>` on the right; masked attention positions get `MASK_VALUE` before softmax.
 */
export const MASK_VALUE = -1e9;

export const modelConfigSchema = z
  .object({
    kind: z.enum(['encoder-decoder', 'decoder-only']),
    vocabSize: z.number().int().min(5),
    /**
     * Source vocabulary size when the encoder has its own tokenizer (tokenizer.src.json) and
     * embedding (`enc.embed.weight`); absent = one vocabulary shared by both sides.
     */
    srcVocabSize: z.number().int().min(5).optional(),
    dModel: z.number().int().min(2),
    heads: z.number().int().min(1),
    encoderLayers: z.number().int().min(0),
    decoderLayers: z.number().int().min(1),
    ffDim: z.number().int().min(1),
    dropout: z.number().min(0).max(0.9),
    maxLength: z.number().int().min(2),
    tiedEmbeddings: z.boolean(),
    layerNormEps: z.number().positive(),
  })
  .refine((c) => c.dModel % c.heads === 0, 'dModel must be divisible by heads')
  .refine((c) => c.dModel % 2 === 0, 'dModel must be even (sinusoidal positions)')
  .refine(
    (c) => (c.kind === 'decoder-only' ? c.encoderLayers === 0 : c.encoderLayers >= 1),
    'an encoder-decoder model needs encoder layers; a decoder-only model has none',
  )
  .refine(
    (c) => c.kind === 'encoder-decoder' || c.srcVocabSize === undefined,
    'a decoder-only model has no source side, so no separate source vocabulary (srcVocabSize)',
  );

export type ModelConfig = z.infer<typeof modelConfigSchema>;
export type ModelKind = ModelConfig['kind'];

export type PresetName = 'tiny' | 'small' | 'base';
export const PRESET_NAMES: readonly PresetName[] = ['tiny', 'small', 'base'];

/** Sizes of the presets (docs/model-format.md); vocabulary 4,000 and max length 128 by default. */
const PRESET_SIZES: Record<
  PresetName,
  Pick<ModelConfig, 'dModel' | 'heads' | 'encoderLayers' | 'decoderLayers' | 'ffDim'>
> = {
  tiny: { dModel: 64, heads: 2, encoderLayers: 1, decoderLayers: 1, ffDim: 256 },
  small: { dModel: 128, heads: 4, encoderLayers: 2, decoderLayers: 2, ffDim: 512 },
  base: { dModel: 256, heads: 4, encoderLayers: 3, decoderLayers: 3, ffDim: 1024 },
};

export const DEFAULT_VOCAB_SIZE = 4000;
export const DEFAULT_MAX_LENGTH = 128;

/** A preset's configuration; overrides (vocabulary, kind, dropout...) win. */
export function presetConfig(
  preset: PresetName,
  overrides: Partial<ModelConfig> = {},
): ModelConfig {
  const sizes = PRESET_SIZES[preset];
  const kind = overrides.kind ?? 'encoder-decoder';
  const config: ModelConfig = {
    kind,
    vocabSize: DEFAULT_VOCAB_SIZE,
    ...sizes,
    // A decoder-only model of the same preset spends the encoder's layers on the decoder.
    ...(kind === 'decoder-only'
      ? { encoderLayers: 0, decoderLayers: sizes.encoderLayers + sizes.decoderLayers }
      : {}),
    dropout: 0.1,
    maxLength: DEFAULT_MAX_LENGTH,
    tiedEmbeddings: true,
    layerNormEps: 1e-5,
    ...overrides,
  };
  return modelConfigSchema.parse(config);
}

/**
 * File name of the tokenizer beside the model. With separate vocabularies it is the target
 * side's, so a tool that reads one tokenizer still decodes the model's outputs correctly.
 */
export const TOKENIZER_FILE = 'tokenizer.json';
/** The source side's tokenizer, present only when the config has `srcVocabSize`. */
export const SOURCE_TOKENIZER_FILE = 'tokenizer.src.json';
/** The encoder's own embedding table (separate vocabularies only). */
export const SOURCE_EMBEDDING = 'enc.embed.weight';

/** The tensor and row count the encoder looks its input ids up in. */
export function sourceEmbedding(config: Pick<ModelConfig, 'srcVocabSize' | 'vocabSize'>): {
  name: string;
  rows: number;
} {
  return config.srcVocabSize !== undefined
    ? { name: SOURCE_EMBEDDING, rows: config.srcVocabSize }
    : { name: 'embed.weight', rows: config.vocabSize };
}

/** Host-side copy of one tensor (row-major float32). */
export interface HostTensor {
  shape: number[];
  data: Float32Array;
}

/** Tensors by checkpoint name. */
export type HostWeights = Map<string, HostTensor>;

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

/** Every tensor of a model, in the canonical order weights files use, with `[in, out]` weights. */
export function tensorSpecs(config: ModelConfig): TensorSpec[] {
  const d = config.dModel;
  const specs: TensorSpec[] = [{ name: 'embed.weight', shape: [config.vocabSize, d] }];
  if (config.srcVocabSize !== undefined) {
    specs.push({ name: SOURCE_EMBEDDING, shape: [config.srcVocabSize, d] });
  }
  for (let i = 0; i < config.encoderLayers; i++) {
    specs.push(
      ...attention(`enc.${i}.self`, d),
      ...layerNorm(`enc.${i}.ln1`, d),
      ...feedForward(`enc.${i}`, d, config.ffDim),
      ...layerNorm(`enc.${i}.ln2`, d),
    );
  }
  if (config.encoderLayers > 0) specs.push(...layerNorm('enc.ln', d));
  const cross = config.kind === 'encoder-decoder';
  for (let i = 0; i < config.decoderLayers; i++) {
    specs.push(...attention(`dec.${i}.self`, d), ...layerNorm(`dec.${i}.ln1`, d));
    if (cross) specs.push(...attention(`dec.${i}.cross`, d), ...layerNorm(`dec.${i}.ln2`, d));
    specs.push(
      ...feedForward(`dec.${i}`, d, config.ffDim),
      ...layerNorm(cross ? `dec.${i}.ln3` : `dec.${i}.ln2`, d),
    );
  }
  specs.push(...layerNorm('dec.ln', d));
  if (!config.tiedEmbeddings) {
    specs.push(
      { name: 'generator.weight', shape: [d, config.vocabSize] },
      { name: 'generator.bias', shape: [config.vocabSize] },
    );
  }
  return specs;
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Number of trainable parameters (tied embeddings counted once). */
export function parameterCount(config: ModelConfig): number {
  return tensorSpecs(config).reduce((sum, t) => sum + sizeOf(t.shape), 0);
}

/** One line per preset, for help texts and the README. */
export function describePresets(vocabSize = DEFAULT_VOCAB_SIZE): string[] {
  return PRESET_NAMES.map((name) => {
    const c = presetConfig(name, { vocabSize });
    const m = (parameterCount(c) / 1e6).toFixed(2);
    return `${name.padEnd(5)} d_model ${c.dModel}, ${c.heads} heads, ${c.encoderLayers}+${c.decoderLayers} layers, ff ${c.ffDim}: ${m} M parameters (vocabulary ${vocabSize.toLocaleString('en-US')}, tied)`;
  });
}
