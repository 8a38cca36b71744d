/**
 * Messages between the parent (evaluator-job.ts) and the evaluation child (evaluator-process.ts)
 * over the Node IPC channel. Plain data only; errors carry the API code so a user-facing problem
 * (a damaged checkpoint, a model that cannot do the task) stays a user-facing message.
 */
import type { ApiError } from '../../../shared/api/types';
import type { ModelEvaluationResult, ModelEvaluationTask } from './model-evaluation';

export type EvaluatorParentMessage =
  { type: 'start'; task: ModelEvaluationTask } | { type: 'cancel' };

export type EvaluatorChildMessage =
  | { type: 'ready'; pid: number }
  | { type: 'progress'; done: number; total: number; joules: number | null }
  | { type: 'result'; result: ModelEvaluationResult }
  | { type: 'cancelled' }
  | { type: 'error'; message: string; code: ApiError['code'] | null; stack: string };
