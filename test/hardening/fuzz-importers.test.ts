// Property-based fuzzing of the dataset importers: random bytes, random text with every line end
// (LF, CR LF, lone CR, none), BOMs, quotes, delimiters and JSON fragments, fed to readDataset in
// each line-based format. Every input either imports or fails with a DatasetImportError that
// names the file — never another exception type, never a hang. Parquet is fuzzed in a child
// process (fuzz-parquet.test.ts), where an endless loop can be killed.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { DatasetImportError, readDataset } from '../../main/services/datasets/importers/index';
import type { ImportSpec } from '../../main/services/datasets/importers/index';
import { tempDir } from '../helpers/temp';
import { FUZZ_RUNS } from './corpus';
import { expectNoCrash } from './harness';

let dir: string;

beforeAll(async () => {
  dir = await tempDir('ecoeval-fuzz-import-');
});

const lineEnd = fc.constantFrom('\n', '\r\n', '\r', '', '\n\n');
const piece = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'source',
      'reference',
      '"',
      '""',
      ',',
      '\t',
      '{',
      '}',
      '[',
      ']',
      ':',
      '\\',
      '\ufeff',
      '\u0000',
      '\u2028',
      '\ud800',
      'é',
      '"source": "a"',
      '"reference": ["x", 1]',
    ),
  },
);
/** Text made of the pieces above, with random line ends. */
const text = fc
  .array(fc.tuple(piece, lineEnd), { maxLength: 30 })
  .map((parts) => parts.map(([p, e]) => p + e).join(''));
/** Delimited text with a header row that maps (mostly), quoted and unquoted fields. */
const delimited = (sep: string) =>
  fc
    .tuple(
      fc.constantFrom(`source${sep}reference`, `"source"${sep}reference`, `source`, ''),
      fc.array(fc.array(fc.oneof(fc.string({ maxLength: 8 }), piece), { maxLength: 4 }), {
        maxLength: 8,
      }),
      lineEnd,
    )
    .map(([header, rows, end]) => [header, ...rows.map((r) => r.join(sep))].join(end || '\n'));
/** JSON Lines: records with the mapped fields holding any JSON value, junk lines, cut-off ends. */
const jsonLines = fc
  .tuple(
    fc.array(
      fc.oneof(
        fc
          .record({ source: fc.jsonValue(), reference: fc.jsonValue() }, { requiredKeys: [] })
          .map((r) => JSON.stringify(r)),
        fc.record({ source: fc.string(), reference: fc.string() }).map((r) => JSON.stringify(r)),
        fc.json(),
        text,
      ),
      { maxLength: 8 },
    ),
    lineEnd,
    fc.nat(),
  )
  .map(([lines, end, cut]) => {
    const all = lines.join(end || '\n');
    return cut % 3 === 0 ? all.slice(0, cut % (all.length + 1)) : all;
  });

const content = (structured: fc.Arbitrary<string>) =>
  fc.oneof(
    { weight: 4, arbitrary: structured.map((s) => Buffer.from(s, 'utf8')) },
    { weight: 2, arbitrary: text.map((s) => Buffer.from(s, 'utf8')) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)) },
    {
      weight: 1,
      // Valid text with one byte overwritten (often invalid UTF-8 in the middle of a line).
      arbitrary: fc
        .tuple(structured, fc.nat(), fc.integer({ min: 0x80, max: 0xff }))
        .map(([s, at, byte]) => {
          const b = Buffer.from(s, 'utf8');
          if (b.length) b[at % b.length] = byte;
          return b;
        }),
    },
  );

/** Reads every batch; resolves with the row count, or rejects with what readDataset threw. */
async function readAll(spec: ImportSpec): Promise<number> {
  let rows = 0;
  for (const reader = readDataset(spec); ;) {
    const next = await reader.next();
    if (next.done) return rows;
    rows += next.value.rows.length;
  }
}

async function check(spec: ImportSpec, file: string): Promise<void> {
  try {
    const rows = await readAll(spec);
    expect(rows).toBeGreaterThan(0);
  } catch (error) {
    if (!(error instanceof DatasetImportError)) throw error;
    expect(error.message.startsWith(`${file}`) || error.file === '').toBe(true);
    expectNoCrash(error.message);
    expect(error.hint.length).toBeGreaterThan(0);
  }
}

const MAP = { source: 'source', references: ['reference'] };

describe('importers never throw anything but DatasetImportError (fast-check)', () => {
  it('text: a source and a reference file', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(content(text), content(text), async (source, reference) => {
        const n = run++;
        const src = join(dir, `text-${n}.src`);
        const ref = join(dir, `text-${n}.ref`);
        await writeFile(src, source);
        await writeFile(ref, reference);
        try {
          await readAll({
            format: 'text',
            kind: 'translation',
            sourceFile: src,
            referenceFiles: [ref],
          });
        } catch (error) {
          if (!(error instanceof DatasetImportError)) throw error;
          expect(error.message.startsWith(src) || error.message.startsWith(ref)).toBe(true);
          expectNoCrash(error.message);
        }
      }),
      { numRuns: FUZZ_RUNS.importerPerFormat },
    );
  });

  for (const [format, sep] of [
    ['tsv', '\t'],
    ['csv', ','],
  ] as const) {
    it(`${format}: header, quoted fields, ragged rows`, async () => {
      let run = 0;
      await fc.assert(
        fc.asyncProperty(
          content(delimited(sep)),
          fc.constantFrom('csv', 'none'),
          async (bytes, quoting) => {
            const file = join(dir, `${format}-${run++}.${format}`);
            await writeFile(file, bytes);
            await check({ format, kind: 'translation', file, mapping: MAP, quoting }, file);
          },
        ),
        { numRuns: FUZZ_RUNS.importerPerFormat },
      );
    });
  }

  it('jsonl: records with any JSON values, junk and cut-off lines', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(content(jsonLines), async (bytes) => {
        const file = join(dir, `jsonl-${run++}.jsonl`);
        await writeFile(file, bytes);
        await check({ format: 'jsonl', kind: 'translation', file, mapping: MAP }, file);
      }),
      { numRuns: FUZZ_RUNS.importerPerFormat },
    );
  });
});
