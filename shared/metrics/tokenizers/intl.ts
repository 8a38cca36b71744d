/**
 * The `intl` tokenizer: mteval-v14's international tokenization as in sacreBLEU 2.6.0
 * (`tokenizer_intl.py`, Unicode categories from the `regex` module). No padding, no unescaping.
 * Behaviour: design/metrics-bleu.md §2.2.
 *
 * The three regexes are run as code-point scans over typed arrays with cached category lookups,
 * with the same non-overlapping left-to-right semantics as `regex.sub`:
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

/** Code points and their categories; two sets ping-pong between the pair rules. */
class Points {
  cps = new Int32Array(256);
  cats = new Uint8Array(256);
  length = 0;
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

/**
 * One pair rule over `src[from..)` into `dst[at..)`: where `(cats[i] & first) !== 0` differs
 * from `firstNeg` and likewise for `i + 1` and `second`, the pair is consumed and spaced
 * (`padBefore`: ` a b`, else `a b `). Returns the end of the output.
 */
function pairRule(
  src: Points,
  from: number,
  dst: Points,
  at: number,
  first: number,
  firstNeg: boolean,
  second: number,
  secondNeg: boolean,
  padBefore: boolean,
): number {
  const n = src.length;
  const { cps, cats } = src;
  const oc = dst.cps;
  const ok = dst.cats;
  let o = at;
  for (let i = from; i < n; i++) {
    if (i + 1 < n) {
      const a = (cats[i] & first) !== 0;
      const b = (cats[i + 1] & second) !== 0;
      if (a !== firstNeg && b !== secondNeg) {
        if (padBefore) {
          oc[o] = 0x20;
          ok[o++] = 0;
        }
        oc[o] = cps[i];
        ok[o++] = cats[i];
        oc[o] = 0x20;
        ok[o++] = 0;
        oc[o] = cps[i + 1];
        ok[o++] = cats[i + 1];
        if (!padBefore) {
          oc[o] = 0x20;
          ok[o++] = 0;
        }
        i++;
        continue;
      }
    }
    oc[o] = cps[i];
    ok[o++] = cats[i];
  }
  return o;
}

/** Tokenizes one (already lowercased and right-stripped) line like `intl` into `out`, uncollapsed. */
export function tokenizeIntlInto(line: string, out: CodeUnits): void {
  const n = line.length;
  // Each pair rule at most doubles the text.
  bufA.reserve(4 * n);
  bufB.reserve(4 * n);
  const { cps, cats } = bufA;
  let any = 0;
  let firstP = -1;
  let m = 0;
  for (let i = 0; i < n; i++) {
    let cp = line.charCodeAt(i);
    if (cp >= 0xd800 && cp < 0xdc00 && i + 1 < n) {
      const lo = line.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo < 0xe000) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        i++;
      }
    }
    const k = cp === 0x20 ? 0 : category(cp);
    if (firstP < 0 && (k & P) !== 0) firstP = m;
    cps[m] = cp;
    cats[m++] = k;
    any |= k;
  }
  bufA.length = m;
  if ((any & (P | S)) === 0) {
    out.setString(line);
    return;
  }
  // Both pair rules need a punctuation mark and insert only spaces: everything before the
  // first mark's neighbour is final, and a scan reaching it starts fresh (see 13a.ts).
  if (firstP >= 0) {
    const from = firstP > 0 ? firstP - 1 : 0;
    bufB.length = pairRule(bufA, from, bufB, 0, N, true, P, false, false);
    bufA.length = pairRule(bufB, 0, bufA, from, P, false, N, true, true);
  }
  const length = bufA.length;
  // Each code point takes at most two units, plus two spaces when it is a symbol.
  out.reset(4 * length);
  const data = out.data;
  let o = 0;
  for (let i = 0; i < length; i++) {
    const cp = bufA.cps[i];
    const symbol = (bufA.cats[i] & S) !== 0;
    if (symbol) data[o++] = 0x20;
    if (cp < 0x10000) data[o++] = cp;
    else {
      const v = cp - 0x10000;
      data[o++] = 0xd800 + (v >> 10);
      data[o++] = 0xdc00 + (v & 0x3ff);
    }
    if (symbol) data[o++] = 0x20;
  }
  out.length = o;
}

const shared = new CodeUnits(1024);

/** Tokenizes one (already lowercased and right-stripped) line the way sacreBLEU's `intl` does. */
export function tokenizeIntl(line: string): string {
  tokenizeIntlInto(line, shared);
  return shared.collapse();
}
