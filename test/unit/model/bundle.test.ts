// Moving a model between workspaces: `ecoeval models export ID --out DIR` then `ecoeval models
// import DIR` into a second workspace keeps the weights, the training record (energy, backend and
// why the other backends were not used) and current ONNX exports, under a new id with provenance;
// a damaged bundle is refused with a message naming the file, and nothing is imported.
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { modelsCommand } from '../../../main/cli/models';
import { generateCommand } from '../../../main/cli/generate';
import { captureIO } from '../../../main/cli/io';
import type { UserError } from '../../../main/cli/io';
import { parameterCount, tensorSpecs } from '../../../main/services/model/config';
import type { HostWeights, ModelConfig } from '../../../main/services/model/config';
import { readCheckpoint, sha256, writeCheckpoint } from '../../../main/services/model/checkpoint';
import { ModelStore, energyMethod } from '../../../main/services/model/store';
import type { TrainingRecord } from '../../../main/services/model/training-types';
import { loadCheckpoint } from '../../../main/services/model/onnx/checkpoint';
import { exportOnnx, readExportManifest } from '../../../main/services/model/onnx/export';
import { Workspace } from '../../../main/services/workspace/workspace';
import { fixtureWords, wordLevelTokenizerJson } from '../../fixtures/model/tokenizer';
import { tempDir } from '../../helpers/temp';

const CONFIG: ModelConfig = {
  kind: 'encoder-decoder',
  vocabSize: 24,
  dModel: 16,
  heads: 2,
  encoderLayers: 1,
  decoderLayers: 1,
  ffDim: 32,
  dropout: 0.1,
  maxLength: 16,
  tiedEmbeddings: true,
  layerNormEps: 1e-5,
};

function weights(seed: number): HostWeights {
  const out: HostWeights = new Map();
  let k = seed;
  for (const spec of tensorSpecs(CONFIG)) {
    const data = new Float32Array(spec.shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = Math.sin(++k * 0.37) * 0.3;
    out.set(spec.name, { shape: spec.shape, data });
  }
  return out;
}

function record(): TrainingRecord {
  return {
    status: 'running',
    pid: 999_999_999,
    dataset: 'grammar-en-xx',
    options: {} as TrainingRecord['options'],
    step: 40,
    tokens: 5000,
    sentences: 400,
    elapsedS: 61,
    joules: 1234.5,
    energy: {
      status: 'measured',
      reason: 'energy module windows (est:cpu-tdp)',
      grade: 'D',
      windows: 2,
      methods: ['estimate'],
    },
    backend: {
      name: 'wasm',
      tfjsBackend: 'wasm',
      forced: false,
      attempts: [
        {
          name: 'node-gpu',
          outcome: 'failed',
          reason: '@tensorflow/tfjs-node-gpu is not installed',
        },
        { name: 'node', outcome: 'failed', reason: '@tensorflow/tfjs-node is not installed' },
        { name: 'wasm', outcome: 'used', reason: 'WebAssembly with SIMD, one thread' },
        { name: 'cpu', outcome: 'skipped', reason: 'wasm already chosen' },
      ],
      patches: [],
      tfjsVersion: '4.22.0',
    },
    curve: [
      {
        step: 40,
        elapsedS: 61,
        joules: 1234.5,
        tokens: 5000,
        trainLoss: 3,
        validLoss: 3.1,
        validBleu: 4.5,
        learningRate: 1e-3,
      },
    ],
    best: { step: 40, validBleu: 4.5, validLoss: 3.1 },
    sinceBest: 0,
    cursor: { epoch: 0, position: 40 },
    startedAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:01:01Z',
    stopReason: null,
    recentLosses: [3],
    parallelism: { threads: 1, reason: 'one thread (asked for)' },
  };
}

/** A model `id` saved through the trainer's checkpoint writer, with optimizer state. */
async function saveModel(modelsDir: string, id: string): Promise<string> {
  const dir = join(modelsDir, id);
  const w = weights(1);
  const moments: HostWeights = new Map();
  for (const [name, t] of w) {
    moments.set(`m.${name}`, t);
    moments.set(`v.${name}`, t);
  }
  await writeCheckpoint(dir, {
    manifest: {
      format: 'ecoeval-transformer',
      schema: 1,
      id,
      name: 'Grammar tiny',
      createdAt: '2026-01-01T00:00:00Z',
      updatedAt: '2026-01-01T00:01:01Z',
      preset: 'tiny',
      parameters: parameterCount(CONFIG),
      config: CONFIG,
      task: {
        kind: 'translation',
        dataset: 'grammar-en-xx',
        sourceLanguage: 'en',
        targetLanguage: 'xx',
      },
      tokenizer: { vocabSize: CONFIG.vocabSize },
      training: record(),
    },
    weights: w,
    optimizer: { step: 40, tensors: moments },
    tokenizerJson: wordLevelTokenizerJson(fixtureWords(CONFIG.vocabSize - 4)),
  });
  return dir;
}

let root: string;
let wsA: string;
let wsB: string;
let sourceDir: string;

async function cli(command: typeof modelsCommand, argv: string[], stdin?: string) {
  const io = captureIO({ cwd: root, env: {}, ...(stdin !== undefined ? { stdin } : {}) });
  const code = await command(argv, io).catch((e: UserError) => {
    // The CLI host prints a UserError's message and exits with its code; do the same here.
    io.stderr(e.message);
    return e.exitCode;
  });
  return { code, out: io.out(), err: io.err() };
}

beforeAll(async () => {
  root = await tempDir('ecoeval-bundle-');
  wsA = join(root, 'a');
  wsB = join(root, 'b');
  await Workspace.open(wsA);
  await Workspace.open(wsB);
  sourceDir = await saveModel(join(wsA, 'models'), 'grammar-tiny-1');
  await exportOnnx(await loadCheckpoint(sourceDir), { precision: 'fp32' });
});

describe('models export / import', () => {
  it('round-trips a model into another workspace with its record, ONNX export and provenance', async () => {
    const exported = await cli(modelsCommand, [
      'export',
      'grammar-tiny-1',
      '--out',
      'bundle',
      '--onnx',
      '--optimizer',
      '--workspace',
      'a',
      '--json',
    ]);
    expect(exported.err).toBe('');
    expect(exported.code).toBe(0);
    const bundle = JSON.parse(exported.out);
    expect(bundle.dir).toBe(join(root, 'bundle'));
    const files = (bundle.files as { file: string }[]).map((f) => f.file);
    expect(files).toContain('model.json');
    expect(files).toContain('tokenizer.json');
    expect(files.some((f) => /^weights-.*\.bin$/.test(f))).toBe(true);
    expect(files.some((f) => /^optimizer-.*\.bin$/.test(f))).toBe(true);
    expect(files.some((f) => /^onnx\/fp32\/decoder-.*\.onnx$/.test(f))).toBe(true);
    // Nothing else is left beside the bundle (the staging folder was renamed into place).
    expect((await readdir(root)).filter((n) => n.startsWith('.'))).toEqual([]);
    const bundled = JSON.parse(await readFile(join(root, 'bundle', 'model.json'), 'utf8'));
    expect(bundled.training.status).toBe('cancelled'); // it was still "running" in a
    expect(bundled.training.pid).toBeNull();

    const imported = await cli(modelsCommand, [
      'import',
      'bundle',
      '--name',
      'Grammar (copied)',
      '--workspace',
      'b',
    ]);
    expect(imported.err).toBe('');
    expect(imported.code).toBe(0);
    expect(imported.out).toMatch(/^Imported Grammar \(copied\) as grammar-en-xx-tiny-\d{8}-\d{6}/);

    const store = new ModelStore(await Workspace.open(wsB));
    const list = await store.list();
    expect(list.broken).toEqual([]);
    expect(list.models).toHaveLength(1);
    const m = list.models[0];
    expect(m.id).not.toBe('grammar-tiny-1');
    expect(m).toMatchObject({
      name: 'Grammar (copied)',
      status: 'cancelled',
      step: 40,
      joules: 1234.5,
      bestBleu: 4.5,
      backend: 'wasm',
      energyMethod: 'estimate',
      energyGrade: 'D',
    });
    expect(m.backendReasons).toEqual([
      { backend: 'node-gpu', reason: 'failed: @tensorflow/tfjs-node-gpu is not installed' },
      { backend: 'node', reason: 'failed: @tensorflow/tfjs-node is not installed' },
      { backend: 'cpu', reason: 'skipped: wasm already chosen' },
    ]);
    expect(m.provenance.map((p) => [p.event, p.modelId, p.from])).toEqual([
      ['exported', 'grammar-tiny-1', undefined],
      ['imported', m.id, 'grammar-tiny-1'],
    ]);

    // Same weights and optimizer state, every file checked.
    const a = await readCheckpoint(sourceDir, { optimizer: true });
    const b = await readCheckpoint(store.dir(m.id), { optimizer: true });
    expect(b.manifest.weights.sha256).toBe(a.manifest.weights.sha256);
    expect(b.manifest.training.energy).toEqual(a.manifest.training.energy);
    expect(b.optimizer!.step).toBe(40);
    expect(b.tokenizerJson).toBe(a.tokenizerJson);

    // The ONNX export came along, points at its new folder, and is reused as current.
    const onnx = await readExportManifest(join(store.dir(m.id), 'onnx', 'fp32'));
    expect(onnx.source.dir).toBe(store.dir(m.id));
    const generated = await cli(
      generateCommand,
      ['--model', m.id, '--workspace', 'b', '--max-length', '4', '--threads', '1'],
      'w1 w2\n',
    );
    expect(generated.code).toBe(0);
    expect(generated.err).not.toMatch(/exporting it first/);

    const shown = await cli(modelsCommand, ['show', m.id, '--workspace', 'b']);
    expect(shown.out).toMatch(/energy: measured, method estimate/);
    expect(shown.out).toMatch(/why the others were not used/);
    expect(shown.out).toMatch(/node-gpu +failed +@tensorflow\/tfjs-node-gpu is not installed/);
    expect(shown.out).toMatch(new RegExp(`imported .* as ${m.id} \\(was grammar-tiny-1\\)`));
  });

  it('refuses to overwrite a folder that is not empty, and an unknown id', async () => {
    await mkdir(join(root, 'full'), { recursive: true });
    await writeFile(join(root, 'full', 'x.txt'), 'x');
    const full = await cli(modelsCommand, [
      'export',
      'grammar-tiny-1',
      '--out',
      'full',
      '--workspace',
      'a',
    ]);
    expect(full.code).toBe(1);
    expect(full.err).toMatch(/full already exists and is not an empty folder/);
    const unknown = await cli(modelsCommand, ['export', 'nope', '--out', 'x', '--workspace', 'a']);
    expect(unknown.err).toMatch(/No model with id "nope"/);
    const noOut = await cli(modelsCommand, ['export', 'grammar-tiny-1', '--workspace', 'a']);
    expect(noOut.code).toBe(2);
  });
});

/** The parts of model.json the damage below edits. */
interface Json {
  weights: { file: string; sha256: string; tensors: { shape: number[] }[] };
  tokenizer: { sha256: string };
}

describe('damaged bundles', () => {
  /** A fresh bundle of the source model in `name`, then `damage` applied to it. */
  async function damaged(name: string, damage: (dir: string, manifest: Json) => Promise<void>) {
    const out = join(root, name);
    const { code } = await cli(modelsCommand, [
      'export',
      'grammar-tiny-1',
      '--out',
      name,
      '--workspace',
      'a',
    ]);
    expect(code).toBe(0);
    await damage(out, JSON.parse(await readFile(join(out, 'model.json'), 'utf8')));
    const before = (await readdir(join(wsB, 'models'))).length;
    const result = await cli(modelsCommand, ['import', name, '--workspace', 'b']);
    expect(result.code).toBe(1);
    // Nothing was added to the workspace, and no staging folder was left behind.
    expect((await readdir(join(wsB, 'models'))).length).toBe(before);
    expect(await readdir(join(wsB, '.staging'))).toEqual([]);
    return result.err;
  }

  it('names a corrupt or truncated weights file', async () => {
    const err = await damaged('corrupt', async (dir, manifest) => {
      const path = join(dir, manifest.weights.file);
      const bytes = await readFile(path);
      bytes[100] ^= 0x55;
      await writeFile(path, bytes);
    });
    expect(err).toMatch(/Cannot import .*corrupt: corrupt\/weights-[\w-]+\.bin is corrupt/);
    const cut = await damaged('cut', async (dir, manifest) => {
      const path = join(dir, manifest.weights.file);
      await writeFile(path, (await readFile(path)).subarray(0, 64));
    });
    expect(cut).toMatch(/cut\/weights-[\w-]+\.bin is truncated: 64 bytes/);
  });

  it('names non-finite weights even when the sha256 was updated to match', async () => {
    const err = await damaged('nan', async (dir, manifest) => {
      const path = join(dir, manifest.weights.file);
      const bytes = await readFile(path);
      bytes.writeFloatLE(NaN, 8);
      await writeFile(path, bytes);
      manifest.weights.sha256 = sha256(bytes);
      await writeFile(join(dir, 'model.json'), JSON.stringify(manifest));
    });
    expect(err).toMatch(
      /nan\/weights-[\w-]+\.bin: tensor embed\.weight holds a non-finite value \(NaN or infinity\) at index 2/,
    );
  });

  it('names a missing or foreign tokenizer and a bad tensor table', async () => {
    const missing = await damaged('no-tok', (dir) => rm(join(dir, 'tokenizer.json')));
    expect(missing).toMatch(/no-tok\/tokenizer\.json is missing/);
    const foreign = await damaged('foreign-tok', async (dir, manifest) => {
      const json = wordLevelTokenizerJson(fixtureWords(10));
      await writeFile(join(dir, 'tokenizer.json'), json);
      manifest.tokenizer.sha256 = sha256(Buffer.from(json));
      await writeFile(join(dir, 'model.json'), JSON.stringify(manifest));
    });
    expect(foreign).toMatch(/tokenizer\.json has 14 tokens but the model's vocabulary has 24/);
    const shapes = await damaged('shapes', async (dir, manifest) => {
      manifest.weights.tensors[0].shape = [12, 32];
      await writeFile(join(dir, 'model.json'), JSON.stringify(manifest));
    });
    expect(shapes).toMatch(/tensor "embed\.weight" is \[12,32\]/);
  });

  it('explains an ONNX-only folder and a folder that is no bundle at all', async () => {
    const onnxOnly = join(root, 'onnx-only');
    await mkdir(onnxOnly);
    const exportDir = join(sourceDir, 'onnx', 'fp32');
    for (const f of await readdir(exportDir))
      await writeFile(join(onnxOnly, f), await readFile(join(exportDir, f)));
    await writeFile(
      join(onnxOnly, 'tokenizer.json'),
      await readFile(join(sourceDir, 'tokenizer.json')),
    );
    const onnx = await cli(modelsCommand, ['import', 'onnx-only', '--workspace', 'b']);
    expect(onnx.code).toBe(1);
    expect(onnx.err).toMatch(
      /onnx-only holds an ONNX export but no model\.json \(its export\.json says it was made from .*grammar-tiny-1\)\..*import the checkpoint folder instead/,
    );
    await mkdir(join(root, 'empty'));
    const empty = await cli(modelsCommand, ['import', 'empty', '--workspace', 'b']);
    expect(empty.err).toMatch(/empty\/model\.json is missing: .* is not a model bundle/);
    const none = await cli(modelsCommand, ['import', 'does-not-exist', '--workspace', 'b']);
    expect(none.err).toMatch(/does-not-exist is not a folder/);
  });
});

describe('energy method label', () => {
  it('says how the figure was obtained, and treats records that do not say as estimates', () => {
    const base = { status: 'measured' as const, reason: '', grade: 'B', windows: 1 };
    expect(energyMethod({ ...base, methods: ['counter'] })).toBe('counter');
    expect(energyMethod({ ...base, methods: ['counter', 'estimate'] })).toBe('counter+estimate');
    expect(energyMethod(base)).toBe('estimate');
    expect(energyMethod({ ...base, status: 'off' })).toBe('off');
    expect(energyMethod({ ...base, status: 'unavailable' })).toBe('unavailable');
  });
});
