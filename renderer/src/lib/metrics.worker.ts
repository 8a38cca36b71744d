/**
 * Web Worker that computes corpus metrics off the UI thread, with the same `shared/metrics`
 * code the CLI runs in Node. Each result says where it was computed, so tests can prove that
 * the worker path is the one in use.
 */
import { createMetric } from '../../../shared/metrics/index';
import type { MetricOptions } from '../../../shared/metrics/index';
import type { ReferenceStream } from '../../../shared/metrics/base';

export interface ScoreJob {
  id: number;
  hypotheses: string[];
  references: ReferenceStream[];
  metrics: string[];
  options: MetricOptions;
}

export interface ScoreResult {
  name: string;
  score: number;
  signature: string;
  details: Record<string, unknown>;
  milliseconds: number;
  computedIn: 'worker' | 'main-thread';
}

export type ScoreReply =
  { id: number; ok: true; results: ScoreResult[] } | { id: number; ok: false; message: string };

const where: ScoreResult['computedIn'] =
  typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== 'undefined'
    ? 'worker'
    : 'main-thread';

export function runScoreJob(job: ScoreJob): ScoreResult[] {
  return job.metrics.map((name) => {
    const started = performance.now();
    const metric = createMetric(name, job.options);
    const score = metric.corpusScore(job.hypotheses, job.references);
    return {
      name: score.name,
      score: score.score,
      signature: score.signature,
      details: JSON.parse(JSON.stringify(score.details)) as Record<string, unknown>,
      milliseconds: performance.now() - started,
      computedIn: where,
    };
  });
}

self.onmessage = (event: MessageEvent<ScoreJob>) => {
  const job = event.data;
  let reply: ScoreReply;
  try {
    reply = { id: job.id, ok: true, results: runScoreJob(job) };
  } catch (error) {
    reply = {
      id: job.id,
      ok: false,
      message: error instanceof Error ? error.message : String(error),
    };
  }
  (self as unknown as Worker).postMessage(reply);
};
