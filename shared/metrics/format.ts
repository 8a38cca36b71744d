/**
 * Python-compatible number formatting and sacreBLEU's score line / CLI JSON shapes.
 *
 * Python's `f'{x:.{w}f}'` rounds the exact binary value half-to-even on exact ties, where JS
 * `toFixed` rounds ties up (6.25 → `6.2` in Python, `6.3` in JS). Matches sacreBLEU 2.6.0's
 * `Score.format()` (metrics/base.py) and the CLI's JSON (design/metrics-bleu.md §6).
 */

/** Adds one unit in the last place of a string of decimal digits. */
function incrementDigits(digits: string): string {
  const chars = digits.split('');
  let i = chars.length - 1;
  while (i >= 0) {
    if (chars[i] === '9') {
      chars[i] = '0';
      i--;
    } else {
      chars[i] = String.fromCharCode(chars[i].charCodeAt(0) + 1);
      return chars.join('');
    }
  }
  return '1' + chars.join('');
}

/**
 * Formats `x` with `digits` decimals exactly like Python's `format(x, f'.{digits}f')`.
 * @param x any double (NaN and infinities print as Python does)
 * @param digits number of decimals, 0..20
 */
export function pyFixed(x: number, digits: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const negative = x < 0 || Object.is(x, -0);
  const abs = Math.abs(x);
  if (abs >= 1e21) {
    const whole = BigInt(abs).toString();
    return (negative ? '-' : '') + whole + (digits > 0 ? '.' + '0'.repeat(digits) : '');
  }
  // toFixed(100) is the exact decimal expansion for every double this code meets (≥ 2^-47).
  const exact = abs.toFixed(100);
  const dot = exact.indexOf('.');
  const kept = exact.slice(0, dot) + exact.slice(dot + 1, dot + 1 + digits);
  const rest = exact.slice(dot + 1 + digits);
  let roundUp = false;
  if (rest[0] > '5') roundUp = true;
  else if (rest[0] === '5') {
    const beyond = /[1-9]/.test(rest.slice(1));
    // Exact tie: round half to even, as CPython's correctly rounded formatting does.
    roundUp = beyond || (kept.charCodeAt(kept.length - 1) - 48) % 2 === 1;
  }
  let all = roundUp ? incrementDigits(kept) : kept;
  const intLen = all.length - digits;
  all = digits > 0 ? `${all.slice(0, intLen)}.${all.slice(intLen)}` : all;
  return (negative ? '-' : '') + all;
}

/** Python's `repr(float)`: shortest round-trip digits, `.0` on integers, exponent outside [1e-4, 1e16). */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  const abs = Math.abs(x);
  if (abs !== 0 && (abs >= 1e16 || abs < 1e-4)) {
    const [mantissa, exponent] = x.toExponential().split('e');
    const sign = exponent[0] === '-' ? '-' : '+';
    const expDigits = exponent.replace(/^[+-]/, '').padStart(2, '0');
    return `${mantissa}e${sign}${expDigits}`;
  }
  if (Number.isInteger(x)) return (Object.is(x, -0) ? '-0' : String(x)) + '.0';
  return String(x);
}

/** Python `json.dumps` for plain data: floats via `pyFloatRepr`, integers marked by `PyInt`. */
export class PyInt {
  constructor(readonly value: number) {}
}

/** JSON value as Python's `json.dumps` sees it (`PyInt` for ints, numbers are floats). */
export type PyJson =
  null | boolean | number | string | PyInt | PyJson[] | { [key: string]: PyJson };

function escapeAscii(s: string): string {
  return s.replace(
    /[\u0080-\uffff]/g,
    (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'),
  );
}

/**
 * Serializes like Python's `json.dumps(value, indent=indent, ensure_ascii=ensureAscii)`.
 * Plain numbers are Python floats; wrap integers in `PyInt`.
 */
export function pyJsonDumps(value: PyJson, indent: number, ensureAscii = false, level = 0): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return pyFloatRepr(value);
  if (value instanceof PyInt) return String(value.value);
  if (typeof value === 'string') {
    const s = JSON.stringify(value);
    return ensureAscii ? escapeAscii(s) : s;
  }
  // indent < 0 is Python's indent=None: one line, `, ` and `: ` separators.
  const compact = indent < 0;
  const pad = compact ? '' : '\n' + ' '.repeat(indent * (level + 1));
  const close = compact ? '' : '\n' + ' '.repeat(indent * level);
  const sep = compact ? ', ' : ',' + pad;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const items = value.map((v) => pyJsonDumps(v, indent, ensureAscii, level + 1));
    return '[' + pad + items.join(sep) + close + ']';
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return '{}';
  const items = entries.map(
    ([k, v]) =>
      pyJsonDumps(k, indent, ensureAscii) + ': ' + pyJsonDumps(v, indent, ensureAscii, level + 1),
  );
  return '{' + pad + items.join(sep) + close + '}';
}

/** What `formatScore` needs: sacreBLEU `Score` fields. */
export interface ScoreLineInput {
  name: string;
  score: number;
  /** Text after the score (BLEU's precisions and lengths); empty for chrF/TER. */
  verbose?: string;
  /** Bootstrap mean and half-width of the 95% interval (single-system `-ci`). */
  mean?: number;
  ci?: number;
  /** Extra JSON fields appended after the signature pairs (ROUGE's per-type means). */
  extraJson?: { [key: string]: PyJson };
}

/** Options of sacreBLEU's `Score.format(width, score_only, signature, is_json)`. */
export interface ScoreFormatOptions {
  width?: number;
  scoreOnly?: boolean;
  signature?: string;
  json?: boolean;
  /** JSON indent (sacreBLEU uses 1); negative for one line (JSON Lines). */
  jsonIndent?: number;
}

/**
 * sacreBLEU's `Score.format()`: `NAME|SIG = SCORE (μ = M ± CI) VERBOSE`, the bare score with
 * `scoreOnly`, or the CLI's JSON object (indent 1, non-ASCII kept) with `json`.
 */
export function formatScore(score: ScoreLineInput, options: ScoreFormatOptions = {}): string {
  const width = options.width ?? 2;
  const signature = options.signature ?? '';
  const d: { [key: string]: PyJson } = {
    name: score.name,
    score: Number(pyFixed(score.score, width)),
    signature,
  };
  let sc = pyFixed(score.score, width);
  // sacreBLEU prints the interval only when the mean is positive (`if self._mean > 0`).
  if (score.mean !== undefined && score.ci !== undefined && score.mean > 0) {
    const mean = pyFixed(score.mean, width);
    const ci = pyFixed(score.ci, width);
    const text = `μ = ${mean} ± ${ci}`;
    sc += ` (${text})`;
    if (options.json) {
      d.confidence_mean = Number(mean);
      d.confidence_var = Number(ci);
      d.confidence = text;
    }
  }
  let full = `${signature ? `${score.name}|${signature}` : score.name} = ${sc}`;
  if (score.verbose) {
    full += ` ${score.verbose}`;
    d.verbose_score = score.verbose;
  }
  if (options.scoreOnly) return sc;
  if (options.json) {
    for (const pair of signature.split('|')) {
      const colon = pair.indexOf(':');
      d[pair.slice(0, colon)] = pair.slice(colon + 1);
    }
    Object.assign(d, score.extraJson ?? {});
    return pyJsonDumps(d, options.jsonIndent ?? 1);
  }
  return full;
}
