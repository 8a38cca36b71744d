// Bad inputs for the metric commands: `ecoeval score` (reference and hypothesis files, --jsonl)
// and `ecoeval ppl` (JSON Lines of log-probabilities). Each rejected file ends in one message
// naming the file and line, exit code 1 (2 for usage), no stack trace, within a time bound; odd
// but valid files score. The 100 MB line is in bad-huge-line.test.ts.
import { copyFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, it } from 'vitest';
import { tempDir } from '../helpers/temp';
import { PPL, SCORE } from './corpus';
import { BAD, runCase } from './harness';

let workspace: string;
let paths: Record<string, string>;

beforeAll(async () => {
  workspace = join(await tempDir('ecoeval-bad-ws-'), 'ws');
  const dir = await tempDir('ecoeval-bad-files-');
  const meta = join(dir, `$(touch pwned); <img src=x onerror="alert(1)"> & \`id\``);
  copyFileSync(join(BAD, 'text/two.txt'), `${meta}.src`);
  copyFileSync(join(BAD, 'text/two.txt'), `${meta}.ref`);
  symlinkSync(join(BAD, 'text/two.txt'), join(dir, 'link.src'));
  paths = {
    'meta.src': `${meta}.src`,
    'meta.ref': `${meta}.ref`,
    'link.src': join(dir, 'link.src'),
  };
});

for (const [command, cases] of [
  ['score', SCORE],
  ['ppl', PPL],
] as const) {
  describe(`ecoeval ${command}: bad inputs`, () => {
    for (const c of cases.filter((c) => c.kind !== 'huge-line')) {
      it(`${c.name} (${c.kind})`, async () => {
        await runCase(c, { cwd: BAD, workspace, paths });
      });
    }
  });
}
