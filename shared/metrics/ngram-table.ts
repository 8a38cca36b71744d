/**
 * The n-gram counts of one segment's reference side, for BLEU and chrF clipping.
 *
 * An n-gram is a chain: its key is (id of its first n-1 units as an entry here, last unit), with
 * prefix -1 for unigrams, so every n-gram is one integer-pair probe however long it is. Entries
 * get dense ids. References are added with `add`, which keeps each n-gram's count as the max
 * over references (BLEU's clipping; chrF adds one reference at a time). A hypothesis is matched
 * by walking the same chains with `find` and spending counts with `take`, which sums
 * min(hyp count, ref count) without counting the hypothesis; once a prefix is missing, no longer
 * n-gram from that position can match either, so the walk stops early.
 *
 * The table is reset per segment in O(1) with generation stamps and sized to the segment, so it
 * stays in the CPU cache; the corpus size does not matter.
 */
import { tableSize } from './interner';

const EMPTY = -1;

export class NgramTable {
  // Per slot, stride 4: [generation stamp, prefix, unit, entry].
  private slots = new Int32Array(4 * 64);
  private mask = 63;
  private generation = 1;
  /** Per entry: the max count over the references added, less what `take` has spent. */
  private count = new Int32Array(64);
  /** Per entry: the count in reference `owner` (the one being added). */
  private current = new Int32Array(64);
  private owner = new Int32Array(64);
  /** Number of entries since the last reset. */
  size = 0;

  /** Forgets every n-gram; `expected` (an upper bound on distinct entries) sizes the table. */
  reset(expected: number): void {
    this.size = 0;
    this.rehash(tableSize(2 * expected));
  }

  /** Counts one occurrence of (prefix, unit) in reference number `ref`; returns its entry. */
  add(prefix: number, unit: number, ref: number): number {
    const entry = this.insert(prefix, unit);
    if (this.owner[entry] !== ref) {
      this.owner[entry] = ref;
      this.current[entry] = 0;
    }
    const n = ++this.current[entry];
    if (n > this.count[entry]) this.count[entry] = n;
    return entry;
  }

  /** Spends one reference occurrence of `entry`; false when none is left (no match). */
  take(entry: number): boolean {
    if (this.count[entry] === 0) return false;
    this.count[entry]--;
    return true;
  }

  /** Entry of (prefix, unit), or -1 when absent. */
  find(prefix: number, unit: number): number {
    const { slots, generation, mask } = this;
    let slot = hash(prefix, unit) & mask;
    for (;;) {
      const at = 4 * slot;
      if (slots[at] !== generation) return EMPTY;
      if (slots[at + 1] === prefix && slots[at + 2] === unit) return slots[at + 3];
      slot = (slot + 1) & mask;
    }
  }

  /** Entry of (prefix, unit), created with zeroed counters (owner -1) when absent. */
  private insert(prefix: number, unit: number): number {
    const { slots, generation, mask } = this;
    let slot = hash(prefix, unit) & mask;
    for (;;) {
      const at = 4 * slot;
      if (slots[at] !== generation) break;
      if (slots[at + 1] === prefix && slots[at + 2] === unit) return slots[at + 3];
      slot = (slot + 1) & mask;
    }
    const entry = this.size++;
    if (entry >= this.count.length) this.growEntries();
    this.count[entry] = 0;
    this.current[entry] = 0;
    this.owner[entry] = -1;
    const at = 4 * slot;
    slots[at] = generation;
    slots[at + 1] = prefix;
    slots[at + 2] = unit;
    slots[at + 3] = entry;
    // More entries than the caller expected: keep the table at most half full.
    if (this.size * 2 > mask) this.rehash(2 * (mask + 1));
    return entry;
  }

  private growEntries(): void {
    const grow = (a: Int32Array) => {
      const b = new Int32Array(a.length * 2);
      b.set(a);
      return b;
    };
    this.count = grow(this.count);
    this.current = grow(this.current);
    this.owner = grow(this.owner);
  }

  /** Starts a new generation with `size` slots, re-inserting the current entries. */
  private rehash(size: number): void {
    // Growing mid-segment is rare: copy the live slots out, then re-insert them.
    const live = this.size > 0 ? this.slots.slice(0, 4 * (this.mask + 1)) : null;
    const liveGeneration = this.generation;
    if (4 * size > this.slots.length) {
      this.slots = new Int32Array(4 * size);
      this.generation = 0;
    } else if (this.generation === 0x7fffffff) {
      // Stamps only grow, so no slot can carry the next one; wrap around by clearing.
      this.slots.fill(0);
      this.generation = 0;
    }
    const generation = ++this.generation;
    this.mask = size - 1;
    if (live === null) return;
    const slots = this.slots;
    for (let from = 0; from < live.length; from += 4) {
      if (live[from] !== liveGeneration) continue;
      let slot = hash(live[from + 1], live[from + 2]) & this.mask;
      while (slots[4 * slot] === generation) slot = (slot + 1) & this.mask;
      slots.set(live.subarray(from, from + 4), 4 * slot);
      slots[4 * slot] = generation;
    }
  }
}

/** Mixes an integer pair into 32 bits (multiplicative hashing, then a shift to fold high bits). */
function hash(prefix: number, unit: number): number {
  const h = Math.imul(unit, 0x9e3779b1) ^ Math.imul(prefix + 0x7f4a7c15, 0x85ebca77);
  return h ^ (h >>> 15);
}
