import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { captureIO, EXIT_BAD_INPUT, EXIT_OK, EXIT_USAGE } from '../../../main/cli/io';
import { scoreCommand } from '../../../main/cli/score';
import { pyFixed } from '../../../shared/metrics/format';
import { loadCases, withoutVersion } from '../metrics/fixtures';

const c = loadCases().find((x) => x.id === 'A-02')!;
const multi = loadCases().find((x) => x.id === 'A-01')!;
let dir = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ecoeval-score-'));
  writeFileSync(join(dir, 'hyp.txt'), c.hyps.join('\n') + '\n');
  writeFileSync(join(dir, 'ref.txt'), (c.refs[0] as string[]).join('\n') + '\n');
  writeFileSync(join(dir, 'short.txt'), c.hyps.slice(1).join('\n') + '\n');
  writeFileSync(join(dir, 'hyp2.txt'), [...c.hyps].reverse().join('\n') + '\n');
  multi.refs.forEach((r, i) =>
    writeFileSync(join(dir, `mref${i}.txt`), (r as string[]).join('\n') + '\n'),
  );
  writeFileSync(join(dir, 'mhyp.txt'), multi.hyps.join('\n') + '\n');
  const jsonl = c.hyps.map((h, i) => JSON.stringify({ prediction: h, references: [c.refs[0][i]] }));
  writeFileSync(join(dir, 'pairs.jsonl'), jsonl.join('\n') + '\n');
  writeFileSync(join(dir, 'bad.jsonl'), '{"prediction": "a", "references": ["a"]}\n{oops\n');
});

async function run(argv: string[], stdin?: string) {
  const io = captureIO({ cwd: dir, stdin });
  const code = await scoreCommand(argv, io);
  return { code, out: io.out(), err: io.err() };
}

const bleu = (cs: typeof c) =>
  cs.expected.bleu.find(
    (e) => e.tokenize === '13a' && !e.lowercase && e.smooth_method === 'exp' && !e.effective_order,
  )!;

describe('ecoeval score', () => {
  it('prints sacreBLEU JSON fields for BLEU (width 1 by default)', async () => {
    const r = await run(['ref.txt', '-i', 'hyp.txt']);
    expect(r.code).toBe(EXIT_OK);
    const j = JSON.parse(r.out);
    const e = bleu(c);
    expect(Object.keys(j)).toEqual([
      'name',
      'score',
      'signature',
      'verbose_score',
      'nrefs',
      'case',
      'eff',
      'tok',
      'smooth',
      'version',
    ]);
    expect(j.name).toBe('BLEU');
    expect(j.score).toBe(Number(pyFixed(e.score as number, 1)));
    expect(withoutVersion(j.signature)).toBe(withoutVersion(e.signature as string));
    expect(j.verbose_score).toBe((e.line as string).replace(/^\S+ = \S+ /, ''));
    expect(j.version).toBe('ecoeval-1.0.0+sacrebleu-2.6.0');
  });
  it('matches the fixture text line with -w 2 -f text, for several references', async () => {
    const r = await run(['mref0.txt', 'mref1.txt', '-i', 'mhyp.txt', '-w', '2', '-f', 'text']);
    expect(withoutVersion(r.out.trim())).toBe(withoutVersion(bleu(multi).line as string));
  });
  it('gives a JSON list for several metrics, in sacreBLEU order', async () => {
    const r = await run(['ref.txt', '-i', 'hyp.txt', '-m', 'chrf', 'bleu', '-w', '2']);
    const list = JSON.parse(r.out);
    expect(list.map((x: { name: string }) => x.name)).toEqual(['BLEU', 'chrF2']);
    expect(list[1].score).toBe(Number(c.expected.chrf[0].score_str));
  });
  it('reads hypotheses from stdin when -i is absent', async () => {
    const r = await run(['ref.txt', '-b', '-w', '2', '-f', 'text'], c.hyps.join('\n') + '\n');
    expect(r.out.trim()).toBe(bleu(c).score_str);
  });
  it('reads JSON Lines with --jsonl', async () => {
    // sacreBLEU's -b prints the bare score even in JSON mode.
    const r = await run(['--jsonl', 'pairs.jsonl', '-m', 'bleu', '-b', '-w', '2']);
    expect(r.out).toBe(`${bleu(c).score_str}\n`);
  });
  it('writes JSON Lines for -sl -f json', async () => {
    const r = await run(['ref.txt', '-i', 'hyp.txt', '-sl', '-f', 'json', '-w', '2']);
    const lines = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(c.hyps.length);
    lines.forEach((l, i) =>
      expect(l.score).toBeCloseTo(c.expected.sentence.bleu[i].score as number, 2),
    );
    expect(lines[0].eff).toBe('yes');
  });
  it('adds the bootstrap interval and signature fields with -ci', async () => {
    const r = await run(['ref.txt', '-i', 'hyp.txt', '-ci', '-f', 'text']);
    expect(r.out).toMatch(
      /^BLEU\|nrefs:1\|bs:1000\|seed:12345\|case:mixed.* = \d+\.\d \(μ = \d+\.\d ± \d+\.\d\) /,
    );
  });
  it('runs a paired bootstrap test over two systems', async () => {
    const r = await run(['ref.txt', '-i', 'hyp.txt', 'hyp2.txt', '--paired-bs', '-f', 'text']);
    expect(r.code).toBe(EXIT_OK);
    expect(r.out).toContain('Baseline: hyp.txt');
    expect(r.out).toContain('Paired bootstrap resampling test with 1000 resampling trials');
    expect(r.out).toContain('nrefs:1|bs:1000|seed:12345|case:mixed');
  });
  it('exits 1 naming both files when line counts differ', async () => {
    const r = await run(['ref.txt', '-i', 'short.txt']);
    expect(r.code).toBe(EXIT_BAD_INPUT);
    expect(r.err).toMatch(/short\.txt has 4 lines but ref\.txt has 5/);
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });
  it('exits 1 naming a missing file, and names the line of bad JSONL', async () => {
    expect((await run(['ref.txt', '-i', 'missing.txt'])).err).toMatch(/missing\.txt: no such file/);
    const bad = await run(['--jsonl', 'bad.jsonl']);
    expect(bad.code).toBe(EXIT_BAD_INPUT);
    expect(bad.err).toMatch(/bad\.jsonl:2: not valid JSON/);
  });
  it('exits 2 on a bad flag or value', async () => {
    expect((await run(['ref.txt', '-i', 'hyp.txt', '--nope'])).code).toBe(EXIT_USAGE);
    expect((await run(['ref.txt', '-i', 'hyp.txt', '-tok', 'ja-mecab'])).code).toBe(EXIT_USAGE);
    expect((await run(['ref.txt', '-i', 'hyp.txt', '-w', 'x'])).code).toBe(EXIT_USAGE);
    expect((await run(['ref.txt', '-i', 'hyp.txt', '-m', 'meteor'])).err).toMatch(
      /invalid choice 'meteor'/,
    );
  });
});
