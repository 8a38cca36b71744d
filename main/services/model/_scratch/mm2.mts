import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../backend';
await selectBackend({ force: 'wasm' });
function time(name: string, f: () => tf.Tensor, n = 50) {
  for (let i = 0; i < 3; i++) f().dispose();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) { const r = f(); r.dataSync(); r.dispose(); }
  console.log(name.padEnd(40), ((performance.now() - t0) / n).toFixed(3), 'ms');
}
for (const [M, K, N] of [[288, 64, 64], [288, 64, 256], [1024, 128, 128], [1024, 128, 512], [1024, 128, 4000]]) {
  const a = tf.randomNormal([M, K]); const b = tf.randomNormal([K, N]);
  time(`same b [${M},${K}]x[${K},${N}]`, () => tf.matMul(a, b));
  time(`fresh b`, () => { const bb = b.clone(); const r = tf.matMul(a, bb); bb.dispose(); return r; });
  const x = tf.randomNormal([M, K]);
  time(`elementwise add [${M},${K}]`, () => tf.add(a, x));
}
time('tiny add [4]', () => tf.add(tf.scalar(1), tf.scalar(2)), 1000);
