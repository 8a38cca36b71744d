/** The `none` tokenizer of sacreBLEU 2.6.0 (`tokenizer_none.py`): the line is left as it is. */

/** Returns `line` unchanged; BLEU then splits it on Python whitespace. */
export function tokenizeNone(line: string): string {
  return line;
}
