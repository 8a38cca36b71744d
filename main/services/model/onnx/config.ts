/**
 * The model configuration of docs/model-format.md (`ModelConfig` in model.json) as a zod schema,
 * and the list of tensors, with shapes, that a checkpoint of a given configuration must hold.
 * Both the loader and the random-checkpoint writer derive from this one list, so they cannot drift.
 */
import { z } from 'zod';

// Token ids and the tensor list are the trainer's (one definition of docs/model-format.md); this
// module adds only the loader's tolerant schema (defaults for fields other tools may omit).
import { tensorSpecs } from '../config';
import type { ModelConfig as TrainerModelConfig, TensorSpec } from '../config';

export {
  BOS_ID,
  EOS_ID,
  PAD_ID,
  UNK_ID,
  SOURCE_TOKENIZER_FILE,
  TOKENIZER_FILE,
  parameterCount,
  sourceEmbedding,
} from '../config';
export type { TensorSpec } from '../config';

export const modelConfigSchema = z
  .object({
    kind: z.enum(['encoder-decoder', 'decoder-only']),
    vocabSize: z.number().int().min(4),
    /** Separate source vocabulary (tokenizer.src.json, `enc.embed.weight`); absent = shared. */
    srcVocabSize: z.number().int().min(4).optional(),
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
  )
  .refine(
    (c) => c.kind === 'encoder-decoder' || c.srcVocabSize === undefined,
    'a decoder-only model has no source side, so no srcVocabSize',
  );

export type ModelConfig = z.infer<typeof modelConfigSchema>;

/** Every tensor a checkpoint of `config` holds (the trainer's canonical list). */
export function expectedTensors(config: ModelConfig): TensorSpec[] {
  return tensorSpecs(config as TrainerModelConfig);
}
