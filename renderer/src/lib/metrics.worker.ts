/**
 * Web Worker that computes corpus metrics off the UI thread, with the same `shared/metrics`
 * code the CLI runs in Node. Each result says where it was computed, so tests can prove that
 * the worker path is the one in use. Besides ad-hoc scoring it scores whole runs (corpus scores
 * with bootstrap intervals and per-segment scores) and compares runs (paired significance), which
 * take seconds on real test sets and must never stall the UI.
 */
import { createMetric } from '../../../shared/metrics/index';
import type { MetricOptions } from '../../../shared/metrics/index';
import type { ReferenceStream } from '../../../shared/metrics/base';
import { scoreRunOutputs } from '../../../shared/evaluation/score-run';
import { compareRuns } from '../../../shared/evaluation/compare';
import type { ComparisonResult } from '../../../shared/evaluation/compare';
import type { CorpusScore, RunMetric, RunOutputs, SegmentScores } from '../../../shared/api/types';

/** Ad-hoc scoring (Score files page). Untyped messages are this kind, for older callers. */
export interface ScoreJob {
  id: number;
  type?: 'score';
  hypotheses: string[];
  references: ReferenceStream[];
  metrics: string[];
  options: MetricOptions;
}

/** Scores a stored run's outputs for saving with `saveRunScores`. */
export interface ScoreRunJob {
  id: number;
  type: 'score-run';
  outputs: RunOutputs;
  metrics: RunMetric[];
  options: { bootstrap?: number; seed?: number };
}

/** Paired comparison of systems against a baseline on one metric. */
export interface CompareJob {
  id: number;
  type: 'compare';
  baseline: RunOutputs;
  systems: RunOutputs[];
  metric: 'bleu' | 'chrf' | 'ter';
  options: { resamples?: number; seed?: number };
}

export type WorkerJob = ScoreJob | ScoreRunJob | CompareJob;

export interface ScoreResult {
  name: string;
  score: number;
  signature: string;
  details: Record<string, unknown>;
  milliseconds: number;
  computedIn: 'worker' | 'main-thread';
}

export interface RunScores {
  scores: CorpusScore[];
  segments: SegmentScores[];
  milliseconds: number;
  computedIn: ScoreResult['computedIn'];
}

export type ScoreReply =
  { id: number; ok: true; results: ScoreResult[] } | { id: number; ok: false; message: string };
export type WorkerReply =
  ScoreReply | { id: number; ok: true; value: RunScores | ComparisonResult };

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

export function runScoreRunJob(job: ScoreRunJob): RunScores {
  const started = performance.now();
  const { scores, segments } = scoreRunOutputs(job.outputs, job.metrics, job.options);
  return { scores, segments, milliseconds: performance.now() - started, computedIn: where };
}

export function runJob(job: WorkerJob): WorkerReply {
  switch (job.type) {
    case 'score-run':
      return { id: job.id, ok: true, value: runScoreRunJob(job) };
    case 'compare':
      return {
        id: job.id,
        ok: true,
        value: compareRuns(job.baseline, job.systems, job.metric, job.options),
      };
    default:
      return { id: job.id, ok: true, results: runScoreJob(job) };
  }
}

self.onmessage = (event: MessageEvent<WorkerJob>) => {
  const job = event.data;
  let reply: WorkerReply;
  try {
    reply = runJob(job);
  } catch (error) {
    reply = {
      id: job.id,
      ok: false,
      message: error instanceof Error ? error.message : String(error),
    };
  }
  (self as unknown as Worker).postMessage(reply);
};
