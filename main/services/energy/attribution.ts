/**
 * Attribution helpers for generation workloads (energy.md §3.9): decode energy from a
 * prefill-only loop and a full-generation loop (optimum-benchmark's method), and the steady-state
 * window of a batched run (ML.ENERGY's rule), over which J/token is derived.
 */

/** An energy with its interval. */
export interface Banded {
  joules: number;
  lowJ: number;
  highJ: number;
}

/**
 * Decode = generate − prefill, decode tokens = batch × (new_tokens − 1) (the first new token comes
 * from prefill). Interval ends subtract crosswise; negatives are clamped to 0.
 */
export function decodeEnergy(
  generate: Banded,
  prefill: Banded,
  batch: number,
  newTokens: number,
): Banded & { tokens: number; perToken: Banded } {
  const tokens = batch * Math.max(0, newTokens - 1);
  const e: Banded = {
    joules: Math.max(0, generate.joules - prefill.joules),
    lowJ: Math.max(0, generate.lowJ - prefill.highJ),
    highJ: Math.max(0, generate.highJ - prefill.lowJ),
  };
  const per = (x: number): number => (tokens > 0 ? x / tokens : 0);
  return {
    ...e,
    tokens,
    perToken: { joules: per(e.joules), lowJ: per(e.lowJ), highJ: per(e.highJ) },
  };
}

/** Per-request timestamps (any one clock, e.g. ms). */
export interface RequestTimes {
  start: number;
  firstToken: number;
  finish: number;
}

/**
 * Steady-state window of a batched generation run: from the moment `maxNumSeqs` requests have
 * their first token (the batch is full and producing) until `n − maxNumSeqs − 1` requests have
 * finished (before the tail drains). Undefined when the run is too short to have one.
 */
export function steadyStateWindow(
  requests: RequestTimes[],
  maxNumSeqs: number,
): { start: number; end: number } | undefined {
  const n = requests.length;
  const firsts = requests.map((r) => r.firstToken).sort((a, b) => a - b);
  const finishes = requests.map((r) => r.finish).sort((a, b) => a - b);
  const k = n - maxNumSeqs - 1;
  if (maxNumSeqs < 1 || maxNumSeqs > n || k < 1) return undefined;
  const start = firsts[maxNumSeqs - 1];
  const end = finishes[k - 1];
  return end > start ? { start, end } : undefined;
}
