// Bad inputs for `ecoeval datasets import` in each format (text, tsv, csv, jsonl, parquet): every
// rejected file ends in one message naming the file (and line) and what to do, exit code 1 (2 for
// usage), no stack trace, within a time bound, with no dataset folder or staging left behind;
// odd but valid files (BOM, CR LF, unknown fields, metacharacters in names) import. The 100 MB
// line is in bad-huge-line.test.ts, the damaged Parquet page also in a real process
// (bad-process.test.ts).
import { copyFileSync, existsSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp';
import { DATASET_IMPORT } from './corpus';
import { BAD, cli, runCase } from './harness';

let workspace: string;
let paths: Record<string, string>;

beforeAll(async () => {
  workspace = join(await tempDir('ecoeval-bad-ws-'), 'ws');
  const dir = await tempDir('ecoeval-bad-files-');
  const meta = join(dir, `$(touch pwned); <img src=x onerror="alert(1)"> 'q' & \`id\` |x`);
  copyFileSync(join(BAD, 'text/two.txt'), `${meta}.src`);
  copyFileSync(join(BAD, 'text/two.txt'), `${meta}.ref`);
  symlinkSync(join(BAD, 'text/two.txt'), join(dir, 'link.src'));
  symlinkSync(join(dir, 'no-such-target.txt'), join(dir, 'dangling.src'));
  paths = {
    'meta.src': `${meta}.src`,
    'meta.ref': `${meta}.ref`,
    'link.src': join(dir, 'link.src'),
    'dangling.src': join(dir, 'dangling.src'),
  };
});

for (const [format, cases] of Object.entries(DATASET_IMPORT)) {
  describe(`ecoeval datasets import: bad ${format} files`, () => {
    for (const c of cases.filter((c) => c.kind !== 'huge-line')) {
      it(`${c.name} (${c.kind})`, async () => {
        await runCase(c, { cwd: BAD, workspace, paths });
      });
    }
  });
}

describe('ecoeval datasets import: what accepted odd inputs leave', () => {
  it('keeps metacharacters as text: the name is stored as given, nothing is executed', async () => {
    const list = await cli(['datasets', 'list', '--json'], { cwd: BAD, workspace });
    const names = (JSON.parse(list.out) as { datasets: { name: string }[] }).datasets.map(
      (d) => d.name,
    );
    expect(names).toContain('<script>alert(1)</script> $(touch pwned); `id` & rm -rf ~');
    expect(names.some((n) => n.startsWith('$(touch pwned); <img src=x onerror="alert(1)">'))).toBe(
      true,
    );
    expect(existsSync(join(BAD, 'pwned'))).toBe(false);
    expect(existsSync('pwned')).toBe(false);
  });

  it('records the BOM and line-end normalisation in the manifest', async () => {
    const shown = await cli(['datasets', 'show', 'bom-mixed', '--json'], { cwd: BAD, workspace });
    const manifest = JSON.parse(shown.out) as {
      normalisation: { file: string; bomRemoved: boolean; crlfLines: number }[];
    };
    expect(manifest.normalisation[0]).toMatchObject({ file: 'bom-mixed.src', bomRemoved: true });
    const preview = await cli(['datasets', 'preview', 'bom-mixed'], { cwd: BAD, workspace });
    expect(preview.out).toContain('"three\\rstill three"');
    expect(readFileSync(join(BAD, 'text/bom-mixed.src'), 'utf8').startsWith('\ufeff')).toBe(true);
  });
});
