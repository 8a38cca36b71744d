/**
 * Registry of BLEU tokenizers by sacreBLEU name (`-tok`). Only the tokenizers that need no
 * external dictionaries are implemented; the MeCab/SentencePiece/Thai ones are refused by name.
 *
 * Each tokenizer has two forms: the string one (sacreBLEU's output, whitespace collapsed) and a
 * buffer one for BLEU's hot path, which writes the uncollapsed text into a `CodeUnits` buffer
 * for the caller to split in place.
 */
import { tokenize13a, tokenize13aInto } from './13a';
import { tokenizeChar } from './char';
import type { CodeUnits } from './code-units';
import { tokenizeIntl, tokenizeIntlInto } from './intl';
import { tokenizeNone } from './none';
import { tokenizeZh } from './zh';

/** A tokenizer maps one preprocessed line to a space-separated token string. */
export type Tokenizer = (line: string) => string;

/**
 * The buffer form: writes the tokenized line into `out`; splitting `out` on Python whitespace
 * gives the same tokens as splitting the string form's result.
 */
export type UnitTokenizer = (line: string, out: CodeUnits) => void;

/** Names accepted by `getTokenizer`, as sacreBLEU spells them. */
export const TOKENIZER_NAMES = ['13a', 'intl', 'zh', 'char', 'none'] as const;
export type TokenizerName = (typeof TOKENIZER_NAMES)[number];

// sacreBLEU 2.6.0 tokenizers that need MeCab, SentencePiece models or PyThaiNLP.
const UNSUPPORTED = ['ja-mecab', 'ko-mecab', 'spm', 'flores101', 'flores200', 'th'];

const TOKENIZERS: Record<TokenizerName, Tokenizer> = {
  '13a': tokenize13a,
  intl: tokenizeIntl,
  zh: tokenizeZh,
  char: tokenizeChar,
  none: tokenizeNone,
};

// Tokenizers without a buffer form of their own run the string form and copy its result.
const UNIT_TOKENIZERS: Record<TokenizerName, UnitTokenizer> = {
  '13a': tokenize13aInto,
  intl: tokenizeIntlInto,
  zh: (line, out) => out.setString(tokenizeZh(line)),
  char: (line, out) => out.setString(tokenizeChar(line)),
  none: (line, out) => out.setString(line),
};

/** True when `name` is one of the implemented tokenizers. */
export function isTokenizerName(name: string): name is TokenizerName {
  return (TOKENIZER_NAMES as readonly string[]).includes(name);
}

/**
 * Returns the tokenizer called `name`.
 * @throws Error naming the supported tokenizers when `name` is unknown or not available here.
 */
export function getTokenizer(name: string): Tokenizer {
  if (isTokenizerName(name)) return TOKENIZERS[name];
  return refuse(name);
}

/**
 * Returns the buffer form of the tokenizer called `name`.
 * @throws Error like `getTokenizer` when `name` is unknown or not available here.
 */
export function getUnitTokenizer(name: string): UnitTokenizer {
  if (isTokenizerName(name)) return UNIT_TOKENIZERS[name];
  return refuse(name);
}

function refuse(name: string): never {
  const supported = TOKENIZER_NAMES.join(', ');
  if (UNSUPPORTED.includes(name)) {
    throw new Error(
      `tokenizer '${name}' needs external models that EcoEval does not ship; use one of: ${supported}`,
    );
  }
  throw new Error(`unknown tokenizer '${name}'; use one of: ${supported}`);
}
