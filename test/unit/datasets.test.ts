import { describe, expect, it } from 'vitest';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { testServices } from '../helpers/services';
import { tempDir } from '../helpers/temp';
import { seededPermutation } from '../../main/services/datasets/service';

async function files(dir: string, content: Record<string, string | Uint8Array>) {
  for (const [name, data] of Object.entries(content)) await writeFile(join(dir, name), data);
}

/** Everything under the workspace's datasets/ and .staging/ folders. */
async function visible(root: string) {
  return {
    datasets: (await readdir(join(root, 'datasets'))).sort(),
    staging: await readdir(join(root, '.staging')),
  };
}

describe('dataset import', () => {
  it('imports a sacreBLEU-style text pair with two references and records hashes and stats', async () => {
    const s = await testServices();
    const dir = await tempDir();
    await files(dir, {
      'src.en': 'a b c\nd e\n',
      'ref1.de': 'x y z\nw v\n',
      'ref2.de': 'x y\n\n',
    });
    const manifest = await s.api.importDataset({
      name: 'My Test Set',
      kind: 'translation',
      format: 'text',
      sourceFile: { path: join(dir, 'src.en') },
      referenceFiles: [{ path: join(dir, 'ref1.de') }, { path: join(dir, 'ref2.de') }],
    });
    expect(manifest.id).toBe('my-test-set');
    expect(manifest.references).toBe(2);
    expect(manifest.splits[0]).toMatchObject({ name: 'test', rows: 2 });
    expect(manifest.source.files.map((f) => f.name)).toEqual(['src.en', 'ref1.de', 'ref2.de']);
    expect(manifest.source.files[0].sha256).toBe(
      // sha256 of "a b c\nd e\n"
      (await import('node:crypto')).createHash('sha256').update('a b c\nd e\n').digest('hex'),
    );
    expect(manifest.splits[0].statistics.source).toMatchObject({
      segments: 2,
      whitespaceTokens: 5,
      characters: 8,
    });
    expect(manifest.emptySegments).toEqual([
      expect.objectContaining({ split: 'test', count: 1, firstLines: [2] }),
    ]);
    const page = await s.api.previewDataset({
      dataset: manifest.id,
      split: 'test',
      offset: 1,
      limit: 5,
    });
    expect(page).toMatchObject({
      total: 2,
      rows: [{ line: 2, source: 'd e', references: ['w v', ''] }],
    });
    const onDisk = JSON.parse(
      await readFile(join(s.root, 'datasets', manifest.id, 'manifest.json'), 'utf8'),
    );
    expect(onDisk.schema).toBe(1);
    expect(s.events.at(-1)).toMatchObject({ kind: 'import', state: 'done' });
  });

  it('normalises BOM and CRLF and records it', async () => {
    const s = await testServices();
    const dir = await tempDir();
    await files(dir, { 'a.txt': '\uFEFFone\r\ntwo\r\n', 'b.txt': 'uno\ndos\n' });
    const m = await s.api.importDataset({
      name: 'bom',
      kind: 'translation',
      format: 'text',
      sourceFile: { path: join(dir, 'a.txt') },
      referenceFiles: [{ path: join(dir, 'b.txt') }],
    });
    expect(m.normalisation.find((n) => n.file.endsWith('a.txt'))).toMatchObject({
      bomRemoved: true,
      crlfLines: 2,
    });
    const page = await s.api.previewDataset({ dataset: m.id, split: 'test', offset: 0, limit: 2 });
    expect(page.rows.map((r) => r.source)).toEqual(['one', 'two']);
  });

  it('imports TSV, CSV and JSON Lines with a column mapping', async () => {
    const s = await testServices();
    const dir = await tempDir();
    await files(dir, {
      'd.tsv': 'src\ttgt\nhello\thallo\n',
      'd.csv': 'src,tgt\n"a, b","c ""d"""\n',
      'd.jsonl': '{"translation": {"en": "hi", "de": "hallo"}}\n',
    });
    const mapping = { source: 'src', references: ['tgt'] };
    const tsv = await s.api.importDataset({
      name: 'tsv',
      kind: 'translation',
      format: 'tsv',
      file: { path: join(dir, 'd.tsv') },
      mapping,
    });
    const csv = await s.api.importDataset({
      name: 'csv',
      kind: 'translation',
      format: 'csv',
      file: { path: join(dir, 'd.csv') },
      mapping,
    });
    const jsonl = await s.api.importDataset({
      name: 'jsonl',
      kind: 'translation',
      format: 'jsonl',
      file: { path: join(dir, 'd.jsonl') },
      mapping: { source: 'translation.en', references: ['translation.de'] },
    });
    const first = async (id: string) =>
      (await s.api.previewDataset({ dataset: id, split: 'test', offset: 0, limit: 1 })).rows[0];
    expect(await first(tsv.id)).toMatchObject({ source: 'hello', references: ['hallo'] });
    expect(await first(csv.id)).toMatchObject({ source: 'a, b', references: ['c "d"'] });
    expect(await first(jsonl.id)).toMatchObject({ source: 'hi', references: ['hallo'] });
    expect(await s.api.listColumns({ file: { path: join(dir, 'd.tsv') }, format: 'tsv' })).toEqual([
      'src',
      'tgt',
    ]);
  });

  const bad: [string, Record<string, string | Uint8Array>, (dir: string) => object, RegExp][] = [
    [
      'line counts that differ',
      { 's.txt': 'a\nb\nc\n', 'r.txt': 'x\ny\n' },
      (d) => ({
        format: 'text',
        sourceFile: { path: join(d, 's.txt') },
        referenceFiles: [{ path: join(d, 'r.txt') }],
      }),
      /r\.txt.*(2|3).*(line|segment)/is,
    ],
    [
      'invalid UTF-8',
      {
        's.txt': Buffer.concat([Buffer.from('ok\nbad '), Buffer.from([0xff]), Buffer.from('\n')]),
        'r.txt': 'x\ny\n',
      },
      (d) => ({
        format: 'text',
        sourceFile: { path: join(d, 's.txt') },
        referenceFiles: [{ path: join(d, 'r.txt') }],
      }),
      /s\.txt:2:.*UTF-8/i,
    ],
    [
      'an empty file',
      { 's.txt': '', 'r.txt': '' },
      (d) => ({
        format: 'text',
        sourceFile: { path: join(d, 's.txt') },
        referenceFiles: [{ path: join(d, 'r.txt') }],
      }),
      /s\.txt.*empty/i,
    ],
    [
      'an unknown column',
      { 'd.tsv': 'src\ttgt\na\tb\n' },
      (d) => ({
        format: 'tsv',
        file: { path: join(d, 'd.tsv') },
        mapping: { source: 'source', references: ['tgt'] },
      }),
      /d\.tsv.*source.*src/is,
    ],
    [
      'bad JSON on line 2',
      { 'd.jsonl': '{"a": "x", "b": "y"}\n{"a": \n' },
      (d) => ({
        format: 'jsonl',
        file: { path: join(d, 'd.jsonl') },
        mapping: { source: 'a', references: ['b'] },
      }),
      /d\.jsonl:2:/,
    ],
    [
      'a missing file',
      {},
      (d) => ({ format: 'text', sourceFile: { path: join(d, 'nope.txt') }, referenceFiles: [] }),
      /nope\.txt: no such file/,
    ],
  ];

  it.each(bad)(
    'rejects %s with file and line, leaving nothing behind',
    async (_name, content, request, pattern) => {
      const s = await testServices();
      const dir = await tempDir();
      await files(dir, content);
      const before = await visible(s.root);
      const error = await s.api
        .importDataset({ name: 'bad', kind: 'translation', ...request(dir) } as never)
        .catch((e: Error) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(pattern);
      expect((error as Error).stack ?? '').not.toContain(
        (error as Error).message + '\n    at DatasetService',
      );
      expect(await visible(s.root)).toEqual(before);
    },
  );

  it('enforces the documented size limit before reading', async () => {
    const s = await testServices({ maxImportBytes: 10 });
    const dir = await tempDir();
    await files(dir, { 's.txt': 'a much longer line than ten bytes\n' });
    await expect(
      s.api.importDataset({
        name: 'big',
        kind: 'language-modelling',
        format: 'text',
        sourceFile: { path: join(dir, 's.txt') },
      }),
    ).rejects.toThrow(/s\.txt.*(limit|larger|too large)/i);
    expect((await visible(s.root)).datasets).toEqual([]);
  });

  it('cancels an import and keeps nothing', async () => {
    const s = await testServices();
    const dir = await tempDir();
    const lines =
      Array.from({ length: 200_000 }, (_, i) => `line ${i} of a long file`).join('\n') + '\n';
    await files(dir, { 'big.txt': lines });
    s.subscribe((event, payload) => {
      const p = payload as { jobId: string; state: string };
      if (event === 'job:progress' && p.state === 'running') void s.api.cancelJob(p.jobId);
    });
    await expect(
      s.api.importDataset({
        name: 'big',
        kind: 'language-modelling',
        format: 'text',
        sourceFile: { path: join(dir, 'big.txt') },
      }),
    ).rejects.toThrow(/cancelled/);
    expect(await visible(s.root)).toEqual({ datasets: [], staging: [] });
  });

  it('refuses ids and names that could escape the workspace', async () => {
    const s = await testServices();
    await expect(s.api.getDataset('../etc')).rejects.toThrow(/invalid request/);
    await expect(
      s.api.previewDataset({ dataset: 'x', split: '../../a', offset: 0, limit: 1 }),
    ).rejects.toThrow(/invalid/);
    await expect(s.api.deleteDataset({ dataset: 'x' } as never)).rejects.toThrow(/confirm/);
  });
});

describe('dataset management', () => {
  async function withData() {
    const s = await testServices();
    const dir = await tempDir();
    await files(dir, {
      's.txt': Array.from({ length: 100 }, (_, i) => `source ${i}`).join('\n') + '\n',
      'r.txt': Array.from({ length: 100 }, (_, i) => `target ${i}`).join('\n') + '\n',
    });
    const m = await s.api.importDataset({
      name: 'Hundred',
      kind: 'translation',
      format: 'text',
      split: 'all',
      sourceFile: { path: join(dir, 's.txt') },
      referenceFiles: [{ path: join(dir, 'r.txt') }],
    });
    return { s, m, dir };
  }

  it('splits with a recorded seed, reproducibly and without overlap', async () => {
    const { s, m } = await withData();
    const ratios = { train: 0.8, valid: 0.1, test: 0.1 };
    const split = await s.api.splitDataset({ dataset: m.id, from: 'all', seed: 7, ratios });
    expect(split.splitRecord).toEqual({ from: 'all', seed: 7, ratios });
    const sizes = Object.fromEntries(split.splits.map((x) => [x.name, x.rows]));
    expect(sizes).toEqual({ all: 100, train: 80, valid: 10, test: 10 });
    const rows = async (name: string) =>
      (await s.api.previewDataset({ dataset: m.id, split: name, offset: 0, limit: 100 })).rows.map(
        (r) => r.source,
      );
    const [train, valid, test] = [await rows('train'), await rows('valid'), await rows('test')];
    expect(new Set([...train, ...valid, ...test]).size).toBe(100);
    const order = seededPermutation(100, 7);
    expect(test[0]).toBe(`source ${order[0]}`);
    await expect(
      s.api.splitDataset({ dataset: m.id, from: 'all', seed: 7, ratios }),
    ).rejects.toThrow(/already has/);
  });

  it('renames, exports and deletes', async () => {
    const { s, m, dir } = await withData();
    expect((await s.api.renameDataset({ dataset: m.id, name: 'Renamed' })).name).toBe('Renamed');
    expect((await s.api.listDatasets()).datasets[0].name).toBe('Renamed');
    const out = join(dir, 'out');
    const { files: written } = await s.api.exportDataset({
      dataset: m.id,
      split: 'all',
      format: 'text',
      directory: out,
    });
    expect(written.map((f) => f.split('/').pop())).toEqual([
      'hundred.all.source',
      'hundred.all.ref1',
    ]);
    expect(await readFile(written[1], 'utf8')).toBe(await readFile(join(dir, 'r.txt'), 'utf8'));
    await s.api.deleteDataset({ dataset: m.id, confirm: true });
    expect(await readdir(join(s.root, 'datasets'))).toEqual([]);
    await expect(s.api.getDataset(m.id)).rejects.toThrow(/No dataset/);
  });

  it('installs the built-in datasets through the importer', async () => {
    const s = await testServices();
    const builtins = await s.api.listBuiltinDatasets();
    expect(builtins.map((b) => b.kind).sort()).toEqual([
      'language-modelling',
      'summarization',
      'translation',
    ]);
    const translation = builtins.find((b) => b.kind === 'translation')!;
    expect(translation.splits.find((x) => x.name === 'train')!.rows).toBeGreaterThanOrEqual(20_000);
    await s.api.installBuiltinDatasets([translation.id]);
    const m = await s.api.getDataset(translation.id);
    expect(m.builtin).toBe(true);
    expect(m.splits.map((x) => x.name).sort()).toEqual(['test', 'train', 'valid']);
    expect(
      (await s.api.listBuiltinDatasets()).find((b) => b.id === translation.id)!.installed,
    ).toBe(true);
  });
});
