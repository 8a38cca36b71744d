/**
 * `ecoeval`: the command-line host. Dispatches to subcommands, wires the real terminal into
 * CliIO, turns Ctrl-C into a clean cancel (exit 130), and never prints a stack trace unless
 * ECOEVAL_DEBUG is set.
 */
import type { CliCommand, CliIO } from './io';
import { EXIT_BAD_INPUT, EXIT_USAGE, UserError } from './io';
import { systemError } from '../services/errors';
import { appVersion } from '../app';

export const HELP = `EcoEval ${appVersion()} — what a language model's quality costs in energy

Usage: ecoeval <command> [options]

Commands:
  datasets   Manage datasets: list, import, show, preview, rename, delete, split, export, builtin
  score      Score hypotheses against references (sacreBLEU-compatible: BLEU, chrF, TER; plus ROUGE)
  ppl        Perplexity from per-token log-probabilities (JSON Lines)
  energy     Energy meters: probe, baseline, measure -- COMMAND
  train      Train the seed Transformer on a dataset (tfjs; best backend available here)
  models     Manage trained models: list, show, delete, export, import (between workspaces)
  export     Export a model checkpoint to ONNX (fp32, fp16, int8)
  generate   Translate, summarise or continue prompts with an exported model (onnxruntime)
  evaluate   Evaluate a model (or imported outputs) on a dataset: scores, energy, provenance
  runs       Manage evaluation runs: list, show, delete, export
  report     Batch reports: run a plan of evaluations, or render existing runs (HTML, Markdown, JSON, CSV)

Global options:
  --workspace DIR   Workspace folder (default: ECOEVAL_WORKSPACE, else the per-user app-data folder)
  -h, --help        Help for a command: ecoeval <command> --help
  -V, --version     Print the version

The desktop app: npm start. The browser host: npm run web.
`;

const COMMANDS: Record<string, () => Promise<CliCommand>> = {
  datasets: async () => (await import('./datasets')).datasetsCommand,
  score: async () => (await import('./score')).scoreCommand,
  ppl: async () => (await import('./ppl')).pplCommand,
  energy: async () => (await import('./energy')).energyCommand,
  train: async () => (await import('./train')).trainCommand,
  models: async () => (await import('./models')).modelsCommand,
  export: async () => (await import('./export')).exportCommand,
  generate: async () => (await import('./generate')).generateCommand,
  evaluate: async () => (await import('./evaluate')).evaluateCommand,
  runs: async () => (await import('./runs')).runsCommand,
  report: async () => (await import('./report')).reportCommand,
};

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(HELP);
    return name ? 0 : EXIT_USAGE;
  }
  if (name === '--version' || name === '-V') {
    io.stdout(`${appVersion()}\n`);
    return 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    io.stderr(`ecoeval: unknown command "${name}". Run \`ecoeval --help\` for the list.\n`);
    return EXIT_USAGE;
  }
  try {
    return await (
      await load()
    )(rest, io);
  } catch (error) {
    if (error instanceof UserError) {
      io.stderr(`ecoeval ${name}: ${error.message}\n`);
      return error.exitCode;
    }
    const system = systemError(error);
    if (system) {
      io.stderr(`ecoeval ${name}: ${system.message}\n`);
      return EXIT_BAD_INPUT;
    }
    io.stderr(`ecoeval ${name}: internal error: ${(error as Error)?.message ?? String(error)}\n`);
    if (io.env.ECOEVAL_DEBUG) io.stderr(`${(error as Error)?.stack}\n`);
    else io.stderr('Set ECOEVAL_DEBUG=1 for details, and please report it.\n');
    return 1;
  }
}

/** Process entry: real stdio, Ctrl-C → abort, exit code from the command. */
export async function main(): Promise<void> {
  const controller = new AbortController();
  let interrupted = false;
  process.on('SIGINT', () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    controller.abort();
    process.stderr.write('\nCancelling… (Ctrl-C again to force)\n');
  });
  const io: CliIO = {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    cwd: process.cwd(),
    isTTY: Boolean(process.stderr.isTTY) && !process.env.CI,
    env: process.env,
    signal: controller.signal,
  };
  const code = await runCli(process.argv.slice(2), io);
  process.exitCode = interrupted && code !== 0 ? 130 : code;
}

if (process.argv[1] && /cli\.(js|ts)$/.test(process.argv[1])) void main();
