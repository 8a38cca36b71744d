// The workbench scores runs left in 'awaiting-scores' automatically, once each, and keeps the
// error beside the run when it cannot. The worker is replaced by the same code run in-process.
import { describe, expect, it, vi } from 'vitest';
import { Workbench } from '../../../renderer/src/lib/workbench.svelte';
import type { RunOutputs, RunRecord } from '../../../shared/api/types';
import { FakeTransport, runRecord, settle, summary } from './run-fixtures';

vi.mock('../../../renderer/src/lib/metrics-client', async () => {
  const worker = await import('../../../renderer/src/lib/metrics.worker');
  return {
    scoreRunInWorker: vi.fn(async (outputs: RunOutputs, metrics: RunRecord['metrics']) =>
      worker.runScoreRunJob({
        id: 0,
        type: 'score-run',
        outputs,
        metrics,
        options: { bootstrap: 20, seed: 1 },
      }),
    ),
  };
});

const OUTPUTS: RunOutputs = {
  run: 'r1',
  sources: ['a', 'b', 'c'],
  references: [['the cat sat'], ['a dog ran'], ['it rained']],
  hypotheses: ['the cat sat', 'a dog ran', 'it snowed'],
  logprobs: null,
};

function waiting(): RunRecord {
  return runRecord('r1', { state: 'awaiting-scores', scores: [] });
}

describe('Workbench automatic scoring', () => {
  it('scores a run awaiting scores once and saves BLEU and chrF2 with intervals', async () => {
    let state = waiting();
    const transport = new FakeTransport({
      listRuns: () => ({ runs: [summary(state)], broken: [] }),
      getRunOutputs: () => OUTPUTS,
      saveRunScores: (request) => {
        state = { ...state, state: 'complete', scores: request.scores };
        return state;
      },
    });
    const workbench = new Workbench(transport);
    await workbench.refreshRuns();
    await settle();
    expect(transport.count('saveRunScores')).toBe(1);
    const saved = transport.calls.find((c) => c.channel === 'saveRunScores')!.args[0] as {
      scores: { name: string; low: number | null }[];
      segments: { name: string; values: number[] }[];
    };
    expect(saved.scores.map((s) => s.name)).toEqual(['BLEU', 'chrF2']);
    expect(saved.scores[0].low).not.toBeNull();
    expect(saved.segments[0].values).toHaveLength(3);
    expect(workbench.runs[0].state).toBe('complete');
    expect(workbench.scoring).toEqual({});
    // More change notices do not score it again.
    transport.emit('runs:changed', { reason: 'scored', run: 'r1' });
    await settle();
    expect(transport.count('saveRunScores')).toBe(1);
  });

  it('keeps the error beside the run and scores again on retry', async () => {
    let fail = true;
    const transport = new FakeTransport({
      listRuns: () => ({ runs: [summary(waiting())], broken: [] }),
      getRunOutputs: () => {
        if (fail) throw new Error('outputs.txt is missing');
        return OUTPUTS;
      },
      saveRunScores: () => runRecord('r1'),
    });
    const workbench = new Workbench(transport);
    await workbench.refreshRuns();
    await settle();
    expect(workbench.scoring.r1).toEqual({ state: 'failed', message: 'outputs.txt is missing' });
    expect(transport.count('saveRunScores')).toBe(0);
    fail = false;
    workbench.retryScoring('r1');
    await settle();
    expect(transport.count('saveRunScores')).toBe(1);
    expect(workbench.scoring.r1).toBeUndefined();
  });

  it('reports a host without runs on Results, not as an app-wide error', async () => {
    const transport = new FakeTransport({
      capabilities: () => ({}) as never,
      listDatasets: () => ({ datasets: [], broken: [] }),
      listBuiltinDatasets: () => [],
      listModels: () => [],
    });
    const workbench = new Workbench(transport);
    await workbench.init();
    expect(workbench.error).toBeNull();
    expect(workbench.runsError).toBe('listRuns is not available yet.');
    expect(workbench.queueError).toBe('listJobs is not available yet.');
    expect(workbench.runsLoaded).toBe(true);
  });

  it('follows the queue from its events', () => {
    const transport = new FakeTransport();
    const workbench = new Workbench(transport);
    transport.emit('queue:changed', {
      jobs: [
        {
          jobId: 'j1',
          kind: 'evaluate',
          label: 'tiny fp32',
          position: 0,
          state: 'running',
          runId: null,
          queuedAt: '',
        },
      ],
    });
    expect(workbench.queue.map((j) => j.jobId)).toEqual(['j1']);
  });
});
