/**
 * Inference speed of the ONNX export (issue 5, item 10): the `small` preset (d 128, 4 heads,
 * 2 + 2 layers, ff 512, vocabulary 4,000, untied generator) with seeded random weights,
 * batch 32 × source/target length 32, on onnxruntime-node with 2 intra-op threads, against the
 * PyTorch CPU figures in design/model-speed.md. Tokens/s count target tokens. Greedy decoding runs
 * a fixed 32 steps per row (random weights would stop rows at arbitrary </s>) both with the
 * key/value cache and without it (re-running the prefix each step, as the reference runs did).
 * Also records each precision's file size and its largest logit difference from fp32.
 * ECOEVAL_BENCH_MODEL_REPS sets the timed repetitions (default 7; the median is reported).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCheckpoint } from '../../main/services/model/onnx/checkpoint';
import type { Checkpoint } from '../../main/services/model/onnx/checkpoint';
import { BOS_ID, EOS_ID } from '../../main/services/model/onnx/config';
import type { ModelConfig } from '../../main/services/model/onnx/config';
import { exportOnnx } from '../../main/services/model/onnx/export';
import type { ExportOptions } from '../../main/services/model/onnx/export';
import {
  writeRandomCheckpoint,
  seededRandom,
} from '../../main/services/model/onnx/random-checkpoint';
import { Seq2SeqModel } from '../../main/services/model/onnx/runtime';
import { openExport } from '../../main/services/model/onnx/session';
import type { BenchFigure, BenchSuite } from './types';

const SMALL: ModelConfig = {
  kind: 'encoder-decoder',
  vocabSize: 4000,
  dModel: 128,
  heads: 4,
  encoderLayers: 2,
  decoderLayers: 2,
  ffDim: 512,
  dropout: 0.1,
  maxLength: 128,
  tiedEmbeddings: false,
  layerNormEps: 1e-5,
};
const BATCH = 32;
const LENGTH = 32;
const THREADS = 2;
/** design/model-speed.md, small preset, PyTorch 1.13.1 CPU with OpenBLAS, 2 threads. */
const PYTORCH = { forward: 31_070, greedy32: 3_783, greedy1: 714 };
const GOAL: Record<string, number> = { fp32: 1.5, int8: 2 };

function batchOf(rows: number, seed: number): number[][] {
  const random = seededRandom(seed);
  return Array.from({ length: rows }, () => [
    ...Array.from({ length: LENGTH - 1 }, () => 4 + Math.floor(random() * (SMALL.vocabSize - 4))),
    EOS_ID,
  ]);
}

/** CPU seconds this process used per wall second while timing: the cores it actually got. */
const usage = { cpu: 0, wall: 0 };
/** CPU seconds per repetition of the last `median` call: a cost that load distorts far less. */
let lastCpuPerRep = 0;

async function median(reps: number, fn: () => Promise<void>): Promise<number> {
  await fn(); // warm-up: first runs pay for allocation and kernel selection
  const times: number[] = [];
  const cpu = process.cpuUsage();
  const wall = performance.now();
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  const used = process.cpuUsage(cpu);
  lastCpuPerRep = (used.user + used.system) / 1e6 / reps;
  usage.cpu += (used.user + used.system) / 1e6;
  usage.wall += (performance.now() - wall) / 1000;
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] / 1000;
}

/** Encoder once, then `LENGTH` greedy steps for every row (no early stop). */
async function greedy(model: Seq2SeqModel, src: number[][], cache: boolean): Promise<void> {
  const encoded = await model.encode(src);
  const stepper = model.stepper(
    encoded,
    src.map((_, i) => i),
    { cache },
  );
  let tokens = src.map(() => BOS_ID);
  for (let step = 0; step < LENGTH; step++) {
    const logits = await stepper.step(tokens);
    tokens = tokens.map((_, r) => {
      let best = 4;
      for (let v = 4; v < SMALL.vocabSize; v++) {
        if (logits[r * SMALL.vocabSize + v] > logits[r * SMALL.vocabSize + best]) best = v;
      }
      return best;
    });
  }
}

interface Variant {
  label: string;
  precision: 'fp32' | 'fp16' | 'int8';
  options: ExportOptions;
}

const VARIANTS: Variant[] = [
  { label: 'fp32', precision: 'fp32', options: { precision: 'fp32' } },
  { label: 'fp16', precision: 'fp16', options: { precision: 'fp16' } },
  { label: 'int8', precision: 'int8', options: { precision: 'int8' } },
  {
    label: 'int8 (MatMulInteger chain)',
    precision: 'int8',
    options: { precision: 'int8', int8Kernel: 'MatMulInteger' },
  },
  {
    label: 'fp16 (float16 compute)',
    precision: 'fp16',
    options: { precision: 'fp16', fp16Compute: true },
  },
];

async function measure(
  checkpoint: Checkpoint,
  root: string,
  variant: Variant,
  reps: number,
  log: (line: string) => void,
  fp32Logits: Float32Array | null,
) {
  const { dir, manifest } = await exportOnnx(checkpoint, {
    ...variant.options,
    outDir: join(root, variant.label.replace(/\W+/g, '-')),
  });
  const opened = await openExport(dir, { provider: 'cpu', intraOpThreads: THREADS });
  const model = await Seq2SeqModel.create(opened);
  try {
    const src = batchOf(BATCH, 11);
    const tgt = batchOf(BATCH, 12).map((r) => [BOS_ID, ...r.slice(0, LENGTH - 1)]);
    const encoded = await model.encode(src);
    const logits = await model.logits(encoded, tgt);
    let maxDiff = 0;
    if (fp32Logits) {
      for (let i = 0; i < logits.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(logits[i] - fp32Logits[i]));
      }
    }
    const forward = await median(reps, async () => {
      await model.logits(await model.encode(src), tgt);
    });
    const small = src.slice(0, 1);
    const g32 = await median(Math.max(3, reps >> 1), () => greedy(model, src, true));
    const g32PerCpuSecond = (BATCH * LENGTH) / lastCpuPerRep;
    const g1 = await median(reps, () => greedy(model, small, true));
    const g32u = await median(Math.max(3, reps >> 1), () => greedy(model, src, false));
    const g1u = await median(reps, () => greedy(model, small, false));
    const figures = {
      forward: (BATCH * LENGTH) / forward,
      greedy32: (BATCH * LENGTH) / g32,
      greedy32PerCpuSecond: g32PerCpuSecond,
      greedy1: LENGTH / g1,
      greedy32Uncached: (BATCH * LENGTH) / g32u,
      greedy1Uncached: LENGTH / g1u,
    };
    log(
      `${variant.label.padEnd(28)} ${String(manifest.totalBytes).padStart(9)} B  forward ${Math.round(figures.forward)}  greedy b32 ${Math.round(figures.greedy32)} (uncached ${Math.round(figures.greedy32Uncached)})  b1 ${Math.round(figures.greedy1)} (uncached ${Math.round(figures.greedy1Uncached)}) tokens/s${fp32Logits ? `  max |Δlogit| vs fp32 ${maxDiff.toExponential(2)}` : ''}`,
    );
    return { logits, figures, bytes: manifest.totalBytes, maxDiff };
  } finally {
    await model.release();
  }
}

export const suite: BenchSuite = async (log) => {
  const reps = Number(process.env.ECOEVAL_BENCH_MODEL_REPS ?? 7);
  const root = mkdtempSync(join(tmpdir(), 'ecoeval-bench-model-'));
  try {
    await writeRandomCheckpoint(join(root, 'small'), SMALL, { seed: 5 });
    const checkpoint = await loadCheckpoint(join(root, 'small'));
    log(
      `small preset, random weights, batch ${BATCH} × length ${LENGTH}, onnxruntime-node CPU, ${THREADS} intra-op threads, median of ${reps}`,
    );
    log(
      `load average before: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} on ${cpus().length} cores`,
    );
    const figures: BenchFigure[] = [];
    let fp32: Awaited<ReturnType<typeof measure>> | null = null;
    for (const variant of VARIANTS) {
      const result = await measure(checkpoint, root, variant, reps, log, fp32?.logits ?? null);
      if (variant.label === 'fp32') fp32 = result;
      const goal = variant.label === variant.precision ? GOAL[variant.precision] : undefined;
      const rows: [string, keyof typeof result.figures, number | null][] = [
        ['teacher-forced forward, batch 32', 'forward', PYTORCH.forward],
        ['greedy decode with KV cache, batch 32', 'greedy32', PYTORCH.greedy32],
        ['greedy decode with KV cache, batch 1', 'greedy1', PYTORCH.greedy1],
        ['greedy decode without cache, batch 32', 'greedy32Uncached', PYTORCH.greedy32],
        ['greedy decode without cache, batch 1', 'greedy1Uncached', PYTORCH.greedy1],
      ];
      figures.push({
        name: `onnxruntime ${variant.label}: greedy decode with KV cache, batch 32, per CPU-second (compares kernels under load)`,
        value: Math.round(result.figures.greedy32PerCpuSecond),
        unit: 'tokens/CPU-s',
      });
      for (const [name, key, reference] of rows) {
        const value = result.figures[key];
        const ratio = reference ? value / reference : undefined;
        figures.push({
          name: `onnxruntime ${variant.label}: ${name}`,
          value: Math.round(value),
          unit: 'tokens/s',
          ...(reference
            ? {
                reference: {
                  label: 'PyTorch CPU (no KV cache)',
                  value: reference,
                  unit: 'tokens/s',
                },
              }
            : {}),
          ...(ratio !== undefined ? { ratio } : {}),
          // Goals apply to what the app runs (cached); uncached rows are the like-for-like view.
          ...(goal !== undefined && ratio !== undefined && !key.endsWith('Uncached')
            ? { goal: `≥ ${goal}× PyTorch`, met: ratio >= goal }
            : {}),
        });
      }
      figures.push({ name: `ONNX files, ${variant.label}`, value: result.bytes, unit: 'bytes' });
      if (fp32 && variant.label !== 'fp32') {
        figures.push({
          name: `max |logit − fp32 logit|, ${variant.label}`,
          value: result.maxDiff,
          unit: 'logit',
        });
      }
    }
    const cores = usage.cpu / usage.wall;
    log(
      `cores this process got while timing: ${cores.toFixed(2)} of ${cpus().length} (below ${THREADS}: other work shared the CPU and the ratios understate onnxruntime)`,
    );
    figures.push({
      name: 'CPU cores used while timing (CPU time / wall time)',
      value: cores,
      unit: 'cores',
    });
    const int8 = figures.find((f) => f.name === 'ONNX files, int8');
    if (fp32 && int8) {
      const ratio = fp32.bytes / int8.value;
      figures.push({
        name: 'int8 size reduction (fp32 bytes / int8 bytes)',
        value: ratio,
        unit: '×',
        goal: '≥ 3×',
        met: ratio >= 3,
      });
    }
    return figures;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
};
