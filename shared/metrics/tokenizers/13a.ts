/**
 * The `13a` tokenizer: mteval-v13a.pl as reimplemented by sacreBLEU 2.6.0
 * (`tokenizer_13a.py` + `tokenizer_re.py`), sacreBLEU's default for BLEU.
 * Behaviour and traps: design/metrics-bleu.md §2.1.
 *
 * The four mteval regexes are applied as four left-to-right scans over code-unit buffers, with
 * the same non-overlapping semantics as Python's `re.sub` (far faster than JS regexes or string
 * concatenation, and no per-segment garbage):
 *   a. `([\{-\~\[-\` -\&\(-\+\:-\@\/])` → ` \1 `   (ASCII symbols except ' , - .)
 *   b. `([^0-9])([\.,])`                → `\1 \2 `
 *   c. `([\.,])([^0-9])`                → ` \1 \2`
 *   d. `([0-9])(-)`                     → `\1 \2 `
 * (Fusing the four scans into one pass of chained one-character transducers measured slower.)
 * Whitespace is left uncollapsed in the buffer: callers split it on Python whitespace, which is
 * what sacreBLEU's final `' '.join(line.split())` followed by BLEU's `split()` amounts to.
 */
import { CodeUnits } from './code-units';

// Rule a's character class as a lookup table over ASCII.
const RULE_A = new Uint8Array(128);
for (const [lo, hi] of [
  [0x7b, 0x7e],
  [0x5b, 0x60],
  [0x20, 0x26],
  [0x28, 0x2b],
  [0x3a, 0x40],
  [0x2f, 0x2f],
]) {
  for (let c = lo; c <= hi; c++) RULE_A[c] = 1;
}

const LINE_FEED = 0x0a;
const SPACE = 0x20;
const AMPERSAND = 0x26;
const COMMA = 0x2c;
const HYPHEN = 0x2d;
const DOT = 0x2e;
const LESS = 0x3c;

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isDotComma = (c: number): boolean => c === DOT || c === COMMA;

/** Rule b on `src[from..n)` into `dst[0..)`: `X.` → `X . ` when X is not a digit. */
function ruleB(src: Uint16Array, from: number, n: number, dst: Uint16Array): number {
  let o = 0;
  let i = from;
  for (; i + 1 < n; i++) {
    const c = src[i];
    const next = src[i + 1];
    dst[o++] = c;
    if (isDotComma(next) && !isDigit(c)) {
      dst[o++] = SPACE;
      dst[o++] = next;
      dst[o++] = SPACE;
      i++;
    }
  }
  if (i < n) dst[o++] = src[i];
  return o;
}

/** Rule c on `src[0..n)` into `dst[at..)`: `.X` → ` . X` when X is not a digit. */
function ruleC(src: Uint16Array, n: number, dst: Uint16Array, at: number): number {
  let o = at;
  let i = 0;
  for (; i + 1 < n; i++) {
    const c = src[i];
    const next = src[i + 1];
    if (isDotComma(c) && !isDigit(next)) {
      dst[o++] = SPACE;
      dst[o++] = c;
      dst[o++] = SPACE;
      dst[o++] = next;
      i++;
    } else dst[o++] = c;
  }
  if (i < n) dst[o++] = src[i];
  return o;
}

/** Rule d on `src[from..n)` into `dst[0..)`: `9-` → `9 - `. */
function ruleD(src: Uint16Array, from: number, n: number, dst: Uint16Array): number {
  let o = 0;
  let i = from;
  for (; i + 1 < n; i++) {
    const c = src[i];
    dst[o++] = c;
    if (src[i + 1] === HYPHEN && isDigit(c)) {
      dst[o++] = SPACE;
      dst[o++] = HYPHEN;
      dst[o++] = SPACE;
      i++;
    }
  }
  if (i < n) dst[o++] = src[i];
  return o;
}

// Scratch buffer for rules b–d, which write there and back into the caller's buffer.
const scratch = new CodeUnits(1024);

/**
 * Runs the mteval regex stage (rules a–d) over `line` into `out`, whitespace uncollapsed.
 * `pad` adds the space 13a puts on both sides of the line before the rules. Returns whether the
 * line has `&`, `<` or a line feed, the characters 13a's unescaping stage looks for.
 *
 * Rules b–d only fire at pairs involving `.`, `,` or `-` and insert nothing but spaces, so
 * everything before the first such pair is already final and a scan reaching it starts fresh:
 * they run on the rest of the buffer only (and not at all on lines without those characters).
 */
function rulesInto(line: string, out: CodeUnits, pad: boolean): boolean {
  const n = line.length;
  // Rule a at most triples a character; b, c and d each at most double the text.
  const bound = 8 * (3 * n + 2);
  out.reset(bound);
  scratch.reset(bound);
  const a = out.data;
  let o = 0;
  let firstDot = -1;
  let firstHyphen = -1;
  let unescapable = false;
  if (pad) a[o++] = SPACE;
  for (let i = 0; i < n; i++) {
    const c = line.charCodeAt(i);
    if (c > HYPHEN + 1) {
      // Letters and most text land here: one comparison, then rule a's table.
      if (c < 128 && RULE_A[c] === 1) {
        if (c === LESS) unescapable = true;
        a[o++] = SPACE;
        a[o++] = c;
        a[o++] = SPACE;
      } else a[o++] = c;
    } else if (c < 128 && RULE_A[c] === 1) {
      if (c === AMPERSAND) unescapable = true;
      a[o++] = SPACE;
      a[o++] = c;
      a[o++] = SPACE;
    } else {
      if (firstDot < 0 && (c === DOT || c === COMMA)) firstDot = o;
      else if (firstHyphen < 0 && c === HYPHEN) firstHyphen = o;
      else if (c === LINE_FEED) unescapable = true;
      a[o++] = c;
    }
  }
  if (pad) a[o++] = SPACE;
  const b = scratch.data;
  if (firstDot >= 0) {
    const from = firstDot > 0 ? firstDot - 1 : 0;
    const m = ruleB(a, from, o, b);
    o = ruleC(b, m, a, from);
  }
  if (firstHyphen >= 0) {
    // Rules b and c moved the hyphens: find the first one again.
    let h = 0;
    while (a[h] !== HYPHEN) h++;
    const from = h > 0 ? h - 1 : 0;
    const m = ruleD(a, from, o, b);
    for (let k = 0; k < m; k++) a[from + k] = b[k];
    o = from + m;
  }
  out.length = o;
  return unescapable;
}

/**
 * Runs the mteval regex stage (rules a–d) over `line` into `out`, whitespace uncollapsed.
 * `pad` adds the space 13a puts on both sides of the line before the rules.
 */
export function mtevalRulesInto(line: string, out: CodeUnits, pad = false): void {
  rulesInto(line, out, pad);
}

/** sacreBLEU 13a's pre-regex stage: drop `<skipped>`, join lines, unescape four entities. */
function unescape13a(line: string): string {
  let out = line;
  if (out.includes('<skipped>')) out = out.replaceAll('<skipped>', '');
  if (out.includes('\n')) out = out.replaceAll('-\n', '').replaceAll('\n', ' ');
  if (out.includes('&')) {
    // Order matters: `&amp;lt;` ends up as `<`, `&amp;quot;` as `&quot;`.
    out = out
      .replaceAll('&quot;', '"')
      .replaceAll('&amp;', '&')
      .replaceAll('&lt;', '<')
      .replaceAll('&gt;', '>');
  }
  return out;
}

/** Tokenizes one (already lowercased and right-stripped) line like 13a into `out`, uncollapsed. */
export function tokenize13aInto(line: string, out: CodeUnits): void {
  // Most lines have nothing to unescape; the rule-a pass tells, so only those few run twice.
  if (rulesInto(line, out, true)) {
    const unescaped = unescape13a(line);
    if (unescaped !== line) rulesInto(unescaped, out, true);
  }
}

const shared = new CodeUnits(1024);

/** The regex stage shared with `zh` (sacreBLEU's `TokenizerRegexp.__call__`), then collapse. */
export function mtevalRegexStage(line: string): string {
  mtevalRulesInto(line, shared);
  return shared.collapse();
}

/** Tokenizes one (already lowercased and right-stripped) line the way sacreBLEU's `13a` does. */
export function tokenize13a(line: string): string {
  tokenize13aInto(line, shared);
  return shared.collapse();
}
