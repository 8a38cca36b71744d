// Separate source and target vocabularies, end to end: a tiny encoder-decoder trained a few real
// steps on grammar-en-xx with `separateVocab` saves two different BPE tokenizers (tokenizer.json
// for targets, tokenizer.src.json for sources) and an encoder embedding of the source size; tfjs
// and onnxruntime (fp32) agree on its logits; ONNX `generate`, tfjs `generateText` and a run's
// evaluation use the right tokenizer for each side; bundles carry both files; resume keeps them;
// a checkpoint without tokenizer.src.json is refused with a message naming that file; and the
// option is refused for decoder-only models.
import { cp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { trainCommand } from '../../../main/cli/train';
import { captureIO } from '../../../main/cli/io';
import { DatasetService } from '../../../main/services/datasets/service';
import { SplitWriter } from '../../../main/services/datasets/split-file';
import { selectBackend } from '../../../main/services/model/backend';
import { makeExamples } from '../../../main/services/model/batching';
import { exportBundle, importBundle } from '../../../main/services/model/bundle';
import {
  BOS_ID,
  EOS_ID,
  PAD_ID,
  SOURCE_EMBEDDING,
  presetConfig,
} from '../../../main/services/model/config';
import {
  ModelFileError,
  readCheckpoint,
  readManifest,
} from '../../../main/services/model/checkpoint';
import type { ModelManifest } from '../../../main/services/model/checkpoint';
import { generate as tfjsGenerate } from '../../../main/services/model/decode';
import { generateText, loadModel } from '../../../main/services/model/inference';
import { ModelStore } from '../../../main/services/model/store';
import { BpeTokenizer } from '../../../main/services/model/tokenizer';
import { runTraining } from '../../../main/services/model/trainer';
import { Transformer } from '../../../main/services/model/transformer';
import { loadCheckpoint } from '../../../main/services/model/onnx/checkpoint';
import { exportOnnx } from '../../../main/services/model/onnx/export';
import {
  generate,
  openGenerator,
  openTranslator,
} from '../../../main/services/model/onnx/inference';
import { referenceLogits } from '../../../main/services/model/onnx/reference';
import { Seq2SeqModel } from '../../../main/services/model/onnx/runtime';
import { greedySearch } from '../../../main/services/model/onnx/search';
import { frameSource } from '../../../main/services/model/onnx/tokenizer';
import { openExport } from '../../../main/services/model/onnx/session';
import { evaluateModel } from '../../../main/services/runs/model-evaluation';
import { parsePerplexityJsonl } from '../../../shared/metrics/perplexity';
import { Workspace } from '../../../main/services/workspace/workspace';
import { repoRoot } from '../../helpers/services';
import { tempDir } from '../../helpers/temp';
import { firstPairs, tinyRequest, workspaceWithDataset } from './helpers';

// The source vocabulary is the larger one, so source ids past the target table exist: a source
// looked up in the target embedding would fail or read the wrong rows.
const TARGET_VOCAB = 160;
const SOURCE_VOCAB = 260;

let workspace: string;
let modelDir: string;
let modelId: string;
let manifest: ModelManifest;
let source: BpeTokenizer;
let target: BpeTokenizer;
let sentences: { source: string; references: string[] }[];

beforeAll(async () => {
  await selectBackend({ force: 'wasm' });
  workspace = await workspaceWithDataset();
  const result = await runTraining(
    tinyRequest(workspace, {
      steps: 6,
      separateVocab: true,
      model: { vocabSize: TARGET_VOCAB, srcVocabSize: SOURCE_VOCAB },
      options: { trainRows: 200 },
    }),
  );
  expect(result.status).toBe('completed');
  modelDir = result.modelDir;
  modelId = result.modelId;
  manifest = await readManifest(modelDir);
  const saved = await readCheckpoint(modelDir);
  target = BpeTokenizer.fromJson(saved.tokenizerJson);
  source = BpeTokenizer.fromJson(saved.sourceTokenizerJson!);
  sentences = (await firstPairs(1000)).slice(-4);
}, 180_000);

describe('a model with separate vocabularies', () => {
  it('saves two tokenizers, each with its own vocabulary, and a source-sized encoder embedding', async () => {
    expect(manifest.config).toMatchObject({
      kind: 'encoder-decoder',
      vocabSize: TARGET_VOCAB,
      srcVocabSize: SOURCE_VOCAB,
    });
    expect(manifest.tokenizer).toMatchObject({
      file: 'tokenizer.json',
      vocabSize: TARGET_VOCAB,
      shared: false,
    });
    expect(manifest.sourceTokenizer).toMatchObject({
      file: 'tokenizer.src.json',
      vocabSize: SOURCE_VOCAB,
    });
    expect(manifest.sourceTokenizer!.sha256).not.toBe(manifest.tokenizer.sha256);
    expect(target.vocabSize).toBe(TARGET_VOCAB);
    expect(source.vocabSize).toBe(SOURCE_VOCAB);
    // Each learnt from its own side: the English source splits English words into fewer pieces.
    const english = sentences.map((s) => s.source);
    const count = async (t: BpeTokenizer) => (await t.encode(english)).flat().length;
    expect(await count(source)).toBeLessThan(await count(target));
    expect(manifest.weights.tensors.find((t) => t.name === SOURCE_EMBEDDING)?.shape).toEqual([
      SOURCE_VOCAB,
      64,
    ]);
    expect(manifest.weights.tensors.find((t) => t.name === 'embed.weight')?.shape).toEqual([
      TARGET_VOCAB,
      64,
    ]);
    const files = await readdir(modelDir);
    expect(files).toEqual(expect.arrayContaining(['tokenizer.json', 'tokenizer.src.json']));
    // Training examples: sources in source ids, targets in target ids.
    const [example] = await makeExamples(
      { source, target },
      sentences.slice(0, 1),
      'encoder-decoder',
      48,
    );
    expect(Array.from(example.src!)).toEqual([
      ...(await source.encode([sentences[0].source]))[0],
      EOS_ID,
    ]);
    expect(Array.from(example.tgt)).toEqual([
      BOS_ID,
      ...(await target.encode([sentences[0].references[0]]))[0],
      EOS_ID,
    ]);
    const summary = (await new ModelStore(await Workspace.open(workspace)).list()).models.find(
      (m) => m.id === modelId,
    );
    expect(summary).toMatchObject({ vocabSize: TARGET_VOCAB, srcVocabSize: SOURCE_VOCAB });
  });

  it('gives the same fp32 logits in tfjs and onnxruntime, within 1e-4', async () => {
    const srcIds = (await source.encode(sentences.map((s) => s.source))).map((ids) => [
      ...ids.slice(0, 46),
      EOS_ID,
    ]);
    const tgtIds = (await target.encode(sentences.map((s) => s.references[0]))).map((ids) => [
      BOS_ID,
      ...ids.slice(0, 46),
    ]);
    // Not vacuous: some source ids lie beyond the target vocabulary.
    expect(Math.max(...srcIds.flat())).toBeGreaterThanOrEqual(TARGET_VOCAB);
    const pad = (rows: number[][]) => {
      const width = Math.max(...rows.map((r) => r.length));
      return tf.tensor2d(
        rows.map((r) => [...r, ...Array<number>(width - r.length).fill(PAD_ID)]),
        undefined,
        'int32',
      );
    };
    const saved = await readCheckpoint(modelDir);
    const model = new Transformer(manifest.config, saved.weights, false);
    const logitsOf = async (m: Transformer) => {
      const t = tf.tidy(() => m.logits({ src: pad(srcIds), tgtIn: pad(tgtIds) }));
      const data = (await t.data()) as Float32Array;
      t.dispose();
      return data;
    };
    const ours = await logitsOf(model);
    model.dispose();
    // The encoder reads its own table: zeroing it changes the logits.
    const zeroed = new Map(saved.weights);
    const table = saved.weights.get(SOURCE_EMBEDDING)!;
    zeroed.set(SOURCE_EMBEDDING, { shape: table.shape, data: new Float32Array(table.data.length) });
    const blind = new Transformer(manifest.config, zeroed, false);
    const changed = await logitsOf(blind);
    blind.dispose();
    expect(changed.some((v, i) => Math.abs(v - ours[i]) > 1e-3)).toBe(true);

    const checkpoint = await loadCheckpoint(modelDir);
    expect(checkpoint.sourceTokenizerFile).toBe('tokenizer.src.json');
    const exported = await exportOnnx(checkpoint, {
      precision: 'fp32',
      outDir: join(await tempDir('ecoeval-sv-onnx-'), 'fp32'),
    });
    expect(exported.manifest.config.srcVocabSize).toBe(SOURCE_VOCAB);
    const opened = await openExport(exported.dir, { provider: 'cpu', intraOpThreads: 1 });
    let theirs: Float32Array;
    try {
      const onnx = await Seq2SeqModel.create(opened);
      theirs = await onnx.logits(await onnx.encode(srcIds), tgtIds);
    } finally {
      await opened.release();
    }
    expect(theirs.length).toBe(ours.length);
    const width = Math.max(...tgtIds.map((r) => r.length));
    let worst = 0;
    tgtIds.forEach((row, r) => {
      for (let t = 0; t < row.length; t++) {
        for (let v = 0; v < TARGET_VOCAB; v++) {
          const i = (r * width + t) * TARGET_VOCAB + v;
          worst = Math.max(worst, Math.abs(ours[i] - theirs[i]));
        }
      }
    });
    expect(worst).toBeLessThan(1e-4);
    expect(Math.max(...ours) - Math.min(...ours)).toBeGreaterThan(1);
    // The ONNX module's plain-TypeScript reference agrees too.
    const reference = referenceLogits(checkpoint, srcIds, tgtIds).data;
    let worstReference = 0;
    tgtIds.forEach((row, r) => {
      for (let t = 0; t < row.length; t++) {
        for (let v = 0; v < TARGET_VOCAB; v++) {
          const i = (r * width + t) * TARGET_VOCAB + v;
          worstReference = Math.max(worstReference, Math.abs(ours[i] - reference[i]));
        }
      }
    });
    expect(worstReference).toBeLessThan(1e-4);
  }, 120_000);

  it('translates with ONNX generate and tfjs generateText, decoding with the target tokenizer', async () => {
    const inputs = sentences.map((s) => s.source);
    const generator = await openTranslator(modelDir, { precision: 'fp32', provider: 'cpu' });
    try {
      expect(generator.tokenizers.source.vocabSize).toBe(SOURCE_VOCAB);
      expect(generator.tokenizers.target.vocabSize).toBe(TARGET_VOCAB);
      const result = await generate(generator, inputs, { maxLength: 12, batchSize: 1 });
      expect(result.hypotheses).toHaveLength(inputs.length);
      expect(result.generatedTokens).toBeGreaterThan(0);
      expect(result.hypotheses.join('').trim().length).toBeGreaterThan(0);
      const decoded = await target.decode(result.ids.map((h) => h.tokens));
      expect(result.hypotheses).toEqual(decoded);
      // The same search fed the source tokenizer's ids, one sentence at a time as above.
      const sourceIds = await source.encode(inputs);
      for (const [i, ids] of sourceIds.entries()) {
        const encoded = await generator.model.encode([frameSource(ids, manifest.config.maxLength)]);
        const [expected] = await greedySearch(generator.model.stepper(encoded, [0]), {
          maxLength: 12,
        });
        expect(result.ids[i].tokens).toEqual(expected.tokens);
      }
    } finally {
      await generator.release();
    }
    const loaded = await loadModel(modelDir, { backend: 'wasm' });
    try {
      expect(loaded.sourceTokenizer.vocabSize).toBe(SOURCE_VOCAB);
      expect(loaded.tokenizer.vocabSize).toBe(TARGET_VOCAB);
      const outputs = await generateText(loaded, inputs, { maxNewTokens: 12 });
      expect(outputs).toHaveLength(inputs.length);
      expect(outputs.join('').trim().length).toBeGreaterThan(0);
      const expected = await tfjsGenerate(loaded.model, await source.encode(inputs), {
        maxNewTokens: 12,
      });
      expect(outputs).toEqual(await target.decode(expected));
    } finally {
      loaded.dispose();
    }
  }, 120_000);

  it('is evaluated as a run: sources through the source tokenizer, references through the target one', async () => {
    const dir = await tempDir('ecoeval-sv-split-');
    const writer = await SplitWriter.create('test', dir, 'test.jsonl');
    await writer.write(sentences);
    await writer.finish();
    const outDir = await tempDir('ecoeval-sv-run-');
    const result = await evaluateModel({
      modelDir,
      spec: {
        type: 'model',
        model: modelId,
        precision: 'fp32',
        provider: 'cpu',
        beam: 1,
        lengthPenalty: 1,
        batchSize: 4,
        maxLength: 12,
      },
      splitFile: join(dir, 'test.jsonl'),
      datasetKind: 'translation',
      metrics: ['bleu', 'perplexity'],
      outDir,
      energy: 'off',
    });
    expect(result.segments).toBe(sentences.length);
    const outputs = (await readFile(join(outDir, 'outputs.txt'), 'utf8')).split('\n');
    expect(outputs.slice(0, sentences.length).join('').trim().length).toBeGreaterThan(0);
    const { records, errors } = parsePerplexityJsonl(
      await readFile(join(outDir, 'logprobs.jsonl'), 'utf8'),
    );
    expect(errors).toEqual([]);
    const references = sentences.map((s) => s.references[0]);
    const byTarget = await target.encode(references);
    const bySource = await source.encode(references);
    // The two tokenizers cut the references differently, so the count tells which one was used.
    expect(byTarget.map((ids) => ids.length)).not.toEqual(bySource.map((ids) => ids.length));
    expect(records.map((r) => r.logprobs.length)).toEqual(byTarget.map((ids) => ids.length + 1));
    expect(records.map((r) => r.text)).toEqual(references);
  }, 120_000);

  it('moves between workspaces as a bundle with both tokenizer files', async () => {
    const storeA = new ModelStore(await Workspace.open(workspace));
    const out = join(await tempDir('ecoeval-sv-bundle-'), 'bundle');
    const exported = await exportBundle(storeA, modelId, out);
    expect(exported.files.map((f) => f.file)).toEqual(
      expect.arrayContaining(['model.json', 'tokenizer.json', 'tokenizer.src.json']),
    );
    const storeB = new ModelStore(await Workspace.open(await tempDir('ecoeval-sv-ws-b-')));
    const imported = await importBundle(storeB, out);
    expect(imported.files.map((f) => f.file)).toEqual(
      expect.arrayContaining(['tokenizer.json', 'tokenizer.src.json']),
    );
    expect(imported.manifest.sourceTokenizer).toEqual(manifest.sourceTokenizer);
    expect(await readFile(join(imported.dir, 'tokenizer.src.json'), 'utf8')).toBe(
      await readFile(join(modelDir, 'tokenizer.src.json'), 'utf8'),
    );
    const loaded = await loadModel(imported.dir, { backend: 'wasm' });
    try {
      expect(loaded.sourceTokenizer.vocabSize).toBe(SOURCE_VOCAB);
      expect(loaded.model.config.srcVocabSize).toBe(SOURCE_VOCAB);
    } finally {
      loaded.dispose();
    }
  }, 60_000);

  it('refuses a checkpoint without tokenizer.src.json, naming the file', async () => {
    const dir = join(await tempDir('ecoeval-sv-broken-'), 'no-src-tok');
    await cp(modelDir, dir, { recursive: true });
    await rm(join(dir, 'onnx'), { recursive: true, force: true });
    await rm(join(dir, 'tokenizer.src.json'));
    const error = await readCheckpoint(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelFileError);
    expect((error as ModelFileError).file).toBe('no-src-tok/tokenizer.src.json');
    expect((error as Error).message).toMatch(
      /no-src-tok\/tokenizer\.src\.json is missing \(model\.json names it as the source tokenizer\)/,
    );
    await expect(loadModel(dir, { backend: 'wasm' })).rejects.toThrow(
      /tokenizer\.src\.json is missing/,
    );
    await expect(openGenerator(dir, { precision: 'fp32', provider: 'cpu' })).rejects.toThrow(
      /no-src-tok\/tokenizer\.src\.json: missing; this model has separate source and target vocabularies/,
    );
    const storeB = new ModelStore(await Workspace.open(await tempDir('ecoeval-sv-ws-c-')));
    await expect(importBundle(storeB, dir)).rejects.toThrow(/tokenizer\.src\.json is missing/);
    // A manifest that drops the source tokenizer's record contradicts its own config.
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    delete json.sourceTokenizer;
    await writeFile(join(dir, 'model.json'), JSON.stringify(json));
    await expect(readManifest(dir)).rejects.toThrow(
      /model\.json is inconsistent \(config\.srcVocabSize says the source vocabulary is separate, but no sourceTokenizer is listed\)/,
    );
  }, 60_000);
  it('resumes training with both of its tokenizers unchanged', async () => {
    const resumed = await runTraining(
      tinyRequest(workspace, { steps: 8, resume: modelId, options: { trainRows: 200 } }),
    );
    expect(resumed.status).toBe('completed');
    expect(resumed.step).toBe(8);
    const after = await readManifest(modelDir);
    expect(after.config).toEqual(manifest.config);
    expect(after.tokenizer).toEqual(manifest.tokenizer);
    expect(after.sourceTokenizer).toEqual(manifest.sourceTokenizer);
    expect(after.weights.sha256).not.toBe(manifest.weights.sha256);
  }, 60_000);
});

describe('asking for separate vocabularies', () => {
  it('is refused for a decoder-only model', async () => {
    expect(() =>
      presetConfig('tiny', { kind: 'decoder-only', vocabSize: 100, srcVocabSize: 100 }),
    ).toThrow(/decoder-only model has no source side/);
    const ws = await Workspace.open(workspace);
    const datasets = new DatasetService(ws, { builtinDir: join(repoRoot, 'datasets') });
    await datasets.installBuiltins(['tiny-stories-lm'], {
      id: 'test',
      signal: new AbortController().signal,
      progress: () => undefined,
      throwIfCancelled: () => undefined,
    });
    const before = await readdir(ws.modelsDir);
    await expect(
      runTraining(
        tinyRequest(workspace, { dataset: 'tiny-stories-lm', steps: 1, separateVocab: true }),
      ),
    ).rejects.toThrow(
      /need an encoder-decoder model, but tiny-stories-lm is a language-modelling dataset/,
    );
    expect(await readdir(ws.modelsDir)).toEqual(before);
  }, 60_000);

  it('takes --separate-vocab and --src-vocab on the command line, and --src-vocab only with it', async () => {
    const io = captureIO();
    await expect(
      trainCommand(['--dataset', 'x', '--preset', 'tiny', '--src-vocab', '100'], io),
    ).rejects.toThrow(/--src-vocab sets the source side of --separate-vocab/);
    await expect(
      trainCommand(['--resume', modelId, '--separate-vocab', '--workspace', workspace], io),
    ).rejects.toThrow(/drop --separate-vocab/);
    const help = captureIO();
    expect(await trainCommand(['--help'], help)).toBe(0);
    expect(help.out()).toMatch(/--separate-vocab/);
    expect(help.out()).toMatch(/--src-vocab N/);
  });
});
