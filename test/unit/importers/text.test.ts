// Plain-text (sacreBLEU-style) import: parallel files, normalisation, validation, and a round-trip property.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fixture, importError, readAll, tempFolder } from './helpers.js';

let temp: Awaited<ReturnType<typeof tempFolder>>;
beforeAll(async () => {
  temp = await tempFolder();
});
afterAll(async () => {
  await temp.cleanup();
});

describe('text import', () => {
  it('reads a source file with two parallel reference files', async () => {
    const { rows, report } = await readAll({
      format: 'text',
      kind: 'translation',
      sourceFile: fixture('src.en'),
      referenceFiles: [fixture('ref1.de'), fixture('ref2.de')],
    });
    expect(rows).toEqual([
      { source: 'Hello world.', references: ['Hallo Welt.', 'Hallo, Welt!'] },
      { source: 'The cat sat.', references: ['Die Katze saß.', 'Die Katze hat gesessen.'] },
      { source: 'Good night.', references: ['Gute Nacht.', 'Gute Nacht!'] },
    ]);
    expect(report.rows).toBe(3);
    expect(report.emptySegments).toEqual([]);
    expect(report.sourceBytes).toBe(38 + 40 + 49);
    expect(report.normalisation.map((n) => n.file)).toEqual([
      fixture('src.en'),
      fixture('ref1.de'),
      fixture('ref2.de'),
    ]);
  });

  it('reads system outputs without references and keeps segments exactly (spaces, tabs)', async () => {
    const file = await temp.write('hyp.txt', '  leading\ttab  \ntrailing space \n');
    const { rows } = await readAll({ format: 'text', kind: 'system-outputs', sourceFile: file });
    expect(rows).toEqual([
      { source: '  leading\ttab  ', references: [] },
      { source: 'trailing space ', references: [] },
    ]);
  });

  it('removes a BOM and CR LF line ends and records both', async () => {
    const { rows, report } = await readAll({
      format: 'text',
      kind: 'translation',
      sourceFile: fixture('bom-crlf.en'),
      referenceFiles: [fixture('ref1.de')],
    });
    expect(rows.map((r) => r.source)).toEqual(['Hello world.', 'The cat sat.', 'Good night.']);
    expect(report.normalisation[0]).toEqual({
      file: fixture('bom-crlf.en'),
      bomRemoved: true,
      crlfLines: 3,
      loneCrLines: 0,
    });
    expect(report.normalisation[1]).toMatchObject({ bomRemoved: false, crlfLines: 0 });
  });

  it('keeps lone CRs as text and counts them (lines split on LF only, like sacreBLEU)', async () => {
    const file = await temp.write('cr.txt', 'a\rb\nc\r\nd\r');
    const { rows, report } = await readAll({
      format: 'text',
      kind: 'language-modelling',
      sourceFile: file,
    });
    expect(rows.map((r) => r.source)).toEqual(['a\rb', 'c', 'd\r']);
    expect(report.normalisation[0]).toMatchObject({ crlfLines: 1, loneCrLines: 2 });
  });

  it('does not turn a final newline into an empty segment, but keeps real empty lines', async () => {
    const withNewline = await temp.write('nl.txt', 'a\n\nb\n');
    const without = await temp.write('no-nl.txt', 'a\n\nb');
    for (const file of [withNewline, without]) {
      const { rows } = await readAll({
        format: 'text',
        kind: 'language-modelling',
        sourceFile: file,
      });
      expect(rows.map((r) => r.source)).toEqual(['a', '', 'b']);
    }
  });

  it('counts empty segments per file with their first line numbers', async () => {
    const src = await temp.write('e-src.txt', 'a\n\nc\n\ne\n');
    const ref = await temp.write('e-ref.txt', 'A\nB\n\nD\nE\n');
    const { rows, report } = await readAll({
      format: 'text',
      kind: 'translation',
      sourceFile: src,
      referenceFiles: [ref],
    });
    expect(rows).toHaveLength(5);
    expect(report.emptySegments).toEqual([
      { field: src, count: 2, firstLines: [2, 4] },
      { field: ref, count: 1, firstLines: [3] },
    ]);
  });

  it('reads large files in batches of 10,000 rows across chunk boundaries', async () => {
    const lines = Array.from({ length: 25_003 }, (_, i) => `segment ${i} ${'é'.repeat(i % 97)}`);
    const file = await temp.write('big.txt', lines.join('\n') + '\n');
    const { rows, batches } = await readAll({
      format: 'text',
      kind: 'language-modelling',
      sourceFile: file,
    });
    expect(batches).toEqual([10_000, 10_000, 5_003]);
    expect(rows.map((r) => r.source)).toEqual(lines);
  });

  it('names both files, both counts and where the shorter ends when line counts differ', async () => {
    const src = await temp.write('long.en', 'a\nb\nc\nd\n');
    const ref = await temp.write('short.de', 'A\nB\nC\n');
    const error = await importError({
      format: 'text',
      kind: 'translation',
      sourceFile: src,
      referenceFiles: [ref],
    });
    expect(error.file).toBe(ref);
    expect(error.line).toBe(3);
    expect(error.message).toBe(
      `${ref}:3: ${ref} has 3 lines but ${src} has 4; ${ref} ends at line 3. ` +
        'Parallel files need one segment per line and the same number of lines; check that both belong to the same test set and none was cut short.',
    );
  });

  it('reports a longer reference file against the source too, counting past the batch', async () => {
    const src = await temp.write('n.en', 'x\n'.repeat(10_001));
    const ref = await temp.write('n.de', 'y\n'.repeat(12_345));
    const error = await importError({
      format: 'text',
      kind: 'translation',
      sourceFile: src,
      referenceFiles: [ref],
    });
    expect(error.file).toBe(src);
    expect(error.message).toContain(`${src}:10001: ${src} has 10,001 lines but ${ref} has 12,345`);
  });

  it('names the line of an invalid UTF-8 byte', async () => {
    const bytes = Buffer.concat([
      Buffer.from('fine\nalso fine\ncaf'),
      Buffer.from([0xe9]), // Latin-1 é
      Buffer.from(' au lait\n'),
    ]);
    const file = await temp.write('latin1.txt', bytes);
    const error = await importError({ format: 'text', kind: 'system-outputs', sourceFile: file });
    expect(error.line).toBe(3);
    expect(error.message).toMatch(
      new RegExp(
        `^${escape(file)}:3: invalid UTF-8 \\(byte 0xE9 at offset 18\\)\\. Save the file as UTF-8`,
      ),
    );
  });

  it('finds an invalid byte far into the file (after the first chunk)', async () => {
    const head = 'x'.repeat(99) + '\n';
    const bytes = Buffer.concat([
      Buffer.from(head.repeat(30_000)),
      Buffer.from([0xc3, 0x28, 0x0a]),
    ]);
    const file = await temp.write('late.txt', bytes);
    const error = await importError({ format: 'text', kind: 'system-outputs', sourceFile: file });
    expect(error.line).toBe(30_001);
  });

  it('rejects a sequence cut off by the end of the file', async () => {
    const file = await temp.write('cut.txt', Buffer.from([0x61, 0x0a, 0xe2, 0x82]));
    const error = await importError({ format: 'text', kind: 'system-outputs', sourceFile: file });
    expect(error.line).toBe(2);
  });

  it('rejects a file with only a byte order mark', async () => {
    const file = await temp.write('bom-only.txt', '\ufeff');
    const error = await importError({ format: 'text', kind: 'system-outputs', sourceFile: file });
    expect(error.message).toBe(
      `${file}: file has no lines (only a byte order mark). Choose the file that holds the segments.`,
    );
  });

  it('rejects gzip files with a hint to decompress', async () => {
    const file = await temp.write('data.txt.gz', Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00]));
    const error = await importError({ format: 'text', kind: 'system-outputs', sourceFile: file });
    expect(error.message).toContain('file is gzip-compressed. Decompress it first');
  });
});

describe('text round trip (property)', () => {
  it('any strings without line breaks, written one per line, read back unchanged', async () => {
    const segment = fc.string({ unit: 'grapheme', maxLength: 30 }).filter((s) => !/[\n\r]/.test(s));
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(segment, { minLength: 1, maxLength: 40 }),
        fc.boolean(),
        async (segments, finalNewline) => {
          // Without a final newline a trailing empty segment cannot be told from a line end (and a
          // lone one is an empty file); a leading U+FEFF is a BOM and is removed by design.
          fc.pre(finalNewline || segments[segments.length - 1] !== '');
          fc.pre(!segments[0].startsWith('\ufeff'));
          const file = await temp.write(
            `prop-${run++}.txt`,
            segments.join('\n') + (finalNewline ? '\n' : ''),
          );
          const { rows } = await readAll({
            format: 'text',
            kind: 'language-modelling',
            sourceFile: file,
          });
          expect(rows.map((r) => r.source)).toEqual(segments);
        },
      ),
      { numRuns: 150 },
    );
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
