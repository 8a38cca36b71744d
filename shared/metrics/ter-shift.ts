/**
 * TER edit count for one hypothesis/reference pair: greedy block shifts plus a banded ("beam")
 * edit distance, matching sacreBLEU 2.6.0's `translation_edit_rate` in `sacrebleu/metrics/lib_ter.py`
 * (itself a port of tercom's shift heuristics), down to its tie order, its 1000-candidate cap and
 * its band, which is not exact Levenshtein for very different lengths.
 *
 * Words arrive as integer ids (equal id = equal string). sacreBLEU caches DP rows in a trie keyed
 * by hypothesis prefixes and recomputes every row after the cached prefix. Here the banded DP is
 * read as a shortest path in a DAG whose cells and edges depend only on the lengths (fixed for a
 * pair, since shifts keep the length): the forward matrix of the current hypothesis covers the
 * unchanged prefix of a candidate, a backward (cost-to-go) matrix covers its unchanged suffix, and
 * only the rows of the moved region are computed. Every path crosses each row, so
 * distance = min_j forward(q, j) + backward(q, j) at the row q after the last changed word, which
 * is exactly the value sacreBLEU's forward pass reaches.
 */

// Tercom's limits, as sacreBLEU copies them.
const MAX_SHIFT_SIZE = 10;
const MAX_SHIFT_DIST = 50;
const BEAM_WIDTH = 25;
// sacreBLEU's own limit on evaluated shift candidates per pair.
const MAX_SHIFT_CANDIDATES = 1000;

// Far above any reachable distance; INF + 1 still fits an Int32 and never wins a strict `<`.
const INF = 0x3fffffff;

const OP_NOP = 0;
const OP_SUB = 1;
// "Deletion" consumes a hypothesis word, "insertion" a reference word (sacreBLEU's DP naming).
const OP_DEL = 2;
const OP_INS = 3;

/** Reusable buffers for {@link TerAligner}; they only grow, so scoring a corpus allocates little. */
class Buffers {
  cost = new Int32Array(0);
  ops = new Uint8Array(0);
  back = new Int32Array(0);
  scratch = new Int32Array(0);
  shifted = new Int32Array(0);
  hyp = new Int32Array(0);
  ref = new Int32Array(0);
  rowMin = new Int32Array(0);
  rowMax = new Int32Array(0);
  align = new Int32Array(0);
  hypErrSum = new Int32Array(0);
  refErrSum = new Int32Array(0);

  ensure(hypLen: number, refLen: number): void {
    const cells = (hypLen + 1) * (refLen + 1);
    if (this.cost.length < cells) {
      this.cost = new Int32Array(cells);
      this.ops = new Uint8Array(cells);
      this.back = new Int32Array(cells);
      this.scratch = new Int32Array(cells);
    }
    if (this.hyp.length < hypLen + 1) {
      this.shifted = new Int32Array(hypLen + 1);
      this.hyp = new Int32Array(hypLen + 1);
      this.rowMin = new Int32Array(hypLen + 1);
      this.rowMax = new Int32Array(hypLen + 1);
      this.hypErrSum = new Int32Array(hypLen + 1);
    }
    if (this.align.length < refLen + 1) {
      this.align = new Int32Array(refLen + 1);
      this.ref = new Int32Array(refLen + 1);
      this.refErrSum = new Int32Array(refLen + 1);
    }
  }
}

/**
 * Computes TER edit counts; holds scratch buffers, so keep one per thread of work and reuse it.
 */
export class TerAligner {
  private readonly buf = new Buffers();
  private hypLen = 0;
  private refLen = 0;
  private width = 0;
  // Changed region [changedFrom, changedTo) of the last buildShift; changedFrom = H if none.
  private changedFrom = 0;
  private changedTo = 0;
  private readonly memo = new Map<number, number>();

  /**
   * Number of edits (shifts + insertions + deletions + substitutions) that turn the hypothesis into
   * the reference, as sacreBLEU 2.6.0 counts them. An empty reference costs one edit per
   * hypothesis word.
   *
   * @param hyp - hypothesis word ids
   * @param ref - reference word ids (same id space as `hyp`)
   */
  editCount(hyp: ArrayLike<number>, ref: ArrayLike<number>): number {
    const hypLen = hyp.length;
    const refLen = ref.length;
    if (refLen === 0) return hypLen;
    this.buf.ensure(hypLen, refLen);
    this.hypLen = hypLen;
    this.refLen = refLen;
    this.width = refLen + 1;
    const b = this.buf;
    for (let i = 0; i < hypLen; i++) b.hyp[i] = hyp[i];
    for (let j = 0; j < refLen; j++) b.ref[j] = ref[j];
    this.setUpBand();

    const cells = (hypLen + 1) * this.width;
    b.cost.fill(INF, 0, cells);
    b.scratch.fill(INF, 0, cells);
    b.back.fill(INF, 0, cells);
    for (let j = 0; j <= refLen; j++) {
      b.cost[j] = j;
      b.ops[j] = OP_INS;
    }
    this.fillCurrent(1);
    // Identical sequences: no shift can gain, so sacreBLEU's loop ends with 0 edits.
    if (b.cost[hypLen * this.width + refLen] === 0) return 0;

    let shifts = 0;
    let checked = 0;
    for (;;) {
      this.alignCurrent();
      this.fillBackward();
      const round = this.bestShift(checked);
      checked = round.checked;
      // sacreBLEU stops on the cap before applying the round's best shift.
      if (checked >= MAX_SHIFT_CANDIDATES || round.gain <= 0) break;
      shifts++;
      this.buildShift(round.start, round.length, round.target);
      for (let i = this.changedFrom; i < this.changedTo; i++) b.hyp[i] = b.shifted[i];
      this.fillCurrent(this.changedFrom + 1);
    }
    return shifts + b.cost[hypLen * this.width + refLen];
  }

  /** Per-row column band [rowMin, rowMax) of sacreBLEU's beam, including its float arithmetic. */
  private setUpBand(): void {
    const { hypLen, refLen } = this;
    const ratio = hypLen > 0 ? refLen / hypLen : 1;
    // Very different lengths would leave consecutive bands disjoint; sacreBLEU widens the beam.
    const beam = BEAM_WIDTH < ratio / 2 ? Math.ceil(ratio / 2 + BEAM_WIDTH) : BEAM_WIDTH;
    for (let i = 1; i <= hypLen; i++) {
      const diag = Math.floor(i * ratio);
      this.buf.rowMin[i] = Math.max(0, diag - beam);
      this.buf.rowMax[i] = i === hypLen ? refLen + 1 : Math.min(refLen + 1, diag + beam);
    }
  }

  /** Recompute rows `from..H` of the current hypothesis' matrix, recording each cell's choice. */
  private fillCurrent(from: number): void {
    const { cost, ops, hyp, ref, rowMin, rowMax } = this.buf;
    const width = this.width;
    for (let i = from; i <= this.hypLen; i++) {
      const word = hyp[i - 1];
      const row = i * width;
      const prev = row - width;
      const lo = rowMin[i];
      const hi = rowMax[i];
      let left = INF;
      for (let j = lo; j < hi; j++) {
        let best: number;
        let op: number;
        if (j === 0) {
          best = cost[prev] + 1;
          op = OP_DEL;
        } else {
          const same = word === ref[j - 1];
          best = INF;
          op = OP_NOP;
          const diag = cost[prev + j - 1] + (same ? 0 : 1);
          // Tercom's preference on ties: diagonal, then from above, then from the left.
          if (diag < best) {
            best = diag;
            op = same ? OP_NOP : OP_SUB;
          }
          const up = cost[prev + j] + 1;
          if (up < best) {
            best = up;
            op = OP_DEL;
          }
          if (left + 1 < best) {
            best = left + 1;
            op = OP_INS;
          }
        }
        cost[row + j] = best;
        ops[row + j] = op;
        left = best;
      }
    }
  }

  /**
   * Cost-to-go of the current hypothesis: `back[i][j]` = cheapest path from cell (i, j) to (H, R)
   * using only in-band cells, i.e. the same DAG sacreBLEU's forward pass explores.
   */
  private fillBackward(): void {
    const { back, hyp, ref, rowMin, rowMax } = this.buf;
    const { hypLen, refLen, width } = this;
    for (let i = hypLen; i >= 0; i--) {
      const row = i * width;
      const next = row + width;
      const lo = i === 0 ? 0 : rowMin[i];
      const hi = i === 0 ? refLen + 1 : rowMax[i];
      const word = i < hypLen ? hyp[i] : -1;
      // Cells right of the band stay INF, so the first `right` step reads INF.
      for (let j = hi - 1; j >= lo; j--) {
        let best = i === hypLen && j === refLen ? 0 : INF;
        if (j < refLen) {
          const right = back[row + j + 1] + 1;
          if (right < best) best = right;
        }
        if (i < hypLen) {
          const down = back[next + j] + 1;
          if (down < best) best = down;
          if (j < refLen) {
            const diag = back[next + j + 1] + (word === ref[j] ? 0 : 1);
            if (diag < best) best = diag;
          }
        }
        back[row + j] = best;
      }
    }
  }

  /**
   * Edit distance of `buf.shifted`, which equals the current hypothesis outside positions
   * [first, last): forward rows first+1..last go to the scratch matrix (row `first` is the current
   * one), then row `last` is joined with the current cost-to-go.
   */
  private distanceOf(first: number, last: number): number {
    const { cost, back, scratch, shifted, ref, rowMin, rowMax } = this.buf;
    const width = this.width;
    let src = cost;
    for (let i = first + 1; i <= last; i++) {
      const word = shifted[i - 1];
      const row = i * width;
      const prev = row - width;
      let lo = rowMin[i];
      const hi = rowMax[i];
      let left = INF;
      if (lo === 0) {
        left = src[prev] + 1;
        scratch[row] = left;
        lo = 1;
      }
      // Values above INF only arise from unreachable cells and never beat a finite path.
      for (let j = lo; j < hi; j++) {
        let best = src[prev + j - 1] + (word === ref[j - 1] ? 0 : 1);
        const up = src[prev + j] + 1;
        if (up < best) best = up;
        if (left + 1 < best) best = left + 1;
        if (best > INF) best = INF;
        scratch[row + j] = best;
        left = best;
      }
      src = scratch;
    }
    const row = last * width;
    let dist = INF;
    for (let j = rowMin[last], hi = rowMax[last]; j < hi; j++) {
      const through = src[row + j] + back[row + j];
      if (through < dist) dist = through;
    }
    return dist;
  }

  /**
   * Backtrace the current matrix into sacreBLEU's flipped alignment: ref position → hyp position
   * (−1 before the first word) plus prefix sums of hyp and ref error flags.
   */
  private alignCurrent(): void {
    const { ops, align, hypErrSum, refErrSum } = this.buf;
    const width = this.width;
    // Reuse the prefix-sum arrays as flag arrays first, then accumulate in place.
    hypErrSum.fill(0, 0, this.hypLen + 1);
    refErrSum.fill(0, 0, this.refLen + 1);
    let i = this.hypLen;
    let j = this.refLen;
    while (i > 0 || j > 0) {
      const op = ops[i * width + j];
      if (op === OP_NOP || op === OP_SUB) {
        align[j - 1] = i - 1;
        if (op === OP_SUB) {
          hypErrSum[i] = 1;
          refErrSum[j] = 1;
        }
        i--;
        j--;
      } else if (op === OP_DEL) {
        hypErrSum[i] = 1;
        i--;
      } else {
        // A reference-only word aligns to the last hypothesis word before it.
        align[j - 1] = i - 1;
        refErrSum[j] = 1;
        j--;
      }
    }
    for (let k = 1; k <= this.hypLen; k++) hypErrSum[k] += hypErrSum[k - 1];
    for (let k = 1; k <= this.refLen; k++) refErrSum[k] += refErrSum[k - 1];
  }

  /**
   * Write the shifted hypothesis into `buf.shifted` (slicing as Python's `_perform_shift` does) and
   * record the changed region: positions outside [changedFrom, changedTo) equal the current
   * hypothesis (and are not written); changedFrom = H when nothing changed.
   */
  private buildShift(start: number, length: number, target: number): void {
    const { hyp, shifted } = this.buf;
    const hypLen = this.hypLen;
    let out: number;
    let end: number;
    if (target < start) {
      out = target;
      for (let k = start; k < start + length; k++) shifted[out++] = hyp[k];
      for (let k = target; k < start; k++) shifted[out++] = hyp[k];
      end = start + length;
    } else if (target > start + length) {
      out = start;
      for (let k = start + length; k < target; k++) shifted[out++] = hyp[k];
      for (let k = start; k < start + length; k++) shifted[out++] = hyp[k];
      end = target;
    } else {
      out = start;
      const mid = Math.min(length + target, hypLen);
      for (let k = start + length; k < mid; k++) shifted[out++] = hyp[k];
      for (let k = start; k < start + length; k++) shifted[out++] = hyp[k];
      end = mid;
    }
    let first = Math.min(start, target);
    while (first < end && shifted[first] === hyp[first]) first++;
    if (first === end) {
      this.changedFrom = this.changedTo = hypLen;
      return;
    }
    while (shifted[end - 1] === hyp[end - 1]) end--;
    this.changedFrom = first;
    this.changedTo = end;
  }

  /** One round of sacreBLEU's `_shift`: the best candidate shift and the running candidate count. */
  private bestShift(checkedBefore: number): {
    gain: number;
    start: number;
    length: number;
    target: number;
    checked: number;
  } {
    const { hyp, ref, align, hypErrSum, refErrSum } = this.buf;
    const { hypLen, refLen } = this;
    const pre = this.buf.cost[hypLen * this.width + refLen];
    const memo = this.memo;
    memo.clear();
    let checked = checkedBefore;
    let found = false;
    let bestGain = 0;
    let bestLen = 0;
    let bestStart = 0;
    let bestTarget = 0;

    outer: for (let sh = 0; sh < hypLen; sh++) {
      const rFrom = Math.max(0, sh - MAX_SHIFT_DIST);
      const rTo = Math.min(refLen - 1, sh + MAX_SHIFT_DIST);
      for (let sr = rFrom; sr <= rTo; sr++) {
        for (let len = 1; len <= MAX_SHIFT_SIZE; len++) {
          if (hyp[sh + len - 1] !== ref[sr + len - 1]) break;
          // Both spans must contain an error, and the ref start must not align inside the span.
          const spanOk =
            hypErrSum[sh + len] - hypErrSum[sh] !== 0 &&
            refErrSum[sr + len] - refErrSum[sr] !== 0 &&
            !(sh <= align[sr] && align[sr] < sh + len);
          if (spanOk) {
            let prevTarget = -1;
            for (let off = -1; off < len; off++) {
              // Every ref position has an alignment, so sacreBLEU's "past the reference" exit
              // cannot trigger here.
              const target = sr + off === -1 ? 0 : align[sr + off] + 1;
              if (target === prevTarget) continue;
              prevTarget = target;
              const key = (sh * (MAX_SHIFT_SIZE + 1) + len) * (hypLen + 1) + target;
              let dist = memo.get(key);
              if (dist === undefined) {
                this.buildShift(sh, len, target);
                dist =
                  this.changedFrom >= hypLen
                    ? pre
                    : this.distanceOf(this.changedFrom, this.changedTo);
                memo.set(key, dist);
              }
              const gain = pre - dist;
              checked++;
              // sacreBLEU ranks by (gain, length, -start, -target); the first wins exact ties.
              if (
                !found ||
                gain > bestGain ||
                (gain === bestGain &&
                  (len > bestLen ||
                    (len === bestLen &&
                      (sh < bestStart || (sh === bestStart && target < bestTarget)))))
              ) {
                found = true;
                bestGain = gain;
                bestLen = len;
                bestStart = sh;
                bestTarget = target;
              }
            }
            if (checked >= MAX_SHIFT_CANDIDATES) break outer;
          }
          if (sh + len === hypLen || sr + len === refLen) break;
        }
      }
    }
    return {
      gain: found ? bestGain : 0,
      start: bestStart,
      length: bestLen,
      target: bestTarget,
      checked,
    };
  }
}
