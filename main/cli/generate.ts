/**
 * `ecoeval generate --model DIR_OR_ID -i src.txt [-o out.txt] [--precision int8] [--beam 4]
 * [--max-length N] [--batch N] [--json]`: translates one sentence per line with the model's
 * ONNX export (written first when missing or stale) and writes one hypothesis per line, in input
 * order; with a language model, each line is a prompt and the output its continuation. Progress
 * goes to stderr; Ctrl-C stops between batches and writes nothing.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { writeFileAtomic } from '../services/workspace/atomic';
import { generate, openGenerator } from '../services/model/onnx/inference';
import type { CliCommand, CliIO } from './io';
import { EXIT_OK, UserError } from './io';
import { asCommand, modelDirFromArgs } from './export';
import { DECODING_FLAGS, parseDecoding, parseFlags } from './args';

const USAGE =
  'usage: ecoeval generate --model DIR_OR_ID -i src.txt [-o out.txt] [--precision fp32|fp16|int8] [--beam N] [--max-length N] [--batch N] [--json]';

const HELP = `${USAGE}

Translates each line of the input (standard input when -i is - or absent) and writes one
hypothesis per line (standard output when -o is absent). Runs the model's ONNX export at the
chosen precision through onnxruntime, exporting it first if needed.

With a language model (decoder-only), each line is a prompt: the model reads "<s> prompt" and
continues it (greedy, or beam search with --beam), and the output line is the continuation
alone, up to </s> or --max-length new tokens. A prompt too long to leave room for the
continuation keeps its last tokens (reported on stderr).

  --model DIR_OR_ID     checkpoint folder (holding model.json), or a model id in the workspace
  -i, --input FILE      source sentences, one per line
  -o, --output FILE     hypotheses, one per line (written atomically)
  --precision P         fp32 (default), fp16 or int8
  --beam N              beam size (default 1: greedy)
  --length-penalty A    beam score / length^A (default 1)
  --max-length N        most generated tokens per sentence (default: the model's maximum;
                        for a language model, what its positions leave after the prompt)
  --batch N             sentences per batch (default 32; prompts batch with equally long ones)
  --threads N           onnxruntime intra-op threads (default: one per core)
  --provider P          auto (default), cpu, cuda, webgpu, dml, coreml
  --workspace DIR       workspace for model ids (default: ECOEVAL_WORKSPACE)
  --json                print a JSON summary (with the hypotheses when -o is absent)
  -h, --help            this help
`;

async function readLines(io: CliIO, file: string | undefined): Promise<string[]> {
  let text: string;
  if (file === undefined || file === '-') text = await io.readStdin();
  else {
    try {
      text = await readFile(resolve(io.cwd, file), 'utf8');
    } catch (e) {
      const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
      throw new UserError(
        `${file}: ${missing ? 'no such file' : 'cannot read it'}; check the path`,
      );
    }
  }
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Progress lines on stderr: redrawn on a terminal, every few seconds elsewhere. */
function progress(io: CliIO): (done: number, total: number, tokens: number) => void {
  const started = performance.now();
  let last = 0;
  return (done, total, tokens) => {
    const seconds = (performance.now() - started) / 1000;
    const line = `generate: ${done} of ${total} sentences, ${Math.round(tokens / Math.max(seconds, 1e-3))} tokens/s`;
    if (io.isTTY) io.stderr(`\r\x1b[2K${line}${done === total ? '\n' : ''}`);
    else if (done === total || performance.now() - last > 3000) {
      last = performance.now();
      io.stderr(`${line}\n`);
    }
  };
}

async function run(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseFlags(
    argv,
    {
      ...DECODING_FLAGS,
      input: { type: 'string', short: 'i' },
      output: { type: 'string', short: 'o' },
      workspace: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    USAGE,
  );
  if (values.help) {
    io.stdout(HELP);
    return EXIT_OK;
  }
  const { precision, beam, maxLength, batchSize, threads, provider, lengthPenalty } = parseDecoding(
    values,
    USAGE,
  );
  return asCommand('generate', io, async () => {
    const dir = await modelDirFromArgs(io, values.model, values.workspace, USAGE);
    const lines = await readLines(io, values.input);
    const translator = await openGenerator(dir, {
      precision,
      provider,
      ...(threads ? { intraOpThreads: threads } : {}),
      onExport: () => io.stderr(`No current ${precision} export of ${dir}; exporting it first…\n`),
    });
    try {
      const lm = translator.checkpoint.config.kind === 'decoder-only';
      io.stderr(
        `${lm ? `Continuing ${lines.length} prompt(s)` : `Translating ${lines.length} sentence(s)`} with ${precision} on ${translator.model.provider} (${beam === 1 ? 'greedy' : `beam ${beam}`})…\n`,
      );
      const result = await generate(translator, lines, {
        beam,
        lengthPenalty,
        batchSize,
        signal: io.signal,
        onProgress: progress(io),
        ...(maxLength ? { maxLength } : {}),
      });
      if (result.truncatedPrompts) {
        io.stderr(
          `${result.truncatedPrompts} prompt(s) were longer than the model's ${translator.checkpoint.config.maxLength} positions allow and keep only their last tokens.\n`,
        );
      }
      // One hypothesis per line, whatever the tokenizer decodes.
      const text = result.hypotheses.map((h) => h.replace(/[\r\n]+/g, ' ')).join('\n');
      const body = result.hypotheses.length ? `${text}\n` : '';
      if (values.output) await writeFileAtomic(resolve(io.cwd, values.output), body);
      const summary = {
        model: translator.checkpoint.dir,
        export: translator.exportDir,
        exported: translator.exported,
        kind: translator.checkpoint.config.kind,
        precision,
        provider: translator.model.provider,
        intraOpThreads: threads ?? null,
        beam,
        lengthPenalty,
        sentences: result.sentences,
        ...(lm ? { truncatedPrompts: result.truncatedPrompts ?? 0 } : {}),
        generatedTokens: result.generatedTokens,
        seconds: result.seconds,
        tokensPerSecond: result.generatedTokens / Math.max(result.seconds, 1e-9),
        output: values.output ? resolve(io.cwd, values.output) : null,
      };
      if (values.json) {
        const withText = values.output ? summary : { ...summary, hypotheses: result.hypotheses };
        io.stdout(`${JSON.stringify(withText, null, 2)}\n`);
      } else {
        if (!values.output) io.stdout(body);
        io.stderr(
          `${result.sentences} sentence(s), ${result.generatedTokens} tokens in ${result.seconds.toFixed(2)} s (${Math.round(summary.tokensPerSecond)} tokens/s, ${summary.provider})\n`,
        );
      }
      return EXIT_OK;
    } finally {
      await translator.release();
    }
  });
}

/** `ecoeval generate`: see the module header. */
export const generateCommand: CliCommand = async (argv, io) => {
  try {
    return await run(argv, io);
  } catch (e) {
    if (e instanceof UserError) {
      io.stderr(`ecoeval generate: ${e.message}\n`);
      return e.exitCode;
    }
    throw e;
  }
};
