/**
 * Messages between the training coordinator (parallel.ts) and its data-parallel worker threads
 * (shard-worker.ts). Weights and gradients travel through SharedArrayBuffers; messages carry the
 * shard's token ids and small numbers only.
 */
import type { BackendName } from './backend';
import type { ModelConfig } from './config';

export interface IdMatrix {
  data: Int32Array;
  shape: [number, number];
}

export interface ShardIds {
  src: IdMatrix | null;
  tgtIn: IdMatrix;
  tgtOut: IdMatrix;
}

export type WorkerRequest =
  | {
      type: 'init';
      config: ModelConfig;
      backend: BackendName;
      /** Flat float32 weights in `flatLayout` order (written by the coordinator). */
      weights: SharedArrayBuffer;
      /** Flat float32 gradients in the same order (written by this worker). */
      grads: SharedArrayBuffer;
    }
  | {
      type: 'step';
      id: number;
      shard: ShardIds;
      seed: number;
      labelSmoothing: number;
      /** The coordinator updated the shared weights since the last step. */
      reloadWeights: boolean;
    };

export type WorkerReply =
  | { type: 'ready' }
  | { type: 'done'; id: number; lossSum: number; tokens: number }
  | { type: 'error'; id: number | null; message: string };
