// Bad model folders for `ecoeval models import DIR` and `ecoeval generate --model DIR`: damaged
// copies of the demo bundle (model.json replaced by each damaged body of the corpus, weights cut
// short or corrupt, weights.file naming `..` or a file outside, tokenizer damaged or missing).
// Each ends in one message naming the file, exit code 1, no stack trace, nothing imported and no
// staging left; odd but valid bundles (unknown fields, a weights link, a metacharacter name)
// import.
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/services';
import { tempDir } from '../helpers/temp';
import { MODEL_BUNDLES, MODEL_CLI } from './corpus';
import { BAD, cli, runCase } from './harness';

const DEMO = join(repoRoot, 'datasets/demo/models/demo-tiny');
const manifest = JSON.parse(readFileSync(join(DEMO, 'model.json'), 'utf8')) as {
  weights: { file: string };
};
const WEIGHTS = manifest.weights.file;
const META_NAME = '<img src=x onerror=alert(1)> $(touch pwned)';

const editManifest = (dir: string, edit: (m: Record<string, unknown>) => void) => {
  const m = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as Record<string, unknown>;
  edit(m);
  writeFileSync(join(dir, 'model.json'), JSON.stringify(m));
};

/** How each bundle of MODEL_BUNDLES is damaged, by name. */
const DAMAGE: Record<string, (dir: string) => void> = {
  'no model.json': (dir) => rmSync(join(dir, 'model.json')),
  'weights cut short': (dir) => truncateSync(join(dir, WEIGHTS), 1000),
  'weights with a flipped byte': (dir) => {
    const bytes = readFileSync(join(dir, WEIGHTS));
    bytes[100] ^= 0xff;
    writeFileSync(join(dir, WEIGHTS), bytes);
  },
  'weights file ".." (the folder above)': (dir) =>
    editManifest(dir, (m) => ((m.weights as { file: string }).file = '..')),
  'weights file "../weights.bin" (outside the folder)': (dir) => {
    // The weights really are there: only the path check stands between them and the loader.
    cpSync(join(dir, WEIGHTS), join(dir, '..', 'weights.bin'));
    editManifest(dir, (m) => ((m.weights as { file: string }).file = '../weights.bin'));
  },
  'tokenizer.json is binary garbage': (dir) =>
    writeFileSync(join(dir, 'tokenizer.json'), readFileSync(join(BAD, 'text/garbage.bin'))),
  'no tokenizer.json': (dir) => rmSync(join(dir, 'tokenizer.json')),
  'unknown fields in model.json': (dir) =>
    editManifest(dir, (m) => (m.wibble = { nested: [1, 2, { deeper: '<script>' }] })),
  'weights are a symbolic link to a file outside the bundle': (dir) => {
    renameSync(join(dir, WEIGHTS), join(dir, '..', `outside-${WEIGHTS}`));
    symlinkSync(join(dir, '..', `outside-${WEIGHTS}`), join(dir, WEIGHTS));
  },
  'a name with shell and HTML metacharacters': () => undefined,
};

let workspace: string;
const bundles = new Map<string, string>();

beforeAll(async () => {
  const root = await tempDir('ecoeval-bad-models-');
  workspace = join(root, 'ws');
  MODEL_BUNDLES.forEach((b, i) => {
    // Each bundle in a folder of its own, so files put "outside" it stay apart.
    const dir = join(root, `case-${i}`, `bundle-${i}`);
    mkdirSync(join(root, `case-${i}`));
    cpSync(DEMO, dir, { recursive: true });
    const body = b.name.startsWith('model.json: ') ? b.name.slice('model.json: '.length) : null;
    if (body) writeFileSync(join(dir, 'model.json'), readFileSync(join(BAD, 'manifests', body)));
    else DAMAGE[b.name](dir);
    bundles.set(b.name, dir);
  });
});

describe('ecoeval models import: damaged bundles', () => {
  MODEL_BUNDLES.forEach((b, i) => {
    it(`${b.name} (${b.kind})`, async () => {
      const argv = ['models', 'import', bundles.get(b.name)!];
      if (b.kind === 'metachars') argv.push('--name', META_NAME);
      const expect_ = 'accepted' in b.import ? b.import : { ...b.import, file: `bundle-${i}` };
      await runCase({ argv, expect: expect_ }, { cwd: BAD, workspace });
    });
  });

  it('lists the imported models with their names as given, and ran nothing', async () => {
    const list = await cli(['models', 'list', '--json'], { cwd: BAD, workspace });
    const { models, broken } = JSON.parse(list.out) as {
      models: { name: string }[];
      broken: unknown[];
    };
    expect(models.map((m) => m.name)).toContain(META_NAME);
    expect(broken).toEqual([]);
    expect(existsSync(join(BAD, 'pwned'))).toBe(false);
  });
});

describe('ecoeval generate --model: damaged model folders', () => {
  MODEL_BUNDLES.forEach((b, i) => {
    if (!b.generate) return;
    const outcome = b.generate;
    it(`${b.name} (${b.kind})`, async () => {
      const argv = ['generate', '--model', bundles.get(b.name)!, '-i', 'text/one.txt'];
      const expect_ = 'accepted' in outcome ? outcome : { ...outcome, file: `bundle-${i}` };
      await runCase({ argv, expect: expect_ }, { cwd: BAD, workspace });
    });
  });
});

describe('ecoeval models import and generate: no usable folder', () => {
  for (const c of MODEL_CLI) {
    it(`${c.name} (${c.kind})`, async () => {
      await runCase(c, { cwd: BAD, workspace });
    });
  }
});
