// Regression tests for the defects the bad-input corpus and the fuzzers found, one per fix, at the
// level where each was fixed (the corpus tests cover them end to end through the CLI too).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parquetMetadata, parquetSchema } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { leafPaths } from '../../main/services/datasets/importers/fields';
import {
  DatasetImportError,
  listColumns,
  readDataset,
} from '../../main/services/datasets/importers/index';
import { LineSource } from '../../main/services/datasets/importers/line-source';
import { tempDir } from '../helpers/temp';
import { BAD, cli, expectAccepted, expectRejected, writeHugeLine } from './harness';

async function drain(source: LineSource): Promise<number> {
  let lines = 0;
  for (;;) {
    const got = await source.take(10_000);
    if (got.length === 0) return lines;
    lines += got.length;
  }
}

describe('line reading', () => {
  it('reads one very long line in linear time (it re-split the whole line on every 1 MiB chunk)', async () => {
    const dir = await tempDir('ecoeval-regress-');
    const one = await writeHugeLine(join(dir, 'one-line.txt'), 48 << 20);
    const many = join(dir, 'many-lines.txt');
    writeFileSync(many, Buffer.alloc(48 << 20, 'lorem ipsum dolor sit amet\n'));
    const time = async (file: string) => {
      const source = await LineSource.open(file, 1 << 30);
      const started = performance.now();
      await drain(source);
      await source.close();
      return performance.now() - started;
    };
    const manyMs = await time(many);
    const oneMs = await time(one);
    // Quadratic took ~10× the many-lines time at 48 MiB (and 20 s for 100 MB); linear is ~1×.
    expect(oneMs).toBeLessThan(4 * manyMs + 1000);
  }, 60_000);
});

describe('JSON Lines field listing', () => {
  it('lists fields of a deeply nested record without overflowing the stack', async () => {
    const deep = JSON.parse(`{"meta":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)},"x":"y"}`);
    const paths = leafPaths(deep);
    expect(paths).toHaveLength(2);
    expect(paths[0]).toMatch(/^meta(\.a){15}$/);
    await expect(listColumns(join(BAD, 'jsonl/deep-object.jsonl'), 'jsonl')).resolves.toHaveLength(
      3,
    );
  });

  it('keeps messages short for a header of 10,000 columns', async () => {
    const dir = await tempDir('ecoeval-regress-');
    const file = join(dir, 'wide.csv');
    const header = Array.from({ length: 10_000 }, (_, i) => `column_${i}_${'x'.repeat(80)}`);
    writeFileSync(file, `${header.join(',')}\n${header.map(() => 'v').join(',')}\n`);
    const reader = readDataset({
      format: 'csv',
      kind: 'translation',
      file,
      mapping: { source: 'source', references: ['reference'] },
    });
    const error = await reader.next().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetImportError);
    expect((error as Error).message.length).toBeLessThan(2500);
    expect((error as Error).message).toMatch(/and 9980 more/);
    const listed = await cli(['datasets', 'import', file], {
      cwd: dir,
      workspace: join(dir, 'ws'),
    });
    expectRejected(listed, { code: 2, says: /and 9960 more/ });
    expect(listed.err.length).toBeLessThan(4000);
  });
});

describe('Parquet', () => {
  it('reports a schema the footer cannot describe (hyparquet threw a TypeError)', async () => {
    // A struct column whose footer says it has 19 children (two bytes of the file overwritten).
    const words = ['hello world', 'good morning', 'a', 'b', 'café ünïcode', '', 'x'.repeat(50)];
    const bytes = Buffer.from(
      parquetWriteBuffer({
        columnData: [
          { name: 'src', data: words, type: 'STRING' },
          { name: 'ref', data: words.map((w) => ({ en: w, de: `${w}!` })) },
        ],
      }),
    );
    bytes[296] = 25;
    bytes[458] = 254;
    const metadata = parquetMetadata(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length),
    );
    expect(() => parquetSchema(metadata)).toThrow(TypeError);
    const dir = await tempDir('ecoeval-regress-');
    const file = join(dir, 'schema.parquet');
    writeFileSync(file, bytes);
    const reader = readDataset({
      format: 'parquet',
      kind: 'translation',
      file,
      mapping: { source: 'src', references: ['ref.de'] },
    });
    const error = await reader.next().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetImportError);
    expect((error as Error).message).toMatch(/schema\.parquet: not a readable Parquet file/);
    await expect(listColumns(file, 'parquet')).rejects.toBeInstanceOf(DatasetImportError);
  });
});

describe('the command line', () => {
  it('names the file as given when listing columns fails (it showed the absolute path)', async () => {
    const result = await cli(['datasets', 'import', 'csv/garbage.csv'], {
      cwd: BAD,
      workspace: join(await tempDir('ecoeval-regress-'), 'ws'),
    });
    expectRejected(result, { code: 1 });
    expect(result.err).toMatch(/^ecoeval datasets import: csv\/garbage\.csv:1: invalid UTF-8/);
  });

  it('scores a --jsonl file of 200,000 records (Math.max over its rows overflowed the stack)', async () => {
    const dir = await tempDir('ecoeval-regress-');
    const record = '{"prediction": "the cat sat", "references": ["the cat sat"]}\n';
    writeFileSync(join(dir, 'many.jsonl'), record.repeat(200_000));
    const result = await cli(['score', '--jsonl', 'many.jsonl', '-m', 'chrf'], {
      cwd: dir,
      workspace: join(dir, 'ws'),
    });
    expectAccepted(result);
    expect(JSON.parse(result.out)).toMatchObject({ name: 'chrF2', score: 100 });
  }, 60_000);

  it('refuses imported outputs that are not UTF-8 (they were scored as U+FFFD)', async () => {
    const dir = await tempDir('ecoeval-regress-');
    const workspace = join(dir, 'ws');
    const made = await cli(
      ['datasets', 'import', 'text/two.txt', 'text/two.txt', '--name', 'two'],
      {
        cwd: BAD,
        workspace,
      },
    );
    expect(made.code).toBe(0);
    const result = await cli(
      ['evaluate', '--outputs', 'text/latin1.txt', '--dataset', 'two', '--metrics', 'chrf'],
      { cwd: BAD, workspace },
    );
    expectRejected(result, { code: 1, file: 'latin1.txt', line: 1, says: /invalid UTF-8/ });
    const runs = await cli(['runs', 'list', '--json'], { cwd: BAD, workspace });
    expect((JSON.parse(runs.out) as { runs: unknown[] }).runs).toEqual([]);
  });
});
