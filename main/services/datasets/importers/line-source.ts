/**
 * Reads a text file as lines, the base of the text, jsonl and delimited readers. Decodes strictly
 * as UTF-8 (an invalid byte is an error naming its line), removes a leading BOM, turns CR LF line
 * ends into LF, and records both. Lines are split on LF only, as sacreBLEU does; a CR elsewhere
 * is kept and counted. A final line end does not start another (empty) line.
 */
import { openInputFile } from './open-file.js';
import type { OpenedFile } from './open-file.js';
import { DatasetImportError } from './types.js';
import type { FileNormalisation } from './types.js';
import { locateInvalidUtf8 } from './utf8-locate.js';

const CHUNK_BYTES = 1 << 20;
/** A line longer than this is almost certainly not one-segment-per-line text (e.g. CR-only line ends). */
export const MAX_LINE_CHARS = 256 << 20;

/** Sequential access to the lines of one file; call close() when done. */
export class LineSource {
  readonly normalisation: FileNormalisation;
  /** Lines handed out so far; the last one handed out has this 1-based line number. */
  linesRead = 0;

  private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  private readonly buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  private lines: string[] = [];
  private next = 0;
  /** The unfinished last line, in the pieces it arrived in (joined once its end is seen). */
  private pending: string[] = [];
  private pendingChars = 0;
  private started = false;
  private eof = false;

  private constructor(private readonly opened: OpenedFile) {
    this.normalisation = { file: opened.file, bomRemoved: false, crlfLines: 0, loneCrLines: 0 };
  }

  /** Opens `file` after the common checks (exists, not a folder, not empty, within maxBytes). */
  static async open(file: string, maxBytes: number): Promise<LineSource> {
    return new LineSource(await openInputFile(file, maxBytes));
  }

  get file(): string {
    return this.opened.file;
  }

  get size(): number {
    return this.opened.size;
  }

  /** Returns up to `max` further lines; fewer only at the end of the file, [] after it. */
  async take(max: number): Promise<string[]> {
    const out: string[] = [];
    while (out.length < max) {
      if (this.next === this.lines.length) {
        if (this.eof) break;
        await this.fill();
        continue;
      }
      const room = Math.min(max - out.length, this.lines.length - this.next);
      for (let i = 0; i < room; i++) out.push(this.lines[this.next + i]);
      this.next += room;
    }
    this.linesRead += out.length;
    return out;
  }

  /** Counts the remaining lines without keeping them (for line-count mismatch messages). */
  async countRest(): Promise<number> {
    let total = this.linesRead;
    for (;;) {
      const lines = await this.take(100_000);
      if (lines.length === 0) return total;
      total += lines.length;
    }
  }

  async close(): Promise<void> {
    await this.opened.handle.close();
  }

  private async fill(): Promise<void> {
    const { bytesRead } = await this.opened.handle.read(this.buffer, 0, CHUNK_BYTES, null);
    let text: string;
    try {
      if (bytesRead === 0) {
        this.eof = true;
        text = this.decoder.decode();
      } else {
        const bytes = this.buffer.subarray(0, bytesRead);
        if (!this.started) await this.rejectBinary(bytes);
        text = this.decoder.decode(bytes, { stream: true });
      }
    } catch (error) {
      if (error instanceof DatasetImportError) throw error;
      throw await this.invalidUtf8Error();
    }
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) {
        text = text.slice(1);
        this.normalisation.bomRemoved = true;
      }
    }
    this.split(text);
  }

  private split(text: string): void {
    if (!this.eof && text.indexOf('\n') === -1) {
      // Still inside one line: keep the piece; joining on every chunk would be quadratic.
      this.pending.push(text);
      this.pendingChars += text.length;
      this.checkLineLength(0);
      return;
    }
    this.pending.push(text);
    const joined = this.pending.join('');
    const parts = joined.split('\n');
    const rest = this.eof ? '' : (parts.pop() as string);
    this.pending = rest ? [rest] : [];
    this.pendingChars = rest.length;
    if (this.eof && parts[parts.length - 1] === '') parts.pop();
    this.checkLineLength(parts.length);
    if (joined.indexOf('\r') !== -1) this.normaliseLineEnds(parts);
    // Keep what is not yet handed out; drop what is.
    if (this.next < this.lines.length) {
      const rest = this.lines.slice(this.next);
      for (const part of parts) rest.push(part);
      this.lines = rest;
    } else {
      this.lines = parts;
    }
    this.next = 0;
  }

  /** Refuses an unfinished line over MAX_LINE_CHARS; `newLines` complete lines precede it. */
  private checkLineLength(newLines: number): void {
    if (this.pendingChars <= MAX_LINE_CHARS) return;
    throw new DatasetImportError({
      file: this.file,
      line: this.linesRead + this.lines.length - this.next + newLines + 1,
      problem: `line is longer than ${MAX_LINE_CHARS.toLocaleString('en-US')} characters`,
      hint: 'Check that the file has one segment per line with LF or CR LF line ends',
    });
  }

  private normaliseLineEnds(parts: string[]): void {
    // At the end of the file the remaining part is a last line without LF, so its CR is lone.
    const lastHasEnd = !this.eof;
    for (let i = 0; i < parts.length; i++) {
      let line = parts[i];
      if (line.indexOf('\r') === -1) continue;
      if (line.charCodeAt(line.length - 1) === 13 && (i < parts.length - 1 || lastHasEnd)) {
        line = line.slice(0, -1);
        parts[i] = line;
        this.normalisation.crlfLines++;
      }
      if (line.indexOf('\r') !== -1) this.normalisation.loneCrLines++;
    }
  }

  /** Catches the two binary files users most often pick by mistake, before they read as bad UTF-8. */
  private async rejectBinary(bytes: Uint8Array): Promise<void> {
    if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
      throw new DatasetImportError({
        file: this.file,
        problem: 'file is gzip-compressed',
        hint: 'Decompress it first (e.g. gunzip), then import the uncompressed file',
      });
    }
    if (this.size >= 12 && isParquetMagic(bytes.subarray(0, 4))) {
      const tail = Buffer.alloc(4);
      await this.opened.handle.read(tail, 0, 4, this.size - 4);
      if (!isParquetMagic(tail)) return;
      throw new DatasetImportError({
        file: this.file,
        problem: 'file is a Parquet file',
        hint: 'Choose the Parquet format for it',
      });
    }
  }

  private async invalidUtf8Error(): Promise<DatasetImportError> {
    const found = await locateInvalidUtf8(this.opened.handle);
    const hint =
      'Save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8 in.txt > out.txt`) and import it again';
    if (!found) {
      return new DatasetImportError({ file: this.file, problem: 'invalid UTF-8', hint });
    }
    const byte = found.byte.toString(16).toUpperCase().padStart(2, '0');
    return new DatasetImportError({
      file: this.file,
      line: found.line,
      problem: `invalid UTF-8 (byte 0x${byte} at offset ${found.offset})`,
      hint,
    });
  }
}

function isParquetMagic(bytes: Uint8Array): boolean {
  return bytes[0] === 0x50 && bytes[1] === 0x41 && bytes[2] === 0x52 && bytes[3] === 0x31;
}
