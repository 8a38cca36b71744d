import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../backend';
import { presetConfig } from '../config';
import { Transformer } from '../transformer';
import { Adam, learningRate } from '../optimizer';
import { makeExamples, planBatches, toBatch, disposeBatch } from '../batching';
import { generate } from '../decode';
import { BpeTokenizer, trainBpe } from '../tokenizer';
import { BLEU } from '../../../../shared/metrics/bleu';
await selectBackend({ force: (process.argv[2] ?? 'wasm') as any });
const en = readFileSync('/work/main/datasets/grammar-en-xx/train.en', 'utf8').split('\n').slice(0, 32);
const xx = readFileSync('/work/main/datasets/grammar-en-xx/train.xx', 'utf8').split('\n').slice(0, 32);
const rows = en.map((s, i) => ({ source: s, references: [xx[i]] }));
const tok = BpeTokenizer.fromJson(await trainBpe(rows.flatMap((r) => [r.source, r.references[0]]), Number(process.argv[3] ?? 300)));
console.log('vocab', tok.vocabSize);
const config = presetConfig('tiny', { vocabSize: tok.vocabSize, dropout: 0 });
const model = Transformer.create(config, 1);
const adam = new Adam(model.params, { beta1: 0.9, beta2: 0.98, epsilon: 1e-9, clipNorm: 1 });
const ex = await makeExamples(tok, rows, 'encoder-decoder', 128);
const batches = planBatches(ex, 4096, 128, 1);
console.log('batches', batches.length, ex.reduce((n, e) => n + e.tgt.length - 1, 0));
const srcIds = await tok.encode(rows.map((r) => r.source));
const t0 = Date.now();
for (let step = 1; step <= Number(process.argv[4] ?? 400); step++) {
  const { batch } = toBatch(ex, batches[0]);
  const { value, grads } = tf.variableGrads(() => model.loss(batch, { training: true, seed: step, labelSmoothing: 0 }).loss, model.trainables);
  const g = new Map<string, tf.Tensor>(); for (const [n, p] of model.params) g.set(n, grads[p.name]);
  await adam.apply(g, learningRate(step, Number(process.argv[5] ?? 3e-3), Number(process.argv[6] ?? 30)));
  const l = (await value.data())[0];
  tf.dispose([value, ...Object.values(grads)]); disposeBatch(batch);
  if (step % 10 === 0 && step >= 40) {
    const hyp = await tok.decode(await generate(model, srcIds, { batchSize: 32 }));
    const bleu = new BLEU().corpusScore(hyp, [rows.map((r) => r.references[0])]).score;
    console.log(step, l.toFixed(4), 'BLEU', bleu.toFixed(2), ((Date.now() - t0) / 1000).toFixed(1), 's', tf.memory().numTensors);
    if (bleu > 99) break;
  }
}
