// onnxruntime against the TypeScript reference on the same checkpoint: fp32 logits within 1e-4
// (encoder-decoder and decoder-only, padded batches), fp16/int8 close, int8 files ≥ 3× smaller,
// and damaged exports rejected with a clear error.
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Checkpoint } from '../../../main/services/model/onnx/checkpoint';
import { CheckpointError, loadCheckpoint } from '../../../main/services/model/onnx/checkpoint';
import {
  buildOnnxModels,
  exportOnnx,
  readExportManifest,
} from '../../../main/services/model/onnx/export';
import type { ExportOptions } from '../../../main/services/model/onnx/export';
import { referenceLogits, referenceMemory } from '../../../main/services/model/onnx/reference';
import { LanguageModel, Seq2SeqModel } from '../../../main/services/model/onnx/runtime';
import { createSession, openExport } from '../../../main/services/model/onnx/session';
import { writeRandomCheckpoint } from '../../../main/services/model/onnx/random-checkpoint';
import {
  TINY_LM,
  TINY_SEQ2SEQ,
  tempDir,
  writeFixtureCheckpoint,
} from '../../fixtures/model/checkpoints';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

// A fixed batch with padding on both sides (rows of different lengths).
const SRC = [
  [5, 6, 7, 8, 9, 10, 2],
  [11, 12, 2],
  [13, 14, 15, 16, 2],
];
const TGT = [
  [1, 20, 21, 22, 23],
  [1, 24],
  [1, 25, 26, 27, 28, 29, 30],
];

/** Largest |a − b| over real (non-pad) target positions of [batch, length, vocab] logits. */
function maxDiff(a: Float32Array, b: Float32Array, rows: number[][], vocab: number): number {
  const length = Math.max(...rows.map((r) => r.length));
  let max = 0;
  rows.forEach((row, r) => {
    for (let t = 0; t < row.length; t++) {
      for (let v = 0; v < vocab; v++) {
        const i = (r * length + t) * vocab + v;
        max = Math.max(max, Math.abs(a[i] - b[i]));
      }
    }
  });
  return max;
}

async function onnxLogits(
  checkpoint: Checkpoint,
  options: ExportOptions,
  name: string,
): Promise<Float32Array> {
  const { dir } = await exportOnnx(checkpoint, { ...options, outDir: join(tmp.dir, name) });
  const opened = await openExport(dir, { provider: 'cpu', intraOpThreads: 1 });
  try {
    if (checkpoint.config.kind === 'encoder-decoder') {
      const model = await Seq2SeqModel.create(opened);
      return await model.logits(await model.encode(SRC), TGT);
    }
    const model = await LanguageModel.create(opened);
    return await model.logits(TGT);
  } finally {
    await opened.release();
  }
}

describe.each([
  ['encoder-decoder', TINY_SEQ2SEQ],
  ['decoder-only', TINY_LM],
] as const)('%s export', (kind, config) => {
  let checkpoint: Checkpoint;
  let reference: Float32Array;
  beforeAll(async () => {
    checkpoint = await loadCheckpoint(await writeFixtureCheckpoint(join(tmp.dir, kind), config));
    reference = referenceLogits(checkpoint, kind === 'encoder-decoder' ? SRC : null, TGT).data;
  });

  it('fp32 logits match the reference within 1e-4', async () => {
    const logits = await onnxLogits(checkpoint, { precision: 'fp32' }, `${kind}-fp32`);
    expect(maxDiff(logits, reference, TGT, config.vocabSize)).toBeLessThan(1e-4);
  });

  it('fp32 with standard opset-17 attention matches too', async () => {
    const logits = await onnxLogits(
      checkpoint,
      { precision: 'fp32', attention: 'standard' },
      `${kind}-std`,
    );
    expect(maxDiff(logits, reference, TGT, config.vocabSize)).toBeLessThan(1e-4);
  });

  it('fp16 (storage, and float16 compute) stays close', async () => {
    const storage = await onnxLogits(checkpoint, { precision: 'fp16' }, `${kind}-fp16`);
    const compute = await onnxLogits(
      checkpoint,
      { precision: 'fp16', fp16Compute: true },
      `${kind}-fp16c`,
    );
    expect(maxDiff(storage, reference, TGT, config.vocabSize)).toBeLessThan(1e-2);
    expect(maxDiff(compute, reference, TGT, config.vocabSize)).toBeLessThan(2e-2);
  });

  it('int8 (both kernels) stays close', async () => {
    for (const int8Kernel of ['DynamicQuantizeMatMul', 'MatMulInteger'] as const) {
      const logits = await onnxLogits(
        checkpoint,
        { precision: 'int8', int8Kernel },
        `${kind}-${int8Kernel}`,
      );
      expect(maxDiff(logits, reference, TGT, config.vocabSize)).toBeLessThan(0.25);
    }
  });
});

describe('encoder memory', () => {
  it('matches the reference encoder output', async () => {
    const checkpoint = await loadCheckpoint(join(tmp.dir, 'encoder-decoder'));
    const { dir } = await exportOnnx(checkpoint, {
      precision: 'fp32',
      outDir: join(tmp.dir, 'mem'),
    });
    const model = await Seq2SeqModel.create(await openExport(dir, { provider: 'cpu' }));
    const encoded = await model.encode(SRC, { memory: true });
    await model.release();
    const expected = referenceMemory(checkpoint, SRC);
    const d = checkpoint.config.dModel;
    let max = 0;
    SRC.forEach((row, b) => {
      for (let t = 0; t < row.length; t++) {
        for (let j = 0; j < d; j++) {
          const i = (b * encoded.srcLen + t) * d + j;
          max = Math.max(max, Math.abs(encoded.memory![i] - expected[i]));
        }
      }
    });
    expect(max).toBeLessThan(1e-4);
  });
});

describe('export files', () => {
  it('int8 is at least 3× smaller than fp32, fp16 about 2×', async () => {
    const dir = join(tmp.dir, 'sized');
    await writeRandomCheckpoint(
      dir,
      {
        kind: 'encoder-decoder',
        vocabSize: 1000,
        dModel: 64,
        heads: 4,
        encoderLayers: 1,
        decoderLayers: 1,
        ffDim: 256,
        maxLength: 64,
      },
      { seed: 2 },
    );
    const checkpoint = await loadCheckpoint(dir);
    const size = (options: ExportOptions) =>
      buildOnnxModels(checkpoint, options).reduce((n, m) => n + m.bytes.length, 0);
    const fp32 = size({ precision: 'fp32' });
    expect(fp32 / size({ precision: 'int8' })).toBeGreaterThanOrEqual(3);
    expect(fp32 / size({ precision: 'fp16' })).toBeGreaterThan(1.8);
  });

  it('records each file, replaces an older export and removes its files', async () => {
    const checkpoint = await loadCheckpoint(join(tmp.dir, 'encoder-decoder'));
    const out = join(tmp.dir, 'replace');
    const first = await exportOnnx(checkpoint, { precision: 'int8', outDir: out });
    const second = await exportOnnx(checkpoint, {
      precision: 'int8',
      int8Kernel: 'MatMulInteger',
      outDir: out,
    });
    const manifest = await readExportManifest(out);
    expect(manifest.files.map((f) => f.role)).toEqual(['encoder', 'decoder']);
    expect(manifest.totalBytes).toBe(second.manifest.totalBytes);
    expect(manifest.options.int8Kernel).toBe('MatMulInteger');
    for (const f of first.manifest.files) {
      expect(() => readFileSync(join(out, f.file))).toThrow();
    }
  });

  it('rejects a truncated or corrupted .onnx file with a clear error', async () => {
    const checkpoint = await loadCheckpoint(join(tmp.dir, 'encoder-decoder'));
    const out = join(tmp.dir, 'damaged');
    const { manifest } = await exportOnnx(checkpoint, { precision: 'fp32', outDir: out });
    const decoder = join(out, manifest.files[1].file);
    const bytes = readFileSync(decoder);
    truncateSync(decoder, 1000);
    await expect(openExport(out)).rejects.toThrow(
      /decoder-[0-9a-f]+\.onnx: truncated: 1000 bytes, export\.json records \d+\. Run `ecoeval export` again/,
    );
    bytes[bytes.length - 5] ^= 0xff;
    writeFileSync(decoder, bytes);
    await expect(openExport(out)).rejects.toThrow(
      /corrupt: its sha256 does not match export\.json/,
    );
    // Bytes that are not a model at all, handed straight to onnxruntime.
    const error = await createSession(bytes.subarray(0, 1000), 'cut.onnx', 'cpu').catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as Error).message).toMatch(/^cut\.onnx: onnxruntime cannot load this model/);
  });
});
