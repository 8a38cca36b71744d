// The Parquet fuzz of fuzz-parquet.test.ts, run in a child process so that an endless loop in
// the decoder can be killed: valid Parquet files (flat, struct, list and several row groups) with
// random bytes overwritten or cut short, read with readDataset. Every input must import or fail
// with a DatasetImportError. Prints each case to stderr before reading it (the last one names a
// hang) and a JSON verdict on stdout.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { DatasetImportError, readDataset } from '../../main/services/datasets/importers/index';

const [dir, runsArg] = process.argv.slice(2);
const words = ['hello world', 'good morning', 'a', '', 'café ünïcode', 'x'.repeat(40)];
const bases: { bytes: Buffer; references: string[] }[] = [
  {
    bytes: readFileSync(join(import.meta.dirname, '../fixtures/bad/parquet/valid.parquet')),
    references: ['reference'],
  },
  {
    bytes: Buffer.from(
      parquetWriteBuffer({
        columnData: [
          { name: 'source', data: words, type: 'STRING' },
          { name: 'reference', data: words.map((w) => [w, `${w}!`]) },
        ],
      }),
    ),
    references: ['reference'],
  },
  {
    bytes: Buffer.from(
      parquetWriteBuffer({
        columnData: [
          { name: 'source', data: words, type: 'STRING' },
          { name: 'translation', data: words.map((w) => ({ de: w, en: `${w}.` })) },
        ],
      }),
    ),
    references: ['translation.de'],
  },
  {
    bytes: Buffer.from(
      parquetWriteBuffer({
        columnData: [
          {
            name: 'source',
            data: Array.from({ length: 50 }, (_, i) => words[i % 3]),
            type: 'STRING',
          },
          {
            name: 'reference',
            data: Array.from({ length: 50 }, (_, i) => words[i % 2]),
            type: 'STRING',
          },
        ],
        rowGroupSize: 20,
        codec: 'UNCOMPRESSED',
      }),
    ),
    references: ['reference'],
  },
];

const file = join(dir, 'fuzz.parquet');
const property = fc.asyncProperty(
  fc.nat(bases.length - 1),
  fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 4 }),
  fc.option(fc.nat(), { freq: 4 }),
  async (which, writes, cut) => {
    const base = bases[which];
    const bytes = Buffer.from(base.bytes);
    for (const [at, value] of writes) bytes[at % bytes.length] = value;
    const data = cut === null ? bytes : bytes.subarray(0, cut % bytes.length);
    process.stderr.write(`case ${JSON.stringify({ which, writes, cut })}\n`);
    writeFileSync(file, data);
    try {
      const reader = readDataset({
        format: 'parquet',
        kind: 'translation',
        file,
        mapping: { source: 'source', references: base.references },
      });
      for (;;) if ((await reader.next()).done) break;
    } catch (error) {
      if (!(error instanceof DatasetImportError)) throw error;
      if (!error.message.startsWith(file))
        throw new Error(`message does not name the file: ${error.message}`, { cause: error });
    }
  },
);

try {
  await fc.assert(property, { numRuns: Number(runsArg) });
  process.stdout.write(`${JSON.stringify({ ok: true })}\n`);
} catch (error) {
  process.stdout.write(`${JSON.stringify({ ok: false, message: (error as Error).message })}\n`);
}
