/**
 * Marks the tokens of a hypothesis that differ from the baseline's hypothesis for the same
 * segment, so the Compare table shows at a glance where two systems part ways. Whitespace tokens;
 * only visible rows are diffed, so the quadratic LCS stays small.
 */

export interface DiffPiece {
  text: string;
  /** True for a token the baseline's hypothesis does not have at this place. */
  changed: boolean;
}

/** Past this many cells the LCS table costs too much for one row: fall back to set membership. */
const MAX_CELLS = 250_000;

export function diffTokens(baseline: string, hypothesis: string): DiffPiece[] {
  const pieces = hypothesis.split(/(\s+)/).filter((p) => p.length > 0);
  const tokens = pieces.filter((p) => !/^\s+$/.test(p));
  const base = baseline.split(/\s+/).filter((t) => t.length > 0);
  const kept = tokens.length * base.length > MAX_CELLS ? bagMatch(base, tokens) : lcs(base, tokens);
  let t = 0;
  return pieces.map((text) => {
    if (/^\s+$/.test(text)) return { text, changed: false };
    return { text, changed: !kept[t++] };
  });
}

/** Which of `tokens` belong to a longest common subsequence with `base`. */
function lcs(base: string[], tokens: string[]): boolean[] {
  const n = base.length;
  const m = tokens.length;
  const width = m + 1;
  const table = new Uint16Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i * width + j] =
        base[i] === tokens[j]
          ? table[(i + 1) * width + j + 1] + 1
          : Math.max(table[(i + 1) * width + j], table[i * width + j + 1]);
    }
  }
  const kept = new Array<boolean>(m).fill(false);
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (base[i] === tokens[j]) {
      kept[j] = true;
      i++;
      j++;
    } else if (table[(i + 1) * width + j] >= table[i * width + j + 1]) i++;
    else j++;
  }
  return kept;
}

function bagMatch(base: string[], tokens: string[]): boolean[] {
  const counts = new Map<string, number>();
  for (const token of base) counts.set(token, (counts.get(token) ?? 0) + 1);
  return tokens.map((token) => {
    const left = counts.get(token) ?? 0;
    if (left > 0) counts.set(token, left - 1);
    return left > 0;
  });
}
