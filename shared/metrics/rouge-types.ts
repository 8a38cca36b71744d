/**
 * ROUGE type names, the per-type score triple and the F-measure, as in rouge-score 0.1.2
 * (`rouge_scorer.py`, `scoring.py`).
 *
 * Valid names are `rouge1`…`rouge9`, `rougeL` and `rougeLsum`; rouge-score rejects `rouge0`, and
 * `rouge10` does not match its `rouge[0-9]$` pattern either.
 */

/** ROUGE-N for N = 1…9. */
export type RougeNType = `rouge${1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9}`;
/** A rouge-score type name. */
export type RougeType = RougeNType | 'rougeL' | 'rougeLsum';

/** Precision (over the prediction), recall (over the reference) and F, each 0–1. */
export interface RougeScore {
  precision: number;
  recall: number;
  fmeasure: number;
}

/** The four types Hugging Face `evaluate.load("rouge")` reports by default, in its order. */
export const DEFAULT_ROUGE_TYPES: readonly RougeType[] = [
  'rouge1',
  'rouge2',
  'rougeL',
  'rougeLsum',
];

const ROUGE_TYPE_RE = /^(?:rouge[1-9]|rougeL|rougeLsum)$/;

/** True when `name` is a ROUGE type rouge-score accepts. */
export function isRougeType(name: string): name is RougeType {
  return ROUGE_TYPE_RE.test(name);
}

/**
 * Checks a list of type names: non-empty, each valid, no repeats.
 * @throws RangeError naming the first bad entry.
 */
export function validateRougeTypes(
  types: readonly string[],
): asserts types is readonly RougeType[] {
  if (types.length === 0) throw new RangeError('ROUGE needs at least one type, e.g. rouge1');
  const seen = new Set<string>();
  for (const t of types) {
    if (!isRougeType(t)) {
      throw new RangeError(`unknown ROUGE type "${t}": use rouge1…rouge9, rougeL or rougeLsum`);
    }
    if (seen.has(t)) throw new RangeError(`ROUGE type "${t}" is listed twice`);
    seen.add(t);
  }
}

/** N of a `rougeN` type, or 0 for rougeL / rougeLsum. */
export function ngramOrder(type: RougeType): number {
  return type === 'rougeL' || type === 'rougeLsum' ? 0 : type.charCodeAt(5) - 48;
}

/**
 * rouge-score's F-measure. The evaluation order `((2*P)*R)/(P+R)` is kept on purpose: the
 * multi-reference argmax sees last-bit differences between exactly tied references.
 */
export function fmeasure(precision: number, recall: number): number {
  return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
}

/** A score triple from P and R, each a plain `count / length` division. */
export function makeScore(precision: number, recall: number): RougeScore {
  return { precision, recall, fmeasure: fmeasure(precision, recall) };
}

/** The all-zero score rouge-score returns for empty inputs. */
export function zeroScore(): RougeScore {
  return { precision: 0, recall: 0, fmeasure: 0 };
}
