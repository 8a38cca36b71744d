/**
 * Training and tfjs inference speed of the seed Transformer (issue 5, item 10): the `small`
 * preset (d 128, 4 heads, 2 + 2 layers, ff 512, vocabulary 4,000, generator projection, dropout
 * 0.1) with seeded random weights, batch 32 × source/target length 32, against the PyTorch CPU
 * figures in design/model-speed.md. Tokens/s count target tokens. A training step is forward,
 * backward and the Adam update. Greedy decoding runs a fixed 32 steps per row without a key/value
 * cache, as the reference did. The wasm backend is measured with its kernels as shipped (only in
 * this process, for the comparison; the model's fused ops apply either way) and with our kernel
 * fixes; tfjs-node(-gpu) is measured when it is installed. Each training figure also gives CPU
 * milliseconds per step (all threads), which depend far less than wall time on what else the
 * machine runs; the "CPU-time bound" figure is the rate two idle cores would give.
 * ECOEVAL_BENCH_TRAIN_REPS sets the timed repetitions (default 5; the median is reported).
 */
import { cpus, loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../main/services/model/backend';
import type { BackendReport } from '../../main/services/model/backend';
import { BOS_ID, EOS_ID, presetConfig } from '../../main/services/model/config';
import { generate } from '../../main/services/model/decode';
import { Adam } from '../../main/services/model/optimizer';
import { DataParallel } from '../../main/services/model/parallel';
import type { ShardIds } from '../../main/services/model/parallel-protocol';
import { Rng } from '../../main/services/model/rng';
import { Transformer } from '../../main/services/model/transformer';
import { patchWasmKernels } from '../../main/services/model/wasm-patches';
import type { BenchFigure, BenchSuite } from './types';

const BATCH = 32;
const LENGTH = 32;
const CONFIG = presetConfig('small', { tiedEmbeddings: false, vocabSize: 4000 });
/** design/model-speed.md, small preset, PyTorch 1.13.1 CPU with OpenBLAS, 2 threads. */
const PYTORCH = { train: 7_051, forward: 31_070, greedy32: 3_783, greedy1: 714 };
/** design/model-speed.md: tfjs 4.22 wasm as shipped and with the BatchMatMul fix. */
const TFJS_NOTES = { shipped: 308, fixed: 968 };

function rows(count: number, seed: number): number[][] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, () =>
    Array.from({ length: LENGTH - 1 }, () => 4 + rng.int(CONFIG.vocabSize - 4)),
  );
}

const usage = { cpu: 0, wall: 0 };

interface Timing {
  /** Median wall seconds per repetition. */
  wall: number;
  /** Median CPU seconds per repetition, all threads of the process (workers included). */
  cpu: number;
}

async function median(reps: number, fn: () => Promise<void>): Promise<Timing> {
  await fn(); // warm-up: allocation, kernel set-up, wasm tier-up
  const times: number[] = [];
  const cpuTimes: number[] = [];
  const cpu = process.cpuUsage();
  const wall = performance.now();
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    const c = process.cpuUsage();
    await fn();
    const used = process.cpuUsage(c);
    cpuTimes.push((used.user + used.system) / 1e6);
    times.push(performance.now() - t);
  }
  const used = process.cpuUsage(cpu);
  usage.cpu += (used.user + used.system) / 1e6;
  usage.wall += (performance.now() - wall) / 1000;
  const mid = (values: number[]) =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  return { wall: mid(times) / 1000, cpu: mid(cpuTimes) };
}

/** The same training step with the batch split over this thread and one worker thread. */
async function measureParallel(reps: number, log: (l: string) => void): Promise<Timing> {
  const model = Transformer.create(CONFIG, 5);
  const adam = new Adam(model.params, { beta1: 0.9, beta2: 0.98, epsilon: 1e-9, clipNorm: 1 });
  const parallel = await DataParallel.start(1, CONFIG, 'wasm', adam.weights());
  const src = rows(BATCH, 11).map((r) => [...r, EOS_ID]);
  const tgt = rows(BATCH, 12);
  const half = (from: number, to: number): ShardIds => {
    const n = to - from;
    const matrix = (m: number[][]) => ({
      data: Int32Array.from(m.slice(from, to).flat()),
      shape: [n, m[0].length] as [number, number],
    });
    return {
      src: matrix(src),
      tgtIn: matrix(tgt.map((r) => [BOS_ID, ...r])),
      tgtOut: matrix(tgt.map((r) => [...r, EOS_ID])),
    };
  };
  const shards = [half(0, BATCH / 2), half(BATCH / 2, BATCH)];
  let step = 0;
  try {
    const timing = await median(reps, async () => {
      step++;
      const combined = await parallel.gradients(model, shards, [step, step + 1e6], 0.1);
      adam.applyHost(combined.grads, 1e-4);
      parallel.publish(adam.weights());
    });
    log(
      `${'wasm + fixes, 2 threads (data parallel)'.padEnd(34)} train ${Math.round((BATCH * LENGTH) / timing.wall)} target tokens/s (${Math.round(timing.cpu * 1000)} CPU-ms per step, both threads)`,
    );
    return timing;
  } finally {
    await parallel.close();
    model.dispose();
  }
}

interface Measured {
  train: number;
  /** CPU milliseconds per training step (one thread). */
  trainCpuMs: number;
  forward: number;
  greedy32: number;
  greedy1: number;
  cached32: number;
  cached1: number;
}

async function measure(
  label: string,
  reps: number,
  log: (l: string) => void,
  withDecode: boolean,
): Promise<Measured> {
  const model = Transformer.create(CONFIG, 5);
  const adam = new Adam(model.params, { beta1: 0.9, beta2: 0.98, epsilon: 1e-9, clipNorm: 1 });
  const src = rows(BATCH, 11).map((r) => [...r, EOS_ID]);
  const tgt = rows(BATCH, 12);
  const batch = {
    src: tf.tensor2d(src, undefined, 'int32'),
    tgtIn: tf.tensor2d(
      tgt.map((r) => [BOS_ID, ...r]),
      undefined,
      'int32',
    ),
    tgtOut: tf.tensor2d(
      tgt.map((r) => [...r, EOS_ID]),
      undefined,
      'int32',
    ),
  };
  let step = 0;
  try {
    const train = await median(reps, async () => {
      step++;
      const { value, grads } = tf.variableGrads(
        () => model.loss(batch, { training: true, seed: step, labelSmoothing: 0.1 }).loss,
        model.trainables,
      );
      const byName = new Map([...model.params].map(([n, p]) => [n, grads[p.name]]));
      await adam.apply(byName, 1e-4);
      await value.data();
      tf.dispose([value, ...Object.values(grads)]);
    });
    const forward = await median(reps, async () => {
      const logits = model.logits(batch);
      await logits.data();
      logits.dispose();
    });
    const result: Measured = {
      train: (BATCH * LENGTH) / train.wall,
      trainCpuMs: train.cpu * 1000,
      forward: (BATCH * LENGTH) / forward.wall,
      greedy32: NaN,
      greedy1: NaN,
      cached32: NaN,
      cached1: NaN,
    };
    if (withDecode) {
      const sources = rows(BATCH, 13);
      const time = async (cache: boolean, batch: number[][], r: number) =>
        (
          await median(r, async () => {
            await generate(model, batch, {
              maxNewTokens: LENGTH,
              ignoreEos: true,
              batchSize: BATCH,
              cache,
            });
          })
        ).wall;
      const short = Math.max(2, reps >> 1);
      result.greedy32 = (BATCH * LENGTH) / (await time(false, sources, short));
      result.greedy1 = LENGTH / (await time(false, sources.slice(0, 1), reps));
      result.cached32 = (BATCH * LENGTH) / (await time(true, sources, short));
      result.cached1 = LENGTH / (await time(true, sources.slice(0, 1), reps));
    }
    log(
      `${label.padEnd(34)} train ${Math.round(result.train)} (${Math.round(result.trainCpuMs)} CPU-ms/step)  forward ${Math.round(result.forward)}${withDecode ? `  greedy b32 ${Math.round(result.greedy32)}  b1 ${Math.round(result.greedy1)} (KV cache: b32 ${Math.round(result.cached32)}  b1 ${Math.round(result.cached1)})` : ''} target tokens/s`,
    );
    return result;
  } finally {
    tf.dispose([batch.src, batch.tgtIn, batch.tgtOut]);
    model.dispose();
    adam.dispose();
  }
}

function figure(name: string, value: number, reference: number | null, goal?: number): BenchFigure {
  const ratio = reference ? value / reference : undefined;
  return {
    name,
    value: Math.round(value),
    unit: 'target tokens/s',
    ...(reference
      ? {
          reference: {
            label: 'PyTorch 1.13 CPU, 2 threads (model-speed.md)',
            value: reference,
            unit: 'target tokens/s',
          },
        }
      : {}),
    ...(ratio !== undefined ? { ratio: Number(ratio.toFixed(3)) } : {}),
    ...(goal !== undefined && ratio !== undefined
      ? { goal: `≥ ${goal}× PyTorch`, met: ratio >= goal }
      : {}),
  };
}

export const suite: BenchSuite = async (log) => {
  const reps = Number(process.env.ECOEVAL_BENCH_TRAIN_REPS ?? 5);
  log(
    `small preset (untied generator), random weights, batch ${BATCH} × length ${LENGTH}, median of ${reps}; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} on ${cpus().length} cores`,
  );
  const figures: BenchFigure[] = [];
  // The best backend available here; its report says why the native ones did not load.
  const shippedReport: BackendReport = await selectBackend({ force: 'wasm', wasmPatches: false });
  // Kernels as shipped; the model's own fused ops (fused-ops.ts, fused-linear.ts) still apply.
  const shipped = await measure('wasm kernels as shipped', Math.max(2, reps >> 1), log, false);
  patchWasmKernels();
  const best = await measure('wasm with our kernel fixes', reps, log, true);
  const parallelTrain = await measureParallel(reps, log).catch((error: Error) => {
    log(`2 threads: not measured — ${error.message}`);
    return null;
  });
  log(`tfjs ${shippedReport.tfjsVersion}; ${shippedReport.wasm?.threadsReason ?? ''}`);
  log(
    `model-speed.md measured tfjs wasm at ${TFJS_NOTES.shipped} (shipped) and ${TFJS_NOTES.fixed} (BatchMatMul fix) tokens/s`,
  );
  figures.push(figure('tfjs wasm kernels as shipped: training step', shipped.train, PYTORCH.train));
  figures.push(
    figure('tfjs wasm + fixes: training step (fwd+bwd+Adam)', best.train, PYTORCH.train, 0.3),
  );
  if (parallelTrain !== null) {
    figures.push(
      figure(
        'tfjs wasm + fixes, 2 threads: training step',
        (BATCH * LENGTH) / parallelTrain.wall,
        PYTORCH.train,
        0.3,
      ),
    );
    // Wall time depends on what else the machine runs; CPU time per step much less. This is the
    // rate both cores would give if nothing else ran and the two threads overlapped fully.
    const cores = Math.min(2, cpus().length);
    figures.push(
      figure(
        `tfjs wasm + fixes, 2 threads: CPU-time bound (${cores} idle cores)`,
        (BATCH * LENGTH * cores) / parallelTrain.cpu,
        PYTORCH.train,
        0.3,
      ),
    );
  }
  figures.push(figure('tfjs wasm + fixes: teacher-forced forward', best.forward, PYTORCH.forward));
  figures.push(
    figure('tfjs wasm + fixes: greedy decode, batch 32, no cache', best.greedy32, PYTORCH.greedy32),
  );
  figures.push(
    figure('tfjs wasm + fixes: greedy decode, batch 1, no cache', best.greedy1, PYTORCH.greedy1),
  );
  figures.push(
    figure('tfjs wasm + fixes: greedy decode, batch 32, KV cache', best.cached32, PYTORCH.greedy32),
  );
  figures.push(
    figure('tfjs wasm + fixes: greedy decode, batch 1, KV cache', best.cached1, PYTORCH.greedy1),
  );
  for (const native of ['node', 'node-gpu'] as const) {
    const report = await selectBackend({ force: native }).catch((error: Error) => error);
    if (report instanceof Error) {
      log(`${native}: not measured — ${report.message}`);
      continue;
    }
    const m = await measure(`tfjs ${native}`, reps, log, true);
    figures.push(figure(`tfjs ${native}: training step`, m.train, PYTORCH.train, 0.3));
    figures.push(figure(`tfjs ${native}: greedy decode, batch 32`, m.greedy32, PYTORCH.greedy32));
  }
  log(
    `this process got ${(usage.cpu / Math.max(usage.wall, 1e-9)).toFixed(2)} cores of ${cpus().length} while timing (wasm runs one thread)`,
  );
  return figures;
};
