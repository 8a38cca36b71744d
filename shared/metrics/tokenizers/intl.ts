/**
 * The `intl` tokenizer: mteval-v14's international tokenization as in sacreBLEU 2.6.0
 * (`tokenizer_intl.py`, Unicode categories from the `regex` module). No padding, no unescaping.
 * Behaviour: design/metrics-bleu.md §2.2.
 *
 * The three regexes are run as code-point scans with cached category lookups, with the same
 * non-overlapping left-to-right semantics as `regex.sub`:
 *   1. `(\P{N})(\p{P})` → `\1 \2 `   2. `(\p{P})(\P{N})` → ` \1 \2`   3. `(\p{S})` → ` \1 `
 */
import { pyCollapse } from './pystr';

const P = 1;
const S = 2;
const N = 4;
// Category bits per BMP code unit, computed on first use (1 = looked up, then P/S/N bits).
const bmp = new Uint8Array(0x10000);
const astral = new Map<number, number>();
const RE_P = /\p{P}/u;
const RE_S = /\p{S}/u;
const RE_N = /\p{N}/u;

function classify(ch: string): number {
  return 8 | (RE_P.test(ch) ? P : 0) | (RE_S.test(ch) ? S : 0) | (RE_N.test(ch) ? N : 0);
}

function category(cp: number, ch: string): number {
  if (cp < 0x10000) {
    let v = bmp[cp];
    if (v === 0) bmp[cp] = v = classify(ch);
    return v;
  }
  let v = astral.get(cp);
  if (v === undefined) astral.set(cp, (v = classify(ch)));
  return v;
}

/** Runs one pair rule over code points: `test(a, b)` true → emit `a`/`b` with `fmt`. */
function pairRule(
  chars: string[],
  cats: number[],
  first: number,
  firstNeg: boolean,
  second: number,
  secondNeg: boolean,
  padBefore: boolean,
): [string[], number[]] {
  const outC: string[] = [];
  const outK: number[] = [];
  const n = chars.length;
  for (let i = 0; i < n; i++) {
    if (i + 1 < n) {
      const a = (cats[i] & first) !== 0;
      const b = (cats[i + 1] & second) !== 0;
      if (a !== firstNeg && b !== secondNeg) {
        if (padBefore) outC.push(' ', chars[i], ' ', chars[i + 1]);
        else outC.push(chars[i], ' ', chars[i + 1], ' ');
        outK.push(...(padBefore ? [0, cats[i], 0, cats[i + 1]] : [cats[i], 0, cats[i + 1], 0]));
        i++;
        continue;
      }
    }
    outC.push(chars[i]);
    outK.push(cats[i]);
  }
  return [outC, outK];
}

/** Tokenizes one (already lowercased and right-stripped) line the way sacreBLEU's `intl` does. */
export function tokenizeIntl(line: string): string {
  let chars: string[] = [];
  let cats: number[] = [];
  let any = 0;
  for (const ch of line) {
    const k = ch.length === 1 && ch.charCodeAt(0) === 0x20 ? 8 : category(ch.codePointAt(0)!, ch);
    chars.push(ch);
    cats.push(k);
    any |= k;
  }
  if ((any & (P | S)) === 0) return pyCollapse(line);
  // Inserted spaces get category 0 (not N, not P, not S), like a real space.
  [chars, cats] = pairRule(chars, cats, N, true, P, false, false);
  [chars, cats] = pairRule(chars, cats, P, false, N, true, true);
  let out = '';
  for (let i = 0; i < chars.length; i++) out += (cats[i] & S) !== 0 ? ` ${chars[i]} ` : chars[i];
  return pyCollapse(out);
}
