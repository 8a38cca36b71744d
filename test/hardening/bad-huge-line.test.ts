// A 100 MB single line (no line end), made at test time and streamed to a temporary folder, fed
// to every entry point that reads text: dataset import as text and as JSON Lines, `ecoeval score`,
// `ecoeval ppl` and a report plan. Each ends in a clear message within the time bound (reading
// such a line was quadratic: 20 s for 100 MB), and the message does not echo the line.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp';
import { DATASET_IMPORT, PPL, REPORT_PLANS, SCORE } from './corpus';
import { BAD, runCase, writeHugeLine } from './harness';

/** Generous for a loaded CI machine; the cases take about a second each here. */
const LIMIT_MS = 30_000;

let workspace: string;
let paths: Record<string, string>;

beforeAll(async () => {
  const dir = await tempDir('ecoeval-huge-');
  workspace = join(dir, 'ws');
  paths = { huge: await writeHugeLine(join(dir, 'huge-line.txt')), out: join(dir, 'report') };
}, 60_000);

const cases = [...Object.values(DATASET_IMPORT).flat(), ...SCORE, ...PPL, ...REPORT_PLANS].filter(
  (c) => c.kind === 'huge-line',
);

describe('a 100 MB single line', () => {
  for (const c of cases) {
    it(
      `ecoeval ${c.argv.slice(0, 2).join(' ')} ${c.argv.includes('jsonl') ? '(jsonl)' : ''}`,
      async () => {
        const result = await runCase(c, { cwd: BAD, workspace, paths, limitMs: LIMIT_MS });
        expect(result.ms).toBeLessThan(LIMIT_MS);
        expect(result.err.length).toBeLessThan(4000);
      },
      LIMIT_MS + 5000,
    );
  }
});
