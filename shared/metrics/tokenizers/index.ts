/**
 * Registry of BLEU tokenizers by sacreBLEU name (`-tok`). Only the tokenizers that need no
 * external dictionaries are implemented; the MeCab/SentencePiece/Thai ones are refused by name.
 */
import { tokenize13a } from './13a';
import { tokenizeChar } from './char';
import { tokenizeIntl } from './intl';
import { tokenizeNone } from './none';
import { tokenizeZh } from './zh';

/** A tokenizer maps one preprocessed line to a space-separated token string. */
export type Tokenizer = (line: string) => string;

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
  const supported = TOKENIZER_NAMES.join(', ');
  if (UNSUPPORTED.includes(name)) {
    throw new Error(
      `tokenizer '${name}' needs external models that EcoEval does not ship; use one of: ${supported}`,
    );
  }
  throw new Error(`unknown tokenizer '${name}'; use one of: ${supported}`);
}
