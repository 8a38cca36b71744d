/**
 * Batched greedy and beam search over any `Stepper` (the ONNX runtime's, cached or not). Rows
 * whose sequence has ended are dropped from the batch as decoding goes on, so a long sentence
 * does not keep the whole batch running. Scores are natural-log probabilities; beam hypotheses
 * are ranked by score / length^lengthPenalty (length counts the final </s>), as fairseq does.
 */
import { BOS_ID, EOS_ID, PAD_ID } from './config';
import type { Stepper } from './runtime';

export interface Hypothesis {
  /** Generated ids, without <s> and </s>. */
  tokens: number[];
  /** Sum of log-probabilities of the generated tokens including </s> (NaN when not computed). */
  score: number;
  /** False when the maximum length cut the sequence before </s>. */
  finished: boolean;
}

export interface SearchOptions {
  /** Most tokens generated per sequence, counting </s>. */
  maxLength: number;
  /**
   * The token each sequence is fed first (default <s>). A language model continuing a prompt
   * gets the prompt's last token here, its stepper having read the rest already.
   */
  firstTokens?: readonly number[];
  signal?: AbortSignal;
  /** Called after each step with the number of rows still decoding. */
  onStep?: (step: number, activeRows: number) => void;
}

export interface BeamOptions extends SearchOptions {
  beam: number;
  /** Exponent α of the length normalisation score / length^α (default 1). */
  lengthPenalty?: number;
}

/** <pad> and <s> are never generated. */
function banned(id: number): boolean {
  return id === PAD_ID || id === BOS_ID;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason ?? new Error('aborted');
}

/** log Σ exp(row) for logits row `r`. */
function logSumExp(logits: Float32Array, r: number, vocab: number): number {
  let max = -Infinity;
  const base = r * vocab;
  for (let v = 0; v < vocab; v++) if (logits[base + v] > max) max = logits[base + v];
  let sum = 0;
  for (let v = 0; v < vocab; v++) sum += Math.exp(logits[base + v] - max);
  return max + Math.log(sum);
}

/**
 * Greedy decoding of `rows` sequences with `stepper` (one row per sequence). `scores: true`
 * also sums log-probabilities (costs a softmax per row and step).
 */
export async function greedySearch(
  stepper: Stepper,
  options: SearchOptions & { scores?: boolean },
): Promise<Hypothesis[]> {
  const total = stepper.rows;
  const vocab = stepper.vocab;
  const results: Hypothesis[] = Array.from({ length: total }, () => ({
    tokens: [],
    score: options.scores ? 0 : NaN,
    finished: false,
  }));
  let live = Array.from({ length: total }, (_, i) => i); // result index of each stepper row
  let done = new Array<boolean>(total).fill(false);
  let tokens = options.firstTokens
    ? [...options.firstTokens]
    : new Array<number>(total).fill(BOS_ID);
  if (tokens.length !== total)
    throw new RangeError(`expected ${total} first tokens, got ${tokens.length}`);
  for (let step = 0; step < options.maxLength && live.length; step++) {
    throwIfAborted(options.signal);
    const logits = await stepper.step(tokens);
    let ended = 0;
    for (let r = 0; r < live.length; r++) {
      if (done[r]) {
        ended++;
        tokens[r] = PAD_ID;
        continue;
      }
      let best = -1;
      let bestValue = -Infinity;
      const base = r * vocab;
      for (let v = 0; v < vocab; v++) {
        if (logits[base + v] > bestValue && !banned(v)) {
          bestValue = logits[base + v];
          best = v;
        }
      }
      const result = results[live[r]];
      if (options.scores) result.score += bestValue - logSumExp(logits, r, vocab);
      tokens[r] = best;
      if (best === EOS_ID) {
        result.finished = true;
        done[r] = true;
        ended++;
      } else {
        result.tokens.push(best);
      }
    }
    options.onStep?.(step, live.length - ended);
    // Drop ended rows once they are a quarter of the batch: copying the cache costs about a step.
    if (ended && ended * 4 >= live.length) {
      const keep = live.map((_, r) => r).filter((r) => !done[r]);
      if (keep.length) stepper.select(keep);
      live = keep.map((r) => live[r]);
      tokens = keep.map((r) => tokens[r]);
      done = new Array<boolean>(keep.length).fill(false);
    }
  }
  return results;
}

interface Candidate {
  row: number;
  token: number;
  score: number;
}

/** The best `count` candidates (row, token) of one source's beams, best first. */
function topCandidates(
  logits: Float32Array,
  rows: number[],
  beamScores: Float64Array,
  vocab: number,
  count: number,
): Candidate[] {
  const best: Candidate[] = [];
  for (const r of rows) {
    if (beamScores[r] === -Infinity) continue;
    const norm = logSumExp(logits, r, vocab);
    const base = r * vocab;
    for (let v = 0; v < vocab; v++) {
      if (banned(v)) continue;
      const score = beamScores[r] + logits[base + v] - norm;
      if (best.length === count && score <= best[count - 1].score) continue;
      let i = best.length < count ? best.length : count - 1;
      best[i] = { row: r, token: v, score };
      while (i > 0 && best[i - 1].score < best[i].score) {
        [best[i - 1], best[i]] = [best[i], best[i - 1]];
        i--;
      }
    }
  }
  return best;
}

/**
 * Beam search for `sources` inputs. `makeStepper(sourceOf)` returns a stepper with one row per
 * entry (the source index it decodes). A source is done once `beam` hypotheses have ended.
 */
export async function beamSearch(
  sources: number,
  makeStepper: (sourceOf: number[]) => Stepper,
  options: BeamOptions,
): Promise<Hypothesis[]> {
  const k = Math.max(1, Math.floor(options.beam));
  const alpha = options.lengthPenalty ?? 1;
  const normalise = (score: number, length: number): number => score / Math.pow(length, alpha);
  const sourceOf = Array.from({ length: sources * k }, (_, i) => Math.floor(i / k));
  const stepper = makeStepper(sourceOf);
  const vocab = stepper.vocab;
  const finished: { hyp: Hypothesis; norm: number }[][] = Array.from({ length: sources }, () => []);
  let active = Array.from({ length: sources }, (_, s) => s);
  let beamTokens: number[][] = sourceOf.map(() => []);
  let beamScores = new Float64Array(sources * k).map((_, i) => (i % k === 0 ? 0 : -Infinity));
  const first = options.firstTokens;
  if (first && first.length !== sources)
    throw new RangeError(`expected ${sources} first tokens, got ${first.length}`);
  let input = sourceOf.map((s) => (first ? first[s] : BOS_ID));
  for (let step = 0; step < options.maxLength && active.length; step++) {
    throwIfAborted(options.signal);
    const logits = await stepper.step(input);
    const last = step === options.maxLength - 1;
    const parents: number[] = [];
    const nextTokens: number[][] = [];
    const nextScores: number[] = [];
    const stillActive: number[] = [];
    active.forEach((source, a) => {
      const rows = Array.from({ length: k }, (_, j) => a * k + j);
      const candidates = topCandidates(logits, rows, beamScores, vocab, 2 * k);
      const chosen: Candidate[] = [];
      candidates.forEach((c, rank) => {
        if (chosen.length === k) return;
        if (c.token === EOS_ID) {
          // An ending beyond the top k would not have survived as a beam: fairseq drops it too.
          if (rank < k) {
            const hyp = { tokens: beamTokens[c.row], score: c.score, finished: true };
            finished[source].push({ hyp, norm: normalise(c.score, beamTokens[c.row].length + 1) });
          }
        } else {
          chosen.push(c);
        }
      });
      if (finished[source].length >= k) return;
      if (last || chosen.length === 0) {
        for (const c of chosen) {
          const tokens = [...beamTokens[c.row], c.token];
          finished[source].push({
            hyp: { tokens, score: c.score, finished: false },
            norm: normalise(c.score, tokens.length),
          });
        }
        return;
      }
      while (chosen.length < k) chosen.push({ ...chosen[0], score: -Infinity });
      stillActive.push(source);
      for (const c of chosen) {
        parents.push(c.row);
        nextTokens.push([...beamTokens[c.row], c.token]);
        nextScores.push(c.score);
      }
    });
    options.onStep?.(step, parents.length);
    active = stillActive;
    if (!active.length) break;
    stepper.select(parents);
    beamTokens = nextTokens;
    beamScores = Float64Array.from(nextScores);
    input = nextTokens.map((t) => t[t.length - 1]);
  }
  return finished.map((list) => {
    if (!list.length) return { tokens: [], score: NaN, finished: false };
    return list.reduce((a, b) => (b.norm > a.norm ? b : a)).hyp;
  });
}
