/**
 * rouge-score 0.1.2's default tokenizer (`tokenize.py`), plus the newline sentence split rougeLsum
 * uses, in two forms: `tokenizeRouge` returns strings exactly as rouge-score does (for tests and
 * debugging), and `RougeEncoder` returns integer token ids for the scorer.
 *
 * Steps: locale-independent full lowercase → every run outside ASCII `[a-z0-9]` is a separator →
 * tokens longer than 3 characters are Porter-stemmed (nltk) when stemming is on. Lowercasing comes
 * first because `İ` and the Kelvin sign lowercase into ASCII. No Unicode normalization.
 *
 * The encoder tokenizes each text once for every ROUGE type: since `\n` is itself a separator, the
 * whole-text token list is the concatenation of the per-line lists, so the line boundaries are
 * just offsets into one id array. Stems are memoised per word (rouge-score has no cache).
 */

import { porterStem } from './porter';

/** Bound on the shared stem memo so a long-lived process does not grow without limit. */
const STEM_CACHE_LIMIT = 200_000;
const stemCache = new Map<string, string>();

/** nltk Porter stem of one token, memoised across calls. */
function cachedStem(token: string): string {
  let stem = stemCache.get(token);
  if (stem === undefined) {
    stem = porterStem(token);
    if (stemCache.size >= STEM_CACHE_LIMIT) stemCache.clear();
    stemCache.set(token, stem);
  }
  return stem;
}

/** Empties the shared stem memo (benchmarks use it to time cold runs). */
export function clearStemCache(): void {
  stemCache.clear();
}

function isTokenChar(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 48 && code <= 57);
}

/** rouge-score's stemming rule: only tokens longer than 3 characters are stemmed. */
function normaliseToken(token: string, useStemmer: boolean): string {
  return useStemmer && token.length > 3 ? cachedStem(token) : token;
}

/**
 * Tokenizes like rouge-score's `tokenize.tokenize(text, stemmer)`.
 * @returns the tokens, stemmed when `useStemmer` is set.
 */
export function tokenizeRouge(text: string, options: { useStemmer: boolean }): string[] {
  const lower = text.toLowerCase();
  const tokens: string[] = [];
  let start = -1;
  for (let i = 0; i <= lower.length; i++) {
    const inToken = i < lower.length && isTokenChar(lower.charCodeAt(i));
    if (inToken) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      const token = normaliseToken(lower.slice(start, i), options.useStemmer);
      // rouge-score keeps only non-empty [a-z0-9]+ tokens after stemming.
      if (token.length > 0) tokens.push(token);
      start = -1;
    }
  }
  return tokens;
}

/**
 * rougeLsum's sentence split: `text.split("\n")` without empty pieces. Only `\n` splits; `\r`,
 * U+2028 and other line breaks do not.
 */
export function splitRougeSentences(text: string): string[] {
  return text.split('\n').filter((s) => s.length > 0);
}

/** A tokenized text as integer ids, with the lines rougeLsum needs as offsets. */
export interface EncodedText {
  /** Token ids of the whole text (what rougeN and rougeL score). */
  ids: Int32Array;
  /**
   * `lineStarts[k]..lineStarts[k+1]` is the k-th line with at least one token; length is the
   * number of such lines + 1. Lines without tokens change no rougeLsum score, so they are dropped.
   */
  lineStarts: Int32Array;
}

/**
 * Interns tokens of many texts into one id space, so equal (stemmed) tokens get equal ids and the
 * scorer can use typed arrays indexed by id. One encoder per scoring run.
 *
 * Raw tokens are looked up in an open-addressing table hashed while scanning, so the common case
 * (a word seen before) allocates no string; only new words are sliced, stemmed and interned.
 */
export class RougeEncoder {
  private readonly tokenToId = new Map<string, number>();
  /** Raw-token table: slot → char offset in `chars` (+1; 0 = empty), length, hash, id. */
  private slotOffset = new Int32Array(4096);
  private slotLength = new Int32Array(4096);
  private slotHash = new Int32Array(4096);
  private slotId = new Int32Array(4096);
  private slotsUsed = 0;
  /** Characters of every raw token in the table (ASCII only, so one byte each). */
  private chars = new Uint8Array(16384);
  private charsUsed = 0;
  private idBuffer = new Int32Array(256);
  private lineBuffer = new Int32Array(16);

  constructor(readonly useStemmer: boolean) {}

  /** Number of distinct (stemmed) tokens seen so far; every id is below it. */
  get vocabularySize(): number {
    return this.tokenToId.size;
  }

  /** Tokenizes `text` once, for every ROUGE type. */
  encode(text: string): EncodedText {
    const lower = text.toLowerCase();
    let ids = this.idBuffer;
    let lines = this.lineBuffer;
    let count = 0;
    let lineCount = 0;
    let lineOpen = false;
    let start = -1;
    let hash = 0;
    const length = lower.length;
    for (let i = 0; i <= length; i++) {
      const code = i < length ? lower.charCodeAt(i) : 10;
      if ((code >= 97 && code <= 122) || (code >= 48 && code <= 57)) {
        if (start < 0) {
          start = i;
          hash = 0x811c9dc5;
        }
        hash = Math.imul(hash ^ code, 0x01000193);
        continue;
      }
      if (start >= 0) {
        const id = this.idOf(lower, start, i - start, hash);
        start = -1;
        if (id >= 0) {
          if (count === ids.length) ids = this.idBuffer = grow(ids);
          if (!lineOpen) {
            if (lineCount + 1 >= lines.length) lines = this.lineBuffer = grow(lines);
            lines[lineCount++] = count;
            lineOpen = true;
          }
          ids[count++] = id;
        }
      }
      if (code === 10) lineOpen = false;
    }
    lines[lineCount] = count;
    return { ids: ids.slice(0, count), lineStarts: lines.slice(0, lineCount + 1) };
  }

  /** Id of the raw token `text[start, start+length)` after stemming; -1 if stemming left nothing. */
  private idOf(text: string, start: number, length: number, hash: number): number {
    const mask = this.slotOffset.length - 1;
    let slot = (hash ^ (hash >>> 15)) & mask;
    for (;;) {
      const offset = this.slotOffset[slot];
      if (offset === 0) break;
      if (this.slotHash[slot] === hash && this.slotLength[slot] === length) {
        const chars = this.chars;
        let k = 0;
        while (k < length && chars[offset - 1 + k] === text.charCodeAt(start + k)) k++;
        if (k === length) return this.slotId[slot];
      }
      slot = (slot + 1) & mask;
    }
    const raw = text.slice(start, start + length);
    const token = normaliseToken(raw, this.useStemmer);
    // rouge-score keeps only non-empty [a-z0-9]+ tokens after stemming.
    let id = token.length === 0 ? -1 : this.tokenToId.get(token);
    if (id === undefined) {
      id = this.tokenToId.size;
      this.tokenToId.set(token, id);
    }
    this.insert(slot, raw, hash, id);
    return id;
  }

  private insert(slot: number, raw: string, hash: number, id: number): void {
    if (this.charsUsed + raw.length > this.chars.length) {
      const bigger = new Uint8Array(Math.max(this.chars.length * 2, this.charsUsed + raw.length));
      bigger.set(this.chars);
      this.chars = bigger;
    }
    for (let k = 0; k < raw.length; k++) this.chars[this.charsUsed + k] = raw.charCodeAt(k);
    this.slotOffset[slot] = this.charsUsed + 1;
    this.slotLength[slot] = raw.length;
    this.slotHash[slot] = hash;
    this.slotId[slot] = id;
    this.charsUsed += raw.length;
    // Keep the table at most half full so probes stay short.
    if (++this.slotsUsed * 2 > this.slotOffset.length) this.rehash();
  }

  private rehash(): void {
    const old = [this.slotOffset, this.slotLength, this.slotHash, this.slotId];
    const size = this.slotOffset.length * 2;
    this.slotOffset = new Int32Array(size);
    this.slotLength = new Int32Array(size);
    this.slotHash = new Int32Array(size);
    this.slotId = new Int32Array(size);
    const mask = size - 1;
    const [offsets, lengths, hashes, idsOld] = old;
    for (let s = 0; s < offsets.length; s++) {
      if (offsets[s] === 0) continue;
      let slot = (hashes[s] ^ (hashes[s] >>> 15)) & mask;
      while (this.slotOffset[slot] !== 0) slot = (slot + 1) & mask;
      this.slotOffset[slot] = offsets[s];
      this.slotLength[slot] = lengths[s];
      this.slotHash[slot] = hashes[s];
      this.slotId[slot] = idsOld[s];
    }
  }
}

function grow(buffer: Int32Array): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(buffer.length * 2);
  bigger.set(buffer);
  return bigger;
}
