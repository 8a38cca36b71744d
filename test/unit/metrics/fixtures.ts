/** Loads the sacreBLEU 2.6.0 MT fixtures copied into test/fixtures/metrics/mt. */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const MT_FIXTURES = fileURLToPath(new URL('../../fixtures/metrics/mt/', import.meta.url));

/** One `case-A-NN.json` file (fields we use). */
export interface MtCase {
  id: string;
  hyps: string[];
  refs: (string | null)[][];
  expected: {
    bleu: Record<string, unknown>[];
    chrf: Record<string, unknown>[];
    sentence: { bleu: Record<string, unknown>[]; chrf: number[]; bleu_signature_seg0: string };
  };
}

/** All 30 cases, in file order. */
export function loadCases(): MtCase[] {
  return readdirSync(MT_FIXTURES)
    .filter((f) => /^case-A-\d+\.json$/.test(f))
    .sort()
    .map((f) => JSON.parse(readFileSync(MT_FIXTURES + f, 'utf8')) as MtCase);
}

/** Reads another JSON fixture from the folder. */
export function loadJson<T>(name: string): T {
  return JSON.parse(readFileSync(MT_FIXTURES + name, 'utf8')) as T;
}

/** A signature or text line with the trailing `version:...` value removed (ours differs). */
export function withoutVersion(text: string): string {
  return text.replace(/\|(version|v):[^\s|]*/, '|$1:*');
}
