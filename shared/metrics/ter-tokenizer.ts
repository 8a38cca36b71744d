/**
 * Tercom tokenization for TER, matching sacreBLEU 2.6.0's `TercomTokenizer`
 * (`sacrebleu/tokenizers/tokenizer_ter.py`) as `TER._preprocess_segment` calls it: right-strip with
 * Python whitespace, tokenize, then Python `str.split()`.
 * Python's whitespace set differs from JS `\s` (U+001C–U+001F and U+0085 are whitespace, U+FEFF is
 * not), so splitting and stripping use the Python helpers in `tokenizers/pystr.ts`.
 */
import { pyRstrip, pySplit } from './tokenizers/pystr';

/** The tokenizer switches of sacreBLEU's `TER(...)`; all default to `false` there. */
export interface TercomOptions {
  caseSensitive?: boolean;
  normalized?: boolean;
  noPunct?: boolean;
  asianSupport?: boolean;
}

// 13a's ASCII punctuation class (0x7B–0x7E, 0x5B–0x60, 0x20–0x26, 0x28–0x2B, 0x3A–0x40, 0x2F).
const WESTERN_PUNCT = /([{-~[-` -&(-+:-@/])/g;
const POSSESSIVE = /'s /g;
const PERIOD_COMMA_AFTER_NON_DIGIT = /([^0-9])([.,])/gu;
const PERIOD_COMMA_BEFORE_NON_DIGIT = /([.,])([^0-9])/gu;
const DASH_AFTER_DIGIT = /([0-9])(-)/g;

// sacreBLEU pads these in four separate passes; since each pass only inserts spaces and the text
// is split afterwards, one pass over the union gives the same tokens.
const CJK_CHARS =
  /([\u4e00-\u9fff\u3400-\u4dbf\u31c0-\u31ef\u2e80-\u2eff\u3300-\u33ff\uf900-\ufaff\ufe30-\ufe4f\u3200-\u3f22])/g;
const ASIAN_PUNCT = /([\u3001\u3002\u3008-\u3011\u3014-\u301f\uff61-\uff65\u30fb])/g;
const FULL_WIDTH_PUNCT = /([\uff0e\uff0c\uff1f\uff1a\uff1b\uff01\uff02\uff08\uff09])/g;
const PUNCT = /[.,?:;!"()]/g;

/** sacreBLEU's `_normalize_general_and_western`. */
function normalizeWestern(text: string): string {
  let s = text.replaceAll('\n-', '').replaceAll('\n', ' ');
  s = s
    .replaceAll('&quot;', '"')
    .replaceAll('&amp;', '&')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>');
  s = ` ${s} `;
  s = s.replace(WESTERN_PUNCT, ' $1 ');
  s = s.replace(POSSESSIVE, " 's ");
  // sacreBLEU's second possessive rule (`'s$`) cannot fire: the padding leaves a trailing space.
  s = s.replace(PERIOD_COMMA_AFTER_NON_DIGIT, '$1 $2 ');
  s = s.replace(PERIOD_COMMA_BEFORE_NON_DIGIT, ' $1 $2');
  return s.replace(DASH_AFTER_DIGIT, '$1 $2 ');
}

/** sacreBLEU's `_normalize_asian`, minus the kana rules, which need `^` right before kana and so
 * never match after the Western padding: kana runs stay whole there too. */
function normalizeAsian(text: string): string {
  return text
    .replace(CJK_CHARS, ' $1 ')
    .replace(ASIAN_PUNCT, ' $1 ')
    .replace(FULL_WIDTH_PUNCT, ' $1 ');
}

/** sacreBLEU's `TercomTokenizer.__call__`: the tokenized text as one string. */
function tercomString(text: string, options: TercomOptions): string {
  if (text === '') return '';
  let s = options.caseSensitive ? text : text.toLowerCase();
  if (options.normalized) {
    s = normalizeWestern(s);
    // Asian splitting is part of normalization: sacreBLEU ignores asian_support without it.
    if (options.asianSupport) s = normalizeAsian(s);
    // sacreBLEU collapses whitespace runs and strips both ends here (before punctuation removal).
    s = pySplit(s).join(' ');
  }
  if (options.noPunct) {
    s = s.replace(PUNCT, '');
    if (options.asianSupport) s = s.replace(ASIAN_PUNCT, '').replace(FULL_WIDTH_PUNCT, '');
  }
  return s;
}

/** sacreBLEU's `TER._preprocess_segment`: right-strip, then tokenize. */
function preprocess(text: string, options: TercomOptions): string {
  return tercomString(pyRstrip(text), options);
}

/**
 * Tokenize a hypothesis exactly as sacreBLEU 2.6.0's TER does before scoring it.
 *
 * @param text - a raw hypothesis segment
 * @param options - tercom switches (lowercasing is on unless `caseSensitive`)
 * @returns the words TER aligns
 */
export function tercomTokenize(text: string, options: TercomOptions = {}): string[] {
  return pySplit(preprocess(text, options));
}

/**
 * Tokenize a reference as sacreBLEU 2.6.0's TER does: its `_cache_references` preprocesses each
 * reference and `TER._extract_reference_info` preprocesses the result again. The second pass is
 * not a no-op with `normalized`: `let's,` becomes `let's ,` in pass one and `let 's ,` in pass two.
 *
 * @param text - a raw reference segment
 * @param options - tercom switches
 * @returns the words TER aligns
 */
export function tercomTokenizeReference(text: string, options: TercomOptions = {}): string[] {
  return pySplit(preprocess(preprocess(text, options), options));
}
