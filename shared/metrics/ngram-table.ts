/**
 * The n-gram counts of one segment's reference side, for BLEU and chrF clipping.
 *
 * An n-gram is a chain: its key is (entry of its first n-1 units, last unit), with prefix -1 for
 * unigrams, so every n-gram is one integer-pair probe however long it is. References are added
 * with `add` (one reference) or `addMax` (BLEU's max count over several references). A
 * hypothesis is matched by walking the same chains with `find` and spending counts with
 * `take`, which sums min(hyp count, ref count) without counting the hypothesis; once a prefix
 * is missing, no longer n-gram from that position can match either, so the walk stops early.
 *
 * Layout, chosen for speed: an entry is its slot index, and a slot holds its key and count
 * together, so a probe touches one cache line. Because entries are slot indices the table never
 * rehashes: `reset` takes an exact upper bound on the entries and sizes the table once. Resetting
 * is O(1) with generation stamps (a slot is empty unless it carries the current stamp), and a
 * table sized to one segment stays in the CPU cache whatever the corpus size.
 */
import { tableSize } from './interner';

// Slot fields, stride 4.
const STAMP = 0;
const PREFIX = 1;
const UNIT = 2;
const COUNT = 3;

export class NgramTable {
  private slots = new Int32Array(4 * 64);
  private mask = 63;
  private generation = 1;
  private capacity = 0;
  private size = 0;
  // Per slot, for `addMax` only: the reference being counted and its count so far.
  private owner = new Int32Array(0);
  private current = new Int32Array(0);

  /** Forgets every n-gram; at most `bound` entries may be added until the next reset. */
  reset(bound: number): void {
    const size = tableSize(2 * bound);
    if (4 * size > this.slots.length) {
      this.slots = new Int32Array(4 * size);
      this.generation = 0;
    } else if (this.generation === 0x7fffffff) {
      // Stamps only grow, so no slot can carry the next one; wrap around by clearing.
      this.slots.fill(0);
      this.generation = 0;
    }
    this.generation++;
    this.mask = size - 1;
    this.capacity = bound;
    this.size = 0;
  }

  /** Counts one occurrence of (prefix, unit) in the (single) reference; returns its entry. */
  add(prefix: number, unit: number): number {
    const slot = this.insert(prefix, unit);
    this.slots[4 * slot + COUNT]++;
    return slot;
  }

  /**
   * Counts one occurrence of (prefix, unit) in reference number `ref`, keeping the entry's count
   * at the max over references; returns its entry.
   */
  addMax(prefix: number, unit: number, ref: number): number {
    const slot = this.insert(prefix, unit);
    if (this.owner.length <= this.mask) {
      this.owner = new Int32Array(this.mask + 1);
      this.current = new Int32Array(this.mask + 1);
    }
    // A new entry's owner may be stale from an earlier segment; its count of 0 makes that safe.
    if (this.owner[slot] !== ref || this.slots[4 * slot + COUNT] === 0) {
      this.owner[slot] = ref;
      this.current[slot] = 0;
    }
    const n = ++this.current[slot];
    if (n > this.slots[4 * slot + COUNT]) this.slots[4 * slot + COUNT] = n;
    return slot;
  }

  /** Entry of (prefix, unit), or -1 when absent. */
  find(prefix: number, unit: number): number {
    const { slots, generation, mask } = this;
    let slot = hash(prefix, unit) & mask;
    for (;;) {
      const at = 4 * slot;
      if (slots[at + STAMP] !== generation) return -1;
      if (slots[at + PREFIX] === prefix && slots[at + UNIT] === unit) return slot;
      slot = (slot + 1) & mask;
    }
  }

  /** Spends one reference occurrence of `entry`; false when none is left (no match). */
  take(entry: number): boolean {
    const at = 4 * entry + COUNT;
    if (this.slots[at] === 0) return false;
    this.slots[at]--;
    return true;
  }

  /** Slot of (prefix, unit), claimed with count 0 when absent. */
  private insert(prefix: number, unit: number): number {
    const { slots, generation, mask } = this;
    let slot = hash(prefix, unit) & mask;
    for (;;) {
      const at = 4 * slot;
      if (slots[at + STAMP] !== generation) break;
      if (slots[at + PREFIX] === prefix && slots[at + UNIT] === unit) return slot;
      slot = (slot + 1) & mask;
    }
    if (++this.size > this.capacity) {
      throw new Error(`NgramTable: more than the ${this.capacity} entries reset() allowed`);
    }
    const at = 4 * slot;
    slots[at + STAMP] = generation;
    slots[at + PREFIX] = prefix;
    slots[at + UNIT] = unit;
    slots[at + COUNT] = 0;
    return slot;
  }
}

/** Mixes an integer pair into 32 bits (multiplicative hashing, then a shift to fold high bits). */
function hash(prefix: number, unit: number): number {
  const h = Math.imul(unit, 0x9e3779b1) ^ Math.imul(prefix + 0x7f4a7c15, 0x85ebca77);
  return h ^ (h >>> 15);
}
