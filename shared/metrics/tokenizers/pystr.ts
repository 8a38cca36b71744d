/**
 * Python `str` helpers that JavaScript gets subtly wrong: `isspace()`, `split()`, `rstrip()`,
 * `strip()` and `lower()`. sacreBLEU 2.6.0 (CPython 3.11) relies on these everywhere, and JS's
 * `\s` / `trim()` use a different whitespace set (see design/metrics-bleu.md §7.1).
 */

/**
 * True for the code units Python's `str.isspace()` accepts (Unicode 14.0, CPython 3.11).
 * Every such character is in the BMP, so scanning UTF-16 units is exact.
 */
export function isPyWhitespace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d) || code >= 0x1c;
  if (code < 0x85) return false;
  return (
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

/** Python's `str.split()` with no argument: runs of whitespace separate, no empty tokens. */
export function pySplit(text: string): string[] {
  const out: string[] = [];
  const n = text.length;
  let start = -1;
  for (let i = 0; i < n; i++) {
    if (isPyWhitespace(text.charCodeAt(i))) {
      if (start >= 0) {
        out.push(text.slice(start, i));
        start = -1;
      }
    } else if (start < 0) start = i;
  }
  if (start >= 0) out.push(text.slice(start));
  return out;
}

/** Python's `' '.join(s.split())`: collapse whitespace runs to one space, trim both ends. */
export function pyCollapse(text: string): string {
  return pySplit(text).join(' ');
}

/** Python's `str.rstrip()` with no argument. */
export function pyRstrip(text: string): string {
  let end = text.length;
  while (end > 0 && isPyWhitespace(text.charCodeAt(end - 1))) end--;
  return end === text.length ? text : text.slice(0, end);
}

/** Python's `str.strip()` with no argument. */
export function pyStrip(text: string): string {
  let start = 0;
  const end = pyRstrip(text).length;
  while (start < end && isPyWhitespace(text.charCodeAt(start))) start++;
  return text.slice(start, end);
}

/**
 * Python's `str.lower()`. V8's full Unicode lowercasing (including `İ` → `i̇` and the final-sigma
 * rule) matches CPython except for 55 code points assigned after Unicode 14.0 (design note §7.4).
 */
export function pyLower(text: string): string {
  return text.toLowerCase();
}
