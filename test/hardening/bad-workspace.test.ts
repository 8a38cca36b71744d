// Damaged workspaces: every damaged dataset manifest, run.json, model.json and queue.json of the
// corpus, links out of the workspace, a dangling link and folder names with shell and HTML
// metacharacters. `datasets list`, `runs list` and `models list` must report each (the folder
// and what is wrong), exit 0, and change nothing on disk; `show` refuses ids that climb out.
import {
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp';
import { MANIFEST_BODIES, WORKSPACE } from './corpus';
import { BAD, cli, expectAccepted, expectNoCrash, runCase, snapshot } from './harness';

const META = `<img src=x onerror=alert(1)> $(touch pwned) & rm -rf ~`;
const runId = (name: string) => `20260101-000000-${name.replace(/[^a-z0-9]+/g, '-')}-abcdef`;
const stem = (file: string) => file.replace(/\.json$/, '');

let root: string;
let workspace: string;

/** Every file under the workspace with its bytes (links as their target), to show nothing changed. */
function contents(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string) => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      const info = lstatSync(full);
      if (info.isSymbolicLink()) out[`${rel}${name}`] = 'link';
      else if (info.isDirectory()) walk(full, `${rel}${name}/`);
      else out[`${rel}${name}`] = readFileSync(full).toString('base64');
    }
  };
  walk(dir, '');
  return out;
}

beforeAll(async () => {
  root = await tempDir('ecoeval-bad-workspace-');
  workspace = join(root, 'ws');
  const made = await cli(['datasets', 'list'], { cwd: root, workspace });
  expect(made.code).toBe(0);
  for (const { file } of MANIFEST_BODIES) {
    const body = readFileSync(join(BAD, 'manifests', file));
    for (const [dir, name] of [
      [join(workspace, 'datasets', stem(file)), 'manifest.json'],
      [join(workspace, 'models', stem(file)), 'model.json'],
      [join(workspace, 'runs', runId(stem(file))), 'run.json'],
    ]) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, name), body);
    }
  }
  // Links out of the workspace (to a folder with a valid-looking manifest), and a dangling one.
  const outside = join(root, 'outside');
  mkdirSync(outside);
  writeFileSync(join(outside, 'manifest.json'), '{}');
  // Named like a temp file a killed writer leaves: the sweep at open removes those in the workspace.
  writeFileSync(join(outside, '.tmp-not-ours'), 'keep me');
  symlinkSync(outside, join(workspace, 'datasets', 'linked-out'));
  symlinkSync(outside, join(workspace, 'models', 'linked-out'));
  symlinkSync(outside, join(workspace, 'runs', runId('linked-out')));
  symlinkSync(join(root, 'nowhere'), join(workspace, 'datasets', 'dangling'));
  for (const kind of ['datasets', 'models', 'runs']) mkdirSync(join(workspace, kind, META));
});

describe('datasets list, runs list, models list on a damaged workspace', () => {
  const lists = [
    ['datasets', (f: string) => stem(f), 'manifest.json'],
    ['runs', (f: string) => runId(stem(f)), 'run.json'],
    ['models', (f: string) => stem(f), 'model.json'],
  ] as const;
  for (const [kind, folder, manifest] of lists) {
    it(`${kind} list reports every damaged ${manifest}, each link and odd name, and writes nothing`, async () => {
      const before = contents(workspace);
      const text = await cli([kind, 'list'], { cwd: root, workspace });
      expectAccepted(text);
      expectNoCrash(text.out);
      const json = await cli([kind, 'list', '--json'], { cwd: root, workspace });
      const { broken } = JSON.parse(json.out) as { broken: { folder: string; problem: string }[] };
      const problem = (name: string) => broken.find((b) => b.folder === name)?.problem ?? '';
      for (const { file } of MANIFEST_BODIES) {
        expect(problem(folder(file)), file).toMatch(
          new RegExp(`${manifest.replace('.', '\\.')} (is not|does not match)`),
        );
        expect(text.out).toContain(`! ${folder(file)}: `);
      }
      const link = kind === 'runs' ? runId('linked-out') : 'linked-out';
      expect(problem(link)).toMatch(/is a symbolic link, not a folder/);
      if (kind === 'datasets') expect(problem('dangling')).toMatch(/symbolic link/);
      expect(problem(META)).not.toBe('');
      expect(contents(workspace)).toEqual(before);
    });
  }

  for (const { file, kind } of MANIFEST_BODIES) {
    it(`runs list reports a damaged queue.json: ${file} (${kind})`, async () => {
      writeFileSync(
        join(workspace, 'runs', 'queue.json'),
        readFileSync(join(BAD, 'manifests', file)),
      );
      const before = snapshot(workspace).filter((p) => !p.startsWith('runs/queue'));
      const result = await cli(['runs', 'list'], { cwd: root, workspace });
      expectAccepted(result);
      // Set aside (kept for the user), not deleted, and reported until removed.
      const aside = readdirSync(join(workspace, 'runs')).filter((f) =>
        f.startsWith('queue.broken-'),
      );
      expect(aside.length).toBeGreaterThan(0);
      for (const f of aside) expect(result.out).toContain(`! ${f}: runs/queue.json was damaged`);
      expect(snapshot(workspace).filter((p) => !p.startsWith('runs/queue'))).toEqual(before);
    });
  }
});

it('opening the workspace does not sweep through links out of it (it deleted .tmp-* files there)', async () => {
  for (const kind of ['datasets', 'runs', 'models']) {
    expect((await cli([kind, 'list'], { cwd: root, workspace })).code).toBe(0);
  }
  expect(readFileSync(join(root, 'outside', '.tmp-not-ours'), 'utf8')).toBe('keep me');
});

describe('show with ids that climb out of the workspace', () => {
  for (const argv of [
    ['datasets', 'show', '../../etc'],
    ['runs', 'show', '../../etc'],
    ['models', 'show', '..'],
  ]) {
    it(argv.join(' '), async () => {
      await runCase(
        { argv, expect: { code: 1, says: /not a valid .*id|is not a model id/ } },
        { cwd: root, workspace },
      );
    });
  }
});

it('counts what it covers', () => {
  expect(WORKSPACE.manifests).toBe(MANIFEST_BODIES.length * 3);
});
