/**
 * Import benchmark: reads 1,000,000-segment datasets through readDataset (text pair, CSV, JSON
 * Lines) and reports wall time and peak RSS while reading. Files are generated in a temp folder
 * first. Goals: the whole import (reading + the dataset service's writing) < 10 s and < 500 MB;
 * the reading part alone aims at ≤ 3 s for the text pair so writing has room.
 */
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDataset } from '../../main/services/datasets/importers/index.js';
import type { ImportSpec } from '../../main/services/datasets/importers/index.js';
import type { BenchFigure, BenchSuite } from './types.js';

const SEGMENTS = 1_000_000;
const MB = 1024 * 1024;

const words = [
  'the',
  'energy',
  'model',
  'translation',
  'quality',
  'über',
  'straße',
  'measured',
  'größer',
  'system',
  'déjà',
  'vu',
  'small',
  'large',
  'reference',
  'Übersetzung',
  'kWh',
  'per',
  'token',
];

/** Deterministic sentence of about 60 characters (some non-ASCII, as in real test sets). */
function sentence(i: number, salt: number): string {
  const parts: string[] = [];
  let state = (i * 2654435761 + salt) >>> 0;
  let length = 0;
  while (length < 56) {
    state = (state * 1103515245 + 12345) >>> 0;
    const word = words[state % words.length];
    parts.push(word);
    length += word.length + 1;
  }
  return parts.join(' ') + '.';
}

/** Writes `SEGMENTS` lines made by `line(i)` to `path`, 10,000 at a time to keep memory flat. */
async function writeLines(
  path: string,
  line: (i: number) => string,
  header?: string,
): Promise<void> {
  const handle = await open(path, 'w');
  try {
    if (header !== undefined) await handle.write(header + '\n');
    for (let start = 0; start < SEGMENTS; start += 10_000) {
      const lines: string[] = [];
      for (let i = start; i < start + 10_000; i++) lines.push(line(i));
      await handle.write(lines.join('\n') + '\n');
    }
  } finally {
    await handle.close();
  }
}

/** Reads a whole dataset, touching every segment; returns seconds, peak RSS (MB) and checks. */
async function measure(
  spec: ImportSpec,
): Promise<{ seconds: number; peakMb: number; rows: number; chars: number }> {
  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 10);
  const started = performance.now();
  let rows = 0;
  let chars = 0;
  try {
    const generator = readDataset(spec);
    for (;;) {
      const next = await generator.next();
      if (next.done) break;
      for (const row of next.value.rows) {
        chars += row.source.length;
        for (const ref of row.references) chars += ref.length;
      }
      rows += next.value.rows.length;
      peak = Math.max(peak, process.memoryUsage.rss());
    }
  } finally {
    clearInterval(sampler);
  }
  return { seconds: (performance.now() - started) / 1000, peakMb: peak / MB, rows, chars };
}

export const suite: BenchSuite = async (log) => {
  const dir = await mkdtemp(join(tmpdir(), 'ecoeval-bench-import-'));
  const figures: BenchFigure[] = [];
  try {
    const src = join(dir, 'test.en');
    const ref = join(dir, 'test.de');
    const csv = join(dir, 'test.csv');
    const jsonl = join(dir, 'test.jsonl');
    log(`generating 1,000,000-segment files in ${dir} …`);
    await writeLines(src, (i) => sentence(i, 1));
    await writeLines(ref, (i) => sentence(i, 2));
    // pandas-style CSV: fields with commas or quotes are quoted.
    await writeLines(
      csv,
      (i) => `"${sentence(i, 1).replace(' ', ', ')}",${sentence(i, 2)}`,
      'en,de',
    );
    await writeLines(jsonl, (i) =>
      JSON.stringify({ id: i, translation: { en: sentence(i, 1), de: sentence(i, 2) } }),
    );

    const cases: { label: string; spec: ImportSpec; goalSeconds: number }[] = [
      {
        label: 'text pair (source + 1 reference)',
        spec: { format: 'text', kind: 'translation', sourceFile: src, referenceFiles: [ref] },
        goalSeconds: 3,
      },
      {
        label: 'CSV (2 columns, quoted fields)',
        spec: {
          format: 'csv',
          kind: 'translation',
          file: csv,
          mapping: { source: 'en', references: ['de'] },
        },
        goalSeconds: 10,
      },
      {
        label: 'JSON Lines (HF nested translation)',
        spec: {
          format: 'jsonl',
          kind: 'translation',
          file: jsonl,
          mapping: { source: 'translation.en', references: ['translation.de'] },
        },
        goalSeconds: 10,
      },
    ];
    for (const { label, spec, goalSeconds } of cases) {
      const result = await measure(spec);
      if (result.rows !== SEGMENTS)
        throw new Error(`${label}: read ${result.rows} rows, expected ${SEGMENTS}`);
      log(
        `import ${label}: ${result.rows.toLocaleString('en-US')} rows, ${(result.chars / 1e6).toFixed(1)} M chars ` +
          `in ${result.seconds.toFixed(2)} s, peak RSS ${result.peakMb.toFixed(0)} MB`,
      );
      figures.push(
        {
          name: `Import read time, ${label}, 1,000,000 rows`,
          value: Number(result.seconds.toFixed(3)),
          unit: 's',
          goal: `< ${goalSeconds} s (reading only)`,
          met: result.seconds < goalSeconds,
        },
        {
          name: `Import peak RSS, ${label}, 1,000,000 rows`,
          value: Math.round(result.peakMb),
          unit: 'MB',
          goal: '< 500 MB',
          met: result.peakMb < 500,
        },
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return figures;
};
