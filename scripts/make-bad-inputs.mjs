// Writes the bad-input corpus of the hardening tests (test/fixtures/bad/): files every entry
// point is fed — dataset imports (text, tsv, csv, jsonl, parquet), `ecoeval score` and `ecoeval
// ppl` inputs, energy CSVs (CodeCarbon, wall meter), report plans (YAML, JSON), model.json
// bodies and damaged workspace manifests. Deterministic: the same bytes on every run and machine
// (a fixed PRNG, no timestamps), so the committed corpus can be checked against the script.
//
//   node scripts/make-bad-inputs.mjs             rewrite test/fixtures/bad/
//   node scripts/make-bad-inputs.mjs --out DIR   write the corpus into DIR instead
//
// Cases made at test time instead (see test/hardening/corpus.ts): the 100 MB single line, symbolic
// links, file names with shell and HTML metacharacters (not portable to every checkout), and
// damaged copies of the demo model bundle.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parquetMetadata } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';

const root = new URL('..', import.meta.url).pathname;
const outFlag = process.argv.indexOf('--out');
const out = outFlag >= 0 ? process.argv[outFlag + 1] : join(root, 'test/fixtures/bad');

/** mulberry32: deterministic bytes for the "binary garbage" cases. */
function garbage(length, seed) {
  let a = seed >>> 0;
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    bytes[i] = (t ^ (t >>> 14)) & 0xff;
  }
  // Never a gzip or Parquet signature by accident: those have their own cases.
  bytes[0] = 0x9c;
  return bytes;
}

const bin = (...parts) =>
  Buffer.concat(
    parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))),
  );
const deepObject = (depth, leaf = '"x"') => `${'{"a":'.repeat(depth)}${leaf}${'}'.repeat(depth)}`;
const deepArray = (depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const DEPTH = 20_000;

const files = {};
const put = (path, content) => (files[path] = content);

// ---- dataset import: plain text (also the reference / hypothesis files of `ecoeval score`)
put('text/empty.txt', '');
put('text/bom-only.txt', '\ufeff');
put('text/truncated.txt', bin('a complete line\nthen a cut character ', [0xe2, 0x82]));
put('text/garbage.bin', garbage(4096, 1));
put('text/invalid-utf8.txt', bin('good line\nbad ', [0xff], ' byte on line 2\n'));
put('text/latin1.txt', bin('caf', [0xe9], '\nna', [0xef], 've\n'));
put('text/compressed.txt', gzipSync(Buffer.from('hello\nworld\n'), { level: 9 }));
put('text/bom-mixed.src', '\ufeffone\r\ntwo\nthree\rstill three\r\n');
put('text/bom-mixed.ref', 'eins\r\nzwei\ndrei\n');
put('text/mismatch.src', 'a\nb\nc\n');
put('text/mismatch.ref', 'x\ny\n');
put('text/one.txt', 'hello world\n');
put('text/two.txt', 'hello world\ngood morning\n');

// ---- dataset import: tsv and csv (header `source`, `reference`)
for (const [ext, sep] of [
  ['csv', ','],
  ['tsv', '\t'],
]) {
  const row = (...fields) => fields.join(sep) + '\n';
  put(`${ext}/empty.${ext}`, '');
  put(`${ext}/garbage.${ext}`, garbage(2048, ext === 'csv' ? 2 : 3));
  put(
    `${ext}/invalid-utf8.${ext}`,
    bin(row('source', 'reference'), 'ok', sep, 'fine\n', 'bad ', [0xc3, 0x28], sep, 'x\n'),
  );
  put(
    `${ext}/truncated.${ext}`,
    row('source', 'reference') + row('hello', 'hallo') + `"good${sep} morn`,
  );
  put(`${ext}/header-only.${ext}`, row('source', 'reference'));
  put(`${ext}/ragged.${ext}`, row('source', 'reference') + row('a', 'b') + row('c', 'd', 'e'));
  put(`${ext}/wrong-header.${ext}`, row('src', 'tgt') + row('a', 'b'));
  put(
    `${ext}/bom-crlf.${ext}`,
    `\ufeffsource${sep}reference\r\nhello${sep}hallo\r\nbye${sep}tschüss\n`,
  );
  put(
    `${ext}/unknown-columns.${ext}`,
    row('id', 'source', 'extra', 'reference') + row('1', 'a', '?', 'b'),
  );
}

// ---- dataset import: JSON Lines (fields `source`, `reference`)
put('jsonl/empty.jsonl', '');
put('jsonl/blank-lines.jsonl', '\n  \n\t\n');
put('jsonl/garbage.jsonl', garbage(2048, 4));
put(
  'jsonl/invalid-utf8.jsonl',
  bin('{"source": "ok", "reference": "fine"}\n{"source": "caf', [0xe9], '", "reference": "x"}\n'),
);
put('jsonl/truncated.jsonl', '{"source": "a", "reference": "b"}\n{"source": "c", "refer');
put('jsonl/deep-object.jsonl', `{"meta":${deepObject(DEPTH)},"source":"a","reference":"b"}\n`);
put('jsonl/deep-array.jsonl', `{"source":${deepArray(DEPTH)},"reference":"b"}\n`);
put(
  'jsonl/wrong-types.jsonl',
  '{"source": "a", "reference": "b"}\n{"source": 5, "reference": ["x", 7]}\n',
);
put('jsonl/array-line.jsonl', '["source", "reference"]\n');
put(
  'jsonl/json-array.json',
  '[{"source": "a", "reference": "b"}, {"source": "c", "reference": "d"}]\n',
);
put('jsonl/null-line.jsonl', '{"source": "a", "reference": "b"}\nnull\n');
put('jsonl/missing-field.jsonl', '{"source": "a", "reference": "b"}\n{"source": "c"}\n');
put(
  'jsonl/unknown-fields.jsonl',
  '{"id": 1, "source": "a", "reference": "b", "extra": {"x": [1, 2]}}\n',
);
put(
  'jsonl/bom-crlf.jsonl',
  '\ufeff{"source": "a", "reference": "b"}\r\n{"source": "c", "reference": "d"}\r\n',
);

// ---- dataset import: Parquet
const table = {
  columnData: [
    { name: 'source', data: ['hello world', 'good morning', 'a', 'b'], type: 'STRING' },
    { name: 'reference', data: ['hallo welt', 'guten morgen', 'c', 'd'], type: 'STRING' },
  ],
};
const valid = Buffer.from(parquetWriteBuffer(table));
put('parquet/valid.parquet', valid);
put('parquet/empty.parquet', '');
put('parquet/garbage.parquet', garbage(2048, 5));
put('parquet/truncated.parquet', valid.subarray(0, Math.floor(valid.length / 2)));
put('parquet/no-footer.parquet', valid.subarray(0, valid.length - 4));
put('parquet/text.parquet', 'source,reference\nhello,hallo\n');
// A page header whose fields are damaged (hyparquet looped forever on this one).
const damaged = Buffer.from(valid);
const pageAt = Number(
  parquetMetadata(valid.buffer.slice(valid.byteOffset, valid.byteOffset + valid.length))
    .row_groups[0].columns[1].meta_data.data_page_offset,
);
damaged[pageAt + 9] = 0x67;
put('parquet/damaged-page.parquet', damaged);
put(
  'parquet/wrong-types.parquet',
  Buffer.from(
    parquetWriteBuffer({
      columnData: [
        { name: 'source', data: [1, 2], type: 'INT32' },
        { name: 'reference', data: ['x', 'y'], type: 'STRING' },
      ],
    }),
  ),
);

// ---- `ecoeval score --jsonl`
put(
  'score/wrong-types.jsonl',
  '{"prediction": "a", "references": ["a"]}\n{"prediction": 5, "references": [1]}\n',
);
put('score/deep.jsonl', `{"prediction": "a", "references": ${deepArray(DEPTH)}}\n`);
put('score/truncated.jsonl', '{"prediction": "a", "references": ["a"]}\n{"prediction": "b", "refe');
put(
  'score/unknown-fields.jsonl',
  '{"prediction": "a b", "references": ["a b"], "id": 3, "extra": null}\n',
);
put('score/two-refs.tsv', 'a\tb\nonly one\n');

// ---- `ecoeval ppl` (JSON Lines of tokens, logprobs, text)
const ppl = (tokens, logprobs, text) => JSON.stringify({ tokens, logprobs, text }) + '\n';
put('ppl/empty.jsonl', '');
put('ppl/truncated.jsonl', ppl(['a'], [-1], 'a') + '{"tokens": ["b"], "logp');
put(
  'ppl/invalid-utf8.jsonl',
  bin(ppl(['a'], [-1], 'a'), '{"tokens": ["caf', [0xe9], '"], "logprobs": [-1], "text": "x"}\n'),
);
put('ppl/deep.jsonl', `{"tokens": ${deepArray(DEPTH)}, "logprobs": [-1], "text": "a"}\n`);
put('ppl/wrong-types.jsonl', '{"tokens": ["a", "b"], "logprobs": ["-1", null], "text": 5}\n');
put('ppl/positive-logprob.jsonl', ppl(['a'], [0.5], 'a'));
put('ppl/length-mismatch.jsonl', ppl(['a', 'b'], [-1, -2, -3], 'a b'));
put('ppl/overflow.jsonl', '{"tokens": ["a"], "logprobs": [-1e999], "text": "a"}\n');
put(
  'ppl/unknown-fields.jsonl',
  ppl(['a'], [-1], 'a').replace('}', ', "model": "x", "extra": [1]}'),
);
put(
  'ppl/bom-crlf.jsonl',
  '\ufeff' + ppl(['a'], [-1], 'a').replace('\n', '\r\n') + ppl(['b'], [-2], 'b'),
);

// ---- energy imports: CodeCarbon emissions.csv and wall-meter logs
const cc =
  'timestamp,project_name,run_id,duration,emissions,cpu_energy,gpu_energy,ram_energy,energy_consumed,country_iso_code\n';
put('energy/codecarbon-empty.csv', '');
put('energy/codecarbon-garbage.csv', garbage(1024, 6));
put(
  'energy/codecarbon-truncated.csv',
  cc +
    '2026-05-01T10:00:00,p,r1,100,0.001,0.001,0.002,0.0001,0.0031,FRA\n2026-05-01T10:05:00,p,"r2',
);
put(
  'energy/codecarbon-invalid-utf8.csv',
  bin(cc, '2026-05-01T10:00:00,caf', [0xe9], ',r1,100,0.001,0.001,0.002,0.0001,0.0031,FRA\n'),
);
put('energy/codecarbon-header-only.csv', cc);
put('energy/codecarbon-wrong-types.csv', cc + '2026-05-01T10:00:00,p,r1,-5,x,abc,,,,FRA\n');
put(
  'energy/codecarbon-huge.csv',
  cc + '2026-05-01T10:00:00,p,r1,100,1e308,1e308,1e308,1e308,1e308,FRA\n',
);
put('energy/codecarbon-no-energy.csv', 'timestamp,duration\n2026-05-01T10:00:00,100\n');
put(
  'energy/codecarbon-lone-cr.csv',
  cc + '2026-05-01T10:00:00,p,r1,100,0.001,0.001\r2026,0.002,0.0001,0.0031,FRA\n',
);
put(
  'energy/codecarbon-unknown-fields.csv',
  cc.replace('\n', ',wibble\n') +
    '2026-05-01T10:00:00,p,r1,100,0.001,0.001,0.002,0.0001,0.0031,FRA,?\n',
);
put(
  'energy/codecarbon-bom-crlf.csv',
  '\ufeff' +
    cc.replace('\n', '\r\n') +
    '2026-05-01T10:00:00,p,r1,100,0.001,0.001,0.002,0.0001,0.0031,FRA\r\n',
);
put('energy/wall-empty.csv', '');
put('energy/wall-garbage.csv', garbage(1024, 7));
put(
  'energy/wall-truncated.csv',
  'timestamp,power_w\n2026-05-01T10:00:00Z,50\n"2026-05-01T10:00:01Z,5',
);
put('energy/wall-naive-time.csv', 'timestamp,power_w\n2026-05-01T10:00:00,50\n');
put('energy/wall-not-a-time.csv', 'timestamp,power_w\nyesterday\r,50\n');
put('energy/wall-backwards.csv', 'timestamp,power_w\n1777629600,50\n1777629599,51\n');
put('energy/wall-negative.csv', 'timestamp,energy_wh\n1777629600,5\n1777629601,-1\n');
put('energy/wall-huge.csv', 'timestamp,power_kw\n1777629600,1e308\n');
put('energy/wall-no-value.csv', 'timestamp,volts\n1777629600,230\n');
put('energy/wall-header-only.csv', 'timestamp,power_w\n');
put(
  'energy/wall-bom-crlf.csv',
  '\ufefftimestamp,power_w,note\r\n1777629600,50,a\r\n1777629601,52,b\r\n',
);

// ---- report plans (`ecoeval report run PLAN --out DIR`)
put('plans/empty.yaml', '');
put('plans/whitespace.yaml', '  \n\n\t\n');
put(
  'plans/truncated.yaml',
  'schema: 1\ntitle: "unfinished\ndatasets:\n  - dataset: grammar-en-xx\n    split: te',
);
put(
  'plans/truncated.json',
  '{"schema": 1, "datasets": [{"dataset": "grammar-en-xx"}], "systems": [{"mod',
);
put('plans/garbage.yaml', garbage(1024, 8));
put(
  'plans/invalid-utf8.yaml',
  bin('schema: 1\ntitle: "caf', [0xe9], '"\ndatasets: [x]\nsystems: [{model: m}]\n'),
);
put('plans/deep.yaml', `schema: 1\ntitle: ${deepArray(DEPTH)}\n`);
put('plans/deep.json', `{"schema": 1, "title": ${deepObject(DEPTH)}}`);
put(
  'plans/alias-bomb.yaml',
  'schema: 1\na: &a [x, x, x, x, x, x, x, x, x]\n' +
    'bcdefghi'
      .split('')
      .map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(', ')}]\n`)
      .join('') +
    'datasets: [x]\nsystems: [{model: m}]\n',
);
put(
  'plans/wrong-types.json',
  '{"schema": "1", "title": 5, "datasets": "x", "systems": {"model": 3}, "metrics": {"use": "bleu"}}',
);
put(
  'plans/unknown-keys.yaml',
  'schema: 1\ntitle: t\nfrobnicate: 1\ndatasets: [grammar-en-xx]\nsystems: [{model: m, wibble: 2}]\n',
);
put(
  'plans/dotdot.yaml',
  'schema: 1\ndatasets:\n  - {name: x, kind: translation, source: ../../../../../../etc/passwd, references: [../../no/such/file]}\nsystems: [{outputs: ../../../../../../no/such/outputs.txt}]\n',
);
put(
  'plans/metachars.yaml',
  'schema: 1\ntitle: "<script>alert(1)</script> $(touch pwned)"\ndatasets: ["$(touch pwned)"]\nsystems: [{model: "<b>m</b>;rm -rf /"}]\n',
);
put(
  'plans/lone-cr.yaml',
  '\ufeffschema: 1\r\ntitle: t\r\ndatasets: [nope]\rsystems: [{model: nope}]\r\n',
);
put(
  'plans/missing-refs.yaml',
  'schema: 1\ndatasets: [no-such-dataset]\nsystems: [{model: no-such-model}]\n',
);

// ---- model.json bodies (copied over a bundle's model.json) and workspace manifests
const bodies = {
  'empty.json': '',
  'garbage.json': garbage(512, 9),
  'truncated.json': '{"schema": 1, "id": "trunc", "name": "cut off',
  'deep.json': deepObject(DEPTH, '1'),
  'wrong-types.json': '{"schema": 1, "id": 5, "name": ["x"], "splits": "many", "config": []}',
  'unknown-only.json': '{"hello": "world", "$(touch pwned)": "<script>x</script>"}',
  'array.json': '[1, 2, 3]',
  'null.json': 'null',
  'invalid-utf8.json': bin('{"schema": 1, "name": "caf', [0xe9], '"}'),
};
for (const [name, body] of Object.entries(bodies)) put(`manifests/${name}`, body);

rmSync(out, { recursive: true, force: true });
for (const [path, content] of Object.entries(files)) {
  mkdirSync(dirname(join(out, path)), { recursive: true });
  writeFileSync(join(out, path), content);
}
// Byte for byte on every checkout: no line-end conversion of the CR LF and binary cases.
writeFileSync(join(out, '.gitattributes'), '* -text\n');
writeFileSync(
  join(out, 'README.md'),
  '# Bad-input corpus\n\nGenerated by `node scripts/make-bad-inputs.mjs` (deterministic); do not edit by hand.\n' +
    'The hardening tests (`npm run test:hardening`, test/hardening/) feed these files to every\n' +
    'entry point and check each ends in a clear message, the right exit code, no stack trace, no\n' +
    'hang and nothing written. Cases made at test time: the 100 MB single line, symbolic links,\n' +
    'names with shell and HTML metacharacters, and damaged copies of the demo model bundle.\n',
);
process.stdout.write(`${Object.keys(files).length} files in ${out}\n`);
