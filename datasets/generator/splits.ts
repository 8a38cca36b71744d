/**
 * Draws unique examples and cuts them into splits. Valid and test are drawn first, so changing
 * the size of train never changes the evaluation sets; uniqueness is checked on a key (the
 * source text), which is what guarantees no source appears in two splits.
 */

/** Split sizes in drawing order. */
export interface SplitSizes {
  valid: number;
  test: number;
  train: number;
}

/**
 * Calls `draw` until `valid + test + train` examples with distinct keys are collected.
 * `draw` returns `undefined` to reject a candidate (too long, too short...).
 */
export function drawSplits<T>(
  sizes: SplitSizes,
  draw: () => T | undefined,
  key: (example: T) => string,
): { valid: T[]; test: T[]; train: T[] } {
  const total = sizes.valid + sizes.test + sizes.train;
  const seen = new Set<string>();
  const examples: T[] = [];
  // A generous cap turns an accidentally tiny grammar into an error instead of a hang.
  for (let attempts = 0; examples.length < total; attempts++) {
    if (attempts > total * 50)
      throw new Error(`only ${examples.length} of ${total} unique examples`);
    const example = draw();
    if (example === undefined) continue;
    const id = key(example);
    if (seen.has(id)) continue;
    seen.add(id);
    examples.push(example);
  }
  return {
    valid: examples.slice(0, sizes.valid),
    test: examples.slice(sizes.valid, sizes.valid + sizes.test),
    train: examples.slice(sizes.valid + sizes.test),
  };
}
