// The Electronegativity step of `npm test` (scripts/electronegativity.mjs) must be able to fail.
// A scratch app with planted misconfigurations, in every kind of file the step stages (.js, .ts
// with current syntax, both halves of a .svelte file), is scanned by the real tool: each one is
// found at its line, an `eng-disable` annotation silences only its own line, the summary line
// counts what the JSON report lists, and the step exits 1. A window set up as the tool asks
// passes, and the same app with one file the tool cannot parse fails. (The app itself is scanned
// by the step, not here.)
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { repoRoot } from '../helpers/services';
import { tempDir } from '../helpers/temp';

// Three real scans (about 4 s each) on a shared 2-core machine.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

interface Finding {
  id: string;
  severity: string;
  file: string;
  line: number;
}
interface Report {
  version: string;
  excluded: Record<string, string>;
  files: number;
  issues: Finding[];
  errors: Array<{ file: string; message: string }>;
}
interface Scan {
  code: number;
  stdout: string;
  report: Report;
}

const SUMMARY =
  /^Electronegativity: (\d+) findings above informational \((\d+) informational\) in (\d+) files, version (\S+)$/m;

async function scan(dir: string): Promise<Scan> {
  const json = join(dir, '..', `${dir.split('/').pop()}-report.json`);
  const { code, stdout } = await promisify(execFile)(
    process.execPath,
    ['scripts/electronegativity.mjs', dir, '--json', json],
    { cwd: repoRoot },
  ).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (error: { code?: number; stdout?: string }) => ({
      code: error.code ?? -1,
      stdout: error.stdout ?? '',
    }),
  );
  return { code, stdout, report: JSON.parse(await readFile(json, 'utf8')) as Report };
}

async function write(dir: string, files: Record<string, string>): Promise<void> {
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), text);
  }
}

const PACKAGE = JSON.stringify({ name: 'scratch', devDependencies: { electron: '45.5.0' } });

let bad: Scan;
let good: Scan;
let unparsable: Scan;

beforeAll(async () => {
  const root = await tempDir('ecoeval-electronegativity-');
  const badApp = join(root, 'bad-app');
  await write(badApp, {
    'package.json': PACKAGE,
    'main.js': [
      "const { BrowserWindow, shell } = require('electron');",
      'new BrowserWindow({ webPreferences: { nodeIntegration: true } });',
      'exports.open = (url) => shell.openExternal(url); // eng-disable OPEN_EXTERNAL_JS_CHECK',
      'exports.openAny = (url) => shell.openExternal(url);',
      '',
    ].join('\n'),
    'src/window.ts': [
      "import { BrowserWindow } from 'electron';",
      'const size = { width: 800, height: 600 } satisfies Record<string, number>;',
      'export const win = new BrowserWindow({ ...size, webPreferences: { contextIsolation: false } });',
      '',
    ].join('\n'),
    'src/Page.svelte': [
      '<script lang="ts">',
      "  let code = $state('1');",
      '  export const run = (more: string): unknown => eval(code + more);',
      '</script>',
      '',
      '<webview src="https://example.com" nodeintegration></webview>',
      '',
    ].join('\n'),
  });
  // Everything the tool asks of a window, and nothing else.
  const clean = {
    'package.json': PACKAGE,
    'main.js': [
      "const { BrowserWindow, session } = require('electron');",
      'session.defaultSession.setPermissionRequestHandler((_wc, _p, callback) => callback(false));',
      'session.defaultSession.webRequest.onHeadersReceived((details, callback) =>',
      "  callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [\"default-src 'none'\"] } }),",
      ');',
      'const win = new BrowserWindow({',
      "  webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false, disableBlinkFeatures: 'Auxclick' },",
      '});',
      "win.webContents.on('will-navigate', (event) => event.preventDefault());",
      "win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));",
      '',
    ].join('\n'),
  };
  const cleanApp = join(root, 'clean-app');
  await write(cleanApp, clean);
  const brokenApp = join(root, 'unparsable');
  await write(brokenApp, { ...clean, 'broken.ts': 'export const = ;\n' });
  [bad, good, unparsable] = await Promise.all([scan(badApp), scan(cleanApp), scan(brokenApp)]);
});

/** Every `eng-disable` annotation in the app: `file:line CHECK…`. */
async function annotations(): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(join(repoRoot, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.name === 'node_modules') continue;
      if (entry.isDirectory()) await walk(path);
      else if (/\.(ts|js|mjs|cjs|svelte|html)$/.test(entry.name)) {
        const lines = (await readFile(join(repoRoot, path), 'utf8')).split('\n');
        lines.forEach((text, i) => {
          const match = /eng-disable[ \t]+([\w \t]+)/.exec(text);
          if (match) out.push(`${path}:${i + 1} ${match[1].trim()}`);
        });
      }
    }
  };
  for (const dir of ['main', 'renderer', 'shared']) await walk(dir);
  return out.sort();
}

describe('scripts/electronegativity.mjs', () => {
  it('finds planted misconfigurations at their lines and fails', () => {
    const at = bad.report.issues.map((i) => `${i.id} ${i.file}:${i.line}`);
    expect(at).toEqual(
      expect.arrayContaining([
        'NODE_INTEGRATION_JS_CHECK bad-app/main.js:2',
        'CONTEXT_ISOLATION_JS_CHECK bad-app/src/window.ts:3',
        'DANGEROUS_FUNCTIONS_JS_CHECK bad-app/src/Page.svelte:3',
        'NODE_INTEGRATION_HTML_CHECK bad-app/src/Page.svelte:6',
        'OPEN_EXTERNAL_JS_CHECK bad-app/main.js:4',
      ]),
    );
    // A window with no navigation, permission or CSP set-up at all.
    for (const id of [
      'LIMIT_NAVIGATION_GLOBAL_CHECK',
      'PERMISSION_REQUEST_HANDLER_GLOBAL_CHECK',
      'CSP_GLOBAL_CHECK',
    ]) {
      expect(at, id).toContain(`${id} N/A:0`);
    }
    expect(bad.report.errors).toEqual([]);
    expect(bad.code).toBe(1);
  });

  it('honours an eng-disable annotation on its own line only', () => {
    const openExternal = bad.report.issues.filter((i) => i.id === 'OPEN_EXTERNAL_JS_CHECK');
    expect(openExternal.map((i) => i.line)).toEqual([4]);
  });

  it('leaves out one check only, and the app carries only the reviewed annotations', async () => {
    expect(Object.keys(bad.report.excluded)).toEqual(['AvailableSecurityFixesGlobalCheck']);
    // Each is explained where it stands; a new one needs the same review (and a line here).
    const found = (await annotations()).map((a) => a.replace(/:\d+ /, ' ')).sort();
    expect(found).toEqual([
      'main/index.ts CSP_GLOBAL_CHECK',
      'main/index.ts OPEN_EXTERNAL_JS_CHECK',
      'main/index.ts PRELOAD_JS_CHECK',
      'renderer/index.html CSP_GLOBAL_CHECK',
    ]);
    // The page's annotation is its first line (the tool reads a file-wide one only there).
    expect((await annotations()).find((a) => a.startsWith('renderer/index.html'))).toMatch(
      /^renderer\/index\.html:1 /,
    );
  });

  it('prints one summary line that counts what the report lists', () => {
    const match = SUMMARY.exec(bad.stdout);
    expect(match, bad.stdout).not.toBeNull();
    const [, above, informational, files, version] = match!;
    const high = bad.report.issues.filter((i) => i.severity !== 'INFORMATIONAL').length;
    expect(Number(above)).toBe(high);
    expect(Number(above)).toBeGreaterThan(0);
    expect(Number(informational)).toBe(bad.report.issues.length - high);
    expect(Number(files)).toBe(4);
    expect(version).toBe(bad.report.version);
  });

  it('passes a window set up as the tool asks', () => {
    expect(good.report.issues.filter((i) => i.severity !== 'INFORMATIONAL')).toEqual([]);
    expect(good.report.errors).toEqual([]);
    expect(SUMMARY.exec(good.stdout)?.slice(1, 4)).toEqual(['0', '1', '2']);
    expect(good.code).toBe(0);
  });

  it('fails when a file cannot be parsed, even with no finding above informational', () => {
    expect(unparsable.report.errors.map((e) => e.file)).toEqual(['unparsable/broken.ts']);
    expect(unparsable.stdout).toMatch(/PARSE ERROR unparsable\/broken\.ts/);
    expect(SUMMARY.exec(unparsable.stdout)?.[1]).toBe('0');
    expect(unparsable.code).toBe(1);
  });
});
