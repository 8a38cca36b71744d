// `npm test`: lint (ESLint, Prettier), type checks (tsc, svelte-check), build, Electronegativity,
// vitest, the packaging check, and Playwright — then one plain summary line
// `N passed, N failed, N skipped` built from the runners' JSON reports (each lint, type, scan and
// packaging check counts as one test).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const reports = join(root, 'reports');
mkdirSync(reports, { recursive: true });
const only = process.argv.slice(2);
const bin = (name) => join(root, 'node_modules', '.bin', name);

const tally = { passed: 0, failed: 0, skipped: 0 };
const failures = [];

function run(label, command, args, options = {}) {
  const started = Date.now();
  process.stdout.write(`\n▶ ${label}\n`);
  const result = spawnSync(command, args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, FORCE_COLOR: '0' },
    ...options,
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const ok = result.status === 0;
  process.stdout.write(`\n${ok ? '✔' : '✘'} ${label} (${seconds} s)\n`);
  return ok;
}

function check(label, command, args) {
  const ok = run(label, command, args);
  if (ok) tally.passed++;
  else {
    tally.failed++;
    failures.push(label);
  }
  return ok;
}

const want = (step) => only.length === 0 || only.includes(step);

if (want('lint')) {
  check('eslint', bin('eslint'), ['.', '--max-warnings=0']);
  check('prettier --check', bin('prettier'), ['--check', '.', '--log-level', 'warn']);
}
if (want('types')) {
  check('tsc --noEmit', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']);
  check('svelte-check', bin('svelte-check'), [
    '--tsconfig',
    './tsconfig.json',
    '--fail-on-warnings',
    '--output',
    'human',
  ]);
}
const built =
  want('build') || want('e2e') || want('dist')
    ? check('build (electron-vite)', process.execPath, ['scripts/build.mjs'])
    : true;

// Electronegativity over the app's sources (main/, renderer/, shared/, package.json): one test,
// failing on any finding above informational or any file the tool cannot parse.
if (want('electronegativity'))
  check('electronegativity (Electron security scan)', process.execPath, [
    'scripts/electronegativity.mjs',
    '--quiet',
  ]);

if (want('unit')) {
  const file = join(reports, 'vitest.json');
  rmSync(file, { force: true });
  const ok = run('vitest', bin('vitest'), ['run', '--config', 'test/vitest.config.ts']);
  if (existsSync(file)) {
    const report = JSON.parse(readFileSync(file, 'utf8'));
    tally.passed += report.numPassedTests;
    tally.failed += report.numFailedTests;
    tally.skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
    if (report.numFailedTests > 0 || !ok) failures.push('vitest');
    if (!ok && report.numFailedTests === 0) tally.failed++;
  } else {
    tally.failed++;
    failures.push('vitest (no report)');
  }
}

if (want('dist') && built)
  check('packaging check (electron-builder --dir, stub Electron)', process.execPath, [
    'scripts/dist-check.mjs',
  ]);

if (want('e2e') && built) {
  const file = join(reports, 'playwright.json');
  rmSync(file, { force: true });
  const ok = run('playwright', bin('playwright'), [
    'test',
    '--config',
    'test/playwright.config.ts',
  ]);
  if (existsSync(file)) {
    const { stats } = JSON.parse(readFileSync(file, 'utf8'));
    tally.passed += stats.expected + (stats.flaky ?? 0);
    tally.failed += stats.unexpected;
    tally.skipped += stats.skipped;
    if (stats.unexpected > 0 || !ok) failures.push('playwright');
    if (!ok && stats.unexpected === 0) tally.failed++;
  } else {
    tally.failed++;
    failures.push('playwright (no report)');
  }
}

if (failures.length) process.stdout.write(`\nFailed: ${failures.join(', ')}\n`);
process.stdout.write(
  `\n${tally.passed} passed, ${tally.failed} failed, ${tally.skipped} skipped\n`,
);
process.exit(tally.failed > 0 ? 1 : 0);
