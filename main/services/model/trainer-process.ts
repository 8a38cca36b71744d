/**
 * Entry of the training child process (forked by training-job.ts; built as
 * `out/main/model-trainer.js`). Training runs here, off the UI thread and off the Electron main
 * process: one `start` message with the request, then `event` messages up and an optional
 * `cancel` down. Ctrl-C on a terminal reaches the whole process group, so SIGINT here means
 * cancel as well, and so does losing the parent: every way of stopping ends with a checkpoint.
 */
import { runTraining } from './trainer';
import type { ChildMessage, ParentMessage } from './training-protocol';

const controller = new AbortController();

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

async function start(message: Extract<ParentMessage, { type: 'start' }>): Promise<void> {
  try {
    const result = await runTraining(message.request, {
      signal: controller.signal,
      onEvent: (event) => void send({ type: 'event', event }),
    });
    await send({
      type: 'result',
      modelId: result.modelId,
      modelDir: result.modelDir,
      record: result,
    });
    process.exit(0);
  } catch (error) {
    await send({
      type: 'error',
      message: (error as Error)?.message ?? String(error),
      stack: (error as Error)?.stack ?? '',
    });
    process.exit(1);
  }
}

process.on('SIGINT', () => controller.abort());
process.on('SIGTERM', () => controller.abort());
process.on('disconnect', () => controller.abort());
process.on('message', (raw) => {
  const message = raw as ParentMessage;
  if (message.type === 'start') void start(message);
  else if (message.type === 'cancel') controller.abort();
});
void send({ type: 'ready', pid: process.pid });
