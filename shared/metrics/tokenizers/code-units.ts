/**
 * A growable buffer of UTF-16 code units: the tokenizers' working text. Tokenizing into a typed
 * buffer and splitting it in place (instead of building strings with inserted spaces, collapsing
 * them and splitting again) is what makes BLEU tokenization allocation-free per segment.
 */
import { isPyWhitespace } from './pystr';

export class CodeUnits {
  data: Uint16Array;
  length = 0;

  constructor(capacity = 256) {
    this.data = new Uint16Array(capacity);
  }

  /** Empties the buffer and makes room for `capacity` units. */
  reset(capacity: number): void {
    this.length = 0;
    if (this.data.length < capacity) {
      let size = this.data.length * 2;
      while (size < capacity) size *= 2;
      this.data = new Uint16Array(size);
    }
  }

  /** Replaces the content with the code units of `text`. */
  setString(text: string): void {
    const n = text.length;
    this.reset(n);
    const data = this.data;
    for (let i = 0; i < n; i++) data[i] = text.charCodeAt(i);
    this.length = n;
  }

  /** Python's `' '.join(text.split())` of the content, as a string. */
  collapse(): string {
    const { data, length } = this;
    const words: string[] = [];
    let start = -1;
    for (let i = 0; i <= length; i++) {
      if (i === length || isPyWhitespace(data[i])) {
        if (start >= 0) words.push(unitsToString(data, start, i));
        start = -1;
      } else if (start < 0) start = i;
    }
    return words.join(' ');
  }
}

/** The string of `data[start..end)` (in chunks: `fromCharCode` takes its units as arguments). */
export function unitsToString(data: Uint16Array, start: number, end: number): string {
  const CHUNK = 4096;
  let out = '';
  for (let i = start; i < end; i += CHUNK) {
    out += String.fromCharCode(...data.subarray(i, Math.min(end, i + CHUNK)));
  }
  return out;
}
