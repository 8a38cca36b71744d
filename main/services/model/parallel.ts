/**
 * Data-parallel gradients for backends that use one core (wasm, cpu): the trainer's thread
 * computes the first shard of each batch while worker threads (shard-worker.ts), each with its
 * own backend and model replica, compute the others. Gradients come back through
 * SharedArrayBuffers and are averaged weighted by label tokens, which equals the gradient of the
 * whole batch's mean loss; the optimizer then runs once and its new weights are published to the
 * workers through another SharedArrayBuffer. model-speed.md names this as the way to use both
 * cores when multi-threaded WebAssembly is unavailable in Node (tensorflow/tfjs#3830).
 *
 * Workers are started from sources through tsx (an eval'd bootstrap registers it, because
 * `--import` hooks are not ready when a worker's entry loads), and from a bundle as
 * `model-shard-worker.js` beside it (build entry `main/services/model/shard-worker.ts`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from './backend';
import { idsToBatch } from './batching';
import type { HostWeights, ModelConfig } from './config';
import { flatLayout, readFlat, shardGradients, writeFlat } from './gradients';
import type { FlatLayout } from './gradients';
import type { ShardIds, WorkerReply, WorkerRequest } from './parallel-protocol';
import type { Transformer } from './transformer';
import { standaloneKernels } from './wasm-kernels';
import type { KernelExports } from './wasm-kernels';

/** How to start a worker: an eval'd tsx bootstrap from sources, the built file from a bundle. */
export function shardWorkerSource(): { source: string | URL; eval: boolean } {
  const self = fileURLToPath(import.meta.url);
  if (self.endsWith('.ts')) {
    const require = createRequire(import.meta.url);
    const pkgFile = require.resolve('tsx/package.json');
    const exports = (
      JSON.parse(readFileSync(pkgFile, 'utf8')) as {
        exports: Record<string, { import: { default: string } }>;
      }
    ).exports['./esm/api'];
    const api = pathToFileURL(join(dirname(pkgFile), exports.import.default)).href;
    const entry = pathToFileURL(join(dirname(self), 'shard-worker.ts')).href;
    return {
      source: `import(${JSON.stringify(api)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`,
      eval: true,
    };
  }
  const candidates = [
    join(dirname(self), 'model-shard-worker.js'),
    join(dirname(self), '..', 'model-shard-worker.js'),
  ];
  return {
    source: pathToFileURL(candidates.find((c) => existsSync(c)) ?? candidates[0]),
    eval: false,
  };
}

interface Slot {
  worker: Worker;
  grads: Float32Array;
  pending: Map<
    number,
    { resolve: (r: { lossSum: number; tokens: number }) => void; reject: (e: Error) => void }
  >;
  failure: Error | null;
  reload: boolean;
}

export interface CombinedGradients {
  grads: Map<string, Float32Array>;
  /** Mean loss over all label tokens of the batch. */
  loss: number;
  tokens: number;
}

/**
 * `out = Σ_k weights[k] · parts[k]` in JS (each product in float64, rounded per step): the twin of
 * the wasm-kernels.c passes `DataParallel` uses (tests compare them bit for bit).
 */
export function combineInto(out: Float32Array, parts: Float32Array[], weights: number[]): void {
  const first = parts[0];
  const w0 = weights[0];
  for (let i = 0; i < out.length; i++) out[i] = w0 * first[i];
  for (let k = 1; k < parts.length; k++) {
    const g = parts[k];
    const w = weights[k];
    for (let i = 0; i < out.length; i++) out[i] += w * g[i];
  }
}

export class DataParallel {
  #nextId = 1;
  /**
   * This thread's shard gradients, a staging copy of a worker's and the combined ones, flat
   * (`layout` order), on a WebAssembly memory of their own: the weighted sum runs as one wasm pass
   * per shard (17 ms of JS per small-model step before).
   */
  readonly #local: Float32Array;
  readonly #staging: Float32Array;
  readonly #combinedFlat: Float32Array;
  readonly #combined: Map<string, Float32Array>;
  readonly #kernels: KernelExports;

  private constructor(
    private readonly slots: Slot[],
    private readonly layout: FlatLayout,
    private readonly weights: Float32Array,
  ) {
    const { exports, memory } = standaloneKernels(3 * 4 * layout.total);
    const region = (k: number) =>
      new Float32Array(memory.buffer, k * 4 * layout.total, layout.total);
    this.#kernels = exports;
    this.#local = region(0);
    this.#staging = region(1);
    this.#combinedFlat = region(2);
    this.#combined = readFlat(layout, this.#combinedFlat);
  }

  /** Shards per batch: this thread plus the workers. */
  get shards(): number {
    return this.slots.length + 1;
  }

  /** Starts `workers` worker threads holding `initial` weights; rejects if any fails to start. */
  static async start(
    workers: number,
    config: ModelConfig,
    backend: BackendName,
    initial: HostWeights | Map<string, Float32Array>,
    timeoutMs = 120_000,
  ): Promise<DataParallel> {
    const layout = flatLayout(config);
    const weightsBuffer = new SharedArrayBuffer(layout.total * 4);
    const weights = new Float32Array(weightsBuffer);
    writeFlat(layout, initial, weights);
    const { source, eval: isEval } = shardWorkerSource();
    const slots: Slot[] = [];
    try {
      await Promise.all(
        Array.from({ length: workers }, async () => {
          const gradsBuffer = new SharedArrayBuffer(layout.total * 4);
          const worker = new Worker(source, { eval: isEval });
          const slot: Slot = {
            worker,
            grads: new Float32Array(gradsBuffer),
            pending: new Map(),
            failure: null,
            reload: false,
          };
          slots.push(slot);
          await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(
              () => reject(new Error('a training worker thread did not start in time')),
              timeoutMs,
            );
            const fail = (error: Error) => {
              slot.failure = error;
              clearTimeout(timer);
              reject(error);
              for (const p of slot.pending.values()) p.reject(error);
              slot.pending.clear();
            };
            worker.on('error', fail);
            worker.on('exit', (code) =>
              fail(new Error(`a training worker thread exited (code ${code})`)),
            );
            worker.on('message', (message: WorkerReply) => {
              if (message.type === 'ready') {
                clearTimeout(timer);
                resolve();
              } else if (message.type === 'error') {
                const error = new Error(`training worker: ${message.message}`);
                if (message.id === null) return fail(error);
                slot.pending.get(message.id)?.reject(error);
                slot.pending.delete(message.id);
              } else {
                slot.pending.get(message.id)?.resolve(message);
                slot.pending.delete(message.id);
              }
            });
            const init: WorkerRequest = {
              type: 'init',
              config,
              backend,
              weights: weightsBuffer,
              grads: gradsBuffer,
            };
            worker.postMessage(init);
          });
        }),
      );
    } catch (error) {
      await Promise.all(slots.map((s) => s.worker.terminate()));
      throw error;
    }
    return new DataParallel(slots, layout, weights);
  }

  /** Makes the workers use these weights from their next step on. */
  publish(weights: Map<string, Float32Array>): void {
    writeFlat(this.layout, weights, this.weights);
    for (const slot of this.slots) slot.reload = true;
  }

  /**
   * Gradients of the whole batch's mean loss from its shards: shard 0 here, shard k on worker
   * k − 1 (at most `shards` shards). `seeds[k]` seeds shard k's dropout.
   */
  async gradients(
    model: Transformer,
    shards: ShardIds[],
    seeds: number[],
    labelSmoothing: number,
  ): Promise<CombinedGradients> {
    if (shards.length > this.shards)
      throw new Error(`${shards.length} shards for ${this.shards} threads`);
    const remote = shards.slice(1).map((shard, k) => {
      const slot = this.slots[k];
      if (slot.failure) return Promise.reject(slot.failure);
      const id = this.#nextId++;
      const request: WorkerRequest = {
        type: 'step',
        id,
        shard,
        seed: seeds[k + 1],
        labelSmoothing,
        reloadWeights: slot.reload,
      };
      slot.reload = false;
      return new Promise<{ lossSum: number; tokens: number }>((resolve, reject) => {
        slot.pending.set(id, { resolve, reject });
        slot.worker.postMessage(request);
      });
    });
    const batch = idsToBatch(shards[0]);
    let local;
    try {
      local = await shardGradients(model, batch, seeds[0], labelSmoothing, {
        layout: this.layout,
        flat: this.#local,
      });
    } finally {
      tf.dispose([batch.tgtIn, batch.tgtOut, ...(batch.src ? [batch.src] : [])]);
    }
    const results = await Promise.all(remote);
    const parts = [
      { grads: this.#local, tokens: local.tokens, lossSum: local.lossSum },
      ...results.map((r, k) => ({ grads: this.slots[k].grads, ...r })),
    ];
    const tokens = parts.reduce((n, p) => n + p.tokens, 0);
    // One pass per shard, weighted by its label tokens (as combineInto, in wasm).
    const n = this.layout.total;
    const k = this.#kernels;
    k.scale_into(
      this.#combinedFlat.byteOffset,
      this.#local.byteOffset,
      parts[0].tokens / tokens,
      n,
    );
    for (const part of parts.slice(1)) {
      this.#staging.set(part.grads);
      k.add_scaled(
        this.#combinedFlat.byteOffset,
        this.#staging.byteOffset,
        part.tokens / tokens,
        n,
      );
    }
    return {
      grads: this.#combined,
      loss: parts.reduce((s, p) => s + p.lossSum, 0) / tokens,
      tokens,
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
