// JSON Lines import: dotted paths (Hugging Face nesting), list references, and validation by line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listColumns } from '../../../main/services/datasets/importers/index.js';
import { fixture, importError, readAll, tempFolder } from './helpers.js';

let temp: Awaited<ReturnType<typeof tempFolder>>;
beforeAll(async () => {
  temp = await tempFolder();
});
afterAll(async () => {
  await temp.cleanup();
});

const hfMapping = { source: 'translation.en', references: ['translation.de'] };

describe('JSON Lines import', () => {
  it('reads Hugging Face nested translation records and skips blank lines', async () => {
    const { rows, report } = await readAll({
      format: 'jsonl',
      kind: 'translation',
      file: fixture('wmt.jsonl'),
      mapping: hfMapping,
    });
    expect(rows).toEqual([
      { source: 'Hello world.', references: ['Hallo Welt.'] },
      { source: 'The cat sat.', references: ['Die Katze saß.'] },
    ]);
    expect(report.rows).toBe(2);
  });

  it('expands a list-of-strings field into several references', async () => {
    const { rows } = await readAll({
      format: 'jsonl',
      kind: 'translation',
      file: fixture('wmt.jsonl'),
      mapping: { source: 'translation.en', references: ['refs'] },
    });
    expect(rows.map((r) => r.references)).toEqual([
      ['Hallo Welt.', 'Hallo, Welt!'],
      ['Die Katze saß.'],
    ]);
  });

  it('prefers a key that contains a dot over a nested path', async () => {
    const file = await temp.write('dotted.jsonl', '{"a.b": "flat", "a": {"b": "nested"}}\n');
    const { rows } = await readAll({
      format: 'jsonl',
      kind: 'language-modelling',
      file,
      mapping: { source: 'a.b', references: [] },
    });
    expect(rows[0].source).toBe('flat');
  });

  it('lists nested fields as dotted paths', async () => {
    expect(await listColumns(fixture('wmt.jsonl'), 'jsonl')).toEqual([
      'id',
      'translation.en',
      'translation.de',
      'refs',
    ]);
  });

  it('counts empty segments, including empty list elements, by line', async () => {
    const file = await temp.write(
      'empty.jsonl',
      '{"s": "", "r": ["x", ""]}\n{"s": "b", "r": ["y"]}\n{"s": "", "r": [""]}\n',
    );
    const { report } = await readAll({
      format: 'jsonl',
      kind: 'translation',
      file,
      mapping: { source: 's', references: ['r'] },
    });
    expect(report.emptySegments).toEqual([
      { field: 's', count: 2, firstLines: [1, 3] },
      { field: 'r', count: 2, firstLines: [1, 3] },
    ]);
  });

  it('names the line of bad JSON', async () => {
    const file = await temp.write('bad.jsonl', '{"s": "a"}\n\n{"s": "b",}\n');
    const error = await importError({
      format: 'jsonl',
      kind: 'language-modelling',
      file,
      mapping: { source: 's', references: [] },
    });
    expect(error.line).toBe(3);
    expect(error.message).toMatch(
      new RegExp(`^${file.replace(/[.\\]/g, '\\$&')}:3: not valid JSON \\(`),
    );
    expect(error.message).toContain('Each line must be one complete JSON object');
  });

  it('recognises a JSON array file and says how to convert it', async () => {
    const file = await temp.write('array.json', '[\n  {"s": "a"}\n]\n');
    const error = await importError({
      format: 'jsonl',
      kind: 'language-modelling',
      file,
      mapping: { source: 's', references: [] },
    });
    expect(error.line).toBe(1);
    expect(error.message).toContain('jq -c');
  });

  it('lists the fields of the first record when a mapped field is unknown', async () => {
    const error = await importError({
      format: 'jsonl',
      kind: 'translation',
      file: fixture('wmt.jsonl'),
      mapping: { source: 'translation.fr', references: ['translation.de'] },
    });
    expect(error.message).toBe(
      `${fixture('wmt.jsonl')}:1: no field named "translation.fr"; the file has "id", "translation.en", "translation.de", "refs". Map one of the existing fields (nested fields as dotted paths, e.g. "translation.en").`,
    );
  });

  it('names the line of a record missing a mapped field', async () => {
    const file = await temp.write('missing.jsonl', '{"s": "a", "r": "b"}\n{"s": "c"}\n');
    const error = await importError({
      format: 'jsonl',
      kind: 'translation',
      file,
      mapping: { source: 's', references: ['r'] },
    });
    expect(error.message).toBe(
      `${file}:2: line has no field "r". Add the field to every line, or map a field that every line has.`,
    );
    expect(error.column).toBe('r');
  });

  it('names the line and field of a non-string value', async () => {
    const file = await temp.write('number.jsonl', '{"s": "a"}\n{"s": "b"}\n{"s": 42}\n');
    const error = await importError({
      format: 'jsonl',
      kind: 'language-modelling',
      file,
      mapping: { source: 's', references: [] },
    });
    expect(error.message).toBe(
      `${file}:3: field "s" is a number (42), not text. Map a field that holds text, or fix this line.`,
    );
  });

  it('rejects a non-string list element and an empty reference list', async () => {
    const element = await temp.write('el.jsonl', '{"s": "a", "r": ["x", null]}\n');
    const elementError = await importError({
      format: 'jsonl',
      kind: 'translation',
      file: element,
      mapping: { source: 's', references: ['r'] },
    });
    expect(elementError.message).toContain(':1: a list element of field "r" is null, not text');
    const empty = await temp.write('none.jsonl', '{"s": "a", "r": ["x"]}\n{"s": "b", "r": []}\n');
    const emptyError = await importError({
      format: 'jsonl',
      kind: 'translation',
      file: empty,
      mapping: { source: 's', references: ['r'] },
    });
    expect(emptyError.message).toContain(
      ':2: line has no references (the reference list is empty)',
    );
  });

  it('rejects a line that is not an object', async () => {
    const file = await temp.write('scalar.jsonl', '{"s": "a"}\n"just a string"\n');
    const error = await importError({
      format: 'jsonl',
      kind: 'language-modelling',
      file,
      mapping: { source: 's', references: [] },
    });
    expect(error.message).toContain(':2: line is a JSON string, not an object');
  });

  it('records CR LF line ends', async () => {
    const file = await temp.write('crlf.jsonl', '{"s": "a"}\r\n{"s": "b"}\r\n');
    const { rows, report } = await readAll({
      format: 'jsonl',
      kind: 'language-modelling',
      file,
      mapping: { source: 's', references: [] },
    });
    expect(rows.map((r) => r.source)).toEqual(['a', 'b']);
    expect(report.normalisation[0]).toMatchObject({ crlfLines: 2, bomRemoved: false });
  });
});
