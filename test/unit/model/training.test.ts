// Training behaviour on the built-in translation data (tiny preset, CI-sized): the loss falls over
// a few hundred steps; an interrupted run resumed from its checkpoint repeats the uninterrupted
// run's losses exactly; and 32 pairs are learnt to BLEU > 95 with greedy decoding.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { runTraining } from '../../../main/services/model/trainer';
import { readManifest } from '../../../main/services/model/checkpoint';
import { selectBackend } from '../../../main/services/model/backend';
import { presetConfig } from '../../../main/services/model/config';
import { Transformer } from '../../../main/services/model/transformer';
import { Adam, learningRate } from '../../../main/services/model/optimizer';
import {
  disposeBatch,
  makeExamples,
  planBatches,
  toBatch,
} from '../../../main/services/model/batching';
import { generate } from '../../../main/services/model/decode';
import { BpeTokenizer, trainBpe } from '../../../main/services/model/tokenizer';
import { BLEU } from '../../../shared/metrics/bleu';
import { firstPairs, tinyRequest, workspaceWithDataset } from './helpers';

let workspace: string;

beforeAll(async () => {
  await selectBackend({ force: 'wasm' });
  workspace = await workspaceWithDataset();
}, 120_000);

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('training on grammar-en-xx', () => {
  it('the loss falls over a few hundred tiny steps and the record says so', async () => {
    const losses: number[] = [];
    const result = await runTraining(tinyRequest(workspace, { steps: 200 }), {
      onStep: (_, loss) => losses.push(loss),
    });
    expect(result.status).toBe('completed');
    expect(result.step).toBe(200);
    expect(losses).toHaveLength(200);
    expect(mean(losses.slice(-20))).toBeLessThan(mean(losses.slice(0, 20)) - 1);
    const manifest = await readManifest(result.modelDir);
    expect(manifest.training.step).toBe(200);
    expect(manifest.training.backend.name).toBe('wasm');
    expect(manifest.training.backend.patches.length).toBeGreaterThan(0);
    expect(manifest.optimizer?.step).toBe(200);
  }, 120_000);

  it('resuming after an interruption gives the same losses as an uninterrupted run', async () => {
    const request = tinyRequest(workspace, { steps: 24 });
    const straight: number[] = [];
    await runTraining(request, { onStep: (_, loss) => straight.push(loss) });

    const controller = new AbortController();
    const first: number[] = [];
    const interrupted = await runTraining(request, {
      signal: controller.signal,
      onStep: (step, loss) => {
        first.push(loss);
        if (step === 11) controller.abort();
      },
    });
    expect(interrupted.status).toBe('cancelled');
    expect(interrupted.step).toBe(11);
    const rest: number[] = [];
    const resumed = await runTraining(
      { ...request, resume: interrupted.modelId },
      { onStep: (_, loss) => rest.push(loss) },
    );
    expect(resumed.status).toBe('completed');
    expect(resumed.step).toBe(24);
    expect([...first, ...rest]).toEqual(straight);
    expect(resumed.recentLosses).toEqual(straight);
  }, 120_000);
});

describe('data-parallel training', () => {
  it('two threads give the losses of one thread (dropout off) and record the parallelism', async () => {
    const losses: Record<number, number[]> = { 1: [], 2: [] };
    for (const workers of [1, 2]) {
      const result = await runTraining(
        tinyRequest(workspace, { steps: 6, model: { dropout: 0 }, options: { workers } }),
        { onStep: (_, loss) => losses[workers].push(loss) },
      );
      expect(result.parallelism.threads).toBe(workers);
      expect(result.options.workers).toBe(workers);
    }
    expect(losses[2]).toHaveLength(6);
    for (let i = 0; i < 6; i++) expect(losses[2][i]).toBeCloseTo(losses[1][i], 4);
  }, 120_000);
});

describe('overfitting', () => {
  it('learns 32 pairs to BLEU above 95 with greedy decoding', async () => {
    const pairs = await firstPairs(32);
    const tokenizer = BpeTokenizer.fromJson(
      await trainBpe(
        pairs.flatMap((p) => [p.source, p.references[0]]),
        300,
      ),
    );
    const config = presetConfig('tiny', {
      vocabSize: tokenizer.vocabSize,
      dropout: 0,
      maxLength: 64,
    });
    const model = Transformer.create(config, 1);
    const adam = new Adam(model.params, { beta1: 0.9, beta2: 0.98, epsilon: 1e-9, clipNorm: 1 });
    const examples = await makeExamples(tokenizer, pairs, 'encoder-decoder', config.maxLength);
    const [all] = planBatches(examples, 1 << 16, 64, 1);
    const sources = await tokenizer.encode(pairs.map((p) => p.source));
    const references = pairs.map((p) => p.references[0]);
    let bleu = 0;
    for (let step = 1; step <= 150 && bleu <= 95; step++) {
      const { batch } = toBatch(examples, all);
      const { value, grads } = tf.variableGrads(
        () => model.loss(batch, { training: true, seed: step, labelSmoothing: 0 }).loss,
        model.trainables,
      );
      const byName = new Map([...model.params].map(([name, p]) => [name, grads[p.name]]));
      await adam.apply(byName, learningRate(step, 5e-3, 20));
      tf.dispose([value, ...Object.values(grads)]);
      disposeBatch(batch);
      if (step >= 40 && step % 10 === 0) {
        const hypotheses = await tokenizer.decode(await generate(model, sources));
        bleu = new BLEU().corpusScore(hypotheses, [references]).score;
      }
    }
    expect(bleu).toBeGreaterThan(95);
    model.dispose();
    adam.dispose();
  }, 120_000);
});
