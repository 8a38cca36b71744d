/**
 * The bad-input corpus as test cases: for every entry point, which file (test/fixtures/bad/, from
 * scripts/make-bad-inputs.mjs) or test-time input it is fed, and what must come of it — rejected
 * with an exit code and a message naming the file (and line) and the problem, or accepted when
 * the input is odd but valid (a BOM, CR LF line ends, unknown fields, metacharacters in names).
 * The tests iterate these tables and summary.test.ts counts them, so the README's numbers are the
 * numbers of cases actually run.
 */
import type { Rejection } from './harness';

/** The kinds of bad input the corpus covers (issue 8, item 1). */
export type Kind =
  | 'empty'
  | 'truncated'
  | 'garbage'
  | 'invalid-utf8'
  | 'bom-line-ends'
  | 'line-count'
  | 'huge-line'
  | 'deep-json'
  | 'wrong-types'
  | 'unknown-fields'
  | 'dotdot'
  | 'symlink'
  | 'metachars'
  | 'missing'
  | 'wrong-format'
  | 'usage';

export type Outcome = Rejection | { accepted: true; says?: RegExp };

export interface CliCase {
  name: string;
  kind: Kind;
  /** Arguments after `ecoeval`, paths relative to test/fixtures/bad. */
  argv: string[];
  expect: Outcome;
}

export const isAccepted = (o: Outcome): o is { accepted: true; says?: RegExp } => 'accepted' in o;

const MAP = ['--source', 'source', '--ref', 'reference'];
const LM = ['--kind', 'language-modelling'];
const imp = (...args: string[]) => ['datasets', 'import', ...args];
const utf8 = /invalid UTF-8.*save the file as UTF-8/i;

/** `ecoeval datasets import` in each format. */
export const DATASET_IMPORT: Record<'text' | 'tsv' | 'csv' | 'jsonl' | 'parquet', CliCase[]> = {
  text: [
    {
      name: 'empty source file',
      kind: 'empty',
      argv: imp('text/empty.txt', 'text/one.txt'),
      expect: { code: 1, file: 'text/empty.txt', says: /file is empty/ },
    },
    {
      name: 'only a byte order mark',
      kind: 'empty',
      argv: imp('text/bom-only.txt', ...LM),
      expect: { code: 1, file: 'text/bom-only.txt', says: /no lines/ },
    },
    {
      name: 'cut inside a character',
      kind: 'truncated',
      argv: imp('text/truncated.txt', ...LM),
      expect: { code: 1, file: 'text/truncated.txt', line: 2, says: utf8 },
    },
    {
      name: 'binary garbage',
      kind: 'garbage',
      argv: imp('text/garbage.bin', ...LM),
      expect: { code: 1, file: 'text/garbage.bin', line: 1, says: utf8 },
    },
    {
      name: 'an invalid byte on line 2',
      kind: 'invalid-utf8',
      argv: imp('text/invalid-utf8.txt', 'text/two.txt'),
      expect: { code: 1, file: 'text/invalid-utf8.txt', line: 2, says: utf8 },
    },
    {
      name: 'Latin-1 text',
      kind: 'invalid-utf8',
      argv: imp('text/latin1.txt', ...LM),
      expect: { code: 1, file: 'text/latin1.txt', line: 1, says: /iconv/ },
    },
    {
      name: 'a gzip file',
      kind: 'wrong-format',
      argv: imp('text/compressed.txt', ...LM),
      expect: { code: 1, file: 'text/compressed.txt', says: /gzip-compressed.*Decompress/ },
    },
    {
      name: 'a Parquet file read as text',
      kind: 'wrong-format',
      argv: imp('parquet/valid.parquet', '--format', 'text', ...LM),
      expect: { code: 1, file: 'parquet/valid.parquet', says: /Parquet file.*Parquet format/ },
    },
    {
      name: 'BOM, CR LF, LF and a lone CR',
      kind: 'bom-line-ends',
      argv: imp('text/bom-mixed.src', 'text/bom-mixed.ref', '--name', 'bom mixed'),
      expect: {
        accepted: true,
        says: /Imported 3 rows[\s\S]*BOM removed, 2 CRLF line endings, 1 lone CR/,
      },
    },
    {
      name: 'source and reference line counts differ',
      kind: 'line-count',
      argv: imp('text/mismatch.src', 'text/mismatch.ref'),
      expect: { code: 1, file: 'text/mismatch.ref', line: 2, says: /has 2 lines but .* has 3/ },
    },
    {
      name: 'paths with ..',
      kind: 'dotdot',
      argv: imp('text/../text/mismatch.src', 'text/../text/mismatch.ref'),
      expect: { code: 1, file: 'text/../text/mismatch.ref', line: 2, says: /same number of lines/ },
    },
    {
      name: 'a folder',
      kind: 'wrong-format',
      argv: imp('text', ...LM),
      expect: { code: 1, file: 'text', says: /folder/ },
    },
    {
      name: 'no such file',
      kind: 'missing',
      argv: imp('text/no-such-file.txt', 'text/one.txt'),
      expect: { code: 1, file: 'text/no-such-file.txt', says: /no such file|not found/i },
    },
    {
      name: 'an unknown task kind',
      kind: 'usage',
      argv: imp('text/one.txt', '--kind', 'poetry'),
      expect: { code: 2, says: /kind/ },
    },
    {
      name: 'a name with shell and HTML metacharacters',
      kind: 'metachars',
      argv: imp(
        'text/one.txt',
        'text/one.txt',
        '--name',
        '<script>alert(1)</script> $(touch pwned); `id` & rm -rf ~',
      ),
      expect: {
        accepted: true,
        says: /Imported 1 rows as "script-alert-1-script-touch-pwned-id-rm-rf"/,
      },
    },
    // Made at test time (bad-datasets.test.ts): the 100 MB line, metacharacter file names, links.
    {
      name: 'a 100 MB single line',
      kind: 'huge-line',
      argv: imp('@huge', 'text/two.txt', '--format', 'text'),
      expect: {
        code: 1,
        file: 'huge-line.txt',
        line: 1,
        says: /has 1 lines but text\/two.txt has 2/,
      },
    },
    {
      name: 'file names with shell and HTML metacharacters',
      kind: 'metachars',
      argv: imp('@meta.src', '@meta.ref'),
      expect: { accepted: true, says: /Imported 2 rows/ },
    },
    {
      name: 'a symbolic link to a file outside the folder',
      kind: 'symlink',
      argv: imp('@link.src', 'text/two.txt'),
      expect: { accepted: true, says: /Imported 2 rows/ },
    },
    {
      name: 'a dangling symbolic link',
      kind: 'symlink',
      argv: imp('@dangling.src', 'text/two.txt'),
      expect: { code: 1, file: 'dangling.src', says: /no such file|not found/i },
    },
  ],
  tsv: tableCases('tsv'),
  csv: tableCases('csv'),
  jsonl: [
    {
      name: 'empty file',
      kind: 'empty',
      argv: imp('jsonl/empty.jsonl', ...MAP),
      expect: { code: 1, file: 'jsonl/empty.jsonl', says: /file is empty/ },
    },
    {
      name: 'only blank lines',
      kind: 'empty',
      argv: imp('jsonl/blank-lines.jsonl', ...MAP),
      expect: { code: 1, file: 'jsonl/blank-lines.jsonl', says: /no JSON records/ },
    },
    {
      name: 'binary garbage',
      kind: 'garbage',
      argv: imp('jsonl/garbage.jsonl', ...MAP),
      expect: { code: 1, file: 'jsonl/garbage.jsonl', line: 1, says: utf8 },
    },
    {
      name: 'an invalid byte on line 2',
      kind: 'invalid-utf8',
      argv: imp('jsonl/invalid-utf8.jsonl', ...MAP),
      expect: { code: 1, file: 'jsonl/invalid-utf8.jsonl', line: 2, says: utf8 },
    },
    {
      name: 'the last record cut off',
      kind: 'truncated',
      argv: imp('jsonl/truncated.jsonl', ...MAP),
      expect: {
        code: 1,
        file: 'jsonl/truncated.jsonl',
        line: 2,
        says: /not valid JSON.*fix or remove/,
      },
    },
    {
      name: 'deeply nested object, no mapping (listed fields)',
      kind: 'deep-json',
      argv: imp('jsonl/deep-object.jsonl'),
      expect: {
        code: 2,
        file: 'jsonl/deep-object.jsonl',
        says: /--source COLUMN.*meta\.a\.a.*source, reference/,
      },
    },
    {
      name: 'deeply nested object, unknown field mapped',
      kind: 'deep-json',
      argv: imp('jsonl/deep-object.jsonl', '--source', 'nope', '--ref', 'reference'),
      expect: { code: 1, file: 'jsonl/deep-object.jsonl', line: 1, says: /no field named "nope"/ },
    },
    {
      name: 'deeply nested object beside the mapped fields',
      kind: 'deep-json',
      argv: imp('jsonl/deep-object.jsonl', ...MAP, '--name', 'deep object'),
      expect: { accepted: true, says: /Imported 1 rows/ },
    },
    {
      name: 'deeply nested array as the source',
      kind: 'deep-json',
      argv: imp('jsonl/deep-array.jsonl', ...MAP),
      expect: {
        code: 1,
        file: 'jsonl/deep-array.jsonl',
        line: 1,
        says: /"source" is a list, not text/,
      },
    },
    {
      name: 'a number where text belongs',
      kind: 'wrong-types',
      argv: imp('jsonl/wrong-types.jsonl', ...MAP),
      expect: {
        code: 1,
        file: 'jsonl/wrong-types.jsonl',
        line: 2,
        says: /"source" is a number \(5\), not text/,
      },
    },
    {
      name: 'a line that is an array',
      kind: 'wrong-types',
      argv: imp('jsonl/array-line.jsonl', ...MAP),
      expect: {
        code: 1,
        file: 'jsonl/array-line.jsonl',
        line: 1,
        says: /JSON array, not an object/,
      },
    },
    {
      name: 'one JSON array (a .json file)',
      kind: 'wrong-format',
      argv: imp('jsonl/json-array.json', ...MAP),
      expect: {
        code: 1,
        file: 'jsonl/json-array.json',
        line: 1,
        says: /JSON array, not an object/,
      },
    },
    {
      name: 'a null line',
      kind: 'wrong-types',
      argv: imp('jsonl/null-line.jsonl', ...MAP),
      expect: { code: 1, file: 'jsonl/null-line.jsonl', line: 2, says: /JSON null, not an object/ },
    },
    {
      name: 'a record without the mapped field',
      kind: 'wrong-types',
      argv: imp('jsonl/missing-field.jsonl', ...MAP),
      expect: {
        code: 1,
        file: 'jsonl/missing-field.jsonl',
        line: 2,
        says: /has no field "reference"/,
      },
    },
    {
      name: 'unknown fields',
      kind: 'unknown-fields',
      argv: imp('jsonl/unknown-fields.jsonl', ...MAP),
      expect: { accepted: true, says: /Imported 1 rows/ },
    },
    {
      name: 'BOM and CR LF',
      kind: 'bom-line-ends',
      argv: imp('jsonl/bom-crlf.jsonl', ...MAP),
      expect: { accepted: true, says: /Imported 2 rows/ },
    },
    {
      name: 'a 100 MB single line',
      kind: 'huge-line',
      argv: imp('@huge', '--format', 'jsonl', ...MAP),
      expect: { code: 1, file: 'huge-line.txt', line: 1, says: /not valid JSON/ },
    },
  ],
  parquet: [
    {
      name: 'empty file',
      kind: 'empty',
      argv: imp('parquet/empty.parquet', ...MAP),
      expect: { code: 1, file: 'parquet/empty.parquet', says: /file is empty/ },
    },
    {
      name: 'binary garbage',
      kind: 'garbage',
      argv: imp('parquet/garbage.parquet', ...MAP),
      expect: {
        code: 1,
        file: 'parquet/garbage.parquet',
        says: /not a readable Parquet file.*Choose/,
      },
    },
    {
      name: 'cut in half',
      kind: 'truncated',
      argv: imp('parquet/truncated.parquet', ...MAP),
      expect: { code: 1, file: 'parquet/truncated.parquet', says: /not a readable Parquet file/ },
    },
    {
      name: 'no footer',
      kind: 'truncated',
      argv: imp('parquet/no-footer.parquet', ...MAP),
      expect: { code: 1, file: 'parquet/no-footer.parquet', says: /not a readable Parquet file/ },
    },
    {
      name: 'CSV text under a .parquet name',
      kind: 'wrong-format',
      argv: imp('parquet/text.parquet', ...MAP),
      expect: { code: 1, file: 'parquet/text.parquet', says: /not a readable Parquet file/ },
    },
    {
      name: 'a damaged page header (was an endless loop)',
      kind: 'truncated',
      argv: imp('parquet/damaged-page.parquet', ...MAP),
      expect: {
        code: 1,
        file: 'parquet/damaged-page.parquet',
        line: 1,
        says: /cannot be read.*page header/,
      },
    },
    {
      name: 'numbers where text belongs',
      kind: 'wrong-types',
      argv: imp('parquet/wrong-types.parquet', ...MAP),
      expect: {
        code: 1,
        file: 'parquet/wrong-types.parquet',
        line: 1,
        says: /"source" is a number \(1\), not text/,
      },
    },
    {
      name: 'an unknown column mapped',
      kind: 'wrong-types',
      argv: imp('parquet/valid.parquet', '--source', 'src', '--ref', 'reference'),
      expect: {
        code: 1,
        file: 'parquet/valid.parquet',
        says: /no column named "src"; the file has "source", "reference"/,
      },
    },
    {
      name: 'garbage with no mapping (column listing)',
      kind: 'garbage',
      argv: imp('parquet/garbage.parquet'),
      expect: { code: 1, file: 'parquet/garbage.parquet', says: /not a readable Parquet file/ },
    },
  ],
};

function tableCases(f: 'tsv' | 'csv'): CliCase[] {
  const file = (name: string) => `${f}/${name}.${f}`;
  return [
    {
      name: 'empty file',
      kind: 'empty',
      argv: imp(file('empty'), ...MAP),
      expect: { code: 1, file: file('empty'), says: /file is empty/ },
    },
    {
      name: 'binary garbage',
      kind: 'garbage',
      argv: imp(file('garbage'), ...MAP),
      expect: { code: 1, file: file('garbage'), line: 1, says: utf8 },
    },
    {
      name: 'an invalid byte on line 3',
      kind: 'invalid-utf8',
      argv: imp(file('invalid-utf8'), ...MAP),
      expect: { code: 1, file: file('invalid-utf8'), line: 3, says: utf8 },
    },
    {
      name: 'ends inside a quoted field',
      kind: 'truncated',
      argv: imp(file('truncated'), ...MAP),
      expect: { code: 1, file: file('truncated'), line: 3, says: /quoted field is never closed/ },
    },
    {
      name: 'a header and no rows',
      kind: 'empty',
      argv: imp(file('header-only'), ...MAP),
      expect: { code: 1, file: file('header-only'), says: /header row but no data rows/ },
    },
    {
      name: 'a row with an extra field',
      kind: 'wrong-types',
      argv: imp(file('ragged'), ...MAP),
      expect: {
        code: 1,
        file: file('ragged'),
        line: 3,
        says: /row has 3 columns but the header has 2/,
      },
    },
    {
      name: 'the mapped column is not in the header',
      kind: 'wrong-types',
      argv: imp(file('wrong-header'), ...MAP),
      expect: { code: 1, file: file('wrong-header'), line: 1, says: /no columns? named "source"/ },
    },
    {
      name: 'binary garbage with no mapping (column listing)',
      kind: 'garbage',
      argv: imp(file('garbage')),
      expect: { code: 1, file: file('garbage'), line: 1, says: utf8 },
    },
    {
      name: 'no mapping: lists the columns',
      kind: 'usage',
      argv: imp(file('unknown-columns')),
      expect: {
        code: 2,
        file: file('unknown-columns'),
        says: /--source COLUMN.*id, source, extra, reference/,
      },
    },
    {
      name: 'JSON Lines read as ' + f,
      kind: 'wrong-format',
      argv: imp('jsonl/unknown-fields.jsonl', '--format', f, ...MAP),
      expect: {
        code: 1,
        file: 'jsonl/unknown-fields.jsonl',
        line: 1,
        says: /no columns? named|a quote is in the wrong place/,
      },
    },
    {
      name: 'BOM and CR LF',
      kind: 'bom-line-ends',
      argv: imp(file('bom-crlf'), ...MAP),
      expect: { accepted: true, says: /Imported 2 rows/ },
    },
    {
      name: 'unknown columns',
      kind: 'unknown-fields',
      argv: imp(file('unknown-columns'), ...MAP),
      expect: { accepted: true, says: /Imported 1 rows/ },
    },
  ];
}

/** `ecoeval score` (sacreBLEU-style reference and hypothesis files, and --jsonl). */
export const SCORE: CliCase[] = [
  {
    name: 'empty reference file',
    kind: 'empty',
    argv: ['score', 'text/empty.txt', '-i', 'text/one.txt'],
    expect: {
      code: 1,
      file: 'text/empty.txt',
      says: /has 1 lines but text\/empty.txt has 0.*aligned/,
    },
  },
  {
    name: 'empty --jsonl file',
    kind: 'empty',
    argv: ['score', '--jsonl', 'jsonl/empty.jsonl'],
    expect: { code: 1, file: 'jsonl/empty.jsonl', says: /no records/ },
  },
  {
    name: 'binary garbage hypotheses',
    kind: 'garbage',
    argv: ['score', 'text/one.txt', '-i', 'text/garbage.bin'],
    expect: { code: 1, file: 'text/garbage.bin', line: 1, says: utf8 },
  },
  {
    name: 'an invalid byte in the reference',
    kind: 'invalid-utf8',
    argv: ['score', 'text/invalid-utf8.txt', '-i', 'text/two.txt'],
    expect: { code: 1, file: 'text/invalid-utf8.txt', line: 2, says: utf8 },
  },
  {
    name: 'Latin-1 hypotheses',
    kind: 'invalid-utf8',
    argv: ['score', 'text/two.txt', '-i', 'text/latin1.txt'],
    expect: { code: 1, file: 'text/latin1.txt', line: 1, says: /iconv/ },
  },
  {
    name: 'hypotheses cut inside a character',
    kind: 'truncated',
    argv: ['score', 'text/two.txt', '-i', 'text/truncated.txt'],
    expect: { code: 1, file: 'text/truncated.txt', line: 2, says: utf8 },
  },
  {
    name: 'BOM, CR LF, LF and a lone CR',
    kind: 'bom-line-ends',
    argv: ['score', 'text/bom-mixed.ref', '-i', 'text/bom-mixed.src'],
    expect: { accepted: true, says: /"name": "BLEU"/ },
  },
  {
    name: 'line counts differ',
    kind: 'line-count',
    argv: ['score', 'text/mismatch.ref', '-i', 'text/mismatch.src'],
    expect: { code: 1, file: 'text/mismatch.src', says: /3 lines but text\/mismatch.ref has 2/ },
  },
  {
    name: 'a tab-separated reference line with too few references',
    kind: 'line-count',
    argv: ['score', 'score/two-refs.tsv', '-nr', '2', '-i', 'text/two.txt'],
    expect: { code: 1, file: 'score/two-refs.tsv', line: 2, says: /expected 2 tab-separated/ },
  },
  {
    name: '--jsonl with wrong types',
    kind: 'wrong-types',
    argv: ['score', '--jsonl', 'score/wrong-types.jsonl'],
    expect: { code: 1, file: 'score/wrong-types.jsonl', line: 2, says: /needs "prediction"/ },
  },
  {
    name: '--jsonl with deeply nested references',
    kind: 'deep-json',
    argv: ['score', '--jsonl', 'score/deep.jsonl'],
    expect: { code: 1, file: 'score/deep.jsonl', line: 1, says: /list of strings/ },
  },
  {
    name: '--jsonl cut off',
    kind: 'truncated',
    argv: ['score', '--jsonl', 'score/truncated.jsonl'],
    expect: { code: 1, file: 'score/truncated.jsonl', line: 2, says: /not valid JSON/ },
  },
  {
    name: '--jsonl binary garbage',
    kind: 'garbage',
    argv: ['score', '--jsonl', 'jsonl/garbage.jsonl'],
    expect: { code: 1, file: 'jsonl/garbage.jsonl', line: 1, says: utf8 },
  },
  {
    name: '--jsonl with unknown fields',
    kind: 'unknown-fields',
    argv: ['score', '--jsonl', 'score/unknown-fields.jsonl', '-m', 'chrf'],
    expect: { accepted: true, says: /"name": "chrF2"/ },
  },
  {
    name: 'a folder as the reference',
    kind: 'wrong-format',
    argv: ['score', 'text', '-i', 'text/one.txt'],
    expect: { code: 1, file: 'text', says: /cannot read it; check the path/ },
  },
  {
    name: 'no such hypothesis file',
    kind: 'missing',
    argv: ['score', 'text/one.txt', '-i', 'text/nope.txt'],
    expect: { code: 1, file: 'text/nope.txt', says: /no such file/ },
  },
  {
    name: 'paths with ..',
    kind: 'dotdot',
    argv: ['score', 'text/../text/mismatch.ref', '-i', 'text/../text/mismatch.src'],
    expect: { code: 1, file: 'text/../text/mismatch.src', says: /aligned line by line/ },
  },
  {
    name: 'an unknown metric',
    kind: 'usage',
    argv: ['score', 'text/one.txt', '-i', 'text/one.txt', '-m', 'meteor'],
    expect: { code: 2, says: /invalid choice 'meteor'/ },
  },
  {
    name: 'a 100 MB single line',
    kind: 'huge-line',
    argv: ['score', 'text/two.txt', '-i', '@huge'],
    expect: { code: 1, file: 'huge-line.txt', says: /has 1 lines but text\/two.txt has 2/ },
  },
  {
    name: 'file names with shell and HTML metacharacters',
    kind: 'metachars',
    argv: ['score', '@meta.ref', '-i', '@meta.src'],
    expect: { accepted: true, says: /"name": "BLEU"/ },
  },
  {
    name: 'a symbolic link to a file outside the folder',
    kind: 'symlink',
    argv: ['score', 'text/two.txt', '-i', '@link.src', '-m', 'chrf'],
    expect: { accepted: true, says: /"score": 100\.0/ },
  },
];

/** `ecoeval ppl FILE.jsonl`. */
export const PPL: CliCase[] = [
  {
    name: 'empty file',
    kind: 'empty',
    argv: ['ppl', 'ppl/empty.jsonl'],
    expect: { code: 1, file: 'ppl/empty.jsonl', says: /no records; give one JSON object/ },
  },
  {
    name: 'the last record cut off',
    kind: 'truncated',
    argv: ['ppl', 'ppl/truncated.jsonl'],
    expect: { code: 1, file: 'ppl/truncated.jsonl', line: 2, says: /not valid JSON/ },
  },
  {
    name: 'binary garbage',
    kind: 'garbage',
    argv: ['ppl', 'text/garbage.bin'],
    expect: { code: 1, file: 'text/garbage.bin', line: 1, says: utf8 },
  },
  {
    name: 'an invalid byte on line 2',
    kind: 'invalid-utf8',
    argv: ['ppl', 'ppl/invalid-utf8.jsonl'],
    expect: { code: 1, file: 'ppl/invalid-utf8.jsonl', line: 2, says: utf8 },
  },
  {
    name: 'deeply nested tokens',
    kind: 'deep-json',
    argv: ['ppl', 'ppl/deep.jsonl'],
    expect: {
      code: 1,
      file: 'ppl/deep.jsonl',
      line: 1,
      says: /"tokens" must be an array of strings/,
    },
  },
  {
    name: 'strings and null for logprobs, a number for text',
    kind: 'wrong-types',
    argv: ['ppl', 'ppl/wrong-types.jsonl'],
    expect: { code: 1, file: 'ppl/wrong-types.jsonl', line: 1, says: /must be/ },
  },
  {
    name: 'a probability where a log-probability belongs',
    kind: 'wrong-types',
    argv: ['ppl', 'ppl/positive-logprob.jsonl'],
    expect: {
      code: 1,
      file: 'ppl/positive-logprob.jsonl',
      line: 1,
      says: /natural-log probabilities/,
    },
  },
  {
    name: 'more logprobs than tokens',
    kind: 'line-count',
    argv: ['ppl', 'ppl/length-mismatch.jsonl'],
    expect: { code: 1, file: 'ppl/length-mismatch.jsonl', line: 1, says: /one logprob per token/ },
  },
  {
    name: 'a logprob that overflows (-1e999)',
    kind: 'wrong-types',
    argv: ['ppl', 'ppl/overflow.jsonl'],
    expect: { code: 1, file: 'ppl/overflow.jsonl', line: 1, says: /finite number/ },
  },
  {
    name: 'one JSON array',
    kind: 'wrong-format',
    argv: ['ppl', 'jsonl/json-array.json'],
    expect: { code: 1, file: 'jsonl/json-array.json', line: 1 },
  },
  {
    name: 'unknown fields',
    kind: 'unknown-fields',
    argv: ['ppl', 'ppl/unknown-fields.jsonl'],
    expect: { accepted: true, says: /PPL = 2\.7183/ },
  },
  {
    name: 'BOM and CR LF',
    kind: 'bom-line-ends',
    argv: ['ppl', 'ppl/bom-crlf.jsonl'],
    expect: { accepted: true, says: /texts 2/ },
  },
  {
    name: 'a folder',
    kind: 'wrong-format',
    argv: ['ppl', 'ppl'],
    expect: { code: 1, file: 'ppl', says: /cannot read it/ },
  },
  {
    name: 'no such file',
    kind: 'missing',
    argv: ['ppl', 'ppl/nope.jsonl'],
    expect: { code: 1, file: 'ppl/nope.jsonl', says: /no such file/ },
  },
  {
    name: 'a zero window',
    kind: 'usage',
    argv: ['ppl', 'ppl/unknown-fields.jsonl', '--window', '0'],
    expect: { code: 2, says: /--window must be a positive whole number/ },
  },
  {
    name: 'a 100 MB single line',
    kind: 'huge-line',
    argv: ['ppl', '@huge'],
    expect: { code: 1, file: 'huge-line.txt', line: 1, says: /not valid JSON/ },
  },
];

/** `ecoeval report run PLAN --out DIR`: a bad plan exits 2 (documented), naming file:line. */
export const REPORT_PLANS: CliCase[] = [
  ['empty.yaml', 'empty', 1, /datasets is required/],
  ['whitespace.yaml', 'empty', 1, /systems is required/],
  ['truncated.yaml', 'truncated', 5, /Missing closing "quote/],
  ['truncated.json', 'truncated', 1, /not valid YAML or JSON/],
  ['garbage.yaml', 'garbage', 1, /invalid UTF-8.*save the plan as UTF-8/],
  ['invalid-utf8.yaml', 'invalid-utf8', 2, /invalid UTF-8.*save the plan as UTF-8/],
  ['deep.yaml', 'deep-json', 2, /nested too deeply/],
  ['deep.json', 'deep-json', 1, /nested too deeply/],
  ['alias-bomb.yaml', 'deep-json', 1, /aliases \(\*name\) expand to too many values/],
  ['wrong-types.json', 'wrong-types', 1, /title: Invalid input: expected string, received number/],
  ['unknown-keys.yaml', 'unknown-fields', 3, /unknown key "frobnicate"/],
  ['dotdot.yaml', 'dotdot', 3, /no such file \(looked for/],
  ['metachars.yaml', 'metachars', 3, /not a valid dataset id/],
  ['lone-cr.yaml', 'bom-line-ends', 3, /not valid YAML or JSON/],
  ['missing-refs.yaml', 'missing', 3, /no dataset "no-such-dataset" in the workspace/],
].map(([file, kind, line, says]) => ({
  name: file as string,
  kind: kind as Kind,
  argv: ['report', 'run', `plans/${file as string}`, '--out', '@out'],
  expect: { code: 2, file: `plans/${file as string}`, line: line as number, says: says as RegExp },
}));
REPORT_PLANS.push(
  {
    name: 'a folder',
    kind: 'wrong-format',
    argv: ['report', 'run', 'plans', '--out', '@out'],
    expect: { code: 2, file: 'plans', says: /cannot read the plan/ },
  },
  {
    name: 'no such plan',
    kind: 'missing',
    argv: ['report', 'run', 'plans/nope.yaml', '--out', '@out'],
    expect: { code: 2, file: 'plans/nope.yaml', line: 1, says: /no such file/ },
  },
  {
    name: 'a 100 MB single line',
    kind: 'huge-line',
    argv: ['report', 'run', '@huge', '--out', '@out'],
    expect: {
      code: 2,
      file: 'huge-line.txt',
      line: 1,
      says: /100.0 MiB; a plan is a short YAML or JSON file/,
    },
  },
);

/** Energy imports: CodeCarbon emissions.csv (through `ecoeval evaluate --codecarbon`). */
export const CODECARBON: { file: string; kind: Kind; expect: Outcome }[] = [
  { file: 'empty', kind: 'empty', expect: { code: 1, says: /the file is empty/ } },
  { file: 'garbage', kind: 'garbage', expect: { code: 1, line: 1, says: utf8 } },
  { file: 'truncated', kind: 'truncated', expect: { code: 1, line: 3, says: /not valid CSV/ } },
  { file: 'invalid-utf8', kind: 'invalid-utf8', expect: { code: 1, line: 2, says: utf8 } },
  {
    file: 'header-only',
    kind: 'empty',
    expect: { code: 1, says: /no rows; give the emissions.csv/ },
  },
  {
    file: 'wrong-types',
    kind: 'wrong-types',
    expect: { code: 1, line: 2, says: /duration "-5" is not a non-negative number/ },
  },
  { file: 'huge', kind: 'wrong-types', expect: { code: 1, line: 2, says: /of a plausible size/ } },
  {
    file: 'no-energy',
    kind: 'wrong-types',
    expect: { code: 1, line: 2, says: /no energy columns/ },
  },
  {
    file: 'lone-cr',
    kind: 'bom-line-ends',
    expect: { code: 1, says: /\\r2026.* is not a non-negative number/ },
  },
  { file: 'unknown-fields', kind: 'unknown-fields', expect: { accepted: true } },
  { file: 'bom-crlf', kind: 'bom-line-ends', expect: { accepted: true } },
];

/** Energy imports: wall-meter CSV logs (importWallMeterCsv; no CLI command reads them yet). */
export const WALL_METER: { file: string; kind: Kind; expect: Outcome }[] = [
  { file: 'empty', kind: 'empty', expect: { code: 1, says: /the file is empty/ } },
  {
    file: 'garbage',
    kind: 'garbage',
    expect: { code: 1, says: /not valid CSV|no timestamp column/ },
  },
  { file: 'truncated', kind: 'truncated', expect: { code: 1, line: 3, says: /not valid CSV/ } },
  {
    file: 'naive-time',
    kind: 'wrong-types',
    expect: { code: 1, line: 2, says: /no UTC offset.*Add Z/ },
  },
  {
    // csv-parse counts the lone CR after "yesterday" as a line break too.
    file: 'not-a-time',
    kind: 'wrong-types',
    expect: { code: 1, line: 3, says: /"yesterday" is not a timestamp/ },
  },
  {
    file: 'backwards',
    kind: 'wrong-types',
    expect: { code: 1, line: 3, says: /not after the previous row's.*Sort/ },
  },
  {
    file: 'negative',
    kind: 'wrong-types',
    expect: { code: 1, line: 3, says: /"-1" is not a non-negative number/ },
  },
  { file: 'huge', kind: 'wrong-types', expect: { code: 1, line: 2, says: /of a plausible size/ } },
  {
    file: 'no-value',
    kind: 'unknown-fields',
    expect: { code: 1, line: 1, says: /no power or energy column/ },
  },
  { file: 'header-only', kind: 'empty', expect: { code: 1, says: /no data rows/ } },
  { file: 'bom-crlf', kind: 'bom-line-ends', expect: { accepted: true } },
];

/** Bodies of a damaged manifest (model.json, dataset manifest.json, run.json, queue.json). */
export const MANIFEST_BODIES: { file: string; kind: Kind }[] = [
  { file: 'empty.json', kind: 'empty' },
  { file: 'garbage.json', kind: 'garbage' },
  { file: 'truncated.json', kind: 'truncated' },
  { file: 'deep.json', kind: 'deep-json' },
  { file: 'wrong-types.json', kind: 'wrong-types' },
  { file: 'unknown-only.json', kind: 'unknown-fields' },
  { file: 'array.json', kind: 'wrong-types' },
  { file: 'null.json', kind: 'wrong-types' },
  { file: 'invalid-utf8.json', kind: 'invalid-utf8' },
];

/** Damaged copies of the demo model bundle (made at test time), for models import and generate. */
export const MODEL_BUNDLES: {
  name: string;
  kind: Kind;
  /** Outcome of `models import DIR` and of `generate --model DIR` (null: not run). */
  import: Outcome;
  generate: Outcome | null;
}[] = [
  ...MANIFEST_BODIES.map(({ file, kind }) => ({
    name: `model.json: ${file}`,
    kind,
    import: {
      code: 1 as const,
      says: /model\.json is (not valid JSON|not an EcoEval model manifest)/,
    },
    generate: { code: 1 as const, says: /model\.json: not (valid JSON|a model manifest)/ },
  })),
  {
    name: 'no model.json',
    kind: 'missing',
    import: { code: 1, says: /model\.json is missing.*not a model bundle/ },
    generate: { code: 1, says: /no model\.json here|no model "/ },
  },
  {
    name: 'weights cut short',
    kind: 'truncated',
    import: { code: 1, says: /weights-.*\.bin is truncated/ },
    generate: { code: 1, says: /truncated or damaged/ },
  },
  {
    name: 'weights with a flipped byte',
    kind: 'garbage',
    import: { code: 1, says: /corrupt: its sha256 does not match/ },
    generate: { code: 1, says: /corrupt: its sha256 does not match/ },
  },
  {
    name: 'weights file ".." (the folder above)',
    kind: 'dotdot',
    import: { code: 1, says: /weights\.file: Invalid string/ },
    generate: { code: 1, says: /weights\.file must be a file name inside the model folder/ },
  },
  {
    name: 'weights file "../weights.bin" (outside the folder)',
    kind: 'dotdot',
    import: { code: 1, says: /weights\.file: Invalid string/ },
    generate: { code: 1, says: /weights\.file must be a file name inside the model folder/ },
  },
  {
    name: 'tokenizer.json is binary garbage',
    kind: 'garbage',
    import: { code: 1, says: /tokenizer\.json/ },
    generate: { code: 1, says: /tokenizer\.json/ },
  },
  {
    name: 'no tokenizer.json',
    kind: 'missing',
    import: { code: 1, says: /tokenizer\.json is missing/ },
    generate: null,
  },
  {
    name: 'unknown fields in model.json',
    kind: 'unknown-fields',
    import: { accepted: true, says: /Imported Demo tiny as/ },
    generate: null,
  },
  {
    name: 'weights are a symbolic link to a file outside the bundle',
    kind: 'symlink',
    import: { accepted: true, says: /Imported Demo tiny as/ },
    generate: null,
  },
  {
    name: 'a name with shell and HTML metacharacters',
    kind: 'metachars',
    import: {
      accepted: true,
      says: /Imported <img src=x onerror=alert\(1\)> \$\(touch pwned\) as/,
    },
    generate: null,
  },
];

/** `models import` and `generate` without a usable folder at all. */
export const MODEL_CLI: CliCase[] = [
  {
    name: 'models import with no folder',
    kind: 'usage',
    argv: ['models', 'import'],
    expect: { code: 2, says: /give one bundle folder/ },
  },
  {
    name: 'models import of a file',
    kind: 'wrong-format',
    argv: ['models', 'import', 'text/one.txt'],
    expect: { code: 1, file: 'text/one.txt', says: /is not a folder/ },
  },
  {
    name: 'generate without --model',
    kind: 'usage',
    argv: ['generate', '-i', 'text/one.txt'],
    expect: { code: 2, says: /--model is required/ },
  },
  {
    name: 'generate with a model that does not exist',
    kind: 'missing',
    argv: ['generate', '--model', 'no-such-model', '-i', 'text/one.txt'],
    expect: { code: 1, file: 'no-such-model', says: /no model "no-such-model"/ },
  },
];

/**
 * Damaged workspaces (made at test time): each must be listed by `datasets list`, `runs list`
 * and `models list` with the problem named, exit 0, and nothing changed on disk.
 */
export const WORKSPACE = {
  /** One damaged dataset, run and model folder per manifest body. */
  manifests: MANIFEST_BODIES.length * 3,
  /** A damaged queue.json per body (each `runs list` sets one aside). */
  queues: MANIFEST_BODIES.length,
  /** datasets/, models/ and runs/ entries that are links out of the workspace, and a dangling one. */
  links: 4,
  /** Folder names with shell and HTML metacharacters under datasets/, models/, runs/. */
  metachars: 3,
  /** `show` with ids that climb out of the workspace (`..`). */
  dotdot: 3,
};

/** Property-based runs (fast-check), for the README's numbers. */
export const FUZZ_RUNS = {
  /** readDataset with random bytes / text / line ends, per format (text, tsv, csv, jsonl). */
  importerPerFormat: 100,
  /** readDataset on a valid Parquet file with random bytes overwritten (in a child process). */
  parquet: 200,
  /** `ecoeval score` with random reference and hypothesis files and metrics. */
  score: 100,
};
