/**
 * The inference service used by the CLI (and later the API): open a checkpoint's ONNX export at
 * a precision — exporting first when there is none or it is stale — and translate texts with
 * batched greedy or beam search (encoder-decoder), or continue prompts (decoder-only), returning
 * the provider and figures to record with the run.
 *
 * A language model reads each prompt as `<s> prompt` in one decoder pass with the key/value
 * cache, then the search feeds the prompt's last token and continues. The decoder graph has no
 * padding mask, so prompts are batched with others of the same token length.
 */
import { resolve } from 'node:path';
import type { Checkpoint } from './checkpoint';
import { loadCheckpoint } from './checkpoint';
import { defaultExportDir, exportOnnx, readExportManifest } from './export';
import type { ExportManifest, ExportOptions } from './export';
import { LanguageModel, Seq2SeqModel } from './runtime';
import { beamSearch, greedySearch } from './search';
import type { Hypothesis } from './search';
import { openExport } from './session';
import type { SessionSettings } from './session';
import { lengthBatches } from './scoring';
import { frameSource, loadModelTokenizer } from './tokenizer';
import type { ModelTokenizers } from './tokenizer';
import { CheckpointError } from './checkpoint';
import { BOS_ID } from './config';

/** The export of `checkpoint` at `options.precision`, reused when current, else written now. */
export async function ensureExport(
  checkpoint: Checkpoint,
  options: ExportOptions & { outDir?: string },
  onExport?: () => void,
): Promise<{ dir: string; manifest: ExportManifest; exported: boolean }> {
  const dir = resolve(options.outDir ?? defaultExportDir(checkpoint, options.precision));
  const existing = await readExportManifest(dir).catch(() => null);
  const current =
    existing &&
    existing.precision === options.precision &&
    existing.source.weightsSha256 === checkpoint.weightsSha256 &&
    (options.int8Kernel === undefined || existing.options.int8Kernel === options.int8Kernel) &&
    (options.fp16Compute === undefined || existing.options.fp16Compute === options.fp16Compute) &&
    (options.precision !== 'int8' ||
      existing.options.reduceRange === (options.reduceRange ?? true));
  if (existing && current) return { dir, manifest: existing, exported: false };
  onExport?.();
  return { ...(await exportOnnx(checkpoint, { ...options, outDir: dir })), exported: true };
}

export interface Translator {
  checkpoint: Checkpoint;
  model: Seq2SeqModel;
  /** Sources through `source`, outputs through `target` (one tokenizer when shared). */
  tokenizers: ModelTokenizers;
  exportDir: string;
  exported: boolean;
  release(): Promise<void>;
}

/** An opened decoder-only model: continues prompts. */
export interface Continuer extends Omit<Translator, 'model'> {
  model: LanguageModel;
}

export type Generator = Translator | Continuer;

type OpenOptions = ExportOptions & SessionSettings & { onExport?: () => void };

/** Opens a model folder of either kind for `generate` at a precision. */
export async function openGenerator(modelDir: string, options: OpenOptions): Promise<Generator> {
  const checkpoint = await loadCheckpoint(modelDir);
  const tokenizers = await loadModelTokenizer(checkpoint);
  const exported = await ensureExport(checkpoint, options, options.onExport);
  const opened = await openExport(exported.dir, options);
  const model =
    checkpoint.config.kind === 'encoder-decoder'
      ? await Seq2SeqModel.create(opened)
      : await LanguageModel.create(opened);
  const common = {
    checkpoint,
    tokenizers,
    exportDir: exported.dir,
    exported: exported.exported,
    release: () => model.release(),
  };
  return model instanceof Seq2SeqModel ? { ...common, model } : { ...common, model };
}

/** Opens an encoder-decoder model folder for translation at a precision. */
export async function openTranslator(modelDir: string, options: OpenOptions): Promise<Translator> {
  const checkpoint = await loadCheckpoint(modelDir);
  if (checkpoint.config.kind !== 'encoder-decoder') {
    throw new CheckpointError(
      `${checkpoint.dir}: a decoder-only (language) model cannot translate; use openGenerator to continue prompts, or use it for perplexity.`,
    );
  }
  return (await openGenerator(modelDir, options)) as Translator;
}

export interface GenerateOptions {
  /** 1 = greedy. */
  beam?: number;
  lengthPenalty?: number;
  /** Most generated tokens per sentence (default: the model's maxLength). */
  maxLength?: number;
  /** Sentences per batch (beam search runs beam × batch rows). */
  batchSize?: number;
  signal?: AbortSignal;
  onProgress?: (sentencesDone: number, total: number, tokensGenerated: number) => void;
}

export interface GenerateResult {
  /** Translations, or (language model) the continuations without their prompts. */
  hypotheses: string[];
  ids: Hypothesis[];
  sentences: number;
  generatedTokens: number;
  seconds: number;
  /** Language model: prompts cut to their last tokens to leave room for the continuation. */
  truncatedPrompts?: number;
}

/**
 * Translates `texts` (one sentence each), or continues them as prompts when the generator holds
 * a language model; results come back in input order.
 */
export async function generate(
  generator: Generator,
  texts: readonly string[],
  options: GenerateOptions = {},
): Promise<GenerateResult> {
  if (generator.model instanceof LanguageModel) {
    return continuePrompts(generator as Continuer, texts, options);
  }
  const translator = generator as Translator;
  const started = performance.now();
  const { model, tokenizers } = translator;
  const maxLength = Math.min(options.maxLength ?? model.config.maxLength, model.config.maxLength);
  const sources = await Promise.all(
    texts.map(async (t) => frameSource(await tokenizers.source.encode(t), model.config.maxLength)),
  );
  const ids: Hypothesis[] = new Array(texts.length);
  let done = 0;
  let generatedTokens = 0;
  const beam = Math.max(1, options.beam ?? 1);
  for (const batch of lengthBatches(
    sources.map((s) => s.length),
    options.batchSize ?? 32,
  )) {
    if (options.signal?.aborted) throw options.signal.reason;
    const encoded = await model.encode(batch.map((i) => sources[i]));
    const search = { maxLength, signal: options.signal };
    const results =
      beam === 1
        ? await greedySearch(
            model.stepper(
              encoded,
              batch.map((_, j) => j),
            ),
            search,
          )
        : await beamSearch(batch.length, (sourceOf) => model.stepper(encoded, sourceOf), {
            ...search,
            beam,
            lengthPenalty: options.lengthPenalty ?? 1,
          });
    results.forEach((hyp, j) => {
      ids[batch[j]] = hyp;
      generatedTokens += hyp.tokens.length + (hyp.finished ? 1 : 0);
    });
    done += batch.length;
    options.onProgress?.(done, texts.length, generatedTokens);
  }
  const hypotheses = await Promise.all(ids.map((h) => tokenizers.target.decode(h.tokens)));
  return {
    hypotheses,
    ids,
    sentences: texts.length,
    generatedTokens,
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * Each prompt framed as `<s> tokens`, keeping its last tokens when too long: the prompt plus
 * `maxNew` generated tokens must fit the model's positions (the last generated token is never
 * fed back, hence the + 1).
 */
export function framePrompt(
  ids: readonly number[],
  maxLength: number,
  maxNew: number | undefined,
): { prompt: number[]; truncated: boolean } {
  const framed = [BOS_ID, ...ids];
  const keep = maxLength + 1 - Math.min(Math.max(1, maxNew ?? 1), maxLength);
  return framed.length > keep
    ? { prompt: framed.slice(framed.length - keep), truncated: true }
    : { prompt: framed, truncated: false };
}

/** Batches of indices whose prompts have the same length, at most `size` each. */
function sameLengthBatches(lengths: readonly number[], size: number): number[][] {
  const byLength = new Map<number, number[]>();
  lengths.forEach((n, i) => byLength.set(n, [...(byLength.get(n) ?? []), i]));
  const batches: number[][] = [];
  for (const [, group] of [...byLength].sort((a, b) => a[0] - b[0])) {
    for (let i = 0; i < group.length; i += size) batches.push(group.slice(i, i + size));
  }
  return batches;
}

async function continuePrompts(
  continuer: Continuer,
  texts: readonly string[],
  options: GenerateOptions,
): Promise<GenerateResult> {
  const started = performance.now();
  const { model } = continuer;
  // A language model has one vocabulary: prompts and continuations are target-side text.
  const tokenizer = continuer.tokenizers.target;
  const { maxLength } = model.config;
  const framed = await Promise.all(
    texts.map(async (t) => framePrompt(await tokenizer.encode(t), maxLength, options.maxLength)),
  );
  const prompts = framed.map((f) => f.prompt);
  const ids: Hypothesis[] = new Array(texts.length);
  const beam = Math.max(1, options.beam ?? 1);
  let done = 0;
  let generatedTokens = 0;
  for (const batch of sameLengthBatches(
    prompts.map((p) => p.length),
    options.batchSize ?? 32,
  )) {
    if (options.signal?.aborted) throw options.signal.reason;
    const length = prompts[batch[0]].length;
    const room = maxLength - length + 1;
    const search = {
      maxLength: Math.min(options.maxLength ?? room, room),
      signal: options.signal,
      firstTokens: batch.map((i) => prompts[i][length - 1]),
    };
    const stepper = await model.primedStepper(batch.map((i) => prompts[i].slice(0, -1)));
    const results =
      beam === 1
        ? await greedySearch(stepper, search)
        : await beamSearch(
            batch.length,
            (sourceOf) => {
              stepper.select(sourceOf);
              return stepper;
            },
            { ...search, beam, lengthPenalty: options.lengthPenalty ?? 1 },
          );
    results.forEach((hyp, j) => {
      ids[batch[j]] = hyp;
      generatedTokens += hyp.tokens.length + (hyp.finished ? 1 : 0);
    });
    done += batch.length;
    options.onProgress?.(done, texts.length, generatedTokens);
  }
  const hypotheses = await Promise.all(ids.map((h) => tokenizer.decode(h.tokens)));
  return {
    hypotheses,
    ids,
    sentences: texts.length,
    generatedTokens,
    seconds: (performance.now() - started) / 1000,
    truncatedPrompts: framed.filter((f) => f.truncated).length,
  };
}
