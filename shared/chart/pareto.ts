/**
 * The Pareto frontier of quality against energy: the runs no other run beats on both at once.
 * Less energy (x) is always better; the score (y) is better higher or lower per metric.
 *
 * Point a dominates b when a.x ≤ b.x and a.y is at least as good as b.y, one of them strictly.
 * Identical points (same x and y) do not dominate each other; the frontier keeps one of them,
 * the one with the smallest id (plain string order), so it never draws a point twice.
 * Points with a non-finite coordinate cannot be placed and are ignored.
 */

export interface FrontierPoint {
  id: string;
  x: number;
  y: number;
}

/**
 * The non-dominated points, sorted by x ascending. The input objects themselves are returned
 * (callers may carry extra fields on them). O(n log n): sort by x, best y first on ties, then
 * keep each point that improves on the best y seen so far.
 */
export function paretoFrontier<T extends FrontierPoint>(
  points: readonly T[],
  higherIsBetter: boolean,
): T[] {
  const sign = higherIsBetter ? 1 : -1;
  const sorted = points
    .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y))
    .sort((a, b) => a.x - b.x || sign * (b.y - a.y) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const frontier: T[] = [];
  let best = -Infinity;
  for (const p of sorted) {
    const y = sign * p.y;
    if (y > best) {
      frontier.push(p);
      best = y;
    }
  }
  return frontier;
}
