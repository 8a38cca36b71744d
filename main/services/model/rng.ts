/**
 * Seeded randomness for training: a small serialisable PRNG (mulberry32: one uint32 of state, so
 * a checkpoint can store it exactly), a stateless hash for deriving per-step seeds (dropout masks
 * do not depend on how many random numbers earlier code drew, which keeps resume exact), and the
 * initialisers used for fresh weights (computed in JS so every backend starts from the same bits).
 */

/** Mixes integers into one uint32 (splitmix-style finaliser); order matters. */
export function hashSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    h = Math.imul(h ^ (part >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

export class Rng {
  constructor(public state: number) {
    this.state = state >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** In-place Fisher–Yates shuffle. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}

/** Xavier/Glorot uniform (what PyTorch's nn.Transformer applies to every matrix). */
export function xavierUniform(rng: Rng, fanIn: number, fanOut: number, size: number): Float32Array {
  const bound = Math.sqrt(6 / (fanIn + fanOut));
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = (rng.next() * 2 - 1) * bound;
  return out;
}
