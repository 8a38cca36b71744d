/**
 * The model's tokenizers (Hugging Face tokenizer.json through the `tokenizers` package) and the
 * framing of texts into model inputs. A model with separate vocabularies has two: tokenizer.json
 * for the target side (outputs, references) and tokenizer.src.json for sources; `ModelTokenizers`
 * says which is which, so no caller can encode a source with the target vocabulary. Framing (to match the trainer): a source is its tokens
 * followed by </s>; the decoder starts from <s> and stops at </s>; special tokens come from
 * these rules, never from the tokenizer's post-processor.
 */
import { join } from 'node:path';
import { CheckpointError } from './checkpoint';
import type { Checkpoint } from './checkpoint';
import { BOS_ID, EOS_ID, PAD_ID, SOURCE_TOKENIZER_FILE, TOKENIZER_FILE, UNK_ID } from './config';

export interface ModelTokenizer {
  encode(text: string): Promise<number[]>;
  decode(ids: readonly number[]): Promise<string>;
  vocabSize: number;
}

const SPECIALS: [string, number][] = [
  ['<pad>', PAD_ID],
  ['<s>', BOS_ID],
  ['</s>', EOS_ID],
  ['<unk>', UNK_ID],
];

/** Loads a tokenizer.json and checks that its special tokens have the ids the model expects. */
export async function loadTokenizerFile(path: string, vocabSize?: number): Promise<ModelTokenizer> {
  const { Tokenizer } = await import('tokenizers');
  let tokenizer: InstanceType<typeof Tokenizer>;
  try {
    tokenizer = Tokenizer.fromFile(path);
  } catch (e) {
    throw new CheckpointError(
      `${path}: not a readable Hugging Face tokenizer (${(e as Error).message.split('\n')[0]}); re-copy the model folder.`,
    );
  }
  for (const [token, id] of SPECIALS) {
    const actual = tokenizer.tokenToId(token);
    if (actual !== id) {
      throw new CheckpointError(
        `${path}: ${token} has id ${actual ?? 'none'}, but the model expects ${id}; this tokenizer does not belong to the model.`,
      );
    }
  }
  const size = tokenizer.getVocabSize(true);
  if (vocabSize !== undefined && size > vocabSize) {
    throw new CheckpointError(
      `${path}: ${size} tokens, but the model's vocabulary has ${vocabSize}; this tokenizer does not belong to the model.`,
    );
  }
  return {
    vocabSize: size,
    encode: async (text) =>
      (await tokenizer.encode(text, null, { addSpecialTokens: false })).getIds(),
    decode: (ids) => tokenizer.decode([...ids], true),
  };
}

/**
 * A model's tokenizers. `source` encodes encoder inputs; `target` encodes references and
 * language-model text and decodes outputs. The same object twice when the vocabulary is shared.
 */
export interface ModelTokenizers {
  source: ModelTokenizer;
  target: ModelTokenizer;
}

/** The checkpoint's tokenizers; a clear error naming the file when one is missing. */
export async function loadModelTokenizer(checkpoint: Checkpoint): Promise<ModelTokenizers> {
  const { config } = checkpoint;
  if (!checkpoint.tokenizerFile) {
    throw new CheckpointError(
      `${join(checkpoint.dir, TOKENIZER_FILE)}: missing; the model folder needs the tokenizer it was trained with.`,
    );
  }
  const target = await loadTokenizerFile(
    join(checkpoint.dir, checkpoint.tokenizerFile),
    config.vocabSize,
  );
  if (config.srcVocabSize === undefined) return { source: target, target };
  if (!checkpoint.sourceTokenizerFile) {
    throw new CheckpointError(
      `${join(checkpoint.dir, SOURCE_TOKENIZER_FILE)}: missing; this model has separate source and target vocabularies, and its folder needs the source tokenizer it was trained with. Re-copy the whole model folder.`,
    );
  }
  const source = await loadTokenizerFile(
    join(checkpoint.dir, checkpoint.sourceTokenizerFile),
    config.srcVocabSize,
  );
  return { source, target };
}

/** Source ids: tokens (truncated to fit) followed by </s>. */
export function frameSource(ids: readonly number[], maxLength: number): number[] {
  return [...ids.slice(0, maxLength - 1), EOS_ID];
}
