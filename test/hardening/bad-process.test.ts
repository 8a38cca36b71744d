// The bad inputs that once hung or crashed, run as real `ecoeval` processes (killed after a time
// bound, which an endless synchronous loop inside this process could not be): exit code, message
// and no stack trace as a user sees them on the terminal.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp';
import { DATASET_IMPORT, REPORT_PLANS } from './corpus';
import type { CliCase } from './corpus';
import { BAD, expectRejected, snapshot, spawnCli } from './harness';

const LIMIT_MS = 45_000;
let dir: string;

beforeAll(async () => {
  dir = await tempDir('ecoeval-bad-process-');
});

const pick = (cases: CliCase[], name: string): CliCase => {
  const found = cases.find((c) => c.name === name);
  if (!found) throw new Error(`no case "${name}"`);
  return found;
};

const CASES: CliCase[] = [
  // hyparquet looped forever on a page header missing its level lengths.
  pick(DATASET_IMPORT.parquet, 'a damaged page header (was an endless loop)'),
  // The field listing recursed once per level: "Internal error: Maximum call stack size exceeded".
  pick(DATASET_IMPORT.jsonl, 'deeply nested object, no mapping (listed fields)'),
  // yaml's alias limit surfaced as "internal error: Excessive alias count …".
  pick(REPORT_PLANS, 'alias-bomb.yaml'),
];

describe.concurrent('bad inputs in a real ecoeval process', () => {
  CASES.forEach((c, i) => {
    it(
      `${c.argv.slice(0, 2).join(' ')}: ${c.name}`,
      async () => {
        const workspace = join(dir, `ws-${i}`);
        const argv = c.argv.map((a) => (a === '@out' ? join(dir, `out-${i}`) : a));
        const result = await spawnCli(argv, { cwd: BAD, workspace, limitMs: LIMIT_MS });
        expect(result.timedOut, `killed after ${LIMIT_MS} ms`).toBe(false);
        if ('accepted' in c.expect) throw new Error('rejected cases only');
        expectRejected(result, c.expect);
        expect(result.out).toBe('');
        expect(snapshot(workspace)).toEqual([]);
      },
      LIMIT_MS + 10_000,
    );
  });
});
