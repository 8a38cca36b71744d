import * as tf from '@tensorflow/tfjs';
import { selectBackend, describeBackend } from '../backend';
import { presetConfig, parameterCount, describePresets } from '../config';
import { Transformer } from '../transformer';
const force = (process.argv[2] ?? undefined) as any;
const rep = await selectBackend(force ? { force } : {});
console.log(describeBackend(rep));
console.log(describePresets().join('\n'));
const preset = (process.argv[3] ?? 'tiny') as any;
const cfg = presetConfig(preset, { vocabSize: 4000 });
console.log(parameterCount(cfg));
const m = Transformer.create(cfg, 1);
const B = 32, T = 32;
const ids = () => tf.tensor2d(Array.from({ length: B * T }, (_, i) => 4 + ((i * 7919) % 3000)), [B, T], 'int32');
const src = ids(), tgtIn = ids(), tgtOut = ids();
for (let s = 0; s < 6; s++) {
  const t0 = performance.now();
  const { value, grads } = tf.variableGrads(() => m.loss({ src, tgtIn, tgtOut }, { training: true, seed: s, labelSmoothing: 0.1 }).loss, m.trainables);
  const l = (await value.data())[0];
  for (const g of Object.values(grads)) g.dispose();
  value.dispose();
  const ms = performance.now() - t0;
  console.log('step', s, l.toFixed(4), ms.toFixed(0), 'ms', ((B * T) / (ms / 1000)).toFixed(0), 'tok/s', tf.memory().numTensors);
}
