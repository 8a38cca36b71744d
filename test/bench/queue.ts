/**
 * Overhead of the measured-job machinery (issue 6): the same small evaluation — a random
 * encoder-decoder checkpoint (d 16, 2 + 2 layers) translating 100 segments greedily, batch 16 —
 * run directly in this process (`evaluateModel`), and through the app's path: the measured queue,
 * a staging folder committed by rename, and the evaluator child process (forked through tsx from
 * sources, as `npm run bench` runs). Both without the evaluation's own energy windows, so only
 * the machinery differs. Reports the extra wall seconds per job and the extra energy as the
 * energy module measures it around each job (on a machine without energy counters that figure is
 * the CPU-time × TDP estimate, and is labelled so). ECOEVAL_BENCH_QUEUE_REPS sets the repetitions
 * (default 3; medians are reported).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAppServices } from '../../main/app';
import { validatedApi } from '../../main/bridge/direct';
import { createEnergyMonitor } from '../../main/services/energy/monitor';
import type { EnergyMonitor } from '../../main/services/energy/monitor';
import { writeRandomCheckpoint } from '../../main/services/model/onnx/random-checkpoint';
import { evaluateModel } from '../../main/services/runs/model-evaluation';
import { findSplit } from '../../main/services/datasets/service';
import type { ModelSystemSpec } from '../../shared/api/types';
import { TINY_SEQ2SEQ } from '../fixtures/model/checkpoints';
import { fixtureWords, wordLevelTokenizerJson } from '../fixtures/model/tokenizer';
import { pathHost } from '../helpers/services';
import type { BenchFigure, BenchSuite } from './types';

const SEGMENTS = 100;
const REPS = Number(process.env.ECOEVAL_BENCH_QUEUE_REPS ?? 3);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

interface Sample {
  seconds: number;
  joules: number | null;
  estimate: boolean;
}

/** Times `work` inside an energy window of the bench's own monitor (this process's tree). */
async function measured(monitor: EnergyMonitor | null, work: () => Promise<void>): Promise<Sample> {
  const handle = monitor ? await monitor.begin('bench job', 'evaluate') : null;
  const started = performance.now();
  await work();
  const seconds = (performance.now() - started) / 1000;
  if (!monitor || !handle) return { seconds, joules: null, estimate: true };
  const figure = await monitor.end(handle);
  if (figure.status !== 'complete') return { seconds, joules: null, estimate: true };
  const estimate = !figure.perComponent.every(
    (c) => c.method === 'counter' || c.method === 'integrated',
  );
  return { seconds, joules: figure.joules, estimate };
}

export const suite: BenchSuite = async (log) => {
  const root = mkdtempSync(join(tmpdir(), 'ecoeval-bench-queue-'));
  const services = await createAppServices({
    workspaceDir: root,
    host: pathHost(root),
    evaluation: { energy: 'off' },
  });
  const api = validatedApi(services.handlers);
  let monitor: EnergyMonitor | null = null;
  try {
    const words = fixtureWords(TINY_SEQ2SEQ.vocabSize - 4);
    const sources = Array.from({ length: SEGMENTS }, (_, i) =>
      Array.from({ length: 4 + (i % 9) }, (_, j) => words[(i * 7 + j * 3) % words.length]).join(
        ' ',
      ),
    );
    writeFileSync(join(root, 'src.txt'), sources.join('\n') + '\n');
    writeFileSync(
      join(root, 'ref.txt'),
      sources.map((s) => s.split(' ').reverse().join(' ')).join('\n') + '\n',
    );
    const manifest = await api.importDataset({
      name: 'bench set',
      kind: 'translation',
      format: 'text',
      sourceFile: { path: join(root, 'src.txt') },
      referenceFiles: [{ path: join(root, 'ref.txt') }],
    });
    await writeRandomCheckpoint(join(root, 'models', 'tiny'), TINY_SEQ2SEQ, {
      seed: 7,
      tokenizerJson: wordLevelTokenizerJson(words),
    });
    const spec: ModelSystemSpec = {
      type: 'model',
      model: 'tiny',
      precision: 'fp32',
      provider: 'cpu',
      beam: 1,
      lengthPenalty: 1,
      batchSize: 16,
    };
    const split = findSplit(manifest, 'test');
    const direct = async () => {
      const outDir = mkdtempSync(join(root, 'direct-'));
      await evaluateModel({
        modelDir: join(root, 'models', 'tiny'),
        spec,
        splitFile: join(root, 'datasets', manifest.id, split.file),
        datasetKind: 'translation',
        metrics: ['bleu'],
        outDir,
        energy: 'off',
      });
      rmSync(outDir, { recursive: true, force: true });
    };
    const queued = async () => {
      const [job] = await api.evaluate({
        systems: [spec],
        datasets: [{ dataset: manifest.id }],
        metrics: ['bleu'],
        force: true,
      });
      await services.queue.wait(job.jobId);
    };
    // Warm-up: the ONNX export is written once, onnxruntime and the tokenizer are loaded here.
    await direct();
    try {
      monitor = await createEnergyMonitor({ sampler: { trackPid: process.pid } });
    } catch (error) {
      log(`queue: no energy monitor (${(error as Error).message}); timing only`);
    }
    const a: Sample[] = [];
    const b: Sample[] = [];
    for (let i = 0; i < REPS; i++) {
      a.push(await measured(monitor, direct));
      b.push(await measured(monitor, queued));
      log(
        `queue: rep ${i + 1}: direct ${a[i].seconds.toFixed(2)} s, queued ${b[i].seconds.toFixed(2)} s` +
          (a[i].joules !== null && b[i].joules !== null
            ? `; ${a[i].joules!.toFixed(1)} J vs ${b[i].joules!.toFixed(1)} J`
            : ''),
      );
    }
    const directS = median(a.map((x) => x.seconds));
    const queuedS = median(b.map((x) => x.seconds));
    log(
      `queue: ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, load ${loadavg()[0].toFixed(1)}; ${REPS} reps, medians`,
    );
    const figures: BenchFigure[] = [
      {
        name: `evaluation of ${SEGMENTS} segments in-process (tiny random model, greedy, batch 16)`,
        value: directS,
        unit: 's',
      },
      {
        name: `same evaluation through the measured queue + evaluator child (tsx from sources)`,
        value: queuedS,
        unit: 's',
        reference: { label: 'in-process', value: directS, unit: 's' },
        ratio: queuedS / directS,
      },
      {
        name: 'job-machinery overhead per evaluation (queue, staging + commit, child start)',
        value: queuedS - directS,
        unit: 's',
        goal: '< 5 s per job',
        met: queuedS - directS < 5,
      },
    ];
    if (a.every((x) => x.joules !== null) && b.every((x) => x.joules !== null)) {
      const estimate = [...a, ...b].some((x) => x.estimate);
      const directJ = median(a.map((x) => x.joules!));
      const queuedJ = median(b.map((x) => x.joules!));
      figures.push({
        name: `extra energy per evaluation through the queue${estimate ? ' — ESTIMATE (CPU time × TDP and RAM model, −50 %/+100 %), not a measurement' : ' (measured: counters)'}`,
        value: queuedJ - directJ,
        unit: 'J',
        reference: { label: 'in-process', value: directJ, unit: 'J' },
        ratio: queuedJ / directJ,
      });
    }
    return figures;
  } finally {
    await monitor?.close();
    await services.queue.close();
    rmSync(root, { recursive: true, force: true });
  }
};
