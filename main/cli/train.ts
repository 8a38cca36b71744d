/**
 * `ecoeval train --dataset ID --preset tiny|small|base [--steps N | --minutes M] [--backend B]
 * [--separate-vocab [--src-vocab N]]`:
 * trains the seed Transformer in a child process (main/services/model/training-job.ts), showing
 * progress on a terminal (one redrawn line) or as plain lines elsewhere, and validation results
 * as they come. Ctrl-C stops after the current step with a loadable checkpoint (exit 130);
 * `--resume MODEL` continues it exactly. A built-in dataset is installed on first use.
 * Training holds the workspace's measurement slot, as the app's queued jobs do: while another
 * EcoEval process measures (an evaluation in the app, another command) it waits, and says so.
 */
import { parseArgs } from 'node:util';
import { toApiError } from '../bridge/dispatch';
import { validatedApi } from '../bridge/direct';
import { PRESET_NAMES, describePresets } from '../services/model/config';
import type { PresetName } from '../services/model/config';
import { BACKEND_ORDER, describeBackend, isBackendName } from '../services/model/backend';
import { ModelStore } from '../services/model/store';
import { startTraining } from '../services/model/training-job';
import type {
  TrainRequest,
  TrainingEvent,
  TrainingProgress,
} from '../services/model/training-types';
import type { CliCommand, CliIO } from './io';
import { EXIT_BAD_INPUT, EXIT_OK, EXIT_USAGE, UserError } from './io';
import { cliServices } from './services';
import { ServiceError, systemError } from '../services/errors';
import { CancelledError } from '../services/jobs/jobs';
import { takeoverMessage, waitingMessage } from '../services/workspace/measure-slot';
import type { SlotHold } from '../services/workspace/measure-slot';

export const TRAIN_HELP = `Usage: ecoeval train --dataset ID --preset tiny|small|base [options]

Trains the seed Transformer (encoder-decoder for translation and summarization, decoder-only
for language modelling) with a BPE tokenizer learned from the training split. Progress shows
step, loss, learning rate, tokens/s, ETA, validation loss/BLEU and energy so far.

  --dataset ID          Dataset to train on (a built-in one is installed on first use)
  --preset P            ${PRESET_NAMES.join(' | ')}
  --steps N             Stop after N optimizer steps (total, counting earlier ones on --resume)
  --minutes M           Stop after M minutes (default 30 when --steps is not given)
  --backend B           Force a tfjs backend: ${BACKEND_ORDER.join(' | ')} (default: the best that works)
  --resume MODEL        Continue MODEL's training exactly where its last checkpoint left it
  --name NAME           Display name of the new model
  --vocab N             BPE vocabulary size (default 4000); the target side's with --separate-vocab
  --separate-vocab      Separate source and target vocabularies (encoder-decoder only): two BPE
                        tokenizers, each learnt from its own side (tokenizer.src.json for sources,
                        tokenizer.json for targets), and an encoder embedding of its own
  --src-vocab N         Source vocabulary size with --separate-vocab (default: as --vocab)
  --seed N              Random seed (default 1)
  --eval-every N        Validate and checkpoint every N steps
  --workers N           Threads computing each batch (default: one per core, at most 2, on wasm)
  --no-energy           Do not measure energy
  --json                Print the final training record as JSON
  --workspace DIR       Workspace folder

Presets (vocabulary 4,000):
${describePresets()
  .map((l) => `  ${l}`)
  .join('\n')}
`;

const options = {
  dataset: { type: 'string' },
  preset: { type: 'string' },
  steps: { type: 'string' },
  minutes: { type: 'string' },
  backend: { type: 'string' },
  resume: { type: 'string' },
  name: { type: 'string' },
  vocab: { type: 'string' },
  'separate-vocab': { type: 'boolean' },
  'src-vocab': { type: 'string' },
  seed: { type: 'string' },
  'eval-every': { type: 'string' },
  workers: { type: 'string' },
  'no-energy': { type: 'boolean' },
  json: { type: 'boolean' },
  workspace: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function usage(message: string): UserError {
  return new UserError(`${message}\nRun \`ecoeval train --help\` for the options.`, EXIT_USAGE);
}

function positive(flag: string, value: string | undefined, integer = true): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw usage(`${flag} must be a positive ${integer ? 'whole ' : ''}number, got "${value}"`);
  }
  return n;
}

function duration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function joules(j: number | null): string {
  if (j === null) return '';
  return j >= 1000 ? ` ${(j / 1000).toFixed(2)} kJ` : ` ${j.toFixed(0)} J`;
}

export function progressLine(p: TrainingProgress): string {
  const of = p.maxSteps ? `/${p.maxSteps}` : '';
  const pct = p.fraction !== null ? ` (${Math.floor(p.fraction * 100)}%)` : '';
  const valid =
    p.validBleu !== null
      ? ` BLEU ${p.validBleu.toFixed(1)}`
      : p.validLoss !== null
        ? ` valid ${p.validLoss.toFixed(3)}`
        : '';
  return `step ${p.step}${of}${pct} loss ${p.loss.toFixed(3)} lr ${p.learningRate.toExponential(1)} ${Math.round(p.tokensPerSecond).toLocaleString('en-US')} tok/s ETA ${duration(p.etaS)}${valid}${joules(p.joules)}`;
}

function eventPrinter(io: CliIO): (event: TrainingEvent) => void {
  let lastPlain = 0;
  let onLine = false;
  const line = (text: string) => {
    if (onLine) io.stderr('\r\x1b[2K');
    onLine = false;
    io.stderr(`${text}\n`);
  };
  return (event) => {
    switch (event.type) {
      case 'started':
        line(
          `${event.resumed ? 'Resuming' : 'Training'} ${event.modelId}: ${(event.parameters / 1e6).toFixed(2)} M parameters, vocabulary ${event.vocabSize}; ${describeBackend(event.backend)}`,
        );
        break;
      case 'log':
        line(event.message);
        break;
      case 'validation': {
        const p = event.point;
        line(
          `validation at step ${p.step}: loss ${p.validLoss?.toFixed(3) ?? 'n/a'}${p.validBleu !== null ? `, BLEU ${p.validBleu.toFixed(2)}` : ''} after ${duration(p.elapsedS)}${joules(p.joules)}`,
        );
        break;
      }
      case 'progress':
        if (io.isTTY) {
          io.stderr(`\r\x1b[2K${progressLine(event)}`);
          onLine = true;
        } else if (Date.now() - lastPlain >= 10_000) {
          lastPlain = Date.now();
          io.stderr(`${progressLine(event)}\n`);
        }
        break;
      case 'checkpoint':
      case 'done':
        break;
    }
  };
}

async function run(argv: string[], io: CliIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: false, strict: true });
  } catch (error) {
    throw usage((error as Error).message);
  }
  const { values } = parsed;
  if (values.help) {
    io.stdout(TRAIN_HELP);
    return EXIT_OK;
  }
  if (values.backend !== undefined && !isBackendName(values.backend)) {
    throw usage(`--backend must be one of ${BACKEND_ORDER.join(', ')}, got "${values.backend}"`);
  }
  const steps = positive('--steps', values.steps);
  const minutes = positive('--minutes', values.minutes, false);
  const vocab = positive('--vocab', values.vocab);
  const srcVocab = positive('--src-vocab', values['src-vocab']);
  const separateVocab = values['separate-vocab'] === true;
  if (srcVocab !== undefined && !separateVocab) {
    throw usage('--src-vocab sets the source side of --separate-vocab; add --separate-vocab');
  }
  const seed = values.seed !== undefined ? Number(values.seed) : undefined;
  if (seed !== undefined && !Number.isInteger(seed)) throw usage('--seed must be a whole number');
  const evalEvery = positive('--eval-every', values['eval-every']);
  const workers = positive('--workers', values.workers);
  const services = await cliServices(io, values.workspace);
  let request: TrainRequest;
  if (values.resume) {
    if (values.dataset || values.preset) {
      throw usage(
        '--resume continues a model with its own dataset and preset; drop --dataset/--preset',
      );
    }
    if (separateVocab) {
      throw usage('--resume continues a model with its own tokenizers; drop --separate-vocab');
    }
    const manifest = await new ModelStore(services.workspace).get(values.resume);
    request = {
      workspaceDir: services.workspace.root,
      dataset: manifest.task.dataset,
      preset: manifest.preset ?? 'small',
      resume: manifest.id,
    };
  } else {
    if (!values.dataset) throw usage('--dataset is required (see `ecoeval datasets list`)');
    if (!values.preset || !PRESET_NAMES.includes(values.preset as PresetName)) {
      throw usage(`--preset must be one of ${PRESET_NAMES.join(', ')}`);
    }
    await ensureDataset(io, services, values.dataset);
    request = {
      workspaceDir: services.workspace.root,
      dataset: values.dataset,
      preset: values.preset as PresetName,
      ...(values.name ? { name: values.name } : {}),
      ...(vocab || srcVocab
        ? {
            model: {
              ...(vocab ? { vocabSize: vocab } : {}),
              ...(srcVocab ? { srcVocabSize: srcVocab } : {}),
            },
          }
        : {}),
      ...(separateVocab ? { separateVocab: true } : {}),
    };
  }
  if (steps !== undefined) request.steps = steps;
  if (minutes !== undefined) request.minutes = minutes;
  if (values.backend) request.backend = values.backend as TrainRequest['backend'];
  request.options = {
    ...(seed !== undefined ? { seed } : {}),
    ...(evalEvery ? { evalEvery } : {}),
    ...(workers ? { workers } : {}),
    ...(values['no-energy'] ? { energy: 'off' as const } : {}),
  };

  const slot = await measurementSlot(io, services, request);
  if (!slot) return 130;
  const printer = eventPrinter(io);
  let result;
  try {
    const handle = startTraining(request, { onEvent: printer, signal: io.signal });
    try {
      result = await handle.done;
    } catch (error) {
      throw new UserError(`training failed: ${(error as Error).message}`, EXIT_BAD_INPUT);
    }
  } finally {
    slot.release();
  }
  const r = result.record;
  const bleus = r.curve.map((p) => p.validBleu).filter((b): b is number => b !== null);
  if (values.json) {
    io.stdout(
      JSON.stringify({ model: result.modelId, dir: result.modelDir, ...r }, null, 2) + '\n',
    );
  } else {
    const bleu = bleus.length
      ? `, BLEU ${bleus.at(-1)!.toFixed(2)} (best ${Math.max(...bleus).toFixed(2)})`
      : '';
    io.stdout(
      `${r.status === 'cancelled' ? 'Cancelled' : 'Finished'}: ${result.modelId} — ${r.step} steps, ${r.tokens.toLocaleString('en-US')} target tokens in ${duration(r.elapsedS)}${bleu}${joules(r.joules)}; ${r.stopReason ?? r.status}.\n`,
    );
    if (r.status === 'cancelled') {
      io.stdout(
        `The checkpoint is saved; continue with: ecoeval train --resume ${result.modelId}\n`,
      );
    }
  }
  return r.status === 'cancelled' ? 130 : EXIT_OK;
}

/**
 * Waits for the measurement slot (another EcoEval process may be measuring on the workspace), with
 * a notice on stderr; null when Ctrl-C came first (nothing was trained).
 */
async function measurementSlot(
  io: CliIO,
  services: Awaited<ReturnType<typeof cliServices>>,
  request: TrainRequest,
): Promise<SlotHold | null> {
  const purpose = request.resume
    ? `Training ${request.resume} (resumed)`
    : `Training ${request.preset} on ${request.dataset}`;
  try {
    const hold = await services.workspace.measureSlot.acquire(
      { purpose },
      {
        signal: io.signal,
        onWait: (holder) => io.stderr(`${waitingMessage(holder, 'training')}\n`),
      },
    );
    if (hold.tookOver) {
      io.stderr(`${takeoverMessage(hold.tookOver.from)}\n`);
      await services.workspace.sweep();
    }
    return hold;
  } catch (error) {
    if (error instanceof CancelledError) {
      io.stderr('ecoeval train: cancelled while waiting; nothing was trained.\n');
      return null;
    }
    const system = systemError(error);
    if (system) throw new UserError(system.message);
    throw error;
  }
}

/** Installs a built-in dataset on first use; otherwise the dataset must exist. */
async function ensureDataset(
  io: CliIO,
  services: Awaited<ReturnType<typeof cliServices>>,
  id: string,
): Promise<void> {
  const api = validatedApi(services.handlers);
  const list = await api.listDatasets();
  if (list.datasets.some((d) => d.id === id)) return;
  const builtin = (await api.listBuiltinDatasets()).find((b) => b.id === id);
  if (!builtin) {
    throw new UserError(
      `no dataset "${id}" in the workspace; import one (ecoeval datasets import) or pick a built-in one (ecoeval datasets builtin)`,
    );
  }
  io.stderr(`Installing the built-in dataset ${id}…\n`);
  try {
    await api.installBuiltinDatasets([id]);
  } catch (error) {
    throw new UserError(toApiError(error, () => undefined).message);
  }
}

export const trainCommand: CliCommand = async (argv, io) => {
  try {
    return await run(argv, io);
  } catch (error) {
    // Service errors (unknown model, unreadable checkpoint) are the user's to fix: one line.
    if (error instanceof ServiceError) throw new UserError(error.message);
    throw error;
  }
};
