/**
 * A data-parallel training worker (a worker thread started by parallel.ts; built as
 * `out/main/model-shard-worker.js`). The WebAssembly backend runs one thread in Node
 * (tensorflow/tfjs#3830), so a second core only helps if a second backend computes part of each
 * batch: this worker holds a replica of the model on its own wasm backend, reads the weights from
 * a SharedArrayBuffer when told they changed, computes its shard's gradients and writes them into
 * its own SharedArrayBuffer. The coordinator combines shards and runs the optimizer.
 */
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from './backend';
import { flatLayout, flatWeights, shardGradients } from './gradients';
import type { FlatLayout } from './gradients';
import type { WorkerReply, WorkerRequest } from './parallel-protocol';
import { Transformer } from './transformer';

let model: Transformer | undefined;
let layout: FlatLayout | undefined;
let weights: Float32Array | undefined;
let grads: Float32Array | undefined;

function reply(message: WorkerReply): void {
  parentPort!.postMessage(message);
}

async function handle(message: WorkerRequest): Promise<void> {
  if (message.type === 'init') {
    await selectBackend({ force: message.backend });
    layout = flatLayout(message.config);
    weights = new Float32Array(message.weights);
    grads = new Float32Array(message.grads);
    model = new Transformer(message.config, flatWeights(layout, weights));
    reply({ type: 'ready' });
    return;
  }
  if (!model || !layout || !weights || !grads) throw new Error('worker used before init');
  if (message.reloadWeights) model.assign(flatWeights(layout, weights));
  const shard = message.shard;
  const batch = {
    ...(shard.src ? { src: tf.tensor2d(shard.src.data, shard.src.shape, 'int32') } : {}),
    tgtIn: tf.tensor2d(shard.tgtIn.data, shard.tgtIn.shape, 'int32'),
    tgtOut: tf.tensor2d(shard.tgtOut.data, shard.tgtOut.shape, 'int32'),
  };
  try {
    // Written straight into the shared buffer the coordinator reads.
    const result = await shardGradients(model, batch, message.seed, message.labelSmoothing, {
      layout,
      flat: grads,
    });
    reply({ type: 'done', id: message.id, lossSum: result.lossSum, tokens: result.tokens });
  } finally {
    tf.dispose([batch.tgtIn, batch.tgtOut, ...(batch.src ? [batch.src] : [])]);
  }
}

parentPort!.on('message', (message: WorkerRequest) => {
  handle(message).catch((error: unknown) =>
    reply({
      type: 'error',
      id: message.type === 'step' ? message.id : null,
      message: (error as Error)?.stack ?? String(error),
    }),
  );
});
