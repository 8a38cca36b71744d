// Property-based fuzzing of the Parquet importer (fast-check, in a child process that is killed
// after a time bound): damaged Parquet files must import or fail with a DatasetImportError —
// hyparquet once looped forever on a damaged page header.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { repoRoot } from '../helpers/services';
import { tempDir } from '../helpers/temp';
import { FUZZ_RUNS } from './corpus';

const LIMIT_MS = 60_000;

it(
  `Parquet with random bytes overwritten or cut short: ${FUZZ_RUNS.parquet} runs`,
  async () => {
    const dir = await tempDir('ecoeval-fuzz-parquet-');
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(repoRoot, 'test/hardening/fuzz-parquet-child.ts'),
        dir,
        String(FUZZ_RUNS.parquet),
      ],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let lastCase = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => (out += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => {
      const lines = t.trim().split('\n');
      lastCase = lines[lines.length - 1] || lastCase;
    });
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, LIMIT_MS);
    await new Promise((resolve) => child.on('close', resolve));
    clearTimeout(timer);
    expect(killed, `hung on ${lastCase}`).toBe(false);
    const verdict = JSON.parse(out.trim().split('\n').pop() ?? '{}') as {
      ok?: boolean;
      message?: string;
    };
    expect(verdict.message ?? '').toBe('');
    expect(verdict.ok).toBe(true);
  },
  LIMIT_MS + 10_000,
);
