// Checks the packaging config without the Electron download: runs electron-builder's directory
// build against a stub Electron distribution (a fake binary, version file and empty resources)
// and asserts what lands in the package. Real installers: `npm run dist` where Electron exists.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  chmodSync,
  mkdtempSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const require = createRequire(import.meta.url);
const electronVersion = JSON.parse(
  readFileSync(join(root, 'node_modules/electron/package.json'), 'utf8'),
).version;

const stub = mkdtempSync(join(tmpdir(), 'ecoeval-electron-stub-'));
const output = mkdtempSync(join(tmpdir(), 'ecoeval-dist-'));
writeFileSync(
  join(stub, 'electron'),
  '#!/bin/sh\necho "stub electron: packaging check only" >&2\nexit 1\n',
);
chmodSync(join(stub, 'electron'), 0o755);
writeFileSync(join(stub, 'version'), electronVersion);
writeFileSync(join(stub, 'LICENSE'), 'stub');
writeFileSync(join(stub, 'LICENSES.chromium.html'), '<p>stub</p>');
mkdirSync(join(stub, 'resources'));

const builder = join(root, 'node_modules/.bin/electron-builder');
const result = spawnSync(
  builder,
  [
    '--dir',
    '--linux',
    '--x64',
    '--config',
    'electron-builder.config.ts',
    `-c.electronDist=${stub}`,
    `-c.directories.output=${output}`,
    '--publish',
    'never',
  ],
  {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ELECTRON_BUILDER_OFFLINE: '1', CSC_IDENTITY_AUTO_DISCOVERY: 'false' },
  },
);
const failures = [];
const expect = (condition, message) => {
  if (!condition) failures.push(message);
};
if (result.status !== 0) {
  console.error(result.stdout, result.stderr);
  failures.push(`electron-builder --dir exited with ${result.status}`);
} else {
  const resources = join(output, 'linux-unpacked', 'resources');
  const asar = require('@electron/asar');
  const files = new Set(
    asar.listPackage(join(resources, 'app.asar')).map((f) => f.replace(/\\/g, '/')),
  );
  for (const entry of [
    '/package.json',
    '/out/main/index.js',
    '/out/main/cli.js',
    '/out/main/web-server.js',
    '/out/preload/preload.cjs',
    '/out/renderer/index.html',
  ]) {
    expect(files.has(entry), `app.asar lacks ${entry}`);
  }
  expect(
    ![...files].some(
      (f) => f.startsWith('/node_modules/echarts') || f.startsWith('/node_modules/zod'),
    ),
    'bundled devDependencies leaked into app.asar',
  );
  const leaked = [...files].filter((f) => /^\/(main|test|renderer|shared)\//.test(f));
  expect(
    leaked.length === 0,
    `sources or tests leaked into app.asar: ${leaked.slice(0, 5).join(', ')}`,
  );
  const ortBin = join(resources, 'app.asar.unpacked/node_modules/onnxruntime-node/bin/napi-v6');
  expect(
    existsSync(join(ortBin, 'linux')),
    'onnxruntime-node linux binaries are not unpacked from the asar',
  );
  expect(
    !existsSync(join(ortBin, 'darwin')) && !existsSync(join(ortBin, 'win32')),
    "other platforms' onnxruntime binaries are packaged",
  );
  const datasets = join(resources, 'datasets');
  const shipped = existsSync(datasets)
    ? readdirSync(datasets).filter((d) => existsSync(join(datasets, d, 'dataset.json')))
    : [];
  expect(
    shipped.length === 3,
    `expected 3 built-in datasets in resources/datasets, found ${shipped.length}`,
  );
  expect(!existsSync(join(datasets, 'generator')), 'the dataset generator sources are packaged');
  console.log(
    `packaging check: app.asar has ${files.size} entries; datasets: ${shipped.join(', ')}`,
  );
}
rmSync(stub, { recursive: true, force: true });
rmSync(output, { recursive: true, force: true });
if (failures.length) {
  for (const f of failures) console.error(`✘ ${f}`);
  process.exit(1);
}
console.log('packaging check passed');
