// Parquet import: Hugging Face-style files written with hyparquet-writer (nested translation
// struct, list<string> references, several row groups, snappy and zstd-free defaults).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parquetWriteFile } from 'hyparquet-writer';
import type { ColumnSource } from 'hyparquet-writer';
import type { SchemaElement } from 'hyparquet';
import { listColumns } from '../../../main/services/datasets/importers/index.js';
import { importError, readAll, tempFolder } from './helpers.js';

let temp: Awaited<ReturnType<typeof tempFolder>>;
let hfFile: string;

const utf8 = { type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' } as const;

/** Schema of a Hugging Face translation export: id, translation {de, en}, refs list<string>. */
const hfSchema: SchemaElement[] = [
  { name: 'root', num_children: 3 },
  { name: 'id', ...utf8 },
  { name: 'translation', repetition_type: 'OPTIONAL', num_children: 2 },
  { name: 'de', ...utf8 },
  { name: 'en', ...utf8 },
  { name: 'refs', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  { name: 'element', ...utf8 },
];

function writeHf(
  name: string,
  rows: { id: string; translation: { de: unknown; en: unknown }; refs: unknown }[],
  rowGroupSize = 2,
): string {
  const filename = `${temp.dir}/${name}`;
  const columnData: ColumnSource[] = [
    { name: 'id', data: rows.map((r) => r.id) },
    { name: 'translation', data: rows.map((r) => r.translation) },
    { name: 'refs', data: rows.map((r) => r.refs) },
  ];
  parquetWriteFile({ filename, columnData, schema: hfSchema, rowGroupSize });
  return filename;
}

beforeAll(async () => {
  temp = await tempFolder();
  hfFile = writeHf('hf.parquet', [
    {
      id: '0',
      translation: { de: 'Hallo Welt.', en: 'Hello world.' },
      refs: ['Hallo Welt.', 'Hallo, Welt!'],
    },
    {
      id: '1',
      translation: { de: 'Die Katze saß.', en: 'The cat sat.' },
      refs: ['Die Katze saß.'],
    },
    { id: '2', translation: { de: '', en: 'Good night.' }, refs: ['Gute Nacht.'] },
  ]);
});
afterAll(async () => {
  await temp.cleanup();
});

describe('Parquet import', () => {
  it('reads the nested translation struct across row groups', async () => {
    const { rows, report } = await readAll({
      format: 'parquet',
      kind: 'translation',
      file: hfFile,
      mapping: { source: 'translation.en', references: ['translation.de'] },
    });
    expect(rows).toEqual([
      { source: 'Hello world.', references: ['Hallo Welt.'] },
      { source: 'The cat sat.', references: ['Die Katze saß.'] },
      { source: 'Good night.', references: [''] },
    ]);
    expect(report.rows).toBe(3);
    expect(report.emptySegments).toEqual([{ field: 'translation.de', count: 1, firstLines: [3] }]);
    expect(report.normalisation).toEqual([]);
    expect(report.sourceBytes).toBeGreaterThan(0);
  });

  it('expands list<string> references', async () => {
    const { rows } = await readAll({
      format: 'parquet',
      kind: 'translation',
      file: hfFile,
      mapping: { source: 'translation.en', references: ['refs'] },
    });
    expect(rows.map((r) => r.references)).toEqual([
      ['Hallo Welt.', 'Hallo, Welt!'],
      ['Die Katze saß.'],
      ['Gute Nacht.'],
    ]);
  });

  it('lists struct fields as dotted paths and lists as one column', async () => {
    expect(await listColumns(hfFile, 'parquet')).toEqual([
      'id',
      'translation.de',
      'translation.en',
      'refs',
    ]);
  });

  it('yields batches of at most 10,000 rows from a large row group', async () => {
    const rows = Array.from({ length: 12_345 }, (_, i) => ({
      id: String(i),
      translation: { de: `de ${i}`, en: `en ${i}` },
      refs: [`r ${i}`],
    }));
    const file = writeHf('big.parquet', rows, 20_000);
    const result = await readAll({
      format: 'parquet',
      kind: 'translation',
      file,
      mapping: { source: 'translation.en', references: ['refs'] },
    });
    expect(result.batches).toEqual([10_000, 2_345]);
    expect(result.rows[12_344]).toEqual({ source: 'en 12344', references: ['r 12344'] });
  });

  it('lists the columns when a mapped one is unknown', async () => {
    const error = await importError({
      format: 'parquet',
      kind: 'translation',
      file: hfFile,
      mapping: { source: 'translation.fr', references: ['translation.de'] },
    });
    expect(error.message).toBe(
      `${hfFile}:1: no column named "translation.fr"; the file has "id", "translation.de", "translation.en", "refs". Map one of the existing columns (nested fields as dotted paths, e.g. "translation.en").`,
    );
  });

  it('names the row of a null value', async () => {
    const file = writeHf('null.parquet', [
      { id: '0', translation: { de: 'a', en: 'b' }, refs: ['x'] },
      { id: '1', translation: { de: 'c', en: 'd' }, refs: ['y'] },
      { id: '2', translation: { de: null, en: 'f' }, refs: ['z'] },
    ]);
    const error = await importError({
      format: 'parquet',
      kind: 'translation',
      file,
      mapping: { source: 'translation.en', references: ['translation.de'] },
    });
    expect(error.message).toBe(
      `${file}:3: field "translation.de" is null, not text. Map a field that holds text, or fix this row.`,
    );
  });

  it('names the row of a string that is not valid UTF-8', async () => {
    const filename = `${temp.dir}/latin1.parquet`;
    parquetWriteFile({
      filename,
      columnData: [
        { name: 'text', data: [new TextEncoder().encode('ok'), Uint8Array.from([0x63, 0xe9])] },
      ],
      schema: [
        { name: 'root', num_children: 1 },
        { name: 'text', ...utf8 },
      ],
    });
    const error = await importError({
      format: 'parquet',
      kind: 'language-modelling',
      file: filename,
      mapping: { source: 'text', references: [] },
    });
    expect(error.line).toBe(2);
    expect(error.message).toContain('field "text" is not valid UTF-8 text');
  });

  it('rejects a file that is not Parquet', async () => {
    const file = await temp.write('fake.parquet', 'this is not parquet at all\n');
    const error = await importError({
      format: 'parquet',
      kind: 'language-modelling',
      file,
      mapping: { source: 'text', references: [] },
    });
    expect(error.message).toMatch(
      /fake\.parquet: not a readable Parquet file \(.+\)\. Choose a \.parquet file/,
    );
  });

  it('tells the user to pick the Parquet format when a Parquet file is read as text', async () => {
    const error = await importError({ format: 'text', kind: 'system-outputs', sourceFile: hfFile });
    expect(error.message).toBe(
      `${hfFile}: file is a Parquet file. Choose the Parquet format for it.`,
    );
  });
});
