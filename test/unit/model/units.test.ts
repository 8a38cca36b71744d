// Model building blocks: the config and tensor table of docs/model-format.md, the wasm fixes
// (transposed matmul, embedding gradient, one-hot), masks, tokenizer, batching, checkpoint
// round trip and its errors, and the decoders' bookkeeping. Tiny shapes; no training.
import { beforeAll, describe, expect, it } from 'vitest';
import { readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../main/services/model/backend';
import type { ModelConfig } from '../../../main/services/model/config';
import {
  BOS_ID,
  EOS_ID,
  PAD_ID,
  UNK_ID,
  parameterCount,
  presetConfig,
  tensorSpecs,
} from '../../../main/services/model/config';
import { embeddingLookup, oneHotFloat } from '../../../main/services/model/ops';
import { Transformer, initialWeights } from '../../../main/services/model/transformer';
import { BpeTokenizer, trainBpe } from '../../../main/services/model/tokenizer';
import {
  epochOrder,
  lmWindows,
  makeExamples,
  planBatches,
} from '../../../main/services/model/batching';
import {
  ModelFileError,
  readCheckpoint,
  writeCheckpoint,
} from '../../../main/services/model/checkpoint';
import type { CheckpointContent } from '../../../main/services/model/checkpoint';
import { generate, scoreTexts } from '../../../main/services/model/decode';
import {
  disposeCache,
  selectRows,
  startCache,
  stepCache,
} from '../../../main/services/model/incremental';
import { learningRate } from '../../../main/services/model/optimizer';
import { loadModel } from '../../../main/services/model/inference';
import { loadCheckpoint } from '../../../main/services/model/onnx/checkpoint';
import { referenceLogits } from '../../../main/services/model/onnx/reference';
import { tempDir } from '../../helpers/temp';
import { firstPairs } from './helpers';

beforeAll(async () => {
  await selectBackend({ force: 'wasm' });
});

const tiny = (over = {}) =>
  presetConfig('tiny', { vocabSize: 40, maxLength: 16, dropout: 0, ...over });

describe('configuration and tensor names (docs/model-format.md)', () => {
  it('gives the presets their documented sizes and parameter counts', () => {
    const small = presetConfig('small');
    expect([
      small.dModel,
      small.heads,
      small.encoderLayers,
      small.decoderLayers,
      small.ffDim,
    ]).toEqual([128, 4, 2, 2, 512]);
    expect(parameterCount(presetConfig('tiny'))).toBe(372_992);
    expect(parameterCount(small)).toBe(1_438_208);
    expect(parameterCount(presetConfig('base'))).toBe(6_554_624);
  });

  it('names every tensor as the contract does, with [in, out] weights', () => {
    const specs = new Map(
      tensorSpecs(presetConfig('tiny', { vocabSize: 100 })).map((s) => [s.name, s.shape]),
    );
    expect(specs.get('embed.weight')).toEqual([100, 64]);
    expect(specs.get('enc.0.self.q.weight')).toEqual([64, 64]);
    expect(specs.get('enc.0.ff1.weight')).toEqual([64, 256]);
    expect(specs.get('dec.0.cross.o.bias')).toEqual([64]);
    expect(specs.get('dec.0.ln3.gamma')).toEqual([64]);
    expect(specs.has('generator.weight')).toBe(false);
    const untied = tensorSpecs(presetConfig('tiny', { vocabSize: 100, tiedEmbeddings: false }));
    expect(untied.at(-2)).toEqual({ name: 'generator.weight', shape: [64, 100] });
    const lm = tensorSpecs(presetConfig('tiny', { kind: 'decoder-only', vocabSize: 100 })).map(
      (s) => s.name,
    );
    expect(lm.some((n) => n.startsWith('enc.') || n.includes('cross') || n.includes('ln3'))).toBe(
      false,
    );
    expect(lm).toContain('dec.1.ln2.beta');
  });

  it('warms up linearly, then decays with the inverse square root', () => {
    expect(learningRate(50, 1e-3, 100)).toBeCloseTo(5e-4);
    expect(learningRate(100, 1e-3, 100)).toBeCloseTo(1e-3);
    expect(learningRate(400, 1e-3, 100)).toBeCloseTo(5e-4);
  });
});

describe('wasm backend fixes', () => {
  it('transposed matmuls give the same products as explicit transposes', () => {
    const a = tf.randomNormal([5, 7], 0, 1, 'float32', 1);
    const b = tf.randomNormal([6, 7], 0, 1, 'float32', 2);
    const c = tf.randomNormal([5, 6], 0, 1, 'float32', 3);
    const viaFlag = tf.matMul(a, b, false, true);
    const explicit = tf.matMul(a, tf.transpose(b));
    expect(tf.max(tf.abs(tf.sub(viaFlag, explicit))).dataSync()[0]).toBeLessThan(1e-5);
    const ta = tf.matMul(a, c, true, false);
    const tExplicit = tf.matMul(tf.transpose(a), c);
    expect(tf.max(tf.abs(tf.sub(ta, tExplicit))).dataSync()[0]).toBeLessThan(1e-5);
    const q = tf.randomNormal([3, 4, 5], 0, 1, 'float32', 4);
    const batched = tf.matMul(q, q, false, true);
    const batchedExplicit = tf.matMul(q, tf.transpose(q, [0, 2, 1]));
    expect(tf.max(tf.abs(tf.sub(batched, batchedExplicit))).dataSync()[0]).toBeLessThan(1e-5);
  });

  it('embedding gradients sum over repeated ids', () => {
    const table = tf.variable(tf.ones([4, 3]));
    const ids = tf.tensor2d([[1, 1, 3]], [1, 3], 'int32');
    const { grads } = tf.variableGrads(() => tf.sum(embeddingLookup(table, ids)), [table]);
    expect(Array.from(grads[table.name].dataSync())).toEqual([0, 0, 0, 2, 2, 2, 0, 0, 0, 1, 1, 1]);
  });

  it('one-hot targets are exactly 1 and 0 as float32', () => {
    const hot = oneHotFloat(tf.tensor1d([2, 0], 'int32'), 3);
    expect(hot.dtype).toBe('float32');
    expect(Array.from(hot.dataSync())).toEqual([0, 0, 1, 1, 0, 0]);
  });
});

describe('transformer masks', () => {
  it('padding does not change a sentence and the future does not change the past', () => {
    const model = Transformer.create(tiny(), 7);
    const one = model.logits({
      src: tf.tensor2d([[5, 6, 7, EOS_ID]], [1, 4], 'int32'),
      tgtIn: tf.tensor2d([[BOS_ID, 8, 9]], [1, 3], 'int32'),
    });
    const padded = model.logits({
      src: tf.tensor2d([[5, 6, 7, EOS_ID, PAD_ID, PAD_ID]], [1, 6], 'int32'),
      tgtIn: tf.tensor2d([[BOS_ID, 8, 9, PAD_ID]], [1, 4], 'int32'),
    });
    const trimmed = tf.slice(padded, [0, 0, 0], [1, 3, 40]);
    expect(tf.max(tf.abs(tf.sub(one, trimmed))).dataSync()[0]).toBeLessThan(1e-4);
    const changedFuture = model.logits({
      src: tf.tensor2d([[5, 6, 7, EOS_ID]], [1, 4], 'int32'),
      tgtIn: tf.tensor2d([[BOS_ID, 8, 30]], [1, 3], 'int32'),
    });
    const firstTwo = (t: tf.Tensor) => tf.slice(t, [0, 0, 0], [1, 2, 40]);
    expect(
      tf.max(tf.abs(tf.sub(firstTwo(one), firstTwo(changedFuture)))).dataSync()[0],
    ).toBeLessThan(1e-5);
    model.dispose();
  });
});

describe('BPE tokenizer', () => {
  it('puts the special tokens at 0–3, fits the vocabulary and round-trips text', async () => {
    const pairs = await firstPairs(200);
    const json = await trainBpe(
      pairs.flatMap((p) => [p.source, p.references[0]]),
      150,
    );
    const tok = BpeTokenizer.fromJson(json);
    expect(tok.vocabSize).toBe(150);
    const parsed = JSON.parse(json);
    expect(
      parsed.added_tokens.map((t: { id: number; content: string }) => [t.id, t.content]),
    ).toEqual([
      [0, '<pad>'],
      [1, '<s>'],
      [2, '</s>'],
      [3, '<unk>'],
    ]);
    const texts = pairs.slice(0, 20).map((p) => p.references[0]);
    expect(await tok.decode(await tok.encode(texts))).toEqual(texts);
    const [withUnknown] = await tok.encode(['Q€ the']);
    expect(withUnknown).toContain(UNK_ID);
  });
});

describe('batching', () => {
  it('packs by token count, covers every example once and orders epochs by seed', async () => {
    const pairs = await firstPairs(120);
    const tok = BpeTokenizer.fromJson(
      await trainBpe(
        pairs.flatMap((p) => [p.source, p.references[0]]),
        200,
      ),
    );
    const examples = await makeExamples(tok, pairs, 'encoder-decoder', 64);
    const batches = planBatches(examples, 256, 16, 1);
    expect(batches.flat().sort((a, b) => a - b)).toEqual(examples.map((_, i) => i));
    for (const b of batches) {
      const longest = Math.max(
        ...b.map((i) => Math.max(examples[i].src!.length, examples[i].tgt.length - 1)),
      );
      expect(b.length <= 16 && (b.length === 1 || b.length * longest <= 256)).toBe(true);
    }
    expect(planBatches(examples, 256, 16, 1)).toEqual(batches);
    expect(epochOrder(batches.length, 1, 3)).toEqual(epochOrder(batches.length, 1, 3));
    expect(epochOrder(batches.length, 1, 3)).not.toEqual(epochOrder(batches.length, 1, 4));
  });

  it('cuts language-model text into windows that predict every token once', () => {
    const ids = Array.from({ length: 10 }, (_, i) => 10 + i);
    const windows = lmWindows(ids, 4);
    const predicted = windows.flatMap((w) => Array.from(w.subarray(1)));
    expect(predicted).toEqual([...ids, EOS_ID]);
    expect(windows.every((w) => w.length <= 5)).toBe(true);
  });
});

describe('checkpoint files', () => {
  async function saved(over: Partial<ModelConfig> = {}, seed = 3): Promise<string> {
    const dir = join(await tempDir('ecoeval-ckpt-'), 'm1');
    const tokenizerJson = await trainBpe(['a b c d e f g h i j'], 40);
    const vocabSize = BpeTokenizer.fromJson(tokenizerJson).vocabSize;
    const cfg = tiny({ vocabSize, ...over });
    const content: CheckpointContent = {
      manifest: {
        format: 'ecoeval-transformer',
        schema: 1,
        id: 'm1',
        name: 'test',
        createdAt: '2026-01-01T00:00:00Z',
        updatedAt: '2026-01-01T00:00:00Z',
        preset: 'tiny',
        parameters: parameterCount(cfg),
        config: cfg,
        task: { kind: 'translation', dataset: 'x', sourceLanguage: null, targetLanguage: null },
        tokenizer: { vocabSize },
        training: {
          status: 'completed',
          step: 0,
          tokens: 0,
          elapsedS: 0,
          curve: [],
        } as never,
      },
      weights: initialWeights(cfg, seed),
      tokenizerJson,
    };
    await writeCheckpoint(dir, content);
    return dir;
  }

  it('reads back exactly what was written', async () => {
    const dir = await saved();
    const back = await readCheckpoint(dir);
    const original = initialWeights(back.manifest.config, 3);
    for (const [name, t] of original) expect(back.weights.get(name)!.data).toEqual(t.data);
  });

  it('gives the same logits as the TypeScript reference of the ONNX module (format parity)', async () => {
    for (const over of [{}, { tiedEmbeddings: false }, { kind: 'decoder-only' as const }]) {
      const dir = await saved(over, 9);
      const { weights, manifest } = await readCheckpoint(dir);
      // Random biases and norms too, so a swapped or misnamed tensor cannot hide.
      for (const t of weights.values())
        for (let i = 0; i < t.data.length; i++)
          t.data[i] += 0.05 * Math.sin(i * 7.1 + t.data.length);
      await writeCheckpoint(dir, {
        manifest: { ...manifest, tokenizer: { vocabSize: manifest.config.vocabSize } },
        weights,
      });
      const model = new Transformer(manifest.config, weights);
      const src = [
        [5, 6, 7, 8, EOS_ID],
        [9, 10, EOS_ID],
      ];
      const tgt = [
        [BOS_ID, 11, 12, 13],
        [BOS_ID, 14, 15, 16],
      ];
      const encdec = manifest.config.kind === 'encoder-decoder';
      const pad = (rows: number[][]) => {
        const n = Math.max(...rows.map((r) => r.length));
        return tf.tensor2d(
          rows.map((r) => [...r, ...Array(n - r.length).fill(PAD_ID)]),
          undefined,
          'int32',
        );
      };
      const ours = model
        .logits({ ...(encdec ? { src: pad(src) } : {}), tgtIn: pad(tgt) })
        .dataSync();
      const theirs = referenceLogits(await loadCheckpoint(dir), encdec ? src : null, tgt).data;
      let worst = 0;
      for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i] - theirs[i]));
      expect(worst).toBeLessThan(1e-4);
      model.dispose();
    }
  });

  it('names the file when weights are truncated, corrupt or missing', async () => {
    const dir = await saved();
    const manifest = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    const weights = join(dir, manifest.weights.file);
    const bytes = await readFile(weights);
    await truncate(weights, 1000);
    await expect(readCheckpoint(dir)).rejects.toThrow(
      new RegExp(`m1/${manifest.weights.file} is truncated: 1,000 bytes`),
    );
    await expect(loadModel(dir)).rejects.toBeInstanceOf(ModelFileError);
    bytes[bytes.length - 5] ^= 0xff;
    await writeFile(weights, bytes);
    await expect(readCheckpoint(dir)).rejects.toThrow(/is corrupt: its sha256 does not match/);
    await rm(weights);
    await expect(readCheckpoint(dir)).rejects.toThrow(/is missing \(model.json names it\)/);
    await writeFile(join(dir, 'model.json'), '{"format": "ecoeval-transformer", ');
    await expect(readCheckpoint(dir)).rejects.toThrow(/m1\/model.json is not valid JSON/);
  });
});

describe('decoding bookkeeping', () => {
  it('beam size 1 equals greedy and outputs respect the length limit', async () => {
    const model = Transformer.create(tiny(), 11);
    const sources = [[5, 6, 7], [8], [9, 10, 11, 12]];
    const greedy = await generate(model, sources, { maxNewTokens: 6 });
    const beam1 = await generate(model, sources, { maxNewTokens: 6, beam: 1 });
    expect(beam1).toEqual(greedy);
    const beam3 = await generate(model, sources, { maxNewTokens: 6, beam: 3 });
    for (const out of [...greedy, ...beam3]) expect(out.length).toBeLessThanOrEqual(6);
    model.dispose();
  });

  it('the key/value cache computes what the full decoder computes', async () => {
    const model = Transformer.create(tiny(), 13);
    const src = [
      [5, 6, 7, 8, EOS_ID],
      [9, 10, EOS_ID, PAD_ID, PAD_ID],
    ];
    const tgt = [
      [BOS_ID, 11, 12, 13],
      [BOS_ID, 14, 15, 16],
    ];
    const memory = model.encode(tf.tensor2d(src, undefined, 'int32'));
    const full = model.logits({
      src: tf.tensor2d(src, undefined, 'int32'),
      tgtIn: tf.tensor2d(tgt, undefined, 'int32'),
    });
    let cache = startCache(model, memory);
    // Drop nothing, then reorder rows half-way (as beam search does) and compare with the full pass.
    for (let t = 0; t < 4; t++) {
      cache = selectRows(model, cache, t === 2 ? [1, 0] : [0, 1]);
      const rows = t >= 2 ? [1, 0] : [0, 1];
      const stepped = stepCache(
        model,
        cache,
        rows.map((r) => tgt[r][t]),
      );
      cache = stepped.cache;
      const got = stepped.logits.arraySync();
      const want = full.arraySync() as number[][][];
      rows.forEach((r, j) => {
        for (let v = 0; v < 40; v++) expect(got[j][v]).toBeCloseTo(want[r][t][v], 4);
      });
    }
    disposeCache(cache);
    const sources = [[5, 6, 7], [8], [9, 10, 11, 12]];
    for (const beam of [1, 3]) {
      const cached = await generate(model, sources, { maxNewTokens: 6, beam });
      const uncached = await generate(model, sources, { maxNewTokens: 6, beam, cache: false });
      expect(cached).toEqual(uncached);
    }
    model.dispose();
  });

  it('a sliding window scores every token once, and a full window matches one pass', async () => {
    const model = Transformer.create(tiny({ kind: 'decoder-only' }), 5);
    const text = Array.from({ length: 30 }, (_, i) => 4 + (i % 30));
    const [windowed] = await scoreTexts(model, [text], { window: 16, stride: 8 });
    expect(windowed.logprobs).toHaveLength(31);
    expect(windowed.ids.at(-1)).toBe(EOS_ID);
    const short = text.slice(0, 10);
    const [a] = await scoreTexts(model, [short], { window: 16, stride: 4 });
    const [b] = await scoreTexts(model, [short], { window: 16, stride: 16 });
    for (let i = 0; i < a.logprobs.length; i++) expect(a.logprobs[i]).toBeCloseTo(b.logprobs[i], 4);
    expect(a.logprobs.every((p) => p < 0)).toBe(true);
    model.dispose();
  });
});
