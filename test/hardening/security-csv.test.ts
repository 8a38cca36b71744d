// CSV (formula) injection in batch reports: results.csv and each run's segments.csv are opened in
// spreadsheets, which run a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return as a
// formula. A report is run end to end (`ecoeval report run`, in-process, imported outputs: no
// model) with such text as system names, a dataset name, sources, references and hypotheses; every
// text cell that could run must come out with a leading `'`, the text otherwise intact (read back
// with csv-parse), while numbers — including the negative score deltas against the baseline — stay
// plain numbers.
import { readFileSync, readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { csvField, csvRows } from '../../main/services/report/render/csv';
import { inertCsvText } from '../../main/services/report/render/csv-cell';
import { tempDir } from '../helpers/temp';
import { report, writePlan } from '../unit/report/helpers';

// A real report run on a shared 2-core machine: allow well over the default 5 s per test.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const HYPERLINK = '=HYPERLINK("http://x","y")';
const SYSTEM_A = HYPERLINK;
const SYSTEM_B = '@SUM(1)';
const DATASET = '+1 set';
const SOURCES = ['-2+3', '@SUM(A1:A9)', 'plain words here', '+cmd|/C calc'];
const REFERENCES = ['one two three four', 'five six seven eight', 'nine ten eleven', '=1+1'];
// System A: hostile and wrong (so its delta against the baseline is negative); B: the references.
const HYPOTHESES_A = [HYPERLINK, '-2+3', '@SUM(1)', '+1'];

/** Would a spreadsheet evaluate this cell? (OWASP's list of first characters.) */
const runnable = (cell: string) => /^[=+\-@\t\r]/.test(cell);

let results: Record<string, string>[];
let segments: Record<string, string>[][];

beforeAll(async () => {
  const ws = await tempDir('ecoeval-hardening-csv-ws-');
  const dir = await tempDir('ecoeval-hardening-csv-');
  await writeFile(join(dir, 'set.src'), SOURCES.join('\n') + '\n');
  await writeFile(join(dir, 'set.ref'), REFERENCES.join('\n') + '\n');
  await writeFile(join(dir, 'a.txt'), HYPOTHESES_A.join('\n') + '\n');
  await writeFile(join(dir, 'b.txt'), REFERENCES.join('\n') + '\n');
  const yaml = (s: string) => JSON.stringify(s);
  await writePlan(
    dir,
    'plan.yaml',
    `title: CSV injection
datasets:
  - { name: ${yaml(DATASET)}, kind: translation, source: set.src, references: [set.ref] }
systems:
  - { outputs: a.txt, name: ${yaml(SYSTEM_A)} }
  - { outputs: b.txt, name: ${yaml(SYSTEM_B)} }
metrics: { use: [bleu, chrf], bootstrap: 0, pairedResamples: 10 }
energy: { measure: false }
baseline: ${yaml(SYSTEM_B)}
`,
  );
  const result = await report(['run', 'plan.yaml', '--out', 'out', '--workspace', ws], {
    cwd: dir,
  });
  expect(result.err).not.toMatch(/internal error/i);
  expect(result.code).toBe(0);
  const read = (file: string) =>
    parse(readFileSync(file, 'utf8'), { columns: true }) as Record<string, string>[];
  results = read(join(dir, 'out', 'results.csv'));
  const runs = join(dir, 'out', 'runs');
  segments = readdirSync(runs, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => read(join(runs, e.name, 'segments.csv')));
}, 120_000);

describe('results.csv and segments.csv with formula text', () => {
  it('prefixes every text cell a spreadsheet would run with a quote; numbers stay numbers', () => {
    const cells = [...results, ...segments.flat()].flatMap((row) => Object.values(row));
    expect(cells.length).toBeGreaterThan(50);
    for (const cell of cells) {
      // Only a plain number may start with `-` or `+` (a negative delta, say).
      if (runnable(cell)) expect(Number.isFinite(Number(cell)), cell).toBe(true);
    }
  });

  it('keeps the text otherwise intact (read back with a CSV parser)', () => {
    const systems = new Set(results.map((r) => r.system));
    expect(systems).toEqual(new Set([`'${SYSTEM_A}`, `'${SYSTEM_B}`]));
    expect(results.every((r) => r.run_name.startsWith("'"))).toBe(true);
    expect(results.map((r) => r.run_name.slice(1))).toContain(`${SYSTEM_A} · ${DATASET} (test)`);
    const rowsOfA = segments.find((rows) => rows.some((r) => r.hypothesis.includes('HYPERLINK')));
    expect(rowsOfA).toBeDefined();
    expect(rowsOfA!.map((r) => r.hypothesis)).toEqual(HYPOTHESES_A.map((h) => `'${h}`));
    expect(rowsOfA!.map((r) => r.source)).toEqual(SOURCES.map(inertCsvText));
    expect(rowsOfA!.map((r) => r.reference)).toEqual(REFERENCES.map(inertCsvText));
    // Stripping the one added quote gives back exactly what was written.
    const unquote = (cell: string) =>
      cell.startsWith("'") && runnable(cell.slice(1)) ? cell.slice(1) : cell;
    expect(rowsOfA!.map((r) => unquote(r.hypothesis))).toEqual(HYPOTHESES_A);
    expect(rowsOfA!.map((r) => unquote(r.source))).toEqual(SOURCES);
  });

  it('writes negative numbers as numbers, without the quote', () => {
    const deltas = results
      .filter((r) => r.system === `'${SYSTEM_A}`)
      .map((r) => r.delta_vs_baseline);
    expect(deltas.length).toBeGreaterThan(0);
    for (const delta of deltas) {
      expect(delta).toMatch(/^-\d/);
      expect(Number(delta)).toBeLessThan(0);
    }
    for (const row of results) {
      expect(Number.isFinite(Number(row.score)), row.score).toBe(true);
      expect(row.segments).toBe(String(SOURCES.length));
    }
    for (const row of segments.flat()) expect(Number(row.line)).toBeGreaterThan(0);
  });
});

describe('the CSV cell writer', () => {
  it('guards text starting with = + - @ tab or CR, and nothing else', () => {
    expect(csvField(HYPERLINK)).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvField('@SUM(1)')).toBe("'@SUM(1)");
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('-2+3')).toBe("'-2+3");
    expect(csvField('\t=1+1')).toBe("'\t=1+1");
    expect(csvField('\r=1+1')).toBe(`"'\r=1+1"`);
    // Text that merely looks like a number is still text; a number is written as a number.
    expect(csvField('-1.5')).toBe("'-1.5");
    expect(csvField(-1.5)).toBe('-1.5');
    expect(csvField(-0)).toBe('0');
    expect(csvField(false)).toBe('false');
    for (const safe of ['plain', 'a=b', ' =1', "'=1", '1+1', 'x@y', '']) {
      expect(csvField(safe), safe).toBe(safe);
    }
    const text = csvRows([
      ['name', 'delta'],
      ['=1+1', -2.25],
      ['-x', 3],
    ]);
    expect(parse(text)).toEqual([
      ['name', 'delta'],
      ["'=1+1", '-2.25'],
      ["'-x", '3'],
    ]);
  });
});
