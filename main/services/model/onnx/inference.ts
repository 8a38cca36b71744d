/**
 * The inference service used by the CLI (and later the API): open a checkpoint's ONNX export at
 * a precision — exporting first when there is none or it is stale — and translate texts with
 * batched greedy or beam search, returning the provider and figures to record with the run.
 */
import { resolve } from 'node:path';
import type { Checkpoint } from './checkpoint';
import { loadCheckpoint } from './checkpoint';
import { defaultExportDir, exportOnnx, readExportManifest } from './export';
import type { ExportManifest, ExportOptions } from './export';
import { Seq2SeqModel } from './runtime';
import { beamSearch, greedySearch } from './search';
import type { Hypothesis } from './search';
import { openExport } from './session';
import type { SessionSettings } from './session';
import { lengthBatches } from './scoring';
import { frameSource, loadModelTokenizer } from './tokenizer';
import type { ModelTokenizer } from './tokenizer';
import { CheckpointError } from './checkpoint';

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
  tokenizer: ModelTokenizer;
  exportDir: string;
  exported: boolean;
  release(): Promise<void>;
}

/** Opens an encoder-decoder model folder for translation at a precision. */
export async function openTranslator(
  modelDir: string,
  options: ExportOptions & SessionSettings & { onExport?: () => void },
): Promise<Translator> {
  const checkpoint = await loadCheckpoint(modelDir);
  if (checkpoint.config.kind !== 'encoder-decoder') {
    throw new CheckpointError(
      `${checkpoint.dir}: a decoder-only (language) model cannot translate; use it for perplexity.`,
    );
  }
  const tokenizer = await loadModelTokenizer(checkpoint);
  const exported = await ensureExport(checkpoint, options, options.onExport);
  const opened = await openExport(exported.dir, options);
  const model = await Seq2SeqModel.create(opened);
  return {
    checkpoint,
    model,
    tokenizer,
    exportDir: exported.dir,
    exported: exported.exported,
    release: () => model.release(),
  };
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
  hypotheses: string[];
  ids: Hypothesis[];
  sentences: number;
  generatedTokens: number;
  seconds: number;
}

/** Translates `texts` (one sentence each); hypotheses come back in input order. */
export async function generate(
  translator: Translator,
  texts: readonly string[],
  options: GenerateOptions = {},
): Promise<GenerateResult> {
  const started = performance.now();
  const { model, tokenizer } = translator;
  const maxLength = Math.min(options.maxLength ?? model.config.maxLength, model.config.maxLength);
  const sources = await Promise.all(
    texts.map(async (t) => frameSource(await tokenizer.encode(t), model.config.maxLength)),
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
  const hypotheses = await Promise.all(ids.map((h) => tokenizer.decode(h.tokens)));
  return {
    hypotheses,
    ids,
    sentences: texts.length,
    generatedTokens,
    seconds: (performance.now() - started) / 1000,
  };
}
