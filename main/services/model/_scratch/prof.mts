import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../backend';
import { presetConfig } from '../config';
import { Transformer } from '../transformer';
await selectBackend({ force: (process.argv[2] ?? 'wasm') as any });
const cfg = presetConfig((process.argv[3] ?? 'small') as any, { vocabSize: 4000 });
const m = Transformer.create(cfg, 1);
const B = 32, T = 32;
const ids = () => tf.tensor2d(Array.from({ length: B * T }, (_, i) => 4 + ((i * 7919) % 3000)), [B, T], 'int32');
const src = ids(), tgtIn = ids(), tgtOut = ids();
const step = async () => {
  const { value, grads } = tf.variableGrads(() => m.loss({ src, tgtIn, tgtOut }, { training: true, seed: 1, labelSmoothing: 0.1 }).loss, m.trainables);
  await value.data();
  for (const g of Object.values(grads)) g.dispose();
  value.dispose();
};
await step(); await step();
const info = await tf.profile(step);
const agg = new Map<string, { ms: number; n: number }>();
for (const k of info.kernels) {
  const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
  const key = k.name + (k.name === 'BatchMatMul' ? ` ${k.inputShapes.map((s) => `[${s}]`).join('x')}` : '');
  const a = agg.get(key) ?? { ms: 0, n: 0 }; a.ms += ms; a.n++; agg.set(key, a);
}
const total = [...agg.values()].reduce((s, a) => s + a.ms, 0);
console.log('total kernel ms', total.toFixed(0), 'kernels', info.kernels.length);
for (const [k, a] of [...agg].sort((x, y) => y[1].ms - x[1].ms).slice(0, 30)) console.log(a.ms.toFixed(1).padStart(8), String(a.n).padStart(4), k);
const t0 = performance.now(); await step(); console.log('wall step', (performance.now() - t0).toFixed(0));
