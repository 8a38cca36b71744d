/**
 * Public surface of the ONNX side of the model pipeline: checkpoint loading and the TypeScript
 * reference forward pass (parity tests), export, onnxruntime sessions, decoding and scoring.
 */
export { loadCheckpoint, CheckpointError } from './checkpoint';
export type { Checkpoint } from './checkpoint';
export { BOS_ID, EOS_ID, PAD_ID, UNK_ID, expectedTensors, parameterCount } from './config';
export type { ModelConfig } from './config';
export { referenceLogits, referenceMemory } from './reference';
export type { ReferenceLogits } from './reference';
export { writeRandomCheckpoint } from './random-checkpoint';
export { buildOnnxModels, exportOnnx, readExportManifest, defaultExportDir } from './export';
export type { ExportManifest, ExportOptions } from './export';
export type { Precision, Int8Kernel } from './transformer-graphs';
export { chooseProvider, probeProvider, candidateProviders } from './providers';
export type { ProviderName, ProviderChoice } from './providers';
export { openExport } from './session';
export type { OpenedExport, SessionSettings } from './session';
export { Seq2SeqModel, LanguageModel } from './runtime';
export type { EncodedBatch, Stepper } from './runtime';
export { greedySearch, beamSearch } from './search';
export type { Hypothesis } from './search';
export { conditionalLogprobs, slidingWindowLogprobs, slidingWindows } from './scoring';
export { loadModelTokenizer, loadTokenizerFile, frameSource } from './tokenizer';
export type { ModelTokenizer, ModelTokenizers } from './tokenizer';
export { ensureExport, openGenerator, openTranslator, generate, framePrompt } from './inference';
export type { Continuer, Generator, GenerateResult, Translator } from './inference';
export { resolveModelDir } from './model-dir';
