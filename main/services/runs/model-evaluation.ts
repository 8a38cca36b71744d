/**
 * One model system on one dataset split: opens the checkpoint's ONNX export at the requested
 * precision, generates a hypothesis per source (greedy or beam), optionally scores the references
 * teacher-forced for perplexity (sliding windows for a language model), and measures it all in
 * energy windows — load, warm-up, generate, score — nested in one window for the whole run.
 * Writes `outputs.txt` (and `logprobs.jsonl`) into the given folder and returns the figures a run
 * records. Runs in the evaluator child process; the benchmark also calls it in-process.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  ModelSystemSpec,
  RunEnergy,
  RunMetric,
  RunThroughput,
  TaskKind,
} from '../../../shared/api/types';
import type { EnergyMonitor, WindowFigure, WindowHandle } from '../energy/monitor';
import type { PerUnitFigure } from '../energy/types';
import { BadRequestError } from '../errors';
import { iterateRows } from '../datasets/split-file';
import type { Row } from '../datasets/split-file';
import { loadCheckpoint } from '../model/onnx/checkpoint';
import type { Checkpoint } from '../model/onnx/checkpoint';
import { BOS_ID, EOS_ID, PAD_ID, UNK_ID } from '../model/onnx/config';
import { ensureExport, generate } from '../model/onnx/inference';
import type { Translator } from '../model/onnx/inference';
import { loadOrt } from '../model/onnx/ort';
import { LanguageModel, Seq2SeqModel } from '../model/onnx/runtime';
import { conditionalLogprobs, slidingWindowLogprobs } from '../model/onnx/scoring';
import { openExport } from '../model/onnx/session';
import { frameSource, loadModelTokenizer } from '../model/onnx/tokenizer';
import type { ModelTokenizer } from '../model/onnx/tokenizer';
import { LOGPROBS_JSONL, OUTPUTS_TXT } from './record';
import { MAX_TIMELINE_POINTS, measuredRunEnergy } from './run-energy';
import type { CompleteFigure, PhaseFigure } from './run-energy';
import { outputsText } from './store';

export interface ModelEvaluationTask {
  modelDir: string;
  spec: ModelSystemSpec;
  /** The dataset split's data file (JSON Lines rows). */
  splitFile: string;
  datasetKind: TaskKind;
  metrics: RunMetric[];
  /** Folder the outputs are written into (the run's staging folder). */
  outDir: string;
  /** `off`: no energy windows (benchmarks of the job machinery, quick checks). */
  energy: 'auto' | 'off';
}

export interface ModelEvaluationResult {
  segments: number;
  energy: RunEnergy | null;
  /** Why there is no energy figure, when there is none. */
  energyNote: string | null;
  throughput: RunThroughput;
  weightsSha256: string;
  backend: string;
  provider: string;
  /** Settings that were decided while running (threads, perplexity window...). */
  settings: Record<string, string | number | boolean | null>;
}

export interface EvaluationHooks {
  signal?: AbortSignal;
  /** Units done of total (segments, once per pass), and joules so far when measured. */
  onProgress?: (done: number, total: number, joules: number | null) => void;
}

/** Checks that the model can do what the dataset and metrics ask, before anything runs. */
export function checkModelFits(
  kind: 'encoder-decoder' | 'decoder-only',
  modelId: string,
  datasetKind: TaskKind,
  dataset: string,
  metrics: readonly RunMetric[],
): void {
  if (kind === 'decoder-only') {
    if (datasetKind !== 'language-modelling') {
      throw new BadRequestError(
        `Model "${modelId}" is a language model (decoder-only): it cannot translate or summarise ${dataset}. Evaluate it on a language-modelling dataset, or choose an encoder-decoder model.`,
      );
    }
    const other = metrics.filter((m) => m !== 'perplexity');
    if (other.length) {
      throw new BadRequestError(
        `Model "${modelId}" is a language model: it produces no outputs to score with ${other.join(', ')}; choose perplexity only.`,
      );
    }
    return;
  }
  if (datasetKind !== 'translation' && datasetKind !== 'summarization') {
    throw new BadRequestError(
      `Model "${modelId}" translates or summarises, but ${dataset} is a ${datasetKind} dataset; choose a translation or summarisation dataset.`,
    );
  }
}

function percentile(sorted: readonly number[], p: number): number | null {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

/** Energy windows when a meter can start; otherwise a note saying why there are none. */
async function startMonitor(
  mode: 'auto' | 'off',
): Promise<{ monitor: EnergyMonitor | null; note: string | null }> {
  if (mode === 'off') return { monitor: null, note: 'energy measurement turned off for this run' };
  try {
    const { createEnergyMonitor } = await import('../energy/monitor');
    return {
      monitor: await createEnergyMonitor({ sampler: { trackPid: process.pid } }),
      note: null,
    };
  } catch (error) {
    return {
      monitor: null,
      note: `the energy module could not start: ${(error as Error).message}`,
    };
  }
}

/** Windows that are no-ops without a monitor, so the evaluation code reads the same either way. */
class Windows {
  /** Phase times count from the opening of the run's window (the timeline's zero). */
  #t0: number | null = null;
  note: string | null;
  #lost: string | null = null;

  constructor(
    readonly monitor: EnergyMonitor | null,
    note: string | null,
  ) {
    this.note = note;
  }

  seconds(): number {
    return this.#t0 === null ? 0 : (performance.now() - this.#t0) / 1000;
  }

  async begin(label: string, phase: WindowHandle['phase']): Promise<WindowHandle | null> {
    const handle = this.monitor ? await this.monitor.begin(label, phase) : null;
    this.#t0 ??= performance.now();
    return handle;
  }

  async end(
    handle: WindowHandle | null,
    units?: Parameters<EnergyMonitor['end']>[1],
  ): Promise<CompleteFigure | null> {
    if (!handle || !this.monitor) return null;
    const figure: WindowFigure = await this.monitor.end(handle, units);
    if (figure.status === 'complete') return figure;
    this.#lost ??= figure.reason;
    return null;
  }

  get lost(): string | null {
    return this.#lost;
  }
}

/** Token strings for logprobs.jsonl (informational: perplexity uses only the numbers). */
function tokenNamer(tokenizer: ModelTokenizer): (ids: readonly number[]) => Promise<string[]> {
  const special = new Map([
    [PAD_ID, '<pad>'],
    [BOS_ID, '<s>'],
    [EOS_ID, '</s>'],
    [UNK_ID, '<unk>'],
  ]);
  const cache = new Map<number, string>();
  return async (ids) => {
    const out: string[] = [];
    for (const id of ids) {
      let name = special.get(id) ?? cache.get(id);
      if (name === undefined) {
        name = await tokenizer.decode([id]);
        cache.set(id, name);
      }
      out.push(name);
    }
    return out;
  };
}

async function readAllRows(splitFile: string): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const batch of iterateRows(splitFile)) rows.push(...batch);
  return rows;
}

/** Runs the evaluation described by `task`; see the module header. */
export async function evaluateModel(
  task: ModelEvaluationTask,
  hooks: EvaluationHooks = {},
): Promise<ModelEvaluationResult> {
  const { spec } = task;
  const { signal } = hooks;
  const throwIfCancelled = () => {
    if (signal?.aborted) throw signal.reason ?? new Error('cancelled');
  };
  const rows = await readAllRows(task.splitFile);
  const n = rows.length;
  const checkpoint: Checkpoint = await loadCheckpoint(task.modelDir);
  checkModelFits(
    checkpoint.config.kind,
    spec.model,
    task.datasetKind,
    'this dataset',
    task.metrics,
  );
  const lm = checkpoint.config.kind === 'decoder-only';
  const perplexity = task.metrics.includes('perplexity');
  const passes = (lm ? 0 : 1) + (perplexity ? 1 : 0);
  const total = n * passes;
  // Exporting (when there is no current export) is preparation, not part of the run's cost.
  const exported = await ensureExport(checkpoint, { precision: spec.precision });
  throwIfCancelled();

  const started = await startMonitor(task.energy);
  const windows = new Windows(started.monitor, started.note);
  let latestJoules: number | null = null;
  let peeking = false;
  let lastPeek = -Infinity;
  const runWindow = await windows.begin('evaluation run', 'evaluate');
  const peek = () => {
    const monitor = windows.monitor;
    if (!monitor || !runWindow || peeking || performance.now() - lastPeek < 1000) return;
    peeking = true;
    lastPeek = performance.now();
    monitor
      .peek(runWindow)
      .then((f) => void (latestJoules = f.status === 'complete' ? f.joules : latestJoules))
      .catch(() => undefined)
      .finally(() => (peeking = false));
  };
  const report = (done: number) => {
    peek();
    hooks.onProgress?.(done, total, latestJoules);
  };

  const phases: { phase: string; figure: CompleteFigure | null; startS: number; endS: number }[] =
    [];
  const timed = async <T>(
    phase: string,
    energyPhase: WindowHandle['phase'],
    work: () => Promise<T>,
    units?: (value: T) => Parameters<EnergyMonitor['end']>[1],
  ): Promise<{ value: T; figure: CompleteFigure | null; seconds: number }> => {
    const startS = windows.seconds();
    const handle = await windows.begin(phase, energyPhase);
    let value: T;
    try {
      value = await work();
    } catch (error) {
      await windows.end(handle);
      throw error;
    }
    const figure = await windows.end(handle, units?.(value));
    const endS = windows.seconds();
    phases.push({ phase, figure, startS, endS });
    return { value, figure, seconds: endS - startS };
  };

  const settings: ModelEvaluationResult['settings'] = {
    exported: exported.exported,
    intraOpThreads: spec.threads ?? null,
  };
  const perUnit: PerUnitFigure[] = [];
  let hypotheses: string[] = new Array<string>(n).fill('');
  let logprobLines: string[] | null = null;
  let provider: string | undefined;
  let throughput: RunThroughput;
  const sessionSettings = {
    provider: spec.provider,
    ...(spec.threads ? { intraOpThreads: spec.threads } : {}),
  };

  try {
    // Sources through the source tokenizer; references, outputs and language-model text through
    // the target one (the same tokenizer unless the model has separate vocabularies).
    const tokenizers = await loadModelTokenizer(checkpoint);
    const names = tokenNamer(tokenizers.target);
    if (!lm) {
      const { value: translator } = await timed('load', 'load', async () => {
        const model = await Seq2SeqModel.create(await openExport(exported.dir, sessionSettings));
        const t: Translator = {
          checkpoint,
          model,
          tokenizers,
          exportDir: exported.dir,
          exported: exported.exported,
          release: () => model.release(),
        };
        return t;
      });
      provider = translator.model.provider;
      try {
        throwIfCancelled();
        await timed('warm-up', 'warm-up', () =>
          generate(
            translator,
            rows.slice(0, 1).map((r) => r.source),
            {
              maxLength: 4,
              batchSize: 1,
              ...(signal ? { signal } : {}),
            },
          ),
        );
        // Per-sentence latency: each batch's wall time shared by its sentences.
        const latencies: number[] = [];
        let last = performance.now();
        let lastDone = 0;
        const generation = await timed(
          'generate',
          'generate',
          () =>
            generate(
              translator,
              rows.map((r) => r.source),
              {
                beam: spec.beam,
                lengthPenalty: spec.lengthPenalty,
                batchSize: spec.batchSize,
                ...(spec.maxLength ? { maxLength: spec.maxLength } : {}),
                ...(signal ? { signal } : {}),
                onProgress: (done) => {
                  const now = performance.now();
                  const sentences = done - lastDone;
                  for (let i = 0; i < sentences; i++) latencies.push((now - last) / sentences);
                  last = now;
                  lastDone = done;
                  report(done);
                },
              },
            ),
          (r) => ({ units: { outputTokens: r.generatedTokens, samples: n } }),
        );
        hypotheses = generation.value.hypotheses;
        if (generation.figure) perUnit.push(...generation.figure.perUnit);
        latencies.sort((a, b) => a - b);
        const seconds = generation.seconds;
        throughput = {
          seconds,
          segmentsPerSecond: n / Math.max(seconds, 1e-9),
          outputTokens: generation.value.generatedTokens,
          tokensPerSecond: generation.value.generatedTokens / Math.max(seconds, 1e-9),
          latencyMsP50: percentile(latencies, 0.5),
          latencyMsP95: percentile(latencies, 0.95),
        };
        if (perplexity) {
          const maxLength = checkpoint.config.maxLength;
          let truncated = 0;
          const sources = await Promise.all(
            rows.map(async (r) => frameSource(await tokenizers.source.encode(r.source), maxLength)),
          );
          const targets = await Promise.all(
            rows.map(async (r) => {
              const ids = await tokenizers.target.encode(r.references[0] ?? '');
              if (ids.length > maxLength - 1) truncated++;
              return ids.slice(0, maxLength - 1);
            }),
          );
          const scored = await timed(
            'score',
            'evaluate',
            () =>
              conditionalLogprobs(translator.model, sources, targets, {
                batchSize: spec.batchSize,
                ...(signal ? { signal } : {}),
                onBatch: (done) => report(n + done),
              }),
            (lp) => ({ units: { evaluatedTokens: lp.reduce((a, l) => a + l.length, 0) } }),
          );
          if (scored.figure) perUnit.push(...scored.figure.perUnit);
          logprobLines = await Promise.all(
            scored.value.map(async (logprobs, i) =>
              JSON.stringify({
                tokens: await names([...targets[i], EOS_ID]),
                logprobs,
                text: rows[i].references[0] ?? '',
              }),
            ),
          );
          settings.perplexity = 'conditional: log p(reference | source), teacher-forced';
          settings.referencesTruncated = truncated;
        }
      } finally {
        await translator.release();
      }
    } else {
      const { value: model } = await timed('load', 'load', async () =>
        LanguageModel.create(await openExport(exported.dir, sessionSettings)),
      );
      provider = model.provider;
      try {
        const window = checkpoint.config.maxLength;
        const stride = Math.max(1, Math.floor(window / 2));
        const texts = await Promise.all(rows.map((r) => tokenizers.target.encode(r.source)));
        throwIfCancelled();
        await timed('warm-up', 'warm-up', () =>
          slidingWindowLogprobs(model, texts.slice(0, 1), { window, stride, batchSize: 1 }),
        );
        const scored = await timed(
          'score',
          'evaluate',
          () =>
            slidingWindowLogprobs(model, texts, {
              window,
              stride,
              batchSize: spec.batchSize,
              ...(signal ? { signal } : {}),
              onBatch: (done, windowsTotal) => report(Math.floor((done / windowsTotal) * n)),
            }),
          (lp) => ({
            units: { evaluatedTokens: lp.reduce((a, l) => a + l.length, 0), samples: n },
          }),
        );
        if (scored.figure) perUnit.push(...scored.figure.perUnit);
        const evaluated = scored.value.reduce((a, l) => a + l.length, 0);
        throughput = {
          seconds: scored.seconds,
          segmentsPerSecond: n / Math.max(scored.seconds, 1e-9),
          outputTokens: evaluated,
          tokensPerSecond: evaluated / Math.max(scored.seconds, 1e-9),
          latencyMsP50: null,
          latencyMsP95: null,
        };
        logprobLines = await Promise.all(
          scored.value.map(async (logprobs, i) =>
            JSON.stringify({
              tokens: await names([...texts[i], EOS_ID]),
              logprobs,
              text: rows[i].source,
            }),
          ),
        );
        settings.perplexity = 'sliding windows over <s> text </s>; tokens are evaluated tokens';
        settings.window = window;
        settings.stride = stride;
      } finally {
        await model.release();
      }
    }
    report(total);
  } catch (error) {
    await windows.end(runWindow);
    await windows.monitor?.close();
    throw error;
  }

  // The power series is read while the run's window is still open (closing releases its samples).
  const timeline =
    windows.monitor && runWindow
      ? await windows.monitor.timeline(runWindow, MAX_TIMELINE_POINTS).catch(() => [])
      : [];
  const runFigure = await windows.end(runWindow);
  let energy: RunEnergy | null = null;
  if (runFigure && !windows.lost) {
    const complete = phases.filter((p): p is PhaseFigure => p.figure !== null);
    energy = measuredRunEnergy({ run: runFigure, phases: complete, perUnit, timeline });
  }
  const energyNote = energy
    ? null
    : (windows.note ?? windows.lost ?? 'the energy windows did not complete');
  await windows.monitor?.close();

  await writeFile(join(task.outDir, OUTPUTS_TXT), outputsText(hypotheses));
  if (logprobLines) {
    await writeFile(join(task.outDir, LOGPROBS_JSONL), logprobLines.map((l) => `${l}\n`).join(''));
  }
  const ort = await loadOrt();
  return {
    segments: n,
    energy,
    energyNote,
    throughput: throughput!,
    weightsSha256: checkpoint.weightsSha256,
    backend: `onnxruntime-node ${ort.env.versions.node ?? 'unknown'}`,
    provider: provider ?? 'unknown',
    settings,
  };
}
