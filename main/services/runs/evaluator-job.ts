/**
 * Runs a model evaluation in a child process: the parent side of evaluator-process.ts. From
 * sources the child is the `.ts` entry run through tsx (`--import tsx`); from a bundle it is
 * `run-evaluator.js` beside the bundle (build entry `main/services/runs/evaluator-process.ts`).
 * Cancel asks the child to stop between batches; a child that has not exited within
 * `killAfterMs` is killed. Either way the promise rejects and the caller keeps nothing.
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ServiceError } from '../errors';
import { CancelledError } from '../jobs/jobs';
import type { EvaluatorChildMessage, EvaluatorParentMessage } from './evaluator-protocol';
import type { ModelEvaluationResult, ModelEvaluationTask } from './model-evaluation';

/** The evaluator entry and the Node flags to fork it with, from sources or from a bundle. */
export function evaluatorScript(): { script: string; execArgv: string[] } {
  const self = fileURLToPath(import.meta.url);
  if (self.endsWith('.ts')) {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    return { script: join(dirname(self), 'evaluator-process.ts'), execArgv: ['--import', tsx] };
  }
  // Bundled: this code may sit in out/main/chunks/, the entry in out/main/.
  const candidates = [
    join(dirname(self), 'run-evaluator.js'),
    join(dirname(self), '..', 'run-evaluator.js'),
  ];
  return { script: candidates.find((c) => existsSync(c)) ?? candidates[0], execArgv: [] };
}

export interface EvaluatorOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, joules: number | null) => void;
  /** Called with the child's pid once it runs (tests kill it to simulate a crash). */
  onSpawn?: (pid: number) => void;
  /** After a cancel, kill the child if it has not exited within this time (default 10 s). */
  killAfterMs?: number;
  label?: string;
}

/** Forks the evaluator, runs `task`, and settles with its result. */
export function runEvaluator(
  task: ModelEvaluationTask,
  options: EvaluatorOptions = {},
): Promise<ModelEvaluationResult> {
  const label = options.label ?? 'The evaluation';
  if (options.signal?.aborted) return Promise.reject(new CancelledError(label));
  const def = evaluatorScript();
  const child = fork(def.script, [], {
    execArgv: def.script.endsWith('.ts') ? def.execArgv : [],
    // stdout is ignored: native libraries may print there.
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  if (child.pid) options.onSpawn?.(child.pid);
  let stderrTail = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on(
    'data',
    (chunk: string) => void (stderrTail = (stderrTail + chunk).slice(-4000)),
  );
  const post = (message: EvaluatorParentMessage) => {
    if (child.connected) child.send(message);
  };
  let killTimer: NodeJS.Timeout | undefined;
  const cancel = () => {
    post({ type: 'cancel' });
    killTimer ??= setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 10_000);
    killTimer.unref();
  };
  options.signal?.addEventListener('abort', cancel, { once: true });
  return new Promise<ModelEvaluationResult>((resolve, reject) => {
    let settled: ModelEvaluationResult | Error | undefined;
    child.on('message', (raw) => {
      const message = raw as EvaluatorChildMessage;
      if (message.type === 'ready') post({ type: 'start', task });
      else if (message.type === 'progress')
        options.onProgress?.(message.done, message.total, message.joules);
      else if (message.type === 'result') settled = message.result;
      else if (message.type === 'cancelled') settled = new CancelledError(label);
      else if (message.type === 'error') {
        const error = message.code
          ? new ServiceError(message.message, message.code)
          : new ServiceError(`the evaluation failed: ${message.message}`, 'internal');
        error.stack = message.stack;
        settled = error;
      }
    });
    child.on('error', (error) => {
      settled ??= new ServiceError(
        `the evaluation process could not start: ${error.message}`,
        'internal',
      );
    });
    child.on('exit', (code, signal) => {
      clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', cancel);
      if (options.signal?.aborted) return reject(new CancelledError(label));
      if (settled instanceof Error) return reject(settled);
      if (settled) return resolve(settled);
      const tail = stderrTail.trim().split('\n').slice(-5).join('\n');
      reject(
        new ServiceError(
          `the evaluation process stopped (${signal ?? `exit code ${code}`}) before it finished; nothing was saved${tail ? `:\n${tail}` : ''}`,
          'internal',
        ),
      );
    });
  });
}
