/**
 * Byte-pair encoding for the seed Transformer, trained with the Hugging Face `tokenizers` package
 * and saved as a standard `tokenizer.json` that other tools (the ONNX side, Python) can read.
 *
 * Layout: newlines normalised to spaces, SentencePiece-style Metaspace pre-tokenizer and decoder
 * (spaces become `▁`, so decoding restores the text exactly), BPE with `<unk>` for unseen
 * characters, and the contract's special tokens at fixed ids (<pad>=0 <s>=1 </s>=2 <unk>=3).
 *
 * This binding's `train(files)` takes no trainer options (toolchain.md §4 note 20): it learns every
 * merge the data allows, with no special tokens. So we train, then rewrite the saved JSON: the
 * special tokens go first, every other id moves up by four, and the merge list is cut so the
 * vocabulary fits the requested size. The trainer numbers the alphabet first and then each
 * merge's result in merge order, so a prefix of the merges is always self-contained.
 * The corpus is written as one line: the trainer keeps each line's "\n" inside the last word.
 *
 * A model has one tokenizer, or (separate vocabularies) one per side, each trained on its own
 * side's text: `TokenizerPair` names which encodes sources and which encodes and decodes targets.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { BPE, Tokenizer, metaspaceDecoder, metaspacePreTokenizer, replace } from 'tokenizers';
import { PAD_ID, SOURCE_TOKENIZER_FILE, SPECIAL_TOKENS, TOKENIZER_FILE, UNK_ID } from './config';

interface TokenizerJson {
  added_tokens: unknown[];
  model: {
    type: string;
    unk_token: string | null;
    vocab: Record<string, number>;
    merges: Array<[string, string] | string>;
  };
  [key: string]: unknown;
}

/** Trains a BPE vocabulary of at most `vocabSize` ids on `texts`; returns tokenizer.json text. */
export async function trainBpe(texts: Iterable<string>, vocabSize: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ecoeval-bpe-'));
  try {
    const corpus = join(dir, 'corpus.txt');
    const parts: string[] = [];
    for (const t of texts) parts.push(t.replace(/[\r\n]+/g, ' '));
    await writeFile(corpus, parts.join(' '));
    const tokenizer = new Tokenizer(BPE.empty());
    tokenizer.setNormalizer(replace('\n', ' '));
    tokenizer.setPreTokenizer(metaspacePreTokenizer());
    tokenizer.setDecoder(metaspaceDecoder());
    tokenizer.train([corpus]);
    const raw = join(dir, 'raw.json');
    tokenizer.save(raw);
    return withSpecialTokens(JSON.parse(await readFile(raw, 'utf8')) as TokenizerJson, vocabSize);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Puts the special tokens at ids 0–3 and trims merges to fit `vocabSize`. */
export function withSpecialTokens(json: TokenizerJson, vocabSize: number): string {
  const specials = SPECIAL_TOKENS.length;
  const byId = Object.entries(json.model.vocab).sort((a, b) => a[1] - b[1]);
  const alphabet = byId.length - json.model.merges.length;
  if (alphabet + specials > vocabSize) {
    throw new Error(
      `the training text has ${alphabet} distinct characters; a vocabulary of ${vocabSize} cannot hold them and the ${specials} special tokens — choose a larger vocabulary`,
    );
  }
  const keep = Math.min(byId.length, vocabSize - specials);
  const vocab: Record<string, number> = {};
  SPECIAL_TOKENS.forEach((token, id) => (vocab[token] = id));
  for (let i = 0; i < keep; i++) vocab[byId[i][0]] = byId[i][1] + specials;
  json.model.vocab = vocab;
  json.model.merges = json.model.merges.slice(0, keep - alphabet);
  json.model.unk_token = SPECIAL_TOKENS[UNK_ID];
  json.added_tokens = SPECIAL_TOKENS.map((content, id) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  }));
  return JSON.stringify(json);
}

/** A loaded tokenizer.json: batch encode (no specials added) and decode (specials skipped). */
export class BpeTokenizer {
  readonly vocabSize: number;

  private constructor(
    readonly json: string,
    private readonly tokenizer: Tokenizer,
  ) {
    this.vocabSize = tokenizer.getVocabSize(true);
    const pad = tokenizer.idToToken(PAD_ID);
    if (pad !== SPECIAL_TOKENS[PAD_ID] || tokenizer.tokenToId('<unk>') !== UNK_ID) {
      throw new Error('tokenizer.json does not put <pad>, <s>, </s>, <unk> at ids 0–3');
    }
  }

  static fromJson(json: string): BpeTokenizer {
    return new BpeTokenizer(json, Tokenizer.fromString(json));
  }

  static async load(path: string): Promise<BpeTokenizer> {
    const text = await readFile(path, 'utf8');
    try {
      return BpeTokenizer.fromJson(text);
    } catch (error) {
      throw new Error(`${path} is not a usable tokenizer.json: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  async encode(texts: string[]): Promise<number[][]> {
    if (texts.length === 0) return [];
    const encodings = await this.tokenizer.encodeBatch(texts, { addSpecialTokens: false });
    return encodings.map((e) => e.getIds());
  }

  async decode(ids: number[][]): Promise<string[]> {
    if (ids.length === 0) return [];
    return this.tokenizer.decodeBatch(ids, true);
  }

  token(id: number): string {
    return this.tokenizer.idToToken(id) ?? SPECIAL_TOKENS[UNK_ID];
  }
}

/**
 * The tokenizers of one model. `source` encodes encoder inputs; `target` encodes references and
 * decodes outputs (and serves language models). Both are the same object when shared.
 */
export interface TokenizerPair {
  source: BpeTokenizer;
  target: BpeTokenizer;
}

/**
 * A model's tokenizers from tokenizer.json (target) and, with separate vocabularies,
 * tokenizer.src.json (source); each must fill exactly its side of the model's vocabulary.
 */
export function tokenizerPair(
  config: { vocabSize: number; srcVocabSize?: number },
  targetJson: string,
  sourceJson: string | null,
  where: string,
): TokenizerPair {
  const target = BpeTokenizer.fromJson(targetJson);
  sizeMatches(`${where}/${TOKENIZER_FILE}`, target, config.vocabSize);
  if (config.srcVocabSize === undefined) return { source: target, target };
  if (sourceJson === null) {
    throw new Error(
      `${where}/${SOURCE_TOKENIZER_FILE} is missing: the model has separate source and target vocabularies and needs the source tokenizer it was trained with`,
    );
  }
  const source = BpeTokenizer.fromJson(sourceJson);
  sizeMatches(`${where}/${SOURCE_TOKENIZER_FILE}`, source, config.srcVocabSize);
  return { source, target };
}

function sizeMatches(file: string, tokenizer: BpeTokenizer, expected: number): void {
  if (tokenizer.vocabSize !== expected) {
    throw new Error(
      `${file} has ${tokenizer.vocabSize} tokens but the model expects ${expected}; this tokenizer does not belong to the model`,
    );
  }
}
