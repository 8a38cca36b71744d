// Property-based fuzzing of `ecoeval score` (fast-check): random reference and hypothesis files
// (bytes, or text with any line ends, tabs and odd characters), random metrics and options. The
// command must exit 0 with valid JSON on stdout, or 1 with a message — never crash, never a
// stack trace, never an exit code other than 0 and 1.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp';
import { FUZZ_RUNS } from './corpus';
import { cli, expectNoCrash } from './harness';

let dir: string;

beforeAll(async () => {
  dir = await tempDir('ecoeval-fuzz-score-');
});

const piece = fc.oneof(
  fc.string({ maxLength: 10 }),
  fc.string({ unit: 'grapheme', maxLength: 5 }),
  fc.constantFrom(
    ' ',
    '\t',
    '  ',
    '.',
    ',',
    '"',
    '\ufeff',
    '\u0000',
    '\u3000',
    '中文',
    'ÅÄÖ',
    '🙂',
    '\ud800',
  ),
);
const lines = fc
  .array(fc.tuple(piece, fc.constantFrom('\n', '\r\n', '\r', ' ', '')), { maxLength: 12 })
  .map((parts) => parts.map(([p, e]) => p + e).join(''));
const file = fc.oneof(
  { weight: 5, arbitrary: lines.map((s) => Buffer.from(s, 'utf8')) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)) },
);
const metrics = fc.subarray(['bleu', 'chrf', 'ter', 'rouge'], { minLength: 1 });
const options = fc.subarray([
  ['-lc'],
  ['-tok', 'char'],
  ['-tok', 'intl'],
  ['-tok', 'zh'],
  ['-s', 'floor'],
  ['-cw', '2'],
  ['--ter-normalized'],
  ['--ter-asian-support'],
  ['--rouge-stemmer'],
  ['-w', '3'],
]);

it(`ecoeval score with random files, metrics and options: ${FUZZ_RUNS.score} runs`, async () => {
  let run = 0;
  await fc.assert(
    fc.asyncProperty(file, file, metrics, options, async (ref, hyp, chosen, flags) => {
      const n = run++;
      await writeFile(join(dir, `ref-${n}.txt`), ref);
      await writeFile(join(dir, `hyp-${n}.txt`), hyp);
      const argv = [
        'score',
        `ref-${n}.txt`,
        '-i',
        `hyp-${n}.txt`,
        '-m',
        ...chosen,
        ...flags.flat(),
      ];
      const result = await cli(argv, { cwd: dir, workspace: join(dir, 'ws') });
      expectNoCrash(result.err);
      expect([0, 1], result.err).toContain(result.code);
      if (result.code === 0) {
        expect(() => JSON.parse(result.out)).not.toThrow();
      } else {
        expect(result.err).toMatch(/^ecoeval score: (ref|hyp)-\d+\.txt/);
      }
    }),
    { numRuns: FUZZ_RUNS.score },
  );
});
