/**
 * The `zh` tokenizer of sacreBLEU 2.6.0 (`tokenizer_zh.py`): pad "Chinese" code points with
 * spaces, then run the mteval regex stage only. The ranges reproduce sacreBLEU's own table,
 * including its mistyped astral ranges (design/metrics-bleu.md §2.3).
 */
import { mtevalRegexStage } from './13a';
import { pyStrip } from './pystr';

// sacreBLEU `TokenizerZh.UCODE_RANGES` as Python actually reads them: `\u20000`/`\u2f800`
// are 4-digit escapes, so those two entries become U+2001–U+2A6D and U+2F81–U+2FA1.
const CHINESE_RANGES: readonly (readonly [number, number])[] = [
  [0x3400, 0x4db5],
  [0x4e00, 0x9fa5],
  [0x9fa6, 0x9fbb],
  [0xf900, 0xfa2d],
  [0xfa30, 0xfa6a],
  [0xfa70, 0xfad9],
  [0x2001, 0x2a6d],
  [0x2f81, 0x2fa1],
  [0xff00, 0xffef],
  [0x2e80, 0x2eff],
  [0x3000, 0x303f],
  [0x31c0, 0x31ef],
  [0x2f00, 0x2fdf],
  [0x2ff0, 0x2fff],
  [0x3100, 0x312f],
  [0x31a0, 0x31bf],
  [0xfe10, 0xfe1f],
  [0xfe30, 0xfe4f],
  [0x2600, 0x26ff],
  [0x2700, 0x27bf],
  [0x3200, 0x32ff],
  [0x3300, 0x33ff],
];

/** True when sacreBLEU's `zh` tokenizer pads this code point with spaces. */
export function isZhSplitCodePoint(cp: number): boolean {
  if (cp < 0x2001 || cp > 0xffef) return false;
  for (const [lo, hi] of CHINESE_RANGES) if (cp >= lo && cp <= hi) return true;
  return false;
}

/** Tokenizes one (already lowercased and right-stripped) line the way sacreBLEU's `zh` does. */
export function tokenizeZh(line: string): string {
  let out = '';
  for (const ch of pyStrip(line)) {
    out += isZhSplitCodePoint(ch.codePointAt(0)!) ? ` ${ch} ` : ch;
  }
  return mtevalRegexStage(out);
}
