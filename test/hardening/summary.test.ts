// The hardening suite's numbers: how many bad inputs each entry point is fed and how many fuzz
// runs there are (from the case tables the bad-input tests iterate), the kill points and security
// cases (the tests in the crash-* and security-* files), the concurrent cases and the load's size
// and bounds (from the tables those tests use). Prints the summary (`npm run test:hardening`),
// checks the README's Reliability section states the same numbers, and checks the committed
// corpus is exactly what scripts/make-bad-inputs.mjs makes.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect, it } from 'vitest';
import { repoRoot } from '../helpers/services';
import { tempDir } from '../helpers/temp';
import {
  CODECARBON,
  DATASET_IMPORT,
  FUZZ_RUNS,
  MODEL_BUNDLES,
  MODEL_CLI,
  PPL,
  REPORT_PLANS,
  SCORE,
  WALL_METER,
  WORKSPACE,
} from './corpus';
import { BAD } from './harness';
import { CONCURRENT_CASES } from './concurrency-cases';
import { LOAD, LOAD_BOUNDS } from './load-harness';

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

function summary(): string {
  const formats = Object.entries(DATASET_IMPORT).map(([f, cases]) => `${f} ${cases.length}`);
  const imports = sum(Object.values(DATASET_IMPORT).map((c) => c.length));
  const modelImport = MODEL_BUNDLES.length + MODEL_CLI.filter((c) => c.argv[0] === 'models').length;
  const generate =
    MODEL_BUNDLES.filter((b) => b.generate).length +
    MODEL_CLI.filter((c) => c.argv[0] === 'generate').length;
  const workspace = sum(Object.values(WORKSPACE));
  const energy = CODECARBON.length + WALL_METER.length;
  const total =
    imports +
    SCORE.length +
    PPL.length +
    energy +
    REPORT_PLANS.length +
    modelImport +
    generate +
    workspace;
  const importerFuzz = 4 * FUZZ_RUNS.importerPerFormat + FUZZ_RUNS.parquet;
  return (
    `${total} bad inputs: datasets import ${imports} (${formats.join(', ')}), ` +
    `score ${SCORE.length}, ppl ${PPL.length}, ` +
    `energy imports ${energy} (CodeCarbon ${CODECARBON.length}, wall meter ${WALL_METER.length}), ` +
    `report plans ${REPORT_PLANS.length}, models import ${modelImport}, generate ${generate}, ` +
    `workspace manifests ${workspace}; ` +
    `fuzz runs: importers ${importerFuzz} (text, tsv, csv, jsonl ${FUZZ_RUNS.importerPerFormat} each, parquet ${FUZZ_RUNS.parquet}), ` +
    `score ${FUZZ_RUNS.score}`
  );
}

/** Tests (`it(` calls) in a hardening test file: each crash test is one kill point or fault. */
function testsIn(file: string): number {
  const source = readFileSync(join(repoRoot, 'test/hardening', file), 'utf8');
  return source.match(/^\s*it\(/gm)?.length ?? 0;
}

function faultSummary(): string {
  const kills = {
    'dataset import': testsIn('crash-dataset-import.test.ts'),
    evaluation: testsIn('crash-evaluation.test.ts'),
    training: testsIn('crash-training.test.ts'),
    report: testsIn('crash-report.test.ts'),
    'workspace lock': testsIn('crash-lock.test.ts'),
  };
  const security = {
    'browser host': testsIn('security-web-server.test.ts'),
    Electron: testsIn('security-electron.test.ts') + testsIn('security-electronegativity.test.ts'),
    'report escaping': testsIn('security-report.test.ts'),
    'CSV injection': testsIn('security-csv.test.ts'),
  };
  const list = (table: Record<string, number>) =>
    Object.entries(table)
      .map(([name, n]) => `${name} ${n}`)
      .join(', ');
  return (
    `${sum(Object.values(kills))} SIGKILL kill points (${list(kills)}), ` +
    `${testsIn('crash-disk.test.ts')} disk-full and read-only cases; ` +
    `${CONCURRENT_CASES} concurrent cases (browser host and CLI processes on one workspace) ` +
    `and ${testsIn('concurrency-slot.test.ts')} measurement-slot tests; ` +
    `${sum(Object.values(security))} security tests (${list(security)}); ` +
    `load: ${LOAD.clients} clients, ${LOAD.requests.toLocaleString('en')} requests, ` +
    `host RSS growth under ${LOAD_BOUNDS.requestRssGrowthMb} MB, p99 under ${LOAD_BOUNDS.p99Ms / 1000} s`
  );
}

it('prints the summary, and the README states it', () => {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Reliability'));
  for (const line of [summary(), faultSummary()]) {
    console.log(`Hardening: ${line}`);
    expect(section, 'README.md needs a "## Reliability" section with this line').toContain(line);
  }
});

function files(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else out[relative(dir, full)] = readFileSync(full).toString('base64');
    }
  };
  walk(dir);
  return out;
}

it('the committed corpus is what scripts/make-bad-inputs.mjs makes', async () => {
  const out = await tempDir('ecoeval-corpus-');
  const made = spawnSync(process.execPath, ['scripts/make-bad-inputs.mjs', '--out', out], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  expect(made.status, made.stderr).toBe(0);
  const fresh = files(out);
  const committed = files(BAD);
  expect(Object.keys(committed).sort()).toEqual(Object.keys(fresh).sort());
  for (const [path, bytes] of Object.entries(fresh)) expect(committed[path], path).toBe(bytes);
}, 60_000);
