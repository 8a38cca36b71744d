/**
 * The `char` tokenizer of sacreBLEU 2.6.0 (`tokenizer_char.py`): a space between every pair of
 * code points (`' '.join(line)`), so each non-whitespace code point becomes a token.
 */

/** Joins the code points of `line` with single spaces, as Python's `' '.join(line)`. */
export function tokenizeChar(line: string): string {
  return Array.from(line).join(' ');
}
