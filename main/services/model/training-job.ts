/**
 * Runs a training request in a child process and reports back: the parent side of
 * trainer-process.ts. From sources the child is the `.ts` entry run through tsx
 * (`--import tsx`); from a bundle it is `model-trainer.js` beside the bundle (the build entry
 * `main/services/model/trainer-process.ts`). Cancel asks the child to stop (it writes a
 * checkpoint and exits); a child that does not stop within `killAfterMs` is killed, and its last
 * checkpoint, written atomically, stays loadable.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { JobContext } from '../jobs/jobs';
import type { ChildMessage, ParentMessage } from './training-protocol';
import type { TrainRequest, TrainingEvent, TrainingRecord } from './training-types';

export interface TrainingResult {
  modelId: string;
  modelDir: string;
  record: TrainingRecord;
}

export interface TrainingHandle {
  /** The child's pid (training and its energy windows run there). */
  readonly pid: number | undefined;
  /** Settles when the child has finished (completed, stopped early or cancelled). */
  readonly done: Promise<TrainingResult>;
  /** Asks the child to stop after the current step and save a checkpoint. */
  cancel(): void;
}

export interface StartOptions {
  onEvent?: (event: TrainingEvent) => void;
  signal?: AbortSignal;
  /** Script to fork (default: see `trainerScript`). */
  script?: string;
  execArgv?: string[];
  /** After a cancel, kill the child if it has not exited within this time (default 120 s). */
  killAfterMs?: number;
}

/** The trainer entry and the Node flags to fork it with, from sources or from a bundle. */
export function trainerScript(): { script: string; execArgv: string[] } {
  const self = fileURLToPath(import.meta.url);
  if (self.endsWith('.ts')) {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    return { script: join(dirname(self), 'trainer-process.ts'), execArgv: ['--import', tsx] };
  }
  // Bundled: this code may sit in out/main/chunks/, the entry in out/main/.
  const candidates = [
    join(dirname(self), 'model-trainer.js'),
    join(dirname(self), '..', 'model-trainer.js'),
  ];
  return { script: candidates.find((c) => existsSync(c)) ?? candidates[0], execArgv: [] };
}

/** Forks the trainer and starts `request`. */
export function startTraining(request: TrainRequest, options: StartOptions = {}): TrainingHandle {
  const def = trainerScript();
  const script = options.script ?? def.script;
  const child: ChildProcess = fork(script, [], {
    execArgv: options.execArgv ?? (script.endsWith('.ts') ? def.execArgv : []),
    // stdout is ignored: the tokenizers trainer prints progress bars there.
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderrTail = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on(
    'data',
    (chunk: string) => void (stderrTail = (stderrTail + chunk).slice(-4000)),
  );
  const post = (message: ParentMessage) => {
    if (child.connected) child.send(message);
  };
  let killTimer: NodeJS.Timeout | undefined;
  const cancel = () => {
    post({ type: 'cancel' });
    killTimer ??= setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 120_000);
    killTimer.unref();
  };
  if (options.signal) {
    if (options.signal.aborted) cancel();
    else options.signal.addEventListener('abort', cancel, { once: true });
  }
  const done = new Promise<TrainingResult>((resolve, reject) => {
    let settled: TrainingResult | Error | undefined;
    child.on('message', (raw) => {
      const message = raw as ChildMessage;
      if (message.type === 'ready') post({ type: 'start', request });
      else if (message.type === 'event') options.onEvent?.(message.event);
      else if (message.type === 'result') {
        settled = { modelId: message.modelId, modelDir: message.modelDir, record: message.record };
      } else if (message.type === 'error') {
        const error = new Error(message.message);
        error.stack = message.stack;
        settled = error;
      }
    });
    child.on('error', (error) => {
      settled ??= new Error(`the training process could not start: ${error.message}`);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', cancel);
      if (settled instanceof Error) return reject(settled);
      if (settled) return resolve(settled);
      const tail = stderrTail.trim().split('\n').slice(-5).join('\n');
      reject(
        new Error(
          `the training process exited (${signal ?? `code ${code}`}) without a result${tail ? `:\n${tail}` : ''}`,
        ),
      );
    });
  });
  return { pid: child.pid, done, cancel };
}

/**
 * Training as a job of the host's JobRegistry: the job's signal cancels, its progress is the
 * step count. The registry's `kind` union lacks 'train' today; hosts pass this function to
 * `jobs.run(...)` once it has one, and forward `onEvent` as `training:*` events.
 */
export async function trainAsJob(
  request: TrainRequest,
  job: Pick<JobContext, 'signal' | 'progress'>,
  onEvent?: (event: TrainingEvent) => void,
): Promise<TrainingResult> {
  const handle = startTraining(request, {
    signal: job.signal,
    onEvent: (event) => {
      if (event.type === 'progress') job.progress(event.step, event.maxSteps);
      onEvent?.(event);
    },
  });
  return handle.done;
}
