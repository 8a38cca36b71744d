/**
 * The `intl` tokenizer: mteval-v14's international tokenization as in sacreBLEU 2.6.0
 * (`tokenizer_intl.py`, Unicode categories from the `regex` module). No padding, no unescaping.
 * Behaviour: design/metrics-bleu.md §2.2.
 *
 * The three regexes are run as code-point scans over typed arrays with cached category lookups,
 * with the same non-overlapping left-to-right semantics as `regex.sub` (rule 3 looks at one
 * character at a time, so it is applied as rule 2 emits its output):
 *   1. `(\P{N})(\p{P})` → `\1 \2 `   2. `(\p{P})(\P{N})` → ` \1 \2`   3. `(\p{S})` → ` \1 `
 * Inserted spaces are code point 0x20 with category 0 (not N, not P, not S), like a real space.
 */
import { CodeUnits } from './code-units';

const P = 1;
const S = 2;
const N = 4;
/** Marks a cached entry (so an uncategorised code point is not looked up again). */
const KNOWN = 8;
// Category bits per BMP code unit, computed on first use (KNOWN, then P/S/N bits).
const bmp = new Uint8Array(0x10000);
const astral = new Map<number, number>();
const RE_P = /\p{P}/u;
const RE_S = /\p{S}/u;
const RE_N = /\p{N}/u;

function classify(cp: number): number {
  const ch = String.fromCodePoint(cp);
  return KNOWN | (RE_P.test(ch) ? P : 0) | (RE_S.test(ch) ? S : 0) | (RE_N.test(ch) ? N : 0);
}

function category(cp: number): number {
  if (cp < 0x10000) {
    let v = bmp[cp];
    if (v === 0) bmp[cp] = v = classify(cp);
    return v;
  }
  let v = astral.get(cp);
  if (v === undefined) astral.set(cp, (v = classify(cp)));
  return v;
}

/** Code points and their categories: rule 1 reads one set and writes the other. */
class Points {
  cps = new Int32Array(256);
  cats = new Uint8Array(256);
  length = 0;
  /** Empties the set and makes room for `n` code points. */
  reserve(n: number): void {
    this.length = 0;
    if (this.cps.length >= n) return;
    let size = this.cps.length * 2;
    while (size < n) size *= 2;
    this.cps = new Int32Array(size);
    this.cats = new Uint8Array(size);
  }
}
const bufA = new Points();
const bufB = new Points();

/** Matches rule 1, `(\P{N})(\p{P})`, on the categories of two neighbours. */
function rule1(a: number, b: number): boolean {
  return (a & N) === 0 && (b & P) !== 0;
}

/** Matches rule 2, `(\p{P})(\P{N})`, on the categories of two neighbours. */
function rule2(a: number, b: number): boolean {
  return (a & P) !== 0 && (b & N) === 0;
}

/** Rule 1 over `src` into `dst`: `ab` → `a b ` (pair consumed). */
function applyRule1(src: Points, dst: Points): void {
  const n = src.length;
  const { cps, cats } = src;
  const oc = dst.cps;
  const ok = dst.cats;
  let o = 0;
  for (let i = 0; i < n; i++) {
    oc[o] = cps[i];
    ok[o++] = cats[i];
    if (i + 1 < n && rule1(cats[i], cats[i + 1])) {
      // Inserted spaces get category 0, like a real space.
      oc[o] = 0x20;
      ok[o++] = 0;
      oc[o] = cps[i + 1];
      ok[o++] = cats[i + 1];
      oc[o] = 0x20;
      ok[o++] = 0;
      i++;
    }
  }
  dst.length = o;
}

/** Appends code point `cp` to `out` as UTF-16, between spaces when it is a symbol (rule 3). */
function emit(out: CodeUnits, cp: number, cat: number): void {
  const data = out.data;
  if ((cat & S) !== 0) data[out.length++] = 0x20;
  if (cp < 0x10000) data[out.length++] = cp;
  else {
    const v = cp - 0x10000;
    data[out.length++] = 0xd800 + (v >> 10);
    data[out.length++] = 0xdc00 + (v & 0x3ff);
  }
  if ((cat & S) !== 0) data[out.length++] = 0x20;
}

/**
 * Rule 2 over `src` appended to `out`: `ab` → ` a b` (pair consumed), each code point passed
 * through rule 3 as it is emitted. Rule 3 looks at one character, so fusing it here is exact.
 */
function applyRules2And3(src: Points, out: CodeUnits): void {
  const n = src.length;
  const { cps, cats } = src;
  for (let i = 0; i < n; i++) {
    if (i + 1 < n && rule2(cats[i], cats[i + 1])) {
      out.data[out.length++] = 0x20;
      emit(out, cps[i], cats[i]);
      out.data[out.length++] = 0x20;
      emit(out, cps[i + 1], cats[i + 1]);
      i++;
    } else emit(out, cps[i], cats[i]);
  }
}

/** Tokenizes one (already lowercased and right-stripped) line like `intl` into `out`, uncollapsed. */
export function tokenizeIntlInto(line: string, out: CodeUnits): void {
  const n = line.length;
  // Rules 1 and 2 each at most double the text; a code point takes at most two units, and a
  // symbol two spaces more.
  out.reset(16 * n + 16);
  // Both pair rules need a punctuation mark and insert only spaces, so until the first mark
  // only rule 3 applies: emit straight to `out`, one pass. From the mark's left neighbour on
  // (a scan reaching it starts fresh, as in 13a.ts), collect code points for the pair rules.
  let i = 0;
  let prevCp = -1;
  let prevCat = 0;
  let prevAt = 0;
  while (i < n) {
    const cp = line.codePointAt(i)!;
    const cat = cp === 0x20 ? 0 : category(cp);
    if ((cat & P) !== 0) break;
    i += cp > 0xffff ? 2 : 1;
    prevCp = cp;
    prevCat = cat;
    prevAt = out.length;
    emit(out, cp, cat);
  }
  if (i === n) return;
  bufA.reserve(n + 1);
  bufB.reserve(2 * n + 2);
  const { cps, cats } = bufA;
  let m = 0;
  if (prevCp >= 0) {
    // Take the neighbour back: rule 1 may pair it with the mark.
    out.length = prevAt;
    cps[m] = prevCp;
    cats[m++] = prevCat;
  }
  while (i < n) {
    const cp = line.codePointAt(i)!;
    i += cp > 0xffff ? 2 : 1;
    cps[m] = cp;
    cats[m++] = cp === 0x20 ? 0 : category(cp);
  }
  bufA.length = m;
  applyRule1(bufA, bufB);
  applyRules2And3(bufB, out);
}

const shared = new CodeUnits(1024);

/** Tokenizes one (already lowercased and right-stripped) line the way sacreBLEU's `intl` does. */
export function tokenizeIntl(line: string): string {
  tokenizeIntlInto(line, shared);
  return shared.collapse();
}
