/**
 * Text in, text out: loads a checkpoint into a tfjs model on the chosen backend and runs
 * generation (greedy or beam) and teacher-forced scoring on strings, returning the per-token
 * `{tokens, logprobs, text}` records `ecoeval ppl` and shared/metrics/perplexity read.
 * Sources go through the source tokenizer, references and outputs through the target one (the
 * same tokenizer unless the model has separate vocabularies).
 */
import { basename } from 'node:path';
import { selectBackend } from './backend';
import type { BackendName, BackendReport } from './backend';
import { readCheckpoint } from './checkpoint';
import type { ModelManifest } from './checkpoint';
import { SPECIAL_TOKENS, EOS_ID } from './config';
import { generate, scoreTargets, scoreTexts } from './decode';
import type { DecodeOptions } from './decode';
import { tokenizerPair } from './tokenizer';
import type { BpeTokenizer } from './tokenizer';
import { Transformer } from './transformer';

export interface LoadedModel {
  manifest: ModelManifest;
  model: Transformer;
  /** The target side's tokenizer (outputs, references, language-model text). */
  tokenizer: BpeTokenizer;
  /** Encodes sources: tokenizer.src.json with separate vocabularies, else `tokenizer` itself. */
  sourceTokenizer: BpeTokenizer;
  backend: BackendReport;
  dispose(): void;
}

/** Loads `<models>/<id>` (every file checked) onto a tfjs backend (best available by default). */
export async function loadModel(
  dir: string,
  options: { backend?: BackendName } = {},
): Promise<LoadedModel> {
  const backend = await selectBackend(options.backend ? { force: options.backend } : {});
  const saved = await readCheckpoint(dir);
  const { source, target } = tokenizerPair(
    saved.manifest.config,
    saved.tokenizerJson,
    saved.sourceTokenizerJson,
    basename(dir),
  );
  const model = new Transformer(saved.manifest.config, saved.weights, false);
  return {
    manifest: saved.manifest,
    model,
    tokenizer: target,
    sourceTokenizer: source,
    backend,
    dispose: () => model.dispose(),
  };
}

/** Translations / summaries (encoder-decoder) or continuations (decoder-only) of `inputs`. */
export async function generateText(
  loaded: LoadedModel,
  inputs: string[],
  options: DecodeOptions = {},
): Promise<string[]> {
  // A language model continues its prompt, so the prompt is target-side text.
  const encoder =
    loaded.manifest.config.kind === 'encoder-decoder' ? loaded.sourceTokenizer : loaded.tokenizer;
  const ids = await encoder.encode(inputs);
  return loaded.tokenizer.decode(await generate(loaded.model, ids, options));
}

export interface TokenScores {
  tokens: string[];
  logprobs: number[];
  text: string;
}

function tokenName(tokenizer: BpeTokenizer, id: number): string {
  return id === EOS_ID ? SPECIAL_TOKENS[EOS_ID] : tokenizer.token(id);
}

/** Conditional log-probabilities of each reference given its source (encoder-decoder). */
export async function scoreReferences(
  loaded: LoadedModel,
  sources: string[],
  references: string[],
  options: { batchSize?: number } = {},
): Promise<TokenScores[]> {
  const src = await loaded.sourceTokenizer.encode(sources);
  const tgt = await loaded.tokenizer.encode(references);
  const scores = await scoreTargets(
    loaded.model,
    src.map((source, i) => ({ source, target: tgt[i] })),
    options,
  );
  return scores.map((s, i) => ({
    tokens: s.ids.map((id) => tokenName(loaded.tokenizer, id)),
    logprobs: s.logprobs,
    text: references[i],
  }));
}

/** Language-model log-probabilities with a sliding window (decoder-only). */
export async function scoreLanguageModel(
  loaded: LoadedModel,
  texts: string[],
  options: { window?: number; stride?: number; batchSize?: number } = {},
): Promise<TokenScores[]> {
  const ids = await loaded.tokenizer.encode(texts);
  const scores = await scoreTexts(loaded.model, ids, options);
  return scores.map((s, i) => ({
    tokens: s.ids.map((id) => tokenName(loaded.tokenizer, id)),
    logprobs: s.logprobs,
    text: texts[i],
  }));
}
