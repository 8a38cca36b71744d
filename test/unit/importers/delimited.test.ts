// CSV and TSV import: header mapping, quoting (pandas/HF style), line numbers and validation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse as parseSync } from 'csv-parse/sync';
import { parseRecords } from '../../../main/services/datasets/importers/delimited.js';
import { LineSource } from '../../../main/services/datasets/importers/line-source.js';
import {
  DatasetImportError,
  listColumns,
} from '../../../main/services/datasets/importers/index.js';
import { fixture, importError, readAll, tempFolder } from './helpers.js';

let temp: Awaited<ReturnType<typeof tempFolder>>;
beforeAll(async () => {
  temp = await tempFolder();
});
afterAll(async () => {
  await temp.cleanup();
});

describe('TSV import', () => {
  it('maps columns by header name, with two references and CSV-style quoted fields', async () => {
    const { rows, report } = await readAll({
      format: 'tsv',
      kind: 'translation',
      file: fixture('translation.tsv'),
      mapping: { source: 'en', references: ['de', 'de_alt'] },
    });
    expect(rows).toEqual([
      { source: 'Hello world.', references: ['Hallo Welt.', 'Hallo, Welt!'] },
      // Quote inside an unquoted field stays literal; a quoted field is unquoted with "" → ".
      { source: 'She said "hi".', references: ['Sie sagte "hallo", leise.', 'Sie sagte hallo.'] },
      { source: '', references: ['Leer.', 'Leer!'] },
    ]);
    expect(report.emptySegments).toEqual([{ field: 'en', count: 1, firstLines: [4] }]);
    expect(report.rows).toBe(3);
  });

  it('lists the header for the column mapping', async () => {
    expect(await listColumns(fixture('translation.tsv'), 'tsv')).toEqual([
      'id',
      'en',
      'de',
      'de_alt',
    ]);
  });

  it('keeps every quote as text with quoting "none"', async () => {
    const file = await temp.write('raw.tsv', 'src\tref\n"Yes" she said\t"Ja"\n');
    const { rows } = await readAll({
      format: 'tsv',
      kind: 'translation',
      file,
      mapping: { source: 'src', references: ['ref'] },
      quoting: 'none',
    });
    expect(rows).toEqual([{ source: '"Yes" she said', references: ['"Ja"'] }]);
  });

  it('names the line of a row with a missing tab', async () => {
    const file = await temp.write('short.tsv', 'src\tref\na\tb\nc\n');
    const error = await importError({
      format: 'tsv',
      kind: 'translation',
      file,
      mapping: { source: 'src', references: ['ref'] },
    });
    expect(error.line).toBe(3);
    expect(error.message).toBe(
      `${file}:3: row has 1 column but the header has 2. Every row needs one field per header column, separated by tabs; check for missing or extra tabs.`,
    );
  });

  it('suggests quoting "none" when a quoted field never closes', async () => {
    const file = await temp.write('open-quote.tsv', 'src\tref\nok\tfine\n"never closed\tx\n');
    const error = await importError({
      format: 'tsv',
      kind: 'translation',
      file,
      mapping: { source: 'src', references: ['ref'] },
    });
    expect(error.line).toBe(3);
    expect(error.message).toContain('a quoted field is never closed');
    expect(error.message).toContain('import with quoting "none"');
  });
});

describe('CSV import', () => {
  it('reads quoted commas and multi-line fields, and names lines by where records start', async () => {
    const { rows } = await readAll({
      format: 'csv',
      kind: 'translation',
      file: fixture('translation.csv'),
      mapping: { source: 'en', references: ['de'] },
    });
    expect(rows).toEqual([
      { source: 'Hello, world.', references: ['Hallo Welt.'] },
      { source: 'Two\nlines', references: ['Zwei Zeilen'] },
      { source: 'Good night.', references: ['Gute Nacht.'] },
    ]);
    // The record after the two-line field starts on line 5: its empty segment must say so.
    const file = await temp.write('lines.csv', 'en,de\n"a\nb",x\n,y\n');
    const { report } = await readAll({
      format: 'csv',
      kind: 'translation',
      file,
      mapping: { source: 'en', references: ['de'] },
    });
    expect(report.emptySegments).toEqual([{ field: 'en', count: 1, firstLines: [4] }]);
  });

  it('normalises BOM and CR LF and records them; skips blank lines in multi-column files', async () => {
    const file = await temp.write('bom.csv', '\ufeffen,de\r\na,b\r\n\r\nc,d\r\n');
    const { rows, report } = await readAll({
      format: 'csv',
      kind: 'translation',
      file,
      mapping: { source: 'en', references: ['de'] },
    });
    expect(rows).toEqual([
      { source: 'a', references: ['b'] },
      { source: 'c', references: ['d'] },
    ]);
    expect(report.normalisation).toEqual([
      { file, bomRemoved: true, crlfLines: 4, loneCrLines: 0 },
    ]);
  });

  it('names the line of a row with too many columns', async () => {
    const file = await temp.write('wide.csv', 'en,de\na,b\nc,d,e\n');
    const error = await importError({
      format: 'csv',
      kind: 'translation',
      file,
      mapping: { source: 'en', references: ['de'] },
    });
    expect(error.message).toBe(
      `${file}:3: row has 3 columns but the header has 2. Every row needs one field per header column; quote fields that contain commas, e.g. "a, b".`,
    );
  });

  it('lists the header when a mapped column does not exist', async () => {
    const error = await importError({
      format: 'csv',
      kind: 'translation',
      file: fixture('translation.csv'),
      mapping: { source: 'english', references: ['de', 'fr'] },
    });
    expect(error.line).toBe(1);
    expect(error.column).toBe('english');
    expect(error.message).toBe(
      `${fixture('translation.csv')}:1: no columns named "english", "fr"; the header has "id", "en", "de". Map columns that exist in the header row (names must match exactly, including case).`,
    );
  });

  it('rejects a mapping onto a duplicated header name', async () => {
    const file = await temp.write('dup.csv', 'en,de,de\na,b,c\n');
    const error = await importError({
      format: 'csv',
      kind: 'translation',
      file,
      mapping: { source: 'en', references: ['de'] },
    });
    expect(error.message).toContain(`${file}:1: the header has more than one column named "de"`);
  });

  it('names the line of a stray quote', async () => {
    const file = await temp.write('stray.csv', 'en,de\na,b\n"c"x,d\n');
    const error = await importError({
      format: 'csv',
      kind: 'translation',
      file,
      mapping: { source: 'en', references: ['de'] },
    });
    expect(error.line).toBe(3);
    expect(error.message).toContain('a quote is in the wrong place');
  });

  it('names the line where an unclosed quote opens, far from the end of the file', async () => {
    const file = await temp.write('unclosed.csv', 'en,de\na,b\n"open,x\n' + 'c,d\n'.repeat(5_000));
    const error = await importError({
      format: 'csv',
      kind: 'translation',
      file,
      mapping: { source: 'en', references: ['de'] },
    });
    expect(error.message).toBe(
      `${file}:3: a quoted field is never closed (the file ends inside quotes). Close the quote that opens the field, or write a quote inside a quoted field as "".`,
    );
  });

  it('names the line of invalid UTF-8', async () => {
    const file = await temp.write(
      'bad.csv',
      Buffer.concat([Buffer.from('en,de\na,b\n'), Buffer.from([0xff]), Buffer.from(',d\n')]),
    );
    const error = await importError({
      format: 'csv',
      kind: 'translation',
      file,
      mapping: { source: 'en', references: ['de'] },
    });
    expect(error.line).toBe(3);
    expect(error.message).toContain('invalid UTF-8 (byte 0xFF at offset 10)');
  });

  it('rejects a header with no data rows', async () => {
    const file = await temp.write('header-only.csv', 'en,de\n');
    const error = await importError({
      format: 'csv',
      kind: 'translation',
      file,
      mapping: { source: 'en', references: ['de'] },
    });
    expect(error.message).toBe(
      `${file}: file has a header row but no data rows. Choose the file that holds the data, with a header row first.`,
    );
  });

  it('reads many rows in batches of 10,000', async () => {
    const lines = ['text'];
    for (let i = 0; i < 20_500; i++) lines.push(i % 3 === 0 ? `"row, ${i}"` : `row ${i}`);
    const file = await temp.write('many.csv', lines.join('\n') + '\n');
    const { rows, batches } = await readAll({
      format: 'csv',
      kind: 'language-modelling',
      file,
      mapping: { source: 'text', references: [] },
    });
    expect(batches).toEqual([10_000, 10_000, 500]);
    expect(rows[20_498].source).toBe('row 20498');
    expect(rows[3].source).toBe('row, 3');
  });
});

describe('fast path agrees with csv-parse (property)', () => {
  const pieces = ['a', 'b c', '"', '""', ',', '\t', '\n', 'ß'];
  const text = fc
    .array(fc.constantFrom(...pieces), { minLength: 1, maxLength: 40 })
    .map((parts) => parts.join(''));
  for (const [format, quoting] of [
    ['csv', 'csv'],
    ['tsv', 'csv'],
    ['tsv', 'none'],
  ] as const) {
    it(`${format} with quoting ${quoting}: same records, start lines and failures`, async () => {
      let run = 0;
      await fc.assert(
        fc.asyncProperty(text, async (content) => {
          const file = await temp.write(`prop-${format}-${quoting}-${run++}.txt`, content);
          let expected: { fields: string[]; line: number }[] | undefined;
          try {
            const parsed = parseSync(content, {
              delimiter: format === 'tsv' ? '\t' : ',',
              record_delimiter: '\n',
              quote: quoting === 'none' ? false : '"',
              relax_quotes: format === 'tsv',
              relax_column_count: true,
              info: true,
            }) as unknown as { record: string[]; info: { lines: number } }[];
            let line = 1;
            expected = parsed.map(({ record, info }) => {
              const start = line;
              line = info.lines + 1;
              return { fields: record, line: start };
            });
          } catch {
            expected = undefined;
          }
          const source = await LineSource.open(file, 1 << 20);
          try {
            const actual: { fields: string[]; line: number }[] = [];
            for await (const chunk of parseRecords(source, format, quoting)) actual.push(...chunk);
            expect(actual).toEqual(expected);
          } catch (error) {
            if (expected !== undefined) throw error;
            expect(error).toBeInstanceOf(DatasetImportError);
          } finally {
            await source.close();
          }
        }),
        { numRuns: 300 },
      );
    });
  }
});
