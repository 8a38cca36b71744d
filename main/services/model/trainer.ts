/**
 * One training run, in the current process (the child process of `training-job.ts` runs this;
 * tests call it directly): tokenizer, model and data plan, then the loop — Adam with warm-up and
 * inverse-square-root decay, label smoothing, clipping, token-count batches — with validation
 * loss and greedy BLEU every N steps, early stopping, atomic checkpoints carrying the training
 * record (curve of BLEU against time and joules, backend, energy) and exact resume.
 *
 * Determinism: weights are initialised in JS from the seed, dropout masks come from
 * hash(seed, step), the batch order from hash(seed, epoch); nothing depends on how far a previous
 * process got, so resuming from a checkpoint (weights, Adam moments, step, data cursor) repeats
 * the uninterrupted run's losses exactly on a deterministic backend (cpu, wasm).
 */
import { mkdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { BLEU } from '../../../shared/metrics/bleu';
import { DatasetService } from '../datasets/service';
import type { Row } from '../datasets/split-file';
import { Workspace } from '../workspace/workspace';
import { writeJsonAtomic } from '../workspace/atomic';
import { selectBackend } from './backend';
import type { BackendReport } from './backend';
import {
  disposeBatch,
  epochOrder,
  makeExamples,
  planBatches,
  splitShards,
  targetTokens as countTargetTokens,
  toBatch,
  toIds,
} from './batching';
import type { Example } from './batching';
import {
  DEFAULT_VOCAB_SIZE,
  SOURCE_TOKENIZER_FILE,
  TOKENIZER_FILE,
  parameterCount,
  presetConfig,
} from './config';
import type { ModelConfig } from './config';
import { MANIFEST_FILE, readCheckpoint, writeCheckpoint } from './checkpoint';
import type { ModelManifest, TaskInfo } from './checkpoint';
import { generate } from './decode';
import { Adam, learningRate } from './optimizer';
import { DataParallel } from './parallel';
import { flatLayout, shardGradients } from './gradients';
import { resolveOptions } from './options';
import { hashSeed } from './rng';
import { ModelStore, clearSetupClaim, isAlive, newModelId, writeSetupClaim } from './store';
import { BadRequestError } from '../errors';
import { BpeTokenizer, tokenizerPair, trainBpe } from './tokenizer';
import type { TokenizerPair } from './tokenizer';
import { startTrainingEnergy } from './training-energy';
import type {
  CurvePoint,
  TrainOptions,
  TrainRequest,
  TrainingEvent,
  TrainingRecord,
  TrainingStatus,
} from './training-types';
import { Transformer } from './transformer';

export interface TrainHooks {
  onEvent?: (event: TrainingEvent) => void;
  signal?: AbortSignal;
  /** Test seam: called after each step with its loss (before any checkpoint). */
  onStep?: (step: number, loss: number) => void;
}

interface Validation {
  examples: Example[];
  batches: number[][];
  bleuRows: Row[];
  bleuSources: number[][];
}

const MAX_RECENT_LOSSES = 1000;
/** How often "energy so far" is brought up to date between validations. */
const ENERGY_LAP_MS = 30_000;

function taskOf(kind: string): TaskInfo['kind'] {
  if (kind === 'translation' || kind === 'summarization' || kind === 'language-modelling')
    return kind;
  throw new Error(
    `dataset kind "${kind}" has nothing to train on (system outputs only score other models)`,
  );
}

/** Mean NLL per target token over the validation batches (no dropout). */
async function validationLoss(model: Transformer, v: Validation): Promise<number | null> {
  let nll = 0;
  let tokens = 0;
  for (const indices of v.batches) {
    const { batch } = toBatch(v.examples, indices);
    const parts = tf.tidy(() => {
      const l = model.loss(batch, { training: false, labelSmoothing: 0 });
      return tf.stack([l.nllSum, l.tokens]);
    });
    const [s, n] = await parts.data();
    parts.dispose();
    disposeBatch(batch);
    nll += s;
    tokens += n;
  }
  return tokens > 0 ? nll / tokens : null;
}

async function validationBleu(
  model: Transformer,
  tokenizers: TokenizerPair,
  v: Validation,
): Promise<number | null> {
  if (v.bleuSources.length === 0) return null;
  const outputs = await generate(model, v.bleuSources, { batchSize: 64 });
  const hypotheses = await tokenizers.target.decode(outputs);
  return new BLEU().corpusScore(hypotheses, [v.bleuRows.map((r) => r.references[0] ?? '')]).score;
}

/** Runs (or resumes) a training run to its end, cancel or early stop; returns the final record. */
export async function runTraining(
  request: TrainRequest,
  hooks: TrainHooks = {},
): Promise<TrainingRecord & { modelId: string; modelDir: string }> {
  const emit = (event: TrainingEvent) => hooks.onEvent?.(event);
  const backend: BackendReport = await selectBackend(
    request.backend ? { force: request.backend } : {},
  );
  const workspace = await Workspace.open(request.workspaceDir);
  const datasets = new DatasetService(workspace, { builtinDir: '' });

  let manifest: ModelManifest;
  let model: Transformer;
  let adam: Adam;
  let tokenizers: TokenizerPair;
  let modelDir: string;
  let record: TrainingRecord;
  const started = new Date().toISOString();

  if (request.resume) {
    modelDir = new ModelStore(workspace).dir(request.resume);
    const saved = await readCheckpoint(modelDir, { optimizer: true });
    manifest = saved.manifest;
    const owner = manifest.training.pid;
    if (
      manifest.training.status === 'running' &&
      owner &&
      owner !== process.pid &&
      isAlive(owner)
    ) {
      throw new BadRequestError(
        `Model "${manifest.id}" is being trained by process ${owner}; cancel that run first.`,
      );
    }
    tokenizers = tokenizerPair(
      manifest.config,
      saved.tokenizerJson,
      saved.sourceTokenizerJson,
      basename(modelDir),
    );
    model = new Transformer(manifest.config, saved.weights);
    const previous = manifest.training;
    const options: TrainOptions = {
      ...previous.options,
      ...request.options,
      ...(request.steps !== undefined ? { maxSteps: request.steps } : {}),
      maxMinutes:
        request.minutes ?? (request.steps !== undefined ? null : previous.options.maxMinutes),
    };
    adam = new Adam(model.params, options);
    adam.importState(saved.optimizer!);
    record = {
      ...previous,
      options,
      backend,
      status: 'running',
      pid: process.pid,
      stopReason: null,
      updatedAt: started,
    };
    emit({ type: 'log', message: `resuming ${manifest.id} at step ${record.step}` });
  } else {
    const dataset = await datasets.get(request.dataset);
    const kind = taskOf(dataset.kind);
    const separate = request.separateVocab === true;
    if (separate && kind === 'language-modelling') {
      throw new BadRequestError(
        `Separate source and target vocabularies need an encoder-decoder model, but ${dataset.id} is a language-modelling dataset (a decoder-only model has one vocabulary); train without --separate-vocab.`,
      );
    }
    if (!separate && request.model?.srcVocabSize !== undefined) {
      throw new BadRequestError(
        'A source vocabulary size applies only to separate source and target vocabularies; ask for them (--separate-vocab) or drop the source size.',
      );
    }
    const hasValid = dataset.splits.some((s) => s.name === 'valid');
    const options = resolveOptions(request, hasValid);
    let rows = await datasets.readSplit(dataset.id, options.trainSplit);
    if (options.trainRows !== null) rows = rows.slice(0, options.trainRows);
    const wantedVocab = request.model?.vocabSize ?? DEFAULT_VOCAB_SIZE;
    // Shared: one vocabulary learnt from both sides. Separate: each side learns its own.
    const texts =
      kind === 'language-modelling'
        ? rows.map((r) => r.source)
        : separate
          ? rows.map((r) => r.references[0] ?? '')
          : rows.flatMap((r) => [r.source, r.references[0] ?? '']);
    const tokenizerJson = await trainBpe(texts, wantedVocab);
    const sourceTokenizerJson = separate
      ? await trainBpe(
          rows.map((r) => r.source),
          request.model?.srcVocabSize ?? wantedVocab,
        )
      : undefined;
    const target = BpeTokenizer.fromJson(tokenizerJson);
    tokenizers = {
      target,
      source: sourceTokenizerJson ? BpeTokenizer.fromJson(sourceTokenizerJson) : target,
    };
    const { srcVocabSize: _wantedSource, ...shape } = request.model ?? {};
    const config: ModelConfig = presetConfig(request.preset, {
      ...shape,
      kind: kind === 'language-modelling' ? 'decoder-only' : 'encoder-decoder',
      vocabSize: target.vocabSize,
      ...(separate ? { srcVocabSize: tokenizers.source.vocabSize } : {}),
    });
    model = Transformer.create(config, options.seed);
    adam = new Adam(model.params, options);
    const id = await workspace.lock.withLock('new model folder', async () => {
      const chosen = await newModelId(workspace.modelsDir, dataset.id, request.preset);
      await mkdir(join(workspace.modelsDir, chosen), { recursive: true });
      await writeSetupClaim(join(workspace.modelsDir, chosen));
      return chosen;
    });
    modelDir = join(workspace.modelsDir, id);
    record = {
      status: 'running',
      pid: process.pid,
      dataset: dataset.id,
      options,
      step: 0,
      tokens: 0,
      sentences: 0,
      elapsedS: 0,
      joules: null,
      energy: { status: 'off', reason: 'not started', grade: null, windows: 0 },
      backend,
      curve: [],
      best: null,
      sinceBest: 0,
      cursor: { epoch: 0, position: 0 },
      startedAt: started,
      updatedAt: started,
      stopReason: null,
      recentLosses: [],
      parallelism: { threads: 1, reason: 'not started' },
    };
    manifest = {
      format: 'ecoeval-transformer',
      schema: 1,
      id,
      name:
        request.name ??
        `${dataset.name} · ${request.preset} · ${started.slice(0, 16).replace('T', ' ')}`,
      createdAt: started,
      updatedAt: started,
      preset: request.preset,
      parameters: parameterCount(config),
      config,
      task: {
        kind,
        dataset: dataset.id,
        sourceLanguage: dataset.languages?.source ?? null,
        targetLanguage: dataset.languages?.target ?? null,
      },
      tokenizer: {
        file: TOKENIZER_FILE,
        bytes: 0,
        sha256: '0'.repeat(64),
        vocabSize: target.vocabSize,
        shared: !separate,
      },
      ...(separate
        ? {
            sourceTokenizer: {
              file: SOURCE_TOKENIZER_FILE,
              bytes: 0,
              sha256: '0'.repeat(64),
              vocabSize: tokenizers.source.vocabSize,
            },
          }
        : {}),
      weights: { file: 'none', bytes: 0, sha256: '0'.repeat(64), dtype: 'float32', tensors: [] },
      optimizer: null,
      training: record,
    };
    // Step-0 checkpoint: the model is loadable (and cancellable) from the very start.
    manifest = await save(modelDir, manifest, model, adam, record, {
      tokenizerJson,
      ...(sourceTokenizerJson !== undefined ? { sourceTokenizerJson } : {}),
    });
    await clearSetupClaim(modelDir);
    if (separate) {
      emit({
        type: 'log',
        message: `separate vocabularies: source ${tokenizers.source.vocabSize} tokens (${SOURCE_TOKENIZER_FILE}), target ${target.vocabSize} (${TOKENIZER_FILE})`,
      });
    }
  }
  const options = record.options;
  const modelId = manifest.id;
  emit({
    type: 'started',
    modelId,
    modelDir,
    backend,
    resumed: Boolean(request.resume),
    parameters: manifest.parameters,
    vocabSize: manifest.config.vocabSize,
  });

  // Data: rebuilt identically on resume (same rows, tokenizer and seed).
  const kind = manifest.config.kind;
  let trainRows = await datasets.readSplit(record.dataset, options.trainSplit);
  if (options.trainRows !== null) trainRows = trainRows.slice(0, options.trainRows);
  const examples = await makeExamples(tokenizers, trainRows, kind, manifest.config.maxLength);
  if (examples.length === 0)
    throw new Error(`split "${options.trainSplit}" of ${record.dataset} has no usable rows`);
  const batches = planBatches(
    examples,
    options.batchTokens,
    options.maxBatchSentences,
    options.seed,
  );
  let validation: Validation | null = null;
  if (options.validSplit) {
    const validRows = (await datasets.readSplit(record.dataset, options.validSplit)).slice(
      0,
      options.validSentences,
    );
    const vExamples = await makeExamples(tokenizers, validRows, kind, manifest.config.maxLength);
    const bleuRows =
      kind === 'encoder-decoder'
        ? validRows.filter((r) => r.references.length > 0).slice(0, options.bleuSentences)
        : [];
    validation = {
      examples: vExamples,
      batches: planBatches(vExamples, options.batchTokens, options.maxBatchSentences, 0),
      bleuRows,
      bleuSources: await tokenizers.source.encode(bleuRows.map((r) => r.source)),
    };
  }
  emit({
    type: 'log',
    message: `${examples.length} training examples in ${batches.length} batches; ${validation ? `${validation.examples.length} validation examples` : 'no validation split'}`,
  });

  // Data parallelism: one-core backends get worker threads for the other cores.
  const threads =
    options.workers > 0
      ? options.workers
      : backend.name === 'wasm' || backend.name === 'cpu'
        ? Math.min(2, availableParallelism())
        : 1;
  let parallel: DataParallel | null = null;
  if (threads > 1) {
    try {
      parallel = await DataParallel.start(
        threads - 1,
        manifest.config,
        backend.name,
        adam.weights(),
      );
      record.parallelism = {
        threads,
        reason: `${threads} threads compute each batch (data parallel)`,
      };
      emit({ type: 'log', message: record.parallelism.reason });
    } catch (error) {
      record.parallelism = {
        threads: 1,
        reason: `worker threads failed to start (${(error as Error).message}); training on one thread`,
      };
      emit({ type: 'log', message: record.parallelism.reason });
    }
  } else {
    record.parallelism = {
      threads: 1,
      reason:
        options.workers === 1
          ? 'one thread (asked for)'
          : `one thread (${backend.name === 'wasm' || backend.name === 'cpu' ? 'one core available' : `${backend.name} uses every core itself`})`,
    };
  }
  // Exact resume needs the same sharding: record what ran.
  options.workers = record.parallelism.threads;

  const energy = await startTrainingEnergy(options.energy);
  record.energy = energy.record;
  const joulesBefore = record.joules;
  let joulesNow: number | null = joulesBefore;
  const sessionStart = performance.now();
  const elapsedBefore = record.elapsedS;
  const elapsed = () => elapsedBefore + (performance.now() - sessionStart) / 1000;
  const sessionSeconds = () => (performance.now() - sessionStart) / 1000;
  let lastCheckpoint = performance.now();
  let lastProgress = 0;
  let lastLoss = record.recentLosses.at(-1) ?? NaN;
  const rate: Array<{ t: number; tokens: number; step: number }> = [];
  let status = 'running' as TrainingStatus;
  let stopReason: string | null = null;

  const progress = (force: boolean) => {
    const now = performance.now();
    if (!force && now - lastProgress < 500) return;
    lastProgress = now;
    const first = rate[0];
    const last = rate.at(-1);
    const span = first && last ? (last.t - first.t) / 1000 : 0;
    const tokensPerSecond = span > 0 ? (last!.tokens - first.tokens) / span : 0;
    const stepsPerSecond = span > 0 ? (last!.step - first.step) / span : 0;
    const etas: number[] = [];
    const fractions: number[] = [];
    if (options.maxSteps !== null) {
      if (stepsPerSecond > 0) etas.push((options.maxSteps - record.step) / stepsPerSecond);
      fractions.push(record.step / options.maxSteps);
    }
    if (options.maxMinutes !== null) {
      etas.push(Math.max(0, options.maxMinutes * 60 - sessionSeconds()));
      fractions.push(sessionSeconds() / (options.maxMinutes * 60));
    }
    const latest = record.curve.at(-1);
    emit({
      type: 'progress',
      modelId,
      step: record.step,
      maxSteps: options.maxSteps,
      epoch: record.cursor.epoch,
      loss: lastLoss,
      learningRate: learningRate(record.step, options.peakLearningRate, options.warmupSteps),
      tokensPerSecond,
      elapsedS: elapsed(),
      etaS: etas.length ? Math.max(0, Math.min(...etas)) : null,
      fraction: fractions.length ? Math.min(1, Math.max(...fractions)) : null,
      joules: joulesNow,
      validLoss: latest?.validLoss ?? null,
      validBleu: latest?.validBleu ?? null,
    });
  };

  const checkpoint = async () => {
    record.elapsedS = elapsed();
    record.joules = joulesNow;
    record.updatedAt = new Date().toISOString();
    manifest = await save(modelDir, manifest, model, adam, record);
    lastCheckpoint = performance.now();
    emit({ type: 'checkpoint', modelId, step: record.step, file: manifest.weights.file });
  };

  let lastLap = performance.now();
  const addJoules = (lap: { joules: number | null }) => {
    if (lap.joules === null) return;
    joulesNow = (joulesNow ?? 0) + lap.joules;
  };

  /** Validation, curve point, early-stopping bookkeeping; returns true to stop early. */
  const validate = async (): Promise<boolean> => {
    const validLoss = validation ? await validationLoss(model, validation) : null;
    const validBleu = validation ? await validationBleu(model, tokenizers, validation) : null;
    addJoules(await energy.lap());
    lastLap = performance.now();
    const point: CurvePoint = {
      step: record.step,
      elapsedS: elapsed(),
      joules: joulesNow,
      tokens: record.tokens,
      trainLoss: lastLoss,
      validLoss,
      validBleu,
      learningRate: learningRate(record.step, options.peakLearningRate, options.warmupSteps),
    };
    record.curve.push(point);
    emit({ type: 'validation', modelId, point });
    if (!validation) return false;
    const better =
      record.best === null ||
      (validBleu !== null
        ? validBleu > (record.best.validBleu ?? -Infinity)
        : (validLoss ?? Infinity) < (record.best.validLoss ?? Infinity));
    if (better) {
      record.best = { step: record.step, validBleu, validLoss };
      record.sinceBest = 0;
    } else {
      record.sinceBest += 1;
    }
    return options.patience > 0 && record.sinceBest >= options.patience;
  };

  const finish = (final: TrainingStatus, reason: string) => {
    status = final;
    stopReason = reason;
  };

  // One-thread training reads its gradients into this buffer every step (no allocations).
  const gradLayout = flatLayout(manifest.config);
  const hostGrads = { layout: gradLayout, flat: new Float32Array(gradLayout.total) };
  try {
    rate.push({ t: performance.now(), tokens: record.tokens, step: record.step });
    let order = epochOrder(batches.length, options.seed, record.cursor.epoch);
    while (status === 'running') {
      // wasm reads resolve as microtasks, so without this the loop never lets timers or IPC
      // messages (cancel) run.
      await new Promise((resolve) => setImmediate(resolve));
      if (hooks.signal?.aborted) {
        finish('cancelled', 'cancelled by the user');
        break;
      }
      if (options.maxSteps !== null && record.step >= options.maxSteps) {
        finish('completed', `reached ${options.maxSteps} steps`);
        break;
      }
      if (options.maxMinutes !== null && sessionSeconds() >= options.maxMinutes * 60) {
        finish('completed', `reached ${options.maxMinutes} minutes`);
        break;
      }
      const indices = batches[order[record.cursor.position]];
      const step = record.step + 1;
      const lr = learningRate(step, options.peakLearningRate, options.warmupSteps);
      let loss: number;
      if (parallel) {
        const shards = splitShards(examples, indices, parallel.shards);
        const combined = await parallel.gradients(
          model,
          shards.map((shard) => toIds(examples, shard)),
          shards.map((_, k) => hashSeed(options.seed, step, k)),
          options.labelSmoothing,
        );
        adam.applyHost(combined.grads, lr);
        parallel.publish(adam.weights());
        loss = combined.loss;
      } else {
        const { batch } = toBatch(examples, indices);
        try {
          const local = await shardGradients(
            model,
            batch,
            hashSeed(options.seed, step),
            options.labelSmoothing,
            hostGrads,
          );
          adam.applyHost(local.grads, lr);
          loss = local.lossSum / local.tokens;
        } finally {
          disposeBatch(batch);
        }
      }
      const targetTokens = countTargetTokens(examples, indices);
      if (!Number.isFinite(loss))
        throw new Error(`training diverged: the loss is ${loss} at step ${step}`);

      record.step = step;
      record.tokens += targetTokens;
      record.sentences += indices.length;
      record.recentLosses.push(loss);
      if (record.recentLosses.length > MAX_RECENT_LOSSES)
        record.recentLosses.splice(0, record.recentLosses.length - MAX_RECENT_LOSSES);
      lastLoss = loss;
      record.cursor.position += 1;
      if (record.cursor.position >= batches.length) {
        record.cursor = { epoch: record.cursor.epoch + 1, position: 0 };
        order = epochOrder(batches.length, options.seed, record.cursor.epoch);
      }
      hooks.onStep?.(step, loss);
      rate.push({ t: performance.now(), tokens: record.tokens, step });
      if (rate.length > 50) rate.shift();
      // Energy so far: close and reopen the meter's window now and then, not only at validations.
      if (performance.now() - lastLap >= ENERGY_LAP_MS) {
        addJoules(await energy.lap());
        lastLap = performance.now();
      }
      progress(false);

      if (options.evalEvery > 0 && step % options.evalEvery === 0) {
        const stop = await validate();
        await checkpoint();
        progress(true);
        // Restart the speed window: validation time is not training throughput.
        rate.splice(0, rate.length, {
          t: performance.now(),
          tokens: record.tokens,
          step: record.step,
        });
        if (stop)
          finish(
            'stopped-early',
            `no improvement in ${options.patience} validations (best at step ${record.best?.step})`,
          );
      } else if ((performance.now() - lastCheckpoint) / 60000 >= options.checkpointMinutes) {
        await checkpoint();
      }
    }
    // A final validation unless the last step was just validated (or the user is waiting).
    if (status !== 'cancelled' && record.curve.at(-1)?.step !== record.step) await validate();
    else addJoules(await energy.lap());
    record.status = status;
    record.stopReason = stopReason;
    record.pid = null;
    await checkpoint();
    progress(true);
  } catch (error) {
    record.status = 'failed';
    record.stopReason = (error as Error).message;
    record.pid = null;
    // The weights may be the problem (divergence): keep the last good ones, update the record.
    await markFailed(modelDir, manifest, record.stopReason).catch(() => undefined);
    throw error;
  } finally {
    await parallel?.close().catch(() => undefined);
    await energy.close().catch(() => undefined);
    model.dispose();
    adam.dispose();
  }
  const final = { ...record, modelId, modelDir };
  emit({ type: 'done', modelId, modelDir, record });
  return final;
}

async function save(
  dir: string,
  manifest: ModelManifest,
  model: Transformer,
  adam: Adam,
  record: TrainingRecord,
  /** The tokenizer files' text, on the first save only (later saves keep the files). */
  tokenizerFiles: { tokenizerJson?: string; sourceTokenizerJson?: string } = {},
): Promise<ModelManifest> {
  const { weights: _w, optimizer: _o, ...rest } = manifest;
  return writeCheckpoint(dir, {
    manifest: { ...rest, updatedAt: new Date().toISOString(), training: structuredClone(record) },
    weights: await model.snapshot(),
    optimizer: adam.exportState(),
    ...tokenizerFiles,
  });
}

/** Records a failure in model.json without touching the last good weights. */
async function markFailed(dir: string, manifest: ModelManifest, reason: string): Promise<void> {
  if (manifest.weights.file === 'none') return;
  const training = {
    ...manifest.training,
    status: 'failed' as const,
    stopReason: reason,
    pid: null,
  };
  await writeJsonAtomic(join(dir, MANIFEST_FILE), {
    ...manifest,
    updatedAt: new Date().toISOString(),
    training,
  });
}
