/**
 * Public API of the model module (issue 5): the seed Transformer in tfjs — configuration and
 * presets, backend choice, training as a child-process job, checkpoints, the model store and
 * inference. The checkpoint format is docs/model-format.md; `checkpoint.ts` reads it without tfjs.
 *
 * ```ts
 * const handle = startTraining({ workspaceDir, dataset: 'grammar-en-xx', preset: 'small', minutes: 30 },
 *   { onEvent: (e) => push('training:event', e) });
 * const { modelId } = await handle.done;          // handle.cancel() stops it with a checkpoint
 * const loaded = await loadModel(new ModelStore(ws).dir(modelId));
 * const out = await generateText(loaded, ['The barn was cold.'], { beam: 4 });
 * loaded.dispose();
 * ```
 */
export {
  BOS_ID,
  EOS_ID,
  PAD_ID,
  UNK_ID,
  SPECIAL_TOKENS,
  MASK_VALUE,
  TOKENIZER_FILE,
  SOURCE_TOKENIZER_FILE,
  SOURCE_EMBEDDING,
  PRESET_NAMES,
  DEFAULT_VOCAB_SIZE,
  DEFAULT_MAX_LENGTH,
  describePresets,
  modelConfigSchema,
  parameterCount,
  presetConfig,
  tensorSpecs,
} from './config';
export type {
  HostTensor,
  HostWeights,
  ModelConfig,
  ModelKind,
  PresetName,
  TensorSpec,
} from './config';
export { BACKEND_ORDER, describeBackend, isBackendName, selectBackend } from './backend';
export type { BackendAttempt, BackendName, BackendReport } from './backend';
export {
  FORMAT_NAME,
  MANIFEST_FILE,
  ModelFileError,
  modelManifestSchema,
  packTensors,
  readCheckpoint,
  readManifest,
  writeCheckpoint,
} from './checkpoint';
export type { LoadedCheckpoint, ModelManifest, ProvenanceEntry, TensorEntry } from './checkpoint';
export { lmWindows, sourceSequence, targetSequence } from './batching';
export { BpeTokenizer, tokenizerPair, trainBpe } from './tokenizer';
export type { TokenizerPair } from './tokenizer';
export { Transformer, initialWeights, sinusoidalPositions } from './transformer';
export { generate, scoreTargets, scoreTexts } from './decode';
export type { DecodeOptions } from './decode';
export { generateText, loadModel, scoreLanguageModel, scoreReferences } from './inference';
export type { LoadedModel, TokenScores } from './inference';
export { ModelStore, energyMethod, summarise } from './store';
export type { ModelList, ModelSummary } from './store';
export { exportBundle, importBundle } from './bundle';
export type { BundleOptions, BundleResult } from './bundle';
export { startTraining, trainAsJob, trainerScript } from './training-job';
export type { StartOptions, TrainingHandle, TrainingResult } from './training-job';
export { runTraining } from './trainer';
export { resolveOptions, DEFAULT_MINUTES } from './options';
export type * from './training-types';
