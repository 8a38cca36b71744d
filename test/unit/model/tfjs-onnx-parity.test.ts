// The trainer's tfjs model against onnxruntime, end to end: a small model trained a few real
// steps (so no weight is at its initial value), saved through the trainer's checkpoint writer,
// loaded by the ONNX loader, exported at fp32 and run in onnxruntime. Logits on a fixed padded
// batch agree within 1e-4 at every real position, for the encoder-decoder and the decoder-only
// kind. (onnx-parity.test.ts compares onnxruntime with the TypeScript reference; units.test.ts
// compares tfjs with that reference. This closes the triangle directly.)
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../main/services/model/backend';
import { BOS_ID, EOS_ID, PAD_ID, parameterCount } from '../../../main/services/model/config';
import type { ModelConfig } from '../../../main/services/model/config';
import { writeCheckpoint } from '../../../main/services/model/checkpoint';
import { disposeBatch, toBatch } from '../../../main/services/model/batching';
import type { Example } from '../../../main/services/model/batching';
import { shardGradients } from '../../../main/services/model/gradients';
import { Adam } from '../../../main/services/model/optimizer';
import { Transformer, initialWeights } from '../../../main/services/model/transformer';
import { loadCheckpoint } from '../../../main/services/model/onnx/checkpoint';
import { exportOnnx } from '../../../main/services/model/onnx/export';
import { LanguageModel, Seq2SeqModel } from '../../../main/services/model/onnx/runtime';
import { openExport } from '../../../main/services/model/onnx/session';
import { fixtureWords, wordLevelTokenizerJson } from '../../fixtures/model/tokenizer';
import { tempDir } from '../../helpers/temp';

const VOCAB = 48;

const BASE: ModelConfig = {
  kind: 'encoder-decoder',
  vocabSize: VOCAB,
  dModel: 32,
  heads: 4,
  encoderLayers: 2,
  decoderLayers: 2,
  ffDim: 64,
  dropout: 0.1,
  maxLength: 24,
  tiedEmbeddings: true,
  layerNormEps: 1e-5,
};

// Rows of different lengths, so both the source and the target carry right padding.
const SRC = [
  [5, 6, 7, 8, 9, 10, EOS_ID],
  [11, 12, EOS_ID],
  [13, 14, 15, 16, EOS_ID],
];
const TGT = [
  [BOS_ID, 20, 21, 22, 23],
  [BOS_ID, 24],
  [BOS_ID, 25, 26, 27, 28, 29, 30],
];

function padded(rows: number[][]): number[][] {
  const width = Math.max(...rows.map((r) => r.length));
  return rows.map((r) => [...r, ...Array<number>(width - r.length).fill(PAD_ID)]);
}

/** A deterministic toy corpus: copy-and-shift pairs, or plain sequences for the LM. */
function examples(config: ModelConfig): Example[] {
  return Array.from({ length: 12 }, (_, i) => {
    const len = 3 + (i % 5);
    const ids = Array.from({ length: len }, (_, j) => 4 + ((i * 7 + j * 3) % (VOCAB - 4)));
    const tgt = Int32Array.from([BOS_ID, ...ids.map((t) => 4 + ((t + 1) % (VOCAB - 4))), EOS_ID]);
    return config.kind === 'encoder-decoder'
      ? { src: Int32Array.from([...ids, EOS_ID]), tgt }
      : { src: null, tgt: Int32Array.from([BOS_ID, ...ids, EOS_ID]) };
  });
}

/** A few real Adam steps through the trainer's gradient path (dropout on, as in training). */
async function trainFewSteps(model: Transformer, config: ModelConfig): Promise<void> {
  const data = examples(config);
  const adam = new Adam(model.params, { beta1: 0.9, beta2: 0.98, epsilon: 1e-9, clipNorm: 1 });
  const all = data.map((_, i) => i);
  for (let step = 1; step <= 4; step++) {
    const { batch } = toBatch(data, all);
    try {
      const { grads } = await shardGradients(model, batch, step, 0.1);
      adam.applyHost(grads, 3e-3);
    } finally {
      disposeBatch(batch);
    }
  }
  adam.dispose();
}

/** Largest |a − b| over real (non-pad) target positions of two [batch, length, vocab] arrays. */
function maxDiff(a: Float32Array, b: Float32Array, rows: number[][], vocab: number): number {
  const width = Math.max(...rows.map((r) => r.length));
  let max = 0;
  rows.forEach((row, r) => {
    for (let t = 0; t < row.length; t++) {
      for (let v = 0; v < vocab; v++) {
        const i = (r * width + t) * vocab + v;
        max = Math.max(max, Math.abs(a[i] - b[i]));
      }
    }
  });
  return max;
}

let root: string;
beforeAll(async () => {
  await selectBackend({ force: 'wasm' });
  root = await tempDir('ecoeval-tfjs-onnx-');
});

describe.each([
  ['encoder-decoder, tied', BASE],
  ['encoder-decoder, untied', { ...BASE, tiedEmbeddings: false }],
  ['decoder-only', { ...BASE, kind: 'decoder-only', encoderLayers: 0, tiedEmbeddings: false }],
] as const)('%s', (label, config: ModelConfig) => {
  it('onnxruntime reproduces the trained tfjs model’s logits within 1e-4', async () => {
    const model = Transformer.create(config, 5);
    await trainFewSteps(model, config);
    const weights = await model.snapshot();
    // Training moved every tensor away from its initial value (biases and norms included).
    const init = initialWeights(config, 5);
    for (const [name, t] of weights) {
      expect(
        t.data.some((x, i) => x !== init.get(name)!.data[i]),
        name,
      ).toBe(true);
    }

    const dir = join(root, label.replace(/\W+/g, '-'));
    await writeCheckpoint(dir, {
      manifest: {
        format: 'ecoeval-transformer',
        schema: 1,
        id: 'parity',
        name: label,
        createdAt: '2026-01-01T00:00:00Z',
        updatedAt: '2026-01-01T00:00:00Z',
        preset: null,
        parameters: parameterCount(config),
        config,
        task: {
          kind: config.kind === 'encoder-decoder' ? 'translation' : 'language-modelling',
          dataset: 'toy',
          sourceLanguage: null,
          targetLanguage: null,
        },
        tokenizer: { vocabSize: VOCAB },
        training: { status: 'completed', step: 4, tokens: 0, elapsedS: 0, curve: [] } as never,
      },
      weights,
      tokenizerJson: wordLevelTokenizerJson(fixtureWords(VOCAB - 4)),
    });

    const encdec = config.kind === 'encoder-decoder';
    const logits = tf.tidy(() =>
      model.logits({
        ...(encdec ? { src: tf.tensor2d(padded(SRC), undefined, 'int32') } : {}),
        tgtIn: tf.tensor2d(padded(TGT), undefined, 'int32'),
      }),
    );
    const ours = (await logits.data()) as Float32Array;
    logits.dispose();
    model.dispose();

    const checkpoint = await loadCheckpoint(dir);
    const exported = await exportOnnx(checkpoint, { precision: 'fp32' });
    const opened = await openExport(exported.dir, { provider: 'cpu', intraOpThreads: 1 });
    let theirs: Float32Array;
    try {
      if (encdec) {
        const onnx = await Seq2SeqModel.create(opened);
        theirs = await onnx.logits(await onnx.encode(SRC), TGT);
      } else {
        theirs = await (await LanguageModel.create(opened)).logits(TGT);
      }
    } finally {
      await opened.release();
    }
    expect(theirs.length).toBe(ours.length);
    const worst = maxDiff(ours, theirs, TGT, VOCAB);
    expect(worst).toBeLessThan(1e-4);
    // Not vacuous: the logits are far from constant.
    expect(Math.max(...ours) - Math.min(...ours)).toBeGreaterThan(1);
  });
});
