// `ecoeval export` and `ecoeval generate` end to end on a random checkpoint with a WordLevel
// tokenizer: files, JSON output, one hypothesis per input line (translations, or a language
// model's continuations), model lookup and user errors; plus the execution-provider probe.
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportCommand } from '../../../main/cli/export';
import { generateCommand } from '../../../main/cli/generate';
import { captureIO } from '../../../main/cli/io';
import { candidateProviders, chooseProvider } from '../../../main/services/model/onnx/providers';
import {
  TINY_LM,
  TINY_SEQ2SEQ,
  tempDir,
  writeFixtureCheckpoint,
} from '../../fixtures/model/checkpoints';

const tmp = tempDir();
let model: string;
beforeAll(async () => {
  model = await writeFixtureCheckpoint(join(tmp.dir, 'models', 'tiny'), TINY_SEQ2SEQ);
  await writeFixtureCheckpoint(join(tmp.dir, 'models', 'lm'), TINY_LM);
  writeFileSync(join(tmp.dir, 'src.txt'), 'w1 w2 w3\nw4 w5\n\nw6 nonsense w7 w8 w9\n');
});
afterAll(() => tmp.cleanup());

async function run(command: typeof exportCommand, argv: string[], stdin?: string) {
  const io = captureIO({ cwd: tmp.dir, env: {}, ...(stdin !== undefined ? { stdin } : {}) });
  const code = await command(argv, io);
  return { code, out: io.out(), err: io.err() };
}

describe('ecoeval export', () => {
  it('writes the graphs and export.json and reports sizes as JSON', async () => {
    const { code, out, err } = await run(exportCommand, [
      '--model',
      'models/tiny',
      '--precision',
      'int8',
      '--json',
    ]);
    expect(err).toContain('Exporting');
    expect(code).toBe(0);
    const manifest = JSON.parse(out);
    expect(manifest.precision).toBe('int8');
    expect(manifest.dir).toBe(join(model, 'onnx', 'int8'));
    expect(manifest.files.map((f: { role: string }) => f.role)).toEqual(['encoder', 'decoder']);
    for (const f of manifest.files) expect(existsSync(join(manifest.dir, f.file))).toBe(true);
    expect(existsSync(join(manifest.dir, 'export.json'))).toBe(true);
  });

  it('prints a text summary and honours --out', async () => {
    const { code, out } = await run(exportCommand, [
      '--model',
      model,
      '-p',
      'fp16',
      '--out',
      'exported',
    ]);
    expect(code).toBe(0);
    expect(out).toMatch(/Exported encoder-decoder model at fp16 to .*exported/);
    expect(out).toMatch(/total +[\d.]+ KB \([\d.]+× smaller than the float32 weights/);
    expect(existsSync(join(tmp.dir, 'exported', 'export.json'))).toBe(true);
  });

  it('finds a model by id in the workspace', async () => {
    const { code } = await run(exportCommand, [
      '--model',
      'lm',
      '--workspace',
      '.',
      '--precision',
      'fp32',
    ]);
    expect(code).toBe(0);
    expect(existsSync(join(tmp.dir, 'models', 'lm', 'onnx', 'fp32', 'export.json'))).toBe(true);
  });

  it('explains usage and lookup errors', async () => {
    expect((await run(exportCommand, ['--precision', 'int4', '--model', model])).code).toBe(2);
    const missing = await run(exportCommand, ['--precision', 'fp32']);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('--model is required');
    const nowhere = await run(exportCommand, ['--model', 'nope', '--workspace', '.']);
    expect(nowhere.code).toBe(1);
    expect(nowhere.err).toMatch(
      /no model "nope": looked for model\.json in .*nope and .*models\/nope/,
    );
  });
});

describe('ecoeval generate', () => {
  it('writes one hypothesis per input line, exporting first when needed', async () => {
    const { code, err } = await run(generateCommand, [
      '--model',
      model,
      '-i',
      'src.txt',
      '-o',
      'hyp.txt',
      '--precision',
      'fp32',
      '--threads',
      '1',
    ]);
    expect(code).toBe(0);
    expect(err).toMatch(/exporting it first/);
    expect(err).toMatch(/Translating 4 sentence\(s\) with fp32 on cpu \(greedy\)/);
    const lines = readFileSync(join(tmp.dir, 'hyp.txt'), 'utf8').split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[4]).toBe('');
    for (const line of lines.slice(0, 4)) expect(line).toMatch(/^(w\d+( w\d+)*)?$/);
  });

  it('beam search with --json reports the run and the hypotheses', async () => {
    const { code, out, err } = await run(
      generateCommand,
      [
        '--model',
        model,
        '--beam',
        '3',
        '--max-length',
        '6',
        '--batch',
        '2',
        '--json',
        '--precision',
        'fp32',
      ],
      'w1 w2\nw3\n',
    );
    expect(err).not.toMatch(/exporting it first/); // reuses the export of the previous test
    expect(code).toBe(0);
    const summary = JSON.parse(out);
    expect(summary).toMatchObject({
      precision: 'fp32',
      provider: 'cpu',
      beam: 3,
      sentences: 2,
      exported: false,
    });
    expect(summary.hypotheses).toHaveLength(2);
    expect(summary.tokensPerSecond).toBeGreaterThan(0);
  });

  it('continues prompts with a language model, one continuation per line', async () => {
    const lm = await run(
      generateCommand,
      ['--model', join(tmp.dir, 'models', 'lm'), '--max-length', '5', '--beam', '2', '--json'],
      'w1 w2\n\nw3\n',
    );
    expect(lm.err).toMatch(/Continuing 3 prompt\(s\) with fp32 on cpu \(beam 2\)/);
    expect(lm.code).toBe(0);
    const summary = JSON.parse(lm.out);
    expect(summary).toMatchObject({ kind: 'decoder-only', sentences: 3, truncatedPrompts: 0 });
    expect(summary.hypotheses).toHaveLength(3);
    for (const h of summary.hypotheses) expect(h).toMatch(/^(w\d+( w\d+){0,4})?$/);
    expect(summary.generatedTokens).toBeGreaterThan(0);
  });

  it('refuses a bad option, and stops on Ctrl-C', async () => {
    expect((await run(generateCommand, ['--model', model, '--beam', '0'])).code).toBe(2);
    const io = captureIO({ cwd: tmp.dir, stdin: 'w1\n' });
    const controller = new AbortController();
    controller.abort();
    const code = await generateCommand(['--model', model], { ...io, signal: controller.signal });
    expect(code).toBe(130);
  });

  it('names a missing tokenizer', async () => {
    const dir = join(tmp.dir, 'no-tokenizer');
    mkdirSync(dir, { recursive: true });
    await writeFixtureCheckpoint(dir, TINY_SEQ2SEQ);
    writeFileSync(join(dir, 'tokenizer.json'), 'not json');
    const { code, err } = await run(generateCommand, ['--model', dir], 'w1\n');
    expect(code).toBe(1);
    expect(err).toMatch(/tokenizer\.json: not a readable Hugging Face tokenizer/);
  });
});

describe('execution providers', () => {
  it('lists platform candidates and settles on a working provider with reasons for the others', async () => {
    expect(candidateProviders('linux')).toEqual(['cuda', 'webgpu', 'cpu']);
    expect(candidateProviders('win32')).toEqual(['cuda', 'webgpu', 'dml', 'cpu']);
    expect(candidateProviders('darwin')).toEqual(['cuda', 'webgpu', 'coreml', 'cpu']);
    const choice = await chooseProvider('auto');
    const last = choice.attempts[choice.attempts.length - 1];
    expect(last).toMatchObject({ provider: choice.provider, ok: true });
    for (const failed of choice.attempts.slice(0, -1)) expect(failed.reason).toBeTruthy();
    expect((await chooseProvider('cpu')).provider).toBe('cpu');
  });
});
