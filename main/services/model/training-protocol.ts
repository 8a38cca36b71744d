/**
 * Messages between the parent (training-job.ts) and the training child (trainer-process.ts)
 * over the Node IPC channel. Plain data only.
 */
import type { TrainRequest, TrainingEvent, TrainingRecord } from './training-types';

export type ParentMessage = { type: 'start'; request: TrainRequest } | { type: 'cancel' };

export type ChildMessage =
  | { type: 'ready'; pid: number }
  | { type: 'event'; event: TrainingEvent }
  | { type: 'result'; modelId: string; modelDir: string; record: TrainingRecord }
  | { type: 'error'; message: string; stack: string };
