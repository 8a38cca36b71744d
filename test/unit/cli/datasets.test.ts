import { describe, expect, it } from 'vitest';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../../../main/cli/index';
import { captureIO } from '../../../main/cli/io';
import { tempDir } from '../../helpers/temp';

async function cli(args: string[], cwd: string, workspace: string) {
  const io = captureIO({ cwd, env: { ECOEVAL_WORKSPACE: workspace } });
  const code = await runCli(args, io);
  return { code, out: io.out(), err: io.err() };
}

describe('ecoeval datasets', () => {
  it('imports, lists, shows, previews, exports and deletes', async () => {
    const cwd = await tempDir();
    const ws = join(cwd, 'ws');
    await writeFile(join(cwd, 'src.txt'), 'hello world\ngood morning\n');
    await writeFile(join(cwd, 'ref.txt'), 'hallo welt\nguten morgen\n');
    const imported = await cli(
      ['datasets', 'import', 'src.txt', 'ref.txt', '--name', 'Tiny', '--kind', 'translation'],
      cwd,
      ws,
    );
    expect(imported.code).toBe(0);
    expect(imported.out).toMatch(/Imported 2 rows as "tiny"/);
    expect((await cli(['datasets', 'list'], cwd, ws)).out).toMatch(
      /^tiny\s+translation\s+test:2\s+Tiny/m,
    );
    const shown = await cli(['datasets', 'show', 'tiny', '--json'], cwd, ws);
    expect(JSON.parse(shown.out).source.files[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await cli(['datasets', 'preview', 'tiny', '--limit', '1'], cwd, ws)).out).toMatch(
      /^1\t"hello world"\t"hallo welt"/,
    );
    expect(
      (await cli(['datasets', 'export', 'tiny', '--format', 'jsonl', '--out', 'exp'], cwd, ws))
        .code,
    ).toBe(0);
    expect(await readdir(join(cwd, 'exp'))).toEqual(['tiny.test.jsonl']);
    const refused = await cli(['datasets', 'delete', 'tiny'], cwd, ws);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/--yes/);
    expect((await cli(['datasets', 'delete', 'tiny', '--yes'], cwd, ws)).code).toBe(0);
    expect((await cli(['datasets', 'list'], cwd, ws)).out).toMatch(/No datasets yet/);
  });

  it('explains bad input in one line with exit code 1 and no stack trace', async () => {
    const cwd = await tempDir();
    const ws = join(cwd, 'ws');
    await writeFile(join(cwd, 'src.txt'), 'a\nb\nc\n');
    await writeFile(join(cwd, 'ref.txt'), 'x\n');
    const result = await cli(
      ['datasets', 'import', 'src.txt', 'ref.txt', '--name', 'bad'],
      cwd,
      ws,
    );
    expect(result.code).toBe(1);
    expect(result.err.trim().split('\n')).toHaveLength(1);
    expect(result.err).toMatch(/ref\.txt/);
    expect(result.err).not.toMatch(/\n\s+at /);
    expect(await readdir(join(ws, 'datasets'))).toEqual([]);
    const missing = await cli(['datasets', 'import', 'nope.txt'], cwd, ws);
    expect(missing).toMatchObject({ code: 1 });
    expect(missing.err).toMatch(/nope\.txt: no such file/);
  });

  it('gives usage errors exit code 2', async () => {
    const cwd = await tempDir();
    expect((await cli(['datasets', 'frobnicate'], cwd, join(cwd, 'ws'))).code).toBe(2);
    expect((await cli(['datasets', 'list', '--bogus'], cwd, join(cwd, 'ws'))).code).toBe(2);
    expect((await cli(['nonsense'], cwd, join(cwd, 'ws'))).code).toBe(2);
    const csv = join(cwd, 'd.csv');
    await writeFile(csv, 'src,tgt\na,b\n');
    const noMapping = await cli(['datasets', 'import', 'd.csv'], cwd, join(cwd, 'ws'));
    expect(noMapping.code).toBe(2);
    expect(noMapping.err).toMatch(/--source COLUMN.*src, tgt/);
  });
});
