// A real evaluation of a tiny random checkpoint in the evaluator child process, through the API:
// outputs (one per segment), log-probabilities for perplexity, energy with methods and grade,
// throughput and provenance; scores saved from the shared scoring code; segments paged; the
// identical-provenance skip and force; and the errors a bad request gets.
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scoreRunOutputs } from '../../../shared/evaluation/score-run';
import type { QueuedJob, RunRecord } from '../../../shared/api/types';
import { parsePerplexityJsonl } from '../../../shared/metrics/perplexity';
import { evaluateModel } from '../../../main/services/runs/model-evaluation';
import { findSplit } from '../../../main/services/datasets/service';
import { TINY_LM, writeFixtureCheckpoint } from '../../fixtures/model/checkpoints';
import { addTinyModel, importTinyDataset, runServices, tinyRows } from './helpers';
import type { RunServices } from './helpers';

let s: RunServices;
let dataset: string;
let job: QueuedJob;
let record: RunRecord;

const MODEL = { type: 'model' as const, model: 'tiny', batchSize: 8 };

beforeAll(async () => {
  s = await runServices({ energy: 'auto' });
  dataset = await importTinyDataset(s);
  await addTinyModel(s.root);
  [job] = await s.api.evaluate({
    systems: [MODEL],
    datasets: [{ dataset }],
    metrics: ['bleu', 'chrf', 'perplexity'],
    tags: ['smoke'],
  });
  const { runId } = (await s.queue.wait(job.jobId)) as { runId: string };
  record = await s.api.getRun(runId);
});
afterAll(() => s.queue.close());

describe('a model evaluation', () => {
  it('is queued, runs, and ends as a run awaiting scores', async () => {
    expect(job).toMatchObject({ kind: 'evaluate', state: 'running', position: 0, runId: null });
    const done = (await s.api.listJobs()).find((j) => j.jobId === job.jobId);
    expect(done).toMatchObject({ state: 'done', position: null, runId: record.id });
    expect(record).toMatchObject({
      state: 'awaiting-scores',
      tags: ['smoke'],
      metrics: ['bleu', 'chrf', 'perplexity'],
      dataset: { id: dataset, split: 'test', kind: 'translation' },
      system: { label: 'tiny fp32 greedy', precision: 'fp32' },
    });
    const progress = s.events.filter(
      (e) => e.event === 'job:progress' && e.payload.jobId === job.jobId,
    );
    expect(progress.at(-1)?.payload).toMatchObject({
      kind: 'evaluate',
      state: 'done',
      unit: 'segments',
      runId: record.id,
    });
    expect(s.events.some((e) => e.event === 'runs:changed' && e.payload.run === record.id)).toBe(
      true,
    );
  });

  it('writes one hypothesis per segment and log-probabilities of the references', async () => {
    const dir = join(s.root, 'runs', record.id);
    expect(readdirSync(dir).sort()).toEqual(
      ['logprobs.jsonl', 'outputs.txt', 'run.json', 'segments.json'].sort(),
    );
    const outputs = await s.api.getRunOutputs(record.id);
    expect(outputs.hypotheses).toHaveLength(20);
    expect(outputs.sources).toEqual(tinyRows(20).sources);
    expect(outputs.references.map((r) => r[0])).toEqual(tinyRows(20).references);
    const { records, errors } = parsePerplexityJsonl(
      readFileSync(join(dir, 'logprobs.jsonl'), 'utf8'),
    );
    expect(errors).toEqual([]);
    expect(records).toHaveLength(20);
    // Each reference's words plus </s>, scored teacher-forced.
    expect(records[0].tokens).toEqual([...tinyRows(1).references[0].split(' '), '</s>']);
    expect(outputs.logprobs?.[0].tokens).toBe(records[0].tokens.length);
    expect(outputs.logprobs?.every((l) => l.logprob < 0)).toBe(true);
  });

  it('records energy with methods, grade, phases and timeline — an estimate here, never "measured"', () => {
    const energy = record.energy!;
    expect(energy).not.toBeNull();
    expect(energy.joules).toBeGreaterThan(0);
    expect(energy.lowJ).toBeLessThanOrEqual(energy.joules);
    expect(energy.highJ).toBeGreaterThanOrEqual(energy.joules);
    expect(['A', 'B', 'C', 'D']).toContain(energy.grade);
    expect(energy.components.length).toBeGreaterThan(0);
    for (const c of energy.components) expect(c.method).toMatch(/\w/);
    const measured = energy.components.every(
      (c) => c.method === 'counter' || c.method === 'integrated',
    );
    expect(energy.kind).toBe(measured ? 'measured' : 'estimated');
    expect(energy.phases.map((p) => p.phase)).toEqual(['load', 'warm-up', 'generate', 'score']);
    expect(energy.perUnit.map((u) => u.unit)).toEqual(
      expect.arrayContaining(['J/output token', 'J/segment', 'J/evaluated token']),
    );
    expect(energy.perUnit.find((u) => u.unit === 'J/segment')?.count).toBe(20);
    expect(energy.timeline.length).toBeGreaterThan(0);
    expect(energy.timeline.length).toBeLessThanOrEqual(600);
    expect(energy.signature).toMatch(/^meters:.*\|grid:/);
    expect(energy.carbon?.grams).toBeGreaterThan(0);
  });

  it('records throughput and provenance', () => {
    expect(record.throughput).toMatchObject({ outputTokens: expect.any(Number) });
    expect(record.throughput!.seconds).toBeGreaterThan(0);
    expect(record.throughput!.latencyMsP50).not.toBeNull();
    expect(record.throughput!.latencyMsP95!).toBeGreaterThanOrEqual(
      record.throughput!.latencyMsP50!,
    );
    const p = record.provenance;
    expect(p.host).toBe('cli');
    expect(p.backend).toMatch(/^onnxruntime-node \d+\.\d+/);
    expect(p.provider).toBe('cpu');
    expect(p.dataset).toMatchObject({ id: dataset, split: 'test', segments: 20 });
    expect(p.dataset.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(p.model).toMatchObject({ id: 'tiny', step: 0, preset: 'custom' });
    expect(p.model!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(p.model!.parameters).toBeGreaterThan(0);
    expect(p.settings).toMatchObject({ precision: 'fp32', beam: 1, batchSize: 8 });
    expect(p.hardware.cores).toBeGreaterThan(0);
    expect(p.outputsSha256).toMatch(/^[0-9a-f]{64}$/);
    // A random checkpoint carries no training energy.
    expect(record.training).toBeNull();
  });

  it('stores scores computed by the shared scoring code and pages segments with them', async () => {
    const outputs = await s.api.getRunOutputs(record.id);
    const scored = scoreRunOutputs(outputs, record.metrics, { bootstrap: 0 });
    await expect(
      s.api.saveRunScores({
        run: record.id,
        scores: scored.scores,
        segments: [{ name: 'BLEU', values: [1, 2, 3] }],
      }),
    ).rejects.toThrow(/3 values, but run .* has 20 segments/);
    const saved = await s.api.saveRunScores({ run: record.id, ...scored });
    expect(saved.state).toBe('complete');
    expect(saved.scores.map((x) => x.name)).toEqual(['BLEU', 'chrF2', 'PPL']);
    const page = await s.api.getRunSegments({ run: record.id, offset: 18, limit: 10 });
    expect(page.total).toBe(20);
    expect(page.rows).toHaveLength(2);
    expect(page.rows[0].line).toBe(19);
    expect(Object.keys(page.rows[0].scores)).toEqual(scored.segments.map((x) => x.name));
  });

  it('skips an identical evaluation unless forced', async () => {
    const [again] = await s.api.evaluate({
      systems: [MODEL],
      datasets: [{ dataset }],
      metrics: ['perplexity', 'chrf', 'bleu'],
      tags: [],
    });
    expect(again).toMatchObject({ state: 'done', runId: record.id, position: null });
    expect(again.message).toMatch(/identical run/);
    // A different setting is a different evaluation.
    const [beam] = await s.api.evaluate({
      systems: [{ ...MODEL, beam: 2 }],
      datasets: [{ dataset }],
      metrics: ['bleu'],
      tags: [],
      force: false,
    });
    expect(beam.state).not.toBe('done');
    await s.api.cancelJob(beam.jobId);
    await s.queue.wait(beam.jobId).catch(() => undefined);
  });

  it('refuses requests it cannot run, naming what to fix, and queues nothing', async () => {
    const before = (await s.api.listJobs()).length;
    await expect(
      s.api.evaluate({
        systems: [{ type: 'model', model: 'nope' }],
        datasets: [{ dataset }],
        metrics: ['bleu'],
      }),
    ).rejects.toThrow(/No model "nope"/);
    await expect(
      s.api.evaluate({
        systems: [MODEL],
        datasets: [{ dataset, split: 'valid' }],
        metrics: ['bleu'],
      }),
    ).rejects.toThrow(/has no split "valid"/);
    await expect(
      s.api.evaluate({ systems: [MODEL], datasets: [{ dataset }], metrics: [] }),
    ).rejects.toThrow(/choose at least one metric/);
    expect((await s.api.listJobs()).length).toBe(before);
    expect(existsSync(join(s.root, 'runs', 'queue.json'))).toBe(true);
  });
});

describe('a language model', () => {
  it('is scored with sliding windows over each text, and only for perplexity', async () => {
    writeFileSync(join(s.root, 'lm.txt'), tinyRows(8).sources.join('\n') + '\n');
    const manifest = await s.api.importDataset({
      name: 'lm text',
      kind: 'language-modelling',
      format: 'text',
      sourceFile: { path: join(s.root, 'lm.txt') },
    });
    await writeFixtureCheckpoint(join(s.root, 'models', 'lm'), TINY_LM);
    const system = { type: 'model' as const, model: 'lm' };
    await expect(
      s.api.evaluate({
        systems: [system],
        datasets: [{ dataset: manifest.id }],
        metrics: ['bleu'],
      }),
    ).rejects.toThrow(/has no references, so bleu cannot be computed/);
    await expect(
      s.api.evaluate({ systems: [system], datasets: [{ dataset }], metrics: ['perplexity'] }),
    ).rejects.toThrow(/is a language model \(decoder-only\): it cannot translate/);
    // The evaluation itself, in this process (the child runs the same function).
    const outDir = mkdtempSync(join(s.root, 'lm-out-'));
    const result = await evaluateModel({
      modelDir: join(s.root, 'models', 'lm'),
      spec: {
        type: 'model',
        model: 'lm',
        precision: 'fp32',
        provider: 'cpu',
        beam: 1,
        lengthPenalty: 1,
        batchSize: 4,
      },
      splitFile: join(s.root, 'datasets', manifest.id, findSplit(manifest, 'test').file),
      datasetKind: 'language-modelling',
      metrics: ['perplexity'],
      outDir,
      energy: 'off',
    });
    expect(result.energy).toBeNull();
    expect(result.energyNote).toMatch(/turned off/);
    expect(result.settings).toMatchObject({ window: 24, stride: 12 });
    const { records, errors } = parsePerplexityJsonl(
      readFileSync(join(outDir, 'logprobs.jsonl'), 'utf8'),
    );
    expect(errors).toEqual([]);
    expect(records.map((r) => r.text)).toEqual(tinyRows(8).sources);
    // Every token and </s> is scored once.
    expect(records[0].logprobs).toHaveLength(tinyRows(1).sources[0].split(' ').length + 1);
    expect(readFileSync(join(outDir, 'outputs.txt'), 'utf8')).toBe('\n'.repeat(8));
    expect(result.throughput.outputTokens).toBe(records.reduce((a, r) => a + r.logprobs.length, 0));
  });
});
