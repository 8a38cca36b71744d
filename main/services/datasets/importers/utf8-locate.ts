/**
 * Finds where a file stops being valid UTF-8. Only used after TextDecoder (fatal) has rejected a
 * chunk: the decoder says that something is wrong, this says where, so the message can name a line.
 */
import type { FileHandle } from 'node:fs/promises';

/** Position of the first invalid UTF-8 sequence: its first byte, 1-based line, and the byte's value. */
export interface InvalidUtf8 {
  offset: number;
  line: number;
  byte: number;
}

/**
 * Streaming UTF-8 validator following the WHATWG decoder's rules (so it agrees with TextDecoder
 * on what is invalid). Feed it chunks in order; it remembers sequences split across chunks.
 */
export class Utf8Scanner {
  private offset = 0;
  private line = 1;
  private needed = 0;
  private lower = 0x80;
  private upper = 0xbf;
  private seqStart = 0;
  private seqLine = 1;
  private seqByte = 0;

  /** Scans one chunk; returns the first invalid sequence, or undefined if the chunk is fine so far. */
  feed(bytes: Uint8Array): InvalidUtf8 | undefined {
    for (let i = 0; i < bytes.length; i++, this.offset++) {
      const b = bytes[i];
      if (this.needed === 0) {
        if (b < 0x80) {
          if (b === 0x0a) this.line++;
          continue;
        }
        this.seqStart = this.offset;
        this.seqLine = this.line;
        this.seqByte = b;
        this.lower = 0x80;
        this.upper = 0xbf;
        if (b >= 0xc2 && b <= 0xdf) this.needed = 1;
        else if (b >= 0xe0 && b <= 0xef) {
          if (b === 0xe0) this.lower = 0xa0;
          if (b === 0xed) this.upper = 0x9f;
          this.needed = 2;
        } else if (b >= 0xf0 && b <= 0xf4) {
          if (b === 0xf0) this.lower = 0x90;
          if (b === 0xf4) this.upper = 0x8f;
          this.needed = 3;
        } else return this.invalid();
        continue;
      }
      if (b < this.lower || b > this.upper) return this.invalid();
      this.lower = 0x80;
      this.upper = 0xbf;
      this.needed--;
    }
    return undefined;
  }

  /** Call at end of input: a sequence cut off by the end of the file is invalid too. */
  end(): InvalidUtf8 | undefined {
    return this.needed > 0 ? this.invalid() : undefined;
  }

  private invalid(): InvalidUtf8 {
    return { offset: this.seqStart, line: this.seqLine, byte: this.seqByte };
  }
}

/** Re-reads an open file from the start and returns its first invalid UTF-8 sequence, if any. */
export async function locateInvalidUtf8(handle: FileHandle): Promise<InvalidUtf8 | undefined> {
  const scanner = new Utf8Scanner();
  const buffer = Buffer.allocUnsafe(1 << 20);
  let position = 0;
  for (;;) {
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) return scanner.end();
    position += bytesRead;
    const found = scanner.feed(buffer.subarray(0, bytesRead));
    if (found) return found;
  }
}

/**
 * Decodes a whole file's bytes as strict UTF-8 (a BOM is kept as U+FEFF, as Node's 'utf8' does);
 * on an invalid sequence returns where it is instead of replacing it with U+FFFD.
 */
export function decodeUtf8(bytes: Uint8Array): { text: string } | { invalid: InvalidUtf8 } {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes) };
  } catch {
    const scanner = new Utf8Scanner();
    return { invalid: scanner.feed(bytes) ?? scanner.end() ?? { offset: 0, line: 1, byte: 0 } };
  }
}

/** `FILE:LINE: invalid UTF-8 (byte 0xNN at offset N)` for messages. */
export function describeInvalidUtf8(file: string, found: InvalidUtf8): string {
  const byte = found.byte.toString(16).toUpperCase().padStart(2, '0');
  return `${file}:${found.line}: invalid UTF-8 (byte 0x${byte} at offset ${found.offset})`;
}
