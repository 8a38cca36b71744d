// Checks shared by all formats: file problems, import settings, cancellation, format detection.
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DatasetImportError,
  detectFormat,
  listColumns,
  readDataset,
} from '../../../main/services/datasets/importers/index.js';
import type { ImportFormat } from '../../../main/services/datasets/importers/index.js';
import { fixture, importError, readAll, tempFolder } from './helpers.js';

let temp: Awaited<ReturnType<typeof tempFolder>>;
beforeAll(async () => {
  temp = await tempFolder();
});
afterAll(async () => {
  await temp.cleanup();
});

const tableFormats: Exclude<ImportFormat, 'text'>[] = ['tsv', 'csv', 'jsonl', 'parquet'];
const lmMapping = { source: 'text', references: [] };

describe('file checks (every format)', () => {
  it('says a missing file was not found', async () => {
    const missing = join(temp.dir, 'nope.txt');
    const error = await importError({
      format: 'text',
      kind: 'system-outputs',
      sourceFile: missing,
    });
    expect(error.message).toBe(
      `${missing}: file not found. Check the path, or choose the file again.`,
    );
    for (const format of tableFormats) {
      const tableError = await importError({
        format,
        kind: 'language-modelling',
        file: missing,
        mapping: lmMapping,
      });
      expect(tableError.message).toBe(
        `${missing}: file not found. Check the path, or choose the file again.`,
      );
    }
  });

  it('says a folder is not a file', async () => {
    const folder = join(temp.dir, 'folder');
    await mkdir(folder);
    for (const format of tableFormats) {
      const error = await importError({
        format,
        kind: 'language-modelling',
        file: folder,
        mapping: lmMapping,
      });
      expect(error.message).toBe(
        `${folder}: this is a folder, not a file. Choose a file inside the folder instead.`,
      );
    }
  });

  it('rejects empty files', async () => {
    const empty = await temp.write('empty.csv', '');
    for (const format of tableFormats) {
      const error = await importError({
        format,
        kind: 'language-modelling',
        file: empty,
        mapping: lmMapping,
      });
      expect(error.message).toMatch(new RegExp(`empty\\.csv: file is empty\\. `));
    }
  });

  it('rejects files over the size limit before reading them', async () => {
    const file = await temp.write('big.txt', 'x'.repeat(2048) + '\n');
    const error = await importError({
      format: 'text',
      kind: 'system-outputs',
      sourceFile: file,
      maxBytes: 1024,
    });
    expect(error.message).toBe(
      `${file}: file is 2.0 KiB, over the 1 KiB import limit. Split it into smaller files, or import a sample of it.`,
    );
  });

  it('names the reference file when only it is missing', async () => {
    const missing = join(temp.dir, 'ref-missing.de');
    const error = await importError({
      format: 'text',
      kind: 'translation',
      sourceFile: fixture('src.en'),
      referenceFiles: [missing],
    });
    expect(error.file).toBe(missing);
  });
});

describe('import settings', () => {
  it('requires references for translation and summarization', async () => {
    const error = await importError({
      format: 'text',
      kind: 'summarization',
      sourceFile: fixture('src.en'),
    });
    expect(error.message).toBe(
      `${fixture('src.en')}: a summarization dataset needs at least one reference file. Add the reference file that goes with the documents.`,
    );
    const csvError = await importError({
      format: 'csv',
      kind: 'translation',
      file: fixture('translation.csv'),
      mapping: { source: 'en', references: [] },
    });
    expect(csvError.message).toContain('a translation dataset needs at least one reference column');
  });

  it('refuses references for kinds without them', async () => {
    const error = await importError({
      format: 'text',
      kind: 'language-modelling',
      sourceFile: fixture('src.en'),
      referenceFiles: [fixture('ref1.de')],
    });
    expect(error.message).toContain(
      'a language-modelling dataset has no references, but 1 reference file(s) were given',
    );
  });

  it('asks for a file, a mapping, or valid settings', async () => {
    expect((await importError({ format: 'csv', kind: 'language-modelling' })).message).toBe(
      'No file was given for the csv import. Choose the file to import.',
    );
    expect(
      (
        await importError({
          format: 'csv',
          kind: 'language-modelling',
          file: fixture('translation.csv'),
        })
      ).message,
    ).toContain('no column mapping was given');
    expect((await importError({ format: 'text', kind: 'system-outputs' })).message).toContain(
      'No source file was given',
    );
    const bogus = { format: 'xlsx', kind: 'translation' } as unknown as Parameters<
      typeof readDataset
    >[0];
    expect((await importError(bogus)).message).toMatch(/^Import settings are invalid \(format: /);
  });
});

describe('cancellation', () => {
  it('stops between batches when the signal aborts', async () => {
    const file = await temp.write('long.txt', 'line\n'.repeat(35_000));
    const controller = new AbortController();
    const generator = readDataset(
      { format: 'text', kind: 'system-outputs', sourceFile: file },
      controller.signal,
    );
    const first = await generator.next();
    expect(first.done).toBe(false);
    controller.abort();
    await expect(generator.next()).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('aborts before opening anything when already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      readAll(
        { format: 'text', kind: 'system-outputs', sourceFile: join(temp.dir, 'absent') },
        controller.signal,
      ),
    ).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('aborts CSV and JSON Lines reads too', async () => {
    const csv = await temp.write('long.csv', 'text\n' + 'row\n'.repeat(25_000));
    const jsonl = await temp.write('long.jsonl', '{"text": "row"}\n'.repeat(25_000));
    for (const [format, file] of [
      ['csv', csv],
      ['jsonl', jsonl],
    ] as const) {
      const controller = new AbortController();
      const generator = readDataset(
        { format, kind: 'language-modelling', file, mapping: lmMapping },
        controller.signal,
      );
      expect((await generator.next()).done).toBe(false);
      controller.abort();
      await expect(generator.next()).rejects.toMatchObject({ name: 'AbortError' });
    }
  });

  it.runIf(process.platform === 'linux')('closes files when the consumer stops early', async () => {
    const openFiles = async (): Promise<number> => (await readdir('/proc/self/fd')).length;
    const file = await temp.write('early.txt', 'x\n'.repeat(25_000));
    const before = await openFiles();
    const generator = readDataset({
      format: 'text',
      kind: 'translation',
      sourceFile: file,
      referenceFiles: [file],
    });
    await generator.next();
    expect(await openFiles()).toBe(before + 2);
    const done = await generator.return(undefined as never);
    expect(done.done).toBe(true);
    expect(await openFiles()).toBe(before);
  });
});

describe('DatasetImportError', () => {
  it('formats file, line, problem and hint', () => {
    const error = new DatasetImportError({
      file: 'a.tsv',
      line: 7,
      problem: 'row is odd',
      hint: 'Fix it',
    });
    expect(error.message).toBe('a.tsv:7: row is odd. Fix it.');
    expect(error.hint).toBe('Fix it');
    expect(new DatasetImportError({ file: 'a.tsv', problem: 'odd', hint: 'Fix it.' }).message).toBe(
      'a.tsv: odd. Fix it.',
    );
  });
});

describe('detectFormat and listColumns', () => {
  it.each([
    ['newstest2019.en-de.tsv', 'tsv'],
    ['data/Train.CSV', 'csv'],
    ['wmt19.jsonl', 'jsonl'],
    ['export.ndjson', 'jsonl'],
    ['hf-to_json.json', 'jsonl'],
    ['train-00000-of-00001.parquet', 'parquet'],
    ['newstest2019.de', 'text'],
    ['hyp.txt', 'text'],
    ['README', 'text'],
    ['.hidden', 'text'],
    ['C:\\data\\refs.tab', 'tsv'],
  ] as const)('%s → %s', (name, format) => {
    expect(detectFormat(name)).toBe(format);
  });

  it('has no columns for text files', async () => {
    expect(await listColumns(fixture('src.en'), 'text')).toEqual([]);
  });

  it('reports file problems from listColumns the same way', async () => {
    await expect(listColumns(join(temp.dir, 'missing.csv'), 'csv')).rejects.toThrow(
      /missing\.csv: file not found\./,
    );
  });
});
