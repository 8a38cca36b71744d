/**
 * `ecoeval ppl FILE.jsonl [-f text|json] [--window N --stride N]`: corpus perplexity, bits per
 * token, bits per byte and word-level perplexity from JSON Lines of `{tokens, logprobs, text}`
 * (natural-log probabilities). The figures are those of `shared/metrics/perplexity.ts`.
 * Exit codes: 0 ok, 1 bad input (file and line named), 2 usage.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  checkSlidingWindow,
  computePerplexity,
  parsePerplexityJsonl,
} from '../../shared/metrics/perplexity';
import type { PerplexityResult, SlidingWindow } from '../../shared/metrics/perplexity';
import { decodeUtf8, describeInvalidUtf8 } from '../services/datasets/importers/utf8-locate';
import type { CliCommand, CliIO } from './io';
import { EXIT_BAD_INPUT, EXIT_OK, EXIT_USAGE, UserError } from './io';

const USAGE = 'usage: ecoeval ppl FILE.jsonl [-f text|json] [--window N --stride N]';

const HELP = `${USAGE}

Perplexity from per-token log-probabilities. Each line of FILE.jsonl (or standard input when
FILE is - or absent) is one text:
  {"tokens": ["He", "llo"], "logprobs": [-2.1, -0.4], "text": "Hello"}
logprobs are natural logs (≤ 0), one per token. Corpus perplexity is exp(total NLL / total
tokens). Bits per byte (UTF-8 bytes of text) and word perplexity (whitespace words) compare
models with different tokenizers.

  -f, --format text|json   output format (default text)
  --window N               sliding-window size the logprobs were computed with (recorded)
  --stride N               sliding-window stride (default: the window; must not exceed it)
  -h, --help               this help
`;

interface PplArgs {
  file: string | null;
  format: 'text' | 'json';
  window: number | null;
  stride: number | null;
  help: boolean;
}

function usageError(message: string): UserError {
  return new UserError(`${message}\n${USAGE}`, EXIT_USAGE);
}

function parseCount(flag: string, value: string | undefined): number {
  if (value === undefined) throw usageError(`${flag} needs a number of tokens`);
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw usageError(`${flag} must be a positive whole number of tokens, got "${value}"`);
  }
  return Number(value);
}

function parseArgs(argv: string[]): PplArgs {
  const args: PplArgs = { file: null, format: 'text', window: null, stride: null, help: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].startsWith('--') ? splitInline(argv[i]) : [argv[i], undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '-h':
      case '--help':
        args.help = true;
        break;
      case '-f':
      case '--format': {
        const format = value();
        if (format !== 'text' && format !== 'json') {
          throw usageError(`${flag} must be text or json, got "${format ?? ''}"`);
        }
        args.format = format;
        break;
      }
      case '--window':
        args.window = parseCount(flag, value());
        break;
      case '--stride':
        args.stride = parseCount(flag, value());
        break;
      default:
        if (flag.startsWith('-') && flag !== '-') throw usageError(`unknown option ${flag}`);
        if (args.file !== null)
          throw usageError(`one input file only, got ${args.file} and ${flag}`);
        args.file = flag;
    }
  }
  return args;
}

function splitInline(arg: string): [string, string | undefined] {
  const eq = arg.indexOf('=');
  return eq < 0 ? [arg, undefined] : [arg.slice(0, eq), arg.slice(eq + 1)];
}

function slidingWindow(args: PplArgs): SlidingWindow | undefined {
  if (args.window === null) {
    if (args.stride !== null) throw usageError('--stride needs --window');
    return undefined;
  }
  const window = { window: args.window, stride: args.stride ?? args.window };
  const problem = checkSlidingWindow(window);
  if (problem) throw usageError(problem);
  return window;
}

async function readInput(io: CliIO, file: string | null): Promise<{ name: string; text: string }> {
  if (file === null || file === '-') return { name: '<stdin>', text: await io.readStdin() };
  let bytes: Buffer;
  try {
    bytes = readFileSync(resolve(io.cwd, file));
  } catch (e) {
    const reason =
      (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'cannot read it';
    throw new UserError(`${file}: ${reason}; check the path (relative to ${io.cwd})`);
  }
  const decoded = decodeUtf8(bytes);
  if ('invalid' in decoded) {
    throw new UserError(
      `${describeInvalidUtf8(file, decoded.invalid)}; save the file as UTF-8 and run it again`,
    );
  }
  return { name: file, text: decoded.text };
}

function fixed(value: number | null, digits: number): string {
  return value === null ? 'n/a' : value.toFixed(digits);
}

function formatText(result: PerplexityResult): string {
  return [
    `PPL = ${fixed(result.perplexity, 4)} (${result.signature})`,
    `texts ${result.texts}  tokens ${result.tokens}  NLL/token ${fixed(result.nllPerToken, 4)} nats  bits/token ${fixed(result.bitsPerToken, 4)}`,
    `bytes ${result.bytes}  bits/byte ${fixed(result.bitsPerByte, 4)}`,
    `words ${result.words}  word PPL ${fixed(result.wordPerplexity, 4)}`,
    '',
  ].join('\n');
}

function formatJson(result: PerplexityResult): string {
  const { perText, window, ...totals } = result;
  return `${JSON.stringify(
    {
      name: 'PPL',
      score: result.perplexity,
      ...totals,
      window: window?.window ?? null,
      stride: window?.stride ?? null,
      perText,
    },
    null,
    1,
  )}\n`;
}

async function run(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv);
  if (args.help) {
    io.stdout(HELP);
    return EXIT_OK;
  }
  const window = slidingWindow(args);
  const { name, text } = await readInput(io, args.file);
  const { records, errors } = parsePerplexityJsonl(text);
  if (errors.length > 0) {
    const first = errors[0];
    const more = errors.length > 1 ? ` (${errors.length - 1} more bad lines after it)` : '';
    throw new UserError(`${name}:${first.line}: ${first.message}${more}`);
  }
  if (records.length === 0) {
    throw new UserError(
      `${name}: no records; give one JSON object per line with tokens, logprobs and text`,
    );
  }
  const result = computePerplexity(records, window);
  io.stdout(args.format === 'json' ? formatJson(result) : formatText(result));
  return EXIT_OK;
}

/** `ecoeval ppl`: see the module header. */
export const pplCommand: CliCommand = async (argv, io) => {
  try {
    return await run(argv, io);
  } catch (e) {
    if (e instanceof UserError) {
      io.stderr(`ecoeval ppl: ${e.message}\n`);
      return e.exitCode;
    }
    io.stderr(`ecoeval ppl: ${(e as Error).message}\n`);
    return EXIT_BAD_INPUT;
  }
};
