// The run channels through the direct bridge (the same channel check and schema validation as
// IPC and WebSocket): validation messages, imported outputs (line count, log-probabilities,
// an EcoEval energy report), and training waiting its turn in the measured queue.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkbenchApi } from '../../../shared/api/contract';
import { importTinyDataset, runServices, tinyRows } from './helpers';
import type { RunServices } from './helpers';

let s: RunServices;
let api: WorkbenchApi;
let dataset: string;

beforeAll(async () => {
  s = await runServices();
  api = s.api;
  dataset = await importTinyDataset(s, 'bridge set', 6);
  const refs = tinyRows(6).references;
  const file = (name: string, text: string) => {
    writeFileSync(join(s.root, name), text);
    return { path: join(s.root, name) };
  };
  files = {
    good: file('hyps.txt', refs.join('\r\n') + '\r\n'),
    short: file('short.txt', refs.slice(0, 5).join('\n')),
    logprobs: file(
      'lp.jsonl',
      refs
        .map((r) => JSON.stringify({ tokens: ['a', '</s>'], logprobs: [-1, -0.5], text: r }))
        .join('\n'),
    ),
    badLogprobs: file(
      'bad-lp.jsonl',
      [
        JSON.stringify({ tokens: ['a'], logprobs: [-1], text: 'x' }),
        JSON.stringify({ tokens: ['a'], logprobs: [0.5], text: 'x' }),
      ].join('\n'),
    ),
    energy: file(
      'energy.json',
      JSON.stringify({
        command: ['python', 'translate.py'],
        figure: {
          status: 'complete',
          label: 'translate',
          joules: 120,
          lowJ: 100,
          highJ: 150,
          windowS: 30,
          perComponent: [
            {
              component: 'cpu',
              meterId: 'rapl:package-0',
              label: 'RAPL pkg (measured)',
              method: 'counter',
              scope: 'cpu-package',
              joules: 120,
              lowJ: 100,
              highJ: 150,
              coverage: 1,
              notes: [],
            },
          ],
          grade: 'B',
          gradeReasons: ['window 30 s (< 60 s)'],
          flags: [],
          signature:
            'meters:cpu=rapl.counter|scope:cpu-package|basis:gross|grid:none|version:0.1.0',
        },
      }),
    ),
  };
});
afterAll(() => s.queue.close());

let files: Record<'good' | 'short' | 'logprobs' | 'badLogprobs' | 'energy', { path: string }>;

const outputs = (extra: object = {}) => ({
  type: 'outputs' as const,
  name: 'external system',
  hypotheses: files.good,
  ...extra,
});

describe('run channels', () => {
  it('start empty', async () => {
    expect(await api.listRuns()).toEqual({ runs: [], broken: [] });
    expect(await api.listJobs()).toEqual([]);
  });

  it('validate requests before any service sees them', async () => {
    await expect(api.getRun('Not An Id!')).rejects.toThrow(
      'invalid request for getRun: not a valid run id',
    );
    await expect(api.getRunSegments({ run: 'abc', offset: -1, limit: 10 })).rejects.toThrow(
      /invalid request for getRunSegments \(offset\)/,
    );
    await expect(api.saveRunScores({ run: 'abc', scores: [], segments: [] })).rejects.toThrow(
      /invalid request for saveRunScores \(scores\)/,
    );
    await expect(
      api.evaluate({ systems: [], datasets: [{ dataset }], metrics: ['bleu'] }),
    ).rejects.toThrow(/choose at least one system/);
    await expect(api.getRun('20200101-000000-nothing-000000')).rejects.toThrow(/No run with id/);
    await expect(api.restartJob('evaluate-000000000000')).rejects.toThrow(/No job/);
    expect(await api.cancelJob('evaluate-000000000000')).toEqual({ cancelled: false });
  });

  it('refuses imported outputs whose line count differs from the split, naming the file', async () => {
    await expect(
      api.evaluate({
        systems: [outputs({ hypotheses: files.short })],
        datasets: [{ dataset }],
        metrics: ['bleu'],
      }),
    ).rejects.toThrow(`${files.short.path}: 5 lines, but bridge-set/test has 6 segments`);
    expect(await api.listJobs()).toEqual([]);
  });

  it('asks for log-probabilities for perplexity, and names a bad line', async () => {
    await expect(
      api.evaluate({ systems: [outputs()], datasets: [{ dataset }], metrics: ['perplexity'] }),
    ).rejects.toThrow(/Perplexity needs log-probabilities/);
    await expect(
      api.evaluate({
        systems: [outputs({ logprobs: files.badLogprobs })],
        datasets: [{ dataset }],
        metrics: ['perplexity'],
      }),
    ).rejects.toThrow(`${files.badLogprobs.path}:2: logprobs[0] is 0.5 > 0`);
  });

  it('imports outputs with an EcoEval energy report: kind imported, methods imported', async () => {
    const [job] = await api.evaluate({
      systems: [
        outputs({ logprobs: files.logprobs, energy: { format: 'ecoeval', file: files.energy } }),
      ],
      datasets: [{ dataset }],
      metrics: ['bleu', 'perplexity'],
    });
    const { runId } = (await s.queue.wait(job.jobId)) as { runId: string };
    const run = await api.getRun(runId);
    expect(run.energy).toMatchObject({
      kind: 'imported',
      joules: 120,
      lowJ: 100,
      highJ: 150,
      grade: 'B',
      components: [{ component: 'cpu', method: 'imported' }],
      perUnit: [{ unit: 'J/segment', count: 6, joules: 20 }],
    });
    expect(run.energy!.components[0].label).toContain('recorded as counter');
    const got = await api.getRunOutputs(runId);
    // CRLF line ends are not part of the hypotheses.
    expect(got.hypotheses).toEqual(tinyRows(6).references);
    expect(got.logprobs?.[0]).toEqual({
      logprob: -1.5,
      tokens: 2,
      bytes: expect.any(Number),
      words: expect.any(Number),
    });
  });

  it('makes training wait its turn behind the running measured job', async () => {
    let release!: () => void;
    // A measured job that holds the queue until released.
    s.queue.register(
      'evaluate',
      (_payload, job) =>
        new Promise((resolve, reject) => {
          release = () => resolve({ runId: null });
          job.signal.addEventListener('abort', () => reject(new Error('aborted')));
        }),
      { unit: 'segments' },
    );
    const holder = s.queue.enqueue('evaluate', 'Holder', {});
    const training = api.trainModel({ dataset, preset: 'tiny', steps: 1 });
    training.catch(() => undefined);
    await new Promise((r) => setTimeout(r, 50));
    const jobs = await api.listJobs();
    expect(jobs.map((j) => [j.kind, j.state, j.position])).toEqual(
      expect.arrayContaining([
        ['evaluate', 'running', 0],
        ['train', 'queued', 1],
      ]),
    );
    const train = jobs.find((j) => j.kind === 'train')!;
    expect(train.label).toBe(`Training tiny on ${dataset}`);
    const changes = s.events.filter((e) => e.event === 'queue:changed');
    expect(changes.length).toBeGreaterThan(0);
    expect(await api.cancelJob(train.jobId)).toEqual({ cancelled: true });
    await expect(training).rejects.toThrow(/cancelled/);
    release();
    await s.queue.wait(holder.jobId);
  });
});
