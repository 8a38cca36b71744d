/**
 * Writes generated datasets to disk in the exact byte form the tests hash: UTF-8, LF line ends,
 * one segment per line, no trailing spaces and a final newline.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Name and size of one written file, for the summary printed by `main.ts` and the cards. */
export interface WrittenFile {
  path: string;
  bytes: number;
  lines: number;
}

/** Throws if a segment would break the one-segment-per-line contract. */
function checkSegment(segment: string, file: string): void {
  if (segment.length === 0) throw new Error(`${file}: empty segment`);
  if (/[\r\n]/.test(segment)) throw new Error(`${file}: segment contains a line break`);
  if (segment !== segment.trim()) throw new Error(`${file}: segment has outer whitespace`);
}

/** Writes `lines` as a plain-text file, one per line. */
export function writeLines(dir: string, name: string, lines: readonly string[]): WrittenFile {
  for (const line of lines) checkSegment(line, name);
  return writeText(dir, name, lines.join('\n') + '\n', lines.length);
}

/** Writes one JSON object per line (JSON Lines); `JSON.stringify` escapes inner newlines. */
export function writeJsonLines(dir: string, name: string, rows: readonly object[]): WrittenFile {
  const lines = rows.map((row) => JSON.stringify(row));
  return writeText(dir, name, lines.join('\n') + '\n', lines.length);
}

/** Writes pretty JSON (two-space indent) with a final newline. */
export function writeJson(dir: string, name: string, value: unknown): WrittenFile {
  const text = JSON.stringify(value, null, 2) + '\n';
  return writeText(dir, name, text, text.split('\n').length - 1);
}

/** Writes any text file (the dataset cards). */
export function writeText(dir: string, name: string, text: string, lines?: number): WrittenFile {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, text, 'utf8');
  return {
    path,
    bytes: Buffer.byteLength(text, 'utf8'),
    lines: lines ?? text.split('\n').length - 1,
  };
}
