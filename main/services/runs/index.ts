/**
 * Public surface of evaluation runs (issue 6): the run store, the measured queue, and the
 * evaluation service that fills one from the other.
 */
export { RunStore, newRunId, splitLines, outputsText } from './store';
export type { StagedRun } from './store';
export { MeasuredQueue, QUEUE_FILE } from './queue';
export type { Executor, ExecutorOptions, MeasuredJobContext, MeasuredKind } from './queue';
export { EvaluationService } from './evaluation';
export type { EvaluationServiceOptions, EvaluationTask } from './evaluation';
export { evaluateModel } from './model-evaluation';
export type { ModelEvaluationResult, ModelEvaluationTask } from './model-evaluation';
export { runEvaluator, evaluatorScript } from './evaluator-job';
export { RUN_FILES, summariseRun } from './record';
