// `ecoeval ppl` on the fixture files: figures, formats, sliding-window options and exit codes.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { captureIO } from '../../../main/cli/io';
import { pplCommand } from '../../../main/cli/ppl';

const cwd = fileURLToPath(new URL('../../fixtures/metrics/ppl/', import.meta.url));

async function run(argv: string[], stdin?: string) {
  const io = captureIO({ cwd, stdin });
  const code = await pplCommand(argv, io);
  return { code, out: io.out(), err: io.err() };
}

describe('ecoeval ppl', () => {
  it('prints corpus figures as text', async () => {
    const { code, out, err } = await run(['example.jsonl']);
    expect(code).toBe(0);
    expect(err).toBe('');
    expect(out).toContain(
      'PPL = 3.1320 (tokens:6|base:e|window:none|stride:none|version:ecoeval-1.0.0)',
    );
    expect(out).toContain('bytes 19  bits/byte 0.5201');
    expect(out).toContain('words 5  word PPL 3.9354');
  });

  it('prints JSON with the sliding-window settings', async () => {
    const { code, out } = await run(['example.jsonl', '-f', 'json', '--window', '8', '--stride=4']);
    expect(code).toBe(0);
    const json = JSON.parse(out);
    expect(json.name).toBe('PPL');
    expect(json.score).toBeCloseTo(Math.exp(6.85 / 6), 12);
    expect(json.tokens).toBe(6);
    expect([json.window, json.stride]).toEqual([8, 4]);
    expect(json.signature).toBe('tokens:6|base:e|window:8|stride:4|version:ecoeval-1.0.0');
    expect(json.perText).toHaveLength(3);
  });

  it('reads standard input when the file is -', async () => {
    const { code, out } = await run(['-'], '{"tokens":["a"],"logprobs":[-1],"text":"a"}\n');
    expect(code).toBe(0);
    expect(out).toContain(`PPL = ${Math.E.toFixed(4)}`);
  });

  it('exits 1 naming the file and line of bad input, without a stack trace', async () => {
    const { code, out, err } = await run(['bad-length.jsonl']);
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).toContain('bad-length.jsonl:2: "tokens" has 2 entries but "logprobs" has 1');
    expect(err).not.toMatch(/\n\s+at /);
  });

  it('exits 1 for a missing file or an empty one', async () => {
    expect((await run(['missing.jsonl'])).err).toContain('missing.jsonl: no such file');
    const empty = await run(['-'], '\n');
    expect(empty.code).toBe(1);
    expect(empty.err).toContain('no records');
  });

  it.each([
    [['example.jsonl', '-f', 'xml'], /-f must be text or json/],
    [['example.jsonl', '--window', '0'], /positive whole number/],
    [['example.jsonl', '--window', '4', '--stride', '8'], /must not exceed window/],
    [['example.jsonl', '--stride', '4'], /--stride needs --window/],
    [['example.jsonl', '--bogus'], /unknown option --bogus/],
    [['a.jsonl', 'b.jsonl'], /one input file only/],
  ])('exits 2 on usage errors: %s', async (argv, message) => {
    const { code, err } = await run(argv);
    expect(code).toBe(2);
    expect(err).toMatch(message);
  });

  it('prints help and exits 0', async () => {
    const { code, out } = await run(['--help']);
    expect(code).toBe(0);
    expect(out).toContain('usage: ecoeval ppl');
  });
});
