/**
 * `ecoeval evaluate`: one system — a workspace model (run in the evaluator child process) or
 * outputs produced elsewhere — on one dataset split, through the same measured queue as the app.
 * Progress (segments, rate, ETA, joules so far) goes to stderr; Ctrl-C cancels cleanly and saves
 * nothing. The run is then scored with the shared scoring code and the scores are saved; the
 * scores are printed with their signatures and the energy with its method and grade.
 */
import { isAbsolute, resolve } from 'node:path';
import type { z } from 'zod';
import type { evaluateRequest } from '../../shared/api/schemas';
import type { JobProgress, QueuedJob, RunMetric, RunRecord } from '../../shared/api/types';
import { validatedApi } from '../bridge/direct';
import { defaultMetrics, scoreSavedRun } from '../services/runs/scoring';
import type { CliCommand, CliIO } from './io';
import { EXIT_OK, UserError } from './io';
import { asCommand } from './export';
import { DECODING_FLAGS, parseDecoding, parseFlags, parseWhole, usageError } from './args';
import { jobProgressPrinter, queueNoticePrinter } from './job-progress';
import { describeRun } from './runs';
import { cliServices } from './services';

const USAGE = `usage: ecoeval evaluate --model ID [--precision fp32|fp16|int8] [--beam N] | --outputs FILE [--name NAME] [--codecarbon FILE | --energy-json FILE] [--logprobs FILE]
                        --dataset ID [--split test] [--metrics bleu,chrf,ter,rouge,perplexity] [--force] [--json]`;

const HELP = `${USAGE}

Evaluates one system on one dataset split and saves it as a run (see \`ecoeval runs\`): the
outputs, their scores with signatures, and the energy with its method and grade. Runs through
the measured queue, one measured job at a time across every EcoEval process on the workspace (it
waits, and says so, while the app or another command measures), so the energy is this run's alone.

System: a model in the workspace
  --model ID              model id (see \`ecoeval models list\`); runs its ONNX export
  --precision P           fp32 (default), fp16 or int8
  --beam N                beam size (default 1: greedy)
  --length-penalty A      beam score / length^A (default 1)
  --max-length N          most generated tokens per sentence (default: the model's maximum)
  --batch N               sentences per batch (default 32)
  --threads N             onnxruntime intra-op threads (default: onnxruntime's choice)
  --provider P            auto (default), cpu, cuda, webgpu, dml, coreml

System: outputs produced elsewhere (no energy is measured here)
  --outputs FILE          hypotheses, one line per segment of the split, in its order
  --name NAME             the system's name (default: the file name)
  --codecarbon FILE       CodeCarbon emissions.csv of the run that produced the outputs
  --energy-json FILE      or the report \`ecoeval energy measure --json -o FILE\` wrote
  --logprobs FILE         per-token log-probabilities, JSON Lines (needed for perplexity)

Data and scoring
  --dataset ID            dataset id (see \`ecoeval datasets list\`)
  --split NAME            split to evaluate (default test)
  --metrics LIST          comma-separated: bleu, chrf, ter, rouge, perplexity (default: bleu,chrf,ter
                          for translation, rouge for summarisation, perplexity for language modelling)
  --tag TAG               tag the run (repeatable)
  --force                 run again even when an identical run (same system, data, metrics) exists
  --bootstrap N           resamples for 95% intervals (default 1000; 0 = none)
  --workspace DIR         workspace (default: ECOEVAL_WORKSPACE, else the per-user folder)
  --json                  print the saved run as JSON
  -h, --help              this help
`;

const METRICS: readonly RunMetric[] = ['bleu', 'chrf', 'ter', 'rouge', 'perplexity'];

type Request = z.input<typeof evaluateRequest>;

function parseMetrics(value: string | undefined): RunMetric[] | null {
  if (value === undefined) return null;
  const list = value
    .split(',')
    .map((m) => m.trim().toLowerCase())
    .filter(Boolean);
  const bad = list.find((m) => !(METRICS as readonly string[]).includes(m));
  if (bad || !list.length) {
    throw usageError(
      `--metrics takes a comma-separated list of ${METRICS.join(', ')}${bad ? `; "${bad}" is not one` : ''}`,
      USAGE,
    );
  }
  return [...new Set(list)] as RunMetric[];
}

/** Paths are made absolute here: the queue may run the job (or restart it) from elsewhere. */
function fileRef(io: CliIO, path: string): { path: string } {
  return { path: isAbsolute(path) ? path : resolve(io.cwd, path) };
}

async function run(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseFlags(
    argv,
    {
      ...DECODING_FLAGS,
      outputs: { type: 'string' },
      name: { type: 'string' },
      codecarbon: { type: 'string' },
      'energy-json': { type: 'string' },
      logprobs: { type: 'string' },
      dataset: { type: 'string', short: 'd' },
      split: { type: 'string' },
      metrics: { type: 'string' },
      tag: { type: 'string', multiple: true },
      force: { type: 'boolean' },
      bootstrap: { type: 'string' },
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
  if (!values.dataset) throw usageError('--dataset is required', USAGE);
  if (!values.model === !values.outputs) {
    throw usageError('give either --model ID or --outputs FILE (one system per run)', USAGE);
  }
  const modelOnly = [
    'precision',
    'beam',
    'length-penalty',
    'max-length',
    'batch',
    'threads',
    'provider',
  ] as const;
  const outputsOnly = ['name', 'codecarbon', 'energy-json', 'logprobs'] as const;
  const stray = (values.model ? outputsOnly : modelOnly).find((k) => values[k] !== undefined);
  if (stray) {
    throw usageError(
      `--${stray} applies to ${values.model ? '--outputs' : '--model'} systems only`,
      USAGE,
    );
  }
  if (values.codecarbon && values['energy-json']) {
    throw usageError('give one energy report: --codecarbon or --energy-json', USAGE);
  }
  const bootstrap = parseWhole('--bootstrap', values.bootstrap, USAGE, 0) ?? 1000;
  const metricsFlag = parseMetrics(values.metrics);
  let system: Request['systems'][number];
  if (values.model) {
    const { maxLength, threads, ...decoding } = parseDecoding(values, USAGE);
    system = {
      type: 'model',
      model: values.model,
      ...decoding,
      ...(maxLength ? { maxLength } : {}),
      ...(threads ? { threads } : {}),
    };
  } else {
    const outputs = values.outputs!;
    const energyFile = values.codecarbon ?? values['energy-json'];
    system = {
      type: 'outputs',
      name: values.name ?? outputs.split(/[\\/]/).pop() ?? outputs,
      hypotheses: fileRef(io, outputs),
      ...(energyFile
        ? {
            energy: {
              format: values.codecarbon ? ('codecarbon' as const) : ('ecoeval' as const),
              file: fileRef(io, energyFile),
            },
          }
        : {}),
      ...(values.logprobs ? { logprobs: fileRef(io, values.logprobs) } : {}),
    };
  }

  const services = await cliServices(io, values.workspace);
  const debug = (e: unknown) => {
    if (io.env.ECOEVAL_DEBUG) io.stderr(`${(e as Error)?.stack ?? String(e)}\n`);
  };
  const api = validatedApi(services.handlers, debug);
  let job: QueuedJob | undefined;
  const printProgress = jobProgressPrinter(io);
  const printNotices = queueNoticePrinter(io);
  const unsubscribe = services.subscribe((event, payload) => {
    const p = payload as JobProgress;
    if (event === 'job:progress' && job && p.jobId === job.jobId) printProgress(p);
    // Why it waits (another process is measuring), after the job's own line.
    if (event === 'queue:changed' && job) printNotices((payload as { jobs: QueuedJob[] }).jobs);
  });
  const onAbort = () => {
    if (job) void api.cancelJob(job.jobId);
  };
  io.signal.addEventListener('abort', onAbort);
  try {
    return await asCommand('evaluate', io, async () => {
      const manifest = await api.getDataset(values.dataset!);
      const metrics = metricsFlag ?? defaultMetrics(manifest.kind);
      [job] = await api.evaluate({
        systems: [system],
        datasets: [{ dataset: manifest.id, split: values.split ?? 'test' }],
        metrics,
        tags: values.tag ?? [],
        force: values.force ?? false,
      });
      if (io.signal.aborted) onAbort();
      let runId: string;
      let skipped = false;
      if (job.state === 'done' && job.runId) {
        skipped = true;
        runId = job.runId;
        io.stderr(
          `An identical run exists: ${runId} (same system, data and metrics); showing it. Add --force to run again.\n`,
        );
      } else {
        io.stderr(
          `${job.label}${job.position && job.position > 0 ? ` (queued, position ${job.position})` : ''}…\n`,
        );
        printNotices(services.queue.list());
        ({ runId } = (await services.queue.wait(job.jobId)) as { runId: string });
      }
      const record: RunRecord = await scoreSavedRun(services.runs, runId, { bootstrap });
      io.stdout(
        values.json
          ? `${JSON.stringify({ skipped, run: record }, null, 2)}\n`
          : describeRun(record),
      );
      return EXIT_OK;
    });
  } finally {
    io.signal.removeEventListener('abort', onAbort);
    unsubscribe();
    await services.queue.close();
  }
}

/** `ecoeval evaluate`: see the module header. */
export const evaluateCommand: CliCommand = async (argv, io) => {
  try {
    return await run(argv, io);
  } catch (e) {
    if (e instanceof UserError) {
      io.stderr(`ecoeval evaluate: ${e.message}\n`);
      return e.exitCode;
    }
    throw e;
  }
};
