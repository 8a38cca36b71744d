// Bad report plans for `ecoeval report run PLAN --out DIR` (YAML and JSON): each ends in exit
// code 2 (the documented code for a plan that cannot be run) with `file:line:col: what` and the
// offending line, no stack trace, within a time bound; no report folder and nothing in the
// workspace is written, and metacharacters in the plan run nothing. The 100 MB line is in
// bad-huge-line.test.ts; the alias bomb also runs in a real process (bad-process.test.ts).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp';
import { REPORT_PLANS } from './corpus';
import { BAD, runCase } from './harness';

let workspace: string;
let out: string;

beforeAll(async () => {
  const dir = await tempDir('ecoeval-bad-report-');
  workspace = join(dir, 'ws');
  out = join(dir, 'report');
});

describe('ecoeval report run: bad plans', () => {
  for (const c of REPORT_PLANS.filter((c) => c.kind !== 'huge-line')) {
    it(`${c.name} (${c.kind})`, async () => {
      const result = await runCase(c, { cwd: BAD, workspace, paths: { out } });
      expect(existsSync(out)).toBe(false);
      expect(existsSync(join(BAD, 'pwned'))).toBe(false);
      // A code frame shows the line, never more than a screen width of it.
      for (const line of result.err.split('\n')) expect(line.length).toBeLessThan(400);
    });
  }
});
