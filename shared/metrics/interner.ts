/**
 * Interners that map keys to dense integer ids with open-addressing hash tables on typed arrays,
 * so the BLEU and chrF hot loops compare integers instead of hashing strings.
 *
 * - `TokenInterner`: token text (a range of UTF-16 code units) → id. Meant to be reset for every
 *   segment: a per-segment table stays small enough to live in the CPU cache, and resetting is
 *   O(1) thanks to generation stamps (a slot is empty unless it carries the current stamp).
 * - `PairInterner`: (prefix id, unit id) → id for a whole corpus (kept for API compatibility).
 */
import { isPyWhitespace } from './tokenizers/pystr';

// FNV-1a over UTF-16 code units: cheap, and good enough for short tokens.
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

/** Smallest power of two ≥ `n` and ≥ 64. */
export function tableSize(n: number): number {
  let size = 64;
  while (size < n) size *= 2;
  return size;
}

/** A growable list of integer ids. */
export class IdList {
  data = new Int32Array(256);
  length = 0;

  /** Empties the list and makes room for `capacity` ids. */
  reset(capacity: number): void {
    this.length = 0;
    if (this.data.length < capacity) this.data = new Int32Array(tableSize(capacity));
  }
}

/** Interns token texts (code-unit ranges) to ids 0, 1, 2, … in order of first sight. */
export class TokenInterner {
  // Per slot, stride 2: [generation stamp, id].
  private slots = new Int32Array(2 * 64);
  private mask = 63;
  private generation = 1;
  // Per id: where its text starts in `pool`, its length and its hash.
  private starts = new Int32Array(64);
  private lengths = new Int32Array(64);
  private hashes = new Int32Array(64);
  private pool = new Uint16Array(1024);
  private poolLength = 0;
  /** Number of ids handed out since the last reset. */
  size = 0;

  /** Forgets every token; `expected` (an upper bound on distinct tokens) sizes the table. */
  reset(expected: number): void {
    this.size = 0;
    this.poolLength = 0;
    this.resize(tableSize(2 * expected));
  }

  /** Id of `data[start..end)`, or -1 when it was never interned (`insert` false). */
  intern(data: Uint16Array, start: number, end: number, insert: boolean): number {
    let h = FNV_OFFSET;
    for (let i = start; i < end; i++) h = Math.imul(h ^ data[i], FNV_PRIME);
    return this.lookup(data, start, end, h, insert);
  }

  /**
   * Splits `data[0..length)` on Python whitespace (as `str.split()`) and appends each token's
   * id to `out`; unseen tokens get -1 unless `insert`. Returns the number of tokens.
   */
  internWords(data: Uint16Array, length: number, out: IdList, insert: boolean): number {
    out.reset(length);
    const ids = out.data;
    let n = 0;
    let i = 0;
    while (i < length) {
      if (isPyWhitespace(data[i])) {
        i++;
        continue;
      }
      // Hash the token while finding its end, so its units are read once here.
      const start = i;
      let h = FNV_OFFSET;
      do {
        h = Math.imul(h ^ data[i], FNV_PRIME);
        i++;
      } while (i < length && !isPyWhitespace(data[i]));
      ids[n++] = this.lookup(data, start, i, h, insert);
    }
    out.length = n;
    return n;
  }

  /** `intern` with the FNV-1a hash of the units already computed. */
  private lookup(data: Uint16Array, start: number, end: number, fnv: number, insert: boolean) {
    const h = fnv ^ (fnv >>> 15);
    const len = end - start;
    const { slots, generation, mask } = this;
    let slot = h & mask;
    for (;;) {
      if (slots[2 * slot] !== generation) break;
      const id = slots[2 * slot + 1];
      if (this.hashes[id] === h && this.lengths[id] === len && this.equals(id, data, start)) {
        return id;
      }
      slot = (slot + 1) & mask;
    }
    if (!insert) return -1;
    return this.add(slot, h, data, start, len);
  }

  private equals(id: number, data: Uint16Array, start: number): boolean {
    const pool = this.pool;
    const from = this.starts[id];
    const len = this.lengths[id];
    for (let k = 0; k < len; k++) if (pool[from + k] !== data[start + k]) return false;
    return true;
  }

  private add(slot: number, h: number, data: Uint16Array, start: number, len: number): number {
    const id = this.size++;
    if (id >= this.starts.length) {
      const grow = (a: Int32Array) => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.starts = grow(this.starts);
      this.lengths = grow(this.lengths);
      this.hashes = grow(this.hashes);
    }
    if (this.poolLength + len > this.pool.length) {
      const pool = new Uint16Array(tableSize(2 * (this.poolLength + len)));
      pool.set(this.pool.subarray(0, this.poolLength));
      this.pool = pool;
    }
    const pool = this.pool;
    const at = this.poolLength;
    for (let k = 0; k < len; k++) pool[at + k] = data[start + k];
    this.starts[id] = at;
    this.lengths[id] = len;
    this.hashes[id] = h;
    this.poolLength += len;
    this.slots[2 * slot] = this.generation;
    this.slots[2 * slot + 1] = id;
    // More tokens than the caller expected: keep the table at most half full.
    if (this.size * 2 > this.mask) this.resize(2 * (this.mask + 1));
    return id;
  }

  /** Starts a new generation with `size` slots, re-inserting the current ids. */
  private resize(size: number): void {
    if (2 * size > this.slots.length) {
      this.slots = new Int32Array(2 * size);
      this.generation = 0;
    }
    // Stamps only grow, so no slot can carry the new stamp; wrap around by clearing.
    if (this.generation === 0x7fffffff) {
      this.slots.fill(0);
      this.generation = 0;
    }
    const generation = ++this.generation;
    this.mask = size - 1;
    for (let id = 0; id < this.size; id++) {
      let slot = this.hashes[id] & this.mask;
      while (this.slots[2 * slot] === generation) slot = (slot + 1) & this.mask;
      this.slots[2 * slot] = generation;
      this.slots[2 * slot + 1] = id;
    }
  }
}

/**
 * Interns (prefix id, unit id) pairs to dense integer ids with an open-addressing hash table on
 * typed arrays (several times faster than a `Map` keyed by large numbers).
 */
export class PairInterner {
  private prefixes: Int32Array;
  private units: Int32Array;
  private ids: Int32Array;
  private mask: number;
  private count = 0;
  private next: number;

  /** `firstId` is the first id handed out (e.g. to reserve 0..V-1 for single tokens). */
  constructor(
    private readonly firstId = 0,
    capacity = 1024,
  ) {
    let size = 1024;
    while (size < capacity * 2) size *= 2;
    this.prefixes = new Int32Array(size);
    this.units = new Int32Array(size);
    this.ids = new Int32Array(size).fill(-1);
    this.mask = size - 1;
    this.next = firstId;
  }

  /** Forgets every pair; ids restart at `firstId`. */
  clear(): void {
    if (this.count > 0) this.ids.fill(-1);
    this.count = 0;
    this.next = this.firstId;
  }

  /** Id of the pair (prefix, unit), assigning the next free id to a new pair. */
  get(prefix: number, unit: number): number {
    let h = (Math.imul(prefix, 0x9e3779b1) ^ Math.imul(unit + 0x7f4a7c15, 0x85ebca77)) >>> 0;
    h = (h ^ (h >>> 15)) & this.mask;
    const ids = this.ids;
    for (;;) {
      const id = ids[h];
      if (id === -1) break;
      if (this.prefixes[h] === prefix && this.units[h] === unit) return id;
      h = (h + 1) & this.mask;
    }
    this.prefixes[h] = prefix;
    this.units[h] = unit;
    const id = this.next++;
    ids[h] = id;
    if (++this.count * 2 > this.mask) this.grow();
    return id;
  }

  /** Number of ids handed out so far plus `firstId`. */
  get size(): number {
    return this.next;
  }

  private grow(): void {
    const { prefixes, units, ids } = this;
    const size = ids.length * 2;
    this.prefixes = new Int32Array(size);
    this.units = new Int32Array(size);
    this.ids = new Int32Array(size).fill(-1);
    this.mask = size - 1;
    for (let k = 0; k < ids.length; k++) {
      if (ids[k] === -1) continue;
      let h =
        (Math.imul(prefixes[k], 0x9e3779b1) ^ Math.imul(units[k] + 0x7f4a7c15, 0x85ebca77)) >>> 0;
      h = (h ^ (h >>> 15)) & this.mask;
      while (this.ids[h] !== -1) h = (h + 1) & this.mask;
      this.prefixes[h] = prefixes[k];
      this.units[h] = units[k];
      this.ids[h] = ids[k];
    }
  }
}
