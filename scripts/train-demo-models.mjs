// Trains the demo models that ship in datasets/demo/models/ (the first-launch chart's systems):
// `tiny` and `small` encoder-decoders on the built-in grammar-en-xx translation task, with a
// 1,000-entry BPE vocabulary so the bundled weights stay small. Each is trained by the app's own
// `ecoeval train` in a temporary workspace, then copied without its optimizer moments (the demo
// is for evaluation, not for resuming). Run from the repository root after `npm run build`:
//   node scripts/train-demo-models.mjs            # about 25 minutes on a 2-core machine
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'datasets', 'demo', 'models');
const workspace = mkdtempSync(join(tmpdir(), 'ecoeval-demo-'));

// A wall-clock budget, then (for small) a resume up to a step count: the way the committed models
// were made; datasets/demo/README.md records the steps, BLEU and energy that resulted.
const MODELS = [
  { id: 'demo-tiny', name: 'Demo tiny', preset: 'tiny', minutes: 9 },
  { id: 'demo-small', name: 'Demo small', preset: 'small', minutes: 16, resumeToStep: 2300 },
];

for (const model of MODELS) {
  const result = spawnSync(
    process.execPath,
    [
      join(root, 'bin/ecoeval.js'),
      'train',
      '--dataset',
      'grammar-en-xx',
      '--preset',
      model.preset,
      '--vocab',
      '1000',
      '--minutes',
      String(model.minutes),
      '--seed',
      '1',
      '--name',
      model.name,
      '--json',
      '--workspace',
      workspace,
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 },
  );
  if (result.status !== 0) throw new Error(`training ${model.id} failed`);
  let record = JSON.parse(result.stdout);
  if (model.resumeToStep) {
    const resumed = spawnSync(
      process.execPath,
      [
        join(root, 'bin/ecoeval.js'),
        'train',
        '--resume',
        record.model,
        '--steps',
        String(model.resumeToStep),
        '--json',
        '--workspace',
        workspace,
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 },
    );
    if (resumed.status !== 0) throw new Error(`resuming ${model.id} failed`);
    record = JSON.parse(resumed.stdout);
  }
  const from = record.dir;
  bundle(from, join(out, model.id), model);
  console.log(`${model.id}: ${from} → datasets/demo/models/${model.id}`);
}
rmSync(workspace, { recursive: true, force: true });

/** Copies a checkpoint as a demo model: new id and name, no optimizer file. */
function bundle(from, to, model) {
  rmSync(to, { recursive: true, force: true });
  mkdirSync(to, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(from, 'model.json'), 'utf8'));
  copyFileSync(join(from, manifest.weights.file), join(to, manifest.weights.file));
  copyFileSync(join(from, 'tokenizer.json'), join(to, 'tokenizer.json'));
  writeFileSync(
    join(to, 'model.json'),
    `${JSON.stringify({ ...manifest, id: model.id, name: model.name, optimizer: null }, null, 2)}\n`,
  );
}
