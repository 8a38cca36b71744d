// Parquet import: Hugging Face-style files written with hyparquet-writer (nested translation
// struct, list<string> references, several row groups, snappy by default, zstd).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parquetWriteFile } from 'hyparquet-writer';
import type { ColumnSource } from 'hyparquet-writer';
import { listColumns } from '../../../main/services/datasets/importers/index.js';
import { importError, readAll, tempFolder } from './helpers.js';

let temp: Awaited<ReturnType<typeof tempFolder>>;
let hfFile: string;

/** hyparquet-writer brings its own hyparquet, so take the schema type from the writer. */
type SchemaElement = NonNullable<Parameters<typeof parquetWriteFile>[0]['schema']>[number];

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

/**
 * A valid zstd frame made of raw (stored) blocks. No zstd compressor is installed, and the
 * reader's zstd decoder does not care whether blocks are compressed, only that the frame is valid.
 */
function zstdStoredFrame(input: Uint8Array): Uint8Array {
  const BLOCK = 128 * 1024;
  const blocks = Math.max(1, Math.ceil(input.length / BLOCK));
  const out = new Uint8Array(9 + blocks * 3 + input.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0xfd2fb528, true); // magic
  out[4] = 0xa0; // single segment, 4-byte content size
  view.setUint32(5, input.length, true);
  let at = 9;
  for (let b = 0; b < blocks; b++) {
    const start = b * BLOCK;
    const size = Math.min(BLOCK, input.length - start);
    const header = (size << 3) | (b === blocks - 1 ? 1 : 0); // raw block, last flag
    out[at] = header & 0xff;
    out[at + 1] = (header >> 8) & 0xff;
    out[at + 2] = (header >> 16) & 0xff;
    out.set(input.subarray(start, start + size), at + 3);
    at += 3 + size;
  }
  return out;
}

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

  it('reads ZSTD-compressed columns (as recent Hugging Face exports use)', async () => {
    const filename = `${temp.dir}/zstd.parquet`;
    const texts = ['Hello world.', 'Grüße.', 'x'.repeat(300_000)];
    parquetWriteFile({
      filename,
      codec: 'ZSTD',
      compressors: { ZSTD: zstdStoredFrame },
      columnData: [{ name: 'text', data: texts }],
    });
    const { rows } = await readAll({
      format: 'parquet',
      kind: 'language-modelling',
      file: filename,
      mapping: { source: 'text', references: [] },
    });
    expect(rows.map((r) => r.source)).toEqual(texts);
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
