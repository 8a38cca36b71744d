/**
 * Per-field dataset statistics accumulated while rows stream past: segments, empty segments,
 * characters (Unicode code points), whitespace tokens and a token-length histogram.
 */
import type { FieldStatistics } from '../../../shared/api/types';

/** Histogram bucket upper bounds (whitespace tokens, inclusive); one open bucket follows. */
export const HISTOGRAM_BOUNDS = [0, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

export class FieldAccumulator {
  segments = 0;
  empty = 0;
  characters = 0;
  tokens = 0;
  maxTokens = 0;
  readonly counts = new Array<number>(HISTOGRAM_BOUNDS.length + 1).fill(0);

  add(text: string): void {
    this.segments++;
    if (text.length === 0) this.empty++;
    let codePoints = 0;
    let tokens = 0;
    let inToken = false;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      // Low surrogates complete a pair already counted at its high surrogate.
      if (c < 0xdc00 || c > 0xdfff) codePoints++;
      const space =
        c === 32 ||
        (c >= 9 && c <= 13) ||
        c === 0xa0 ||
        c === 0x3000 ||
        (c >= 0x2000 && c <= 0x200a);
      if (space) inToken = false;
      else if (!inToken) {
        inToken = true;
        tokens++;
      }
    }
    this.characters += codePoints;
    this.tokens += tokens;
    if (tokens > this.maxTokens) this.maxTokens = tokens;
    let bucket = HISTOGRAM_BOUNDS.findIndex((bound) => tokens <= bound);
    if (bucket < 0) bucket = HISTOGRAM_BOUNDS.length;
    this.counts[bucket]++;
  }

  result(): FieldStatistics {
    return {
      segments: this.segments,
      emptySegments: this.empty,
      characters: this.characters,
      whitespaceTokens: this.tokens,
      meanTokens: this.segments ? this.tokens / this.segments : 0,
      maxTokens: this.maxTokens,
      histogram: { bounds: [...HISTOGRAM_BOUNDS], counts: [...this.counts] },
    };
  }
}
