/**
 * The `13a` tokenizer: mteval-v13a.pl as reimplemented by sacreBLEU 2.6.0
 * (`tokenizer_13a.py` + `tokenizer_re.py`), sacreBLEU's default for BLEU.
 * Behaviour and traps: design/metrics-bleu.md §2.1.
 *
 * The four mteval regexes are applied as four left-to-right scans over a code-unit buffer, with
 * the same non-overlapping semantics as Python's `re.sub` (far faster than JS regexes or string
 * concatenation, and no per-segment garbage):
 *   a. `([\{-\~\[-\` -\&\(-\+\:-\@\/])` → ` \1 `   (ASCII symbols except ' , - .)
 *   b. `([^0-9])([\.,])`                → `\1 \2 `
 *   c. `([\.,])([^0-9])`                → ` \1 \2`
 *   d. `([0-9])(-)`                     → `\1 \2 `
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

const SPACE = 0x20;
const DOT = 0x2e;
const COMMA = 0x2c;
const HYPHEN = 0x2d;

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isDotComma = (c: number): boolean => c === DOT || c === COMMA;

/** Rule b on `src[0..n)` into `dst`: `X.` → `X . ` when X is not a digit (pair consumed). */
function ruleB(src: Uint16Array, n: number, dst: Uint16Array): number {
  let o = 0;
  let i = 0;
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

/** Rule c on `src[0..n)` into `dst`: `.X` → ` . X` when X is not a digit (pair consumed). */
function ruleC(src: Uint16Array, n: number, dst: Uint16Array): number {
  let o = 0;
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

/** Rule d on `src[0..n)` into `dst`: `9-` → `9 - `. */
function ruleD(src: Uint16Array, n: number, dst: Uint16Array): number {
  let o = 0;
  let i = 0;
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

// Ping-pong scratch buffer for rules b–d (the caller's buffer is the other half).
const scratch = new CodeUnits(1024);

/**
 * Runs the mteval regex stage (rules a–d) over `line` into `out`, whitespace uncollapsed.
 * `pad` adds the space 13a puts on both sides of the line before the rules.
 */
export function mtevalRulesInto(line: string, out: CodeUnits, pad = false): void {
  const n = line.length;
  // Rule a triples a symbol; b, c and d at most double the text.
  const bound = 3 * n + 3;
  out.reset(8 * bound);
  scratch.reset(8 * bound);
  let a = out.data;
  let o = 0;
  let dotComma = false;
  let hyphen = false;
  if (pad) a[o++] = SPACE;
  for (let i = 0; i < n; i++) {
    const c = line.charCodeAt(i);
    if (c < 128 && RULE_A[c] === 1) {
      a[o++] = SPACE;
      a[o++] = c;
      a[o++] = SPACE;
    } else {
      a[o++] = c;
      if (c === DOT || c === COMMA) dotComma = true;
      else if (c === HYPHEN) hyphen = true;
    }
  }
  if (pad) a[o++] = SPACE;
  // Rules b–d only fire around `.`, `,` and `-`, and insert nothing but spaces: skip them when
  // the line has none of those characters.
  let b = scratch.data;
  if (dotComma) {
    o = ruleB(a, o, b);
    o = ruleC(b, o, a);
  }
  if (hyphen) {
    o = ruleD(a, o, b);
    [a, b] = [b, a];
  }
  if (a !== out.data) out.data.set(a.subarray(0, o));
  out.length = o;
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
  mtevalRulesInto(unescape13a(line), out, true);
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
