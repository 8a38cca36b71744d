/**
 * Entry of the evaluation child process (forked by evaluator-job.ts; built as
 * `out/main/run-evaluator.js`). The model runs here, off the Electron main process and the web
 * server's event loop: one `start` message, then `progress` messages up and an optional `cancel`
 * down. SIGINT (Ctrl-C reaches the whole process group), SIGTERM and losing the parent cancel
 * too; a cancelled evaluation writes nothing the parent would keep.
 */
import { ServiceError } from '../errors';
import { evaluateModel } from './model-evaluation';
import type { EvaluatorChildMessage, EvaluatorParentMessage } from './evaluator-protocol';

const controller = new AbortController();

function send(message: EvaluatorChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

async function start(message: Extract<EvaluatorParentMessage, { type: 'start' }>): Promise<void> {
  try {
    const result = await evaluateModel(
      { ...message.task },
      {
        signal: controller.signal,
        onProgress: (done, total, joules) => void send({ type: 'progress', done, total, joules }),
      },
    );
    await send({ type: 'result', result });
    process.exit(0);
  } catch (error) {
    if (controller.signal.aborted) await send({ type: 'cancelled' });
    else {
      await send({
        type: 'error',
        message: (error as Error)?.message ?? String(error),
        code: error instanceof ServiceError ? error.code : null,
        stack: (error as Error)?.stack ?? '',
      });
    }
    process.exit(1);
  }
}

process.on('SIGINT', () => controller.abort());
process.on('SIGTERM', () => controller.abort());
process.on('disconnect', () => {
  controller.abort();
  // Nobody is left to receive the result: stop without waiting for the current batch.
  setTimeout(() => process.exit(1), 2000).unref();
});
process.on('message', (raw) => {
  const message = raw as EvaluatorParentMessage;
  if (message.type === 'start') void start(message);
  else if (message.type === 'cancel') controller.abort();
});
void send({ type: 'ready', pid: process.pid });
