/**
 * The model's tokenizer (Hugging Face tokenizer.json through the `tokenizers` package) and the
 * framing of texts into model inputs. Framing (to match the trainer): a source is its tokens
 * followed by </s>; the decoder starts from <s> and stops at </s>; special tokens come from
 * these rules, never from the tokenizer's post-processor.
 */
import { join } from 'node:path';
import { CheckpointError } from './checkpoint';
import type { Checkpoint } from './checkpoint';
import { BOS_ID, EOS_ID, PAD_ID, UNK_ID } from './config';

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

/** The checkpoint's tokenizer; a clear error when the folder has none. */
export async function loadModelTokenizer(checkpoint: Checkpoint): Promise<ModelTokenizer> {
  if (!checkpoint.tokenizerFile) {
    throw new CheckpointError(
      `${join(checkpoint.dir, 'tokenizer.json')}: missing; the model folder needs the tokenizer it was trained with.`,
    );
  }
  return loadTokenizerFile(
    join(checkpoint.dir, checkpoint.tokenizerFile),
    checkpoint.config.vocabSize,
  );
}

/** Source ids: tokens (truncated to fit) followed by </s>. */
export function frameSource(ids: readonly number[], maxLength: number): number[] {
  return [...ids.slice(0, maxLength - 1), EOS_ID];
}
