// Bad energy imports: CodeCarbon emissions.csv files through `ecoeval evaluate --outputs …
// --codecarbon FILE` (the CLI entry point that reads them), and wall-meter logs through
// importWallMeterCsv (no command reads them yet). Each rejected file ends in one message naming
// the file and line, exit code 1, no stack trace, no raw control characters, and no run saved.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EnergyInputError } from '../../main/services/energy/imports/errors';
import { importWallMeterCsv } from '../../main/services/energy/imports/wall-meter';
import { tempDir } from '../helpers/temp';
import { CODECARBON, isAccepted, WALL_METER } from './corpus';
import { BAD, cli, expectNoCrash, runCase } from './harness';

let workspace: string;

beforeAll(async () => {
  workspace = join(await tempDir('ecoeval-bad-energy-'), 'ws');
  const made = await cli(['datasets', 'import', 'text/two.txt', 'text/two.txt', '--name', 'tiny'], {
    cwd: BAD,
    workspace,
  });
  expect(made.code).toBe(0);
});

describe('ecoeval evaluate --codecarbon: bad emissions.csv files', () => {
  for (const c of CODECARBON) {
    const file = `codecarbon-${c.file}.csv`;
    it(`${c.file} (${c.kind})`, async () => {
      const argv = [
        'evaluate',
        '--outputs',
        'text/two.txt',
        '--codecarbon',
        `energy/${file}`,
        '--dataset',
        'tiny',
        '--metrics',
        'chrf',
        '--bootstrap',
        '0',
        '--force',
      ];
      const expect_ = isAccepted(c.expect) ? c.expect : { ...c.expect, file };
      const result = await runCase({ argv, expect: expect_ }, { cwd: BAD, workspace });
      expect(result.err).not.toMatch(/\r/);
      if (isAccepted(c.expect)) expect(result.out).toMatch(/chrF2 = 100\.00/);
    });
  }
});

describe('importWallMeterCsv: bad wall-meter logs', () => {
  for (const c of WALL_METER) {
    const file = `wall-${c.file}.csv`;
    it(`${c.file} (${c.kind})`, () => {
      const text = readFileSync(join(BAD, 'energy', file), 'utf8');
      if (isAccepted(c.expect)) {
        expect(importWallMeterCsv(text, file).points).toHaveLength(2);
        return;
      }
      let error: unknown;
      try {
        importWallMeterCsv(text, file);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(EnergyInputError);
      const message = (error as Error).message;
      expectNoCrash(message);
      expect(message).not.toMatch(/[\r\t]/);
      expect(message.startsWith(c.expect.line ? `${file}:${c.expect.line}: ` : `${file}`)).toBe(
        true,
      );
      if (c.expect.says) expect(message).toMatch(c.expect.says);
    });
  }
});
