// Checkpoint loading (every way a folder can be broken gives a clear error naming the file) and
// the reference forward pass's own invariants: causality and padding invariance.
import { readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointError, loadCheckpoint } from '../../../main/services/model/onnx/checkpoint';
import { expectedTensors, parameterCount } from '../../../main/services/model/onnx/config';
import { writeRandomCheckpoint } from '../../../main/services/model/onnx/random-checkpoint';
import { referenceLogits } from '../../../main/services/model/onnx/reference';
import {
  TINY_LM,
  TINY_SEQ2SEQ,
  tempDir,
  writeFixtureCheckpoint,
} from '../../fixtures/model/checkpoints';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

function manifestOf(dir: string): Record<string, unknown> & {
  weights: { file: string; tensors: { name: string; shape: number[] }[] };
} {
  return JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
}

async function broken(name: string, damage: (dir: string) => void): Promise<string> {
  const dir = join(tmp.dir, name);
  await writeRandomCheckpoint(dir, TINY_SEQ2SEQ, { seed: 3 });
  damage(dir);
  const error = await loadCheckpoint(dir).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CheckpointError);
  return (error as Error).message;
}

describe('loadCheckpoint', () => {
  it('loads what writeRandomCheckpoint wrote, deterministically per seed', async () => {
    const a = await loadCheckpoint(
      await writeFixtureCheckpoint(join(tmp.dir, 'a'), TINY_SEQ2SEQ, 5),
    );
    const b = await loadCheckpoint(
      await writeFixtureCheckpoint(join(tmp.dir, 'b'), TINY_SEQ2SEQ, 5),
    );
    expect(a.weightsSha256).toBe(b.weightsSha256);
    expect(a.tensors.size).toBe(expectedTensors(TINY_SEQ2SEQ).length);
    expect(a.tokenizerFile).toBe('tokenizer.json');
    const total = [...a.tensors.values()].reduce((n, t) => n + t.length, 0);
    expect(total).toBe(parameterCount(TINY_SEQ2SEQ));
    const lm = await loadCheckpoint(await writeFixtureCheckpoint(join(tmp.dir, 'lm'), TINY_LM));
    expect(lm.tensors.has('generator.weight')).toBe(true);
    expect(lm.tensors.has('dec.0.ln3.gamma')).toBe(false);
  });

  it('names a missing model.json', async () => {
    const message = await broken('no-manifest', (dir) => rmSync(join(dir, 'model.json')));
    expect(message).toMatch(/model\.json: no model\.json here/);
  });

  it('names a damaged model.json', async () => {
    const message = await broken('bad-json', (dir) =>
      writeFileSync(join(dir, 'model.json'), '{"config": '),
    );
    expect(message).toMatch(/model\.json: not valid JSON .*damaged/);
  });

  it('reports a truncated weights file with its sizes', async () => {
    const message = await broken('truncated', (dir) => {
      truncateSync(join(dir, manifestOf(dir).weights.file), 1000);
    });
    expect(message).toMatch(
      /weights-seed3\.bin: truncated or damaged: 1000 bytes, but model\.json describes \d+/,
    );
  });

  it('reports a corrupt weights file (sha256 mismatch)', async () => {
    const message = await broken('corrupt', (dir) => {
      const path = join(dir, manifestOf(dir).weights.file);
      const bytes = readFileSync(path);
      bytes[100] ^= 0xff;
      writeFileSync(path, bytes);
    });
    expect(message).toMatch(/weights-seed3\.bin: corrupt: its sha256 does not match/);
  });

  it('reports a missing weights file', async () => {
    const message = await broken('no-weights', (dir) =>
      rmSync(join(dir, manifestOf(dir).weights.file)),
    );
    expect(message).toMatch(/the weights file model\.json names is missing/);
  });

  it('reports missing tensors and wrong shapes', async () => {
    const missing = await broken('missing-tensor', (dir) => {
      const m = manifestOf(dir);
      m.weights.tensors = m.weights.tensors.filter((t) => t.name !== 'dec.1.ff2.bias');
      writeFileSync(join(dir, 'model.json'), JSON.stringify(m));
    });
    expect(missing).toMatch(
      /1 tensor\(s\) the configuration needs are missing \(dec\.1\.ff2\.bias\)/,
    );
    const shape = await broken('wrong-shape', (dir) => {
      const m = manifestOf(dir);
      m.weights.tensors.find((t) => t.name === 'enc.0.ff1.weight')!.shape = [32, 16];
      writeFileSync(join(dir, 'model.json'), JSON.stringify(m));
    });
    expect(shape).toMatch(/tensor enc\.0\.ff1\.weight has shape \[32, 16\] .* needs \[16, 32\]/);
  });

  it('reports non-finite weights', async () => {
    const message = await broken('nan', (dir) => {
      const m = manifestOf(dir);
      const path = join(dir, m.weights.file);
      const bytes = readFileSync(path);
      bytes.writeFloatLE(NaN, 8);
      writeFileSync(path, bytes);
      delete (m.weights as { sha256?: string }).sha256;
      writeFileSync(join(dir, 'model.json'), JSON.stringify(m));
    });
    expect(message).toMatch(/embed\.weight holds a non-finite value/);
  });
});

describe('referenceLogits', () => {
  let seq2seq: Awaited<ReturnType<typeof loadCheckpoint>>;
  let lm: Awaited<ReturnType<typeof loadCheckpoint>>;
  beforeAll(async () => {
    seq2seq = await loadCheckpoint(
      await writeFixtureCheckpoint(join(tmp.dir, 'ref-s2s'), TINY_SEQ2SEQ),
    );
    lm = await loadCheckpoint(await writeFixtureCheckpoint(join(tmp.dir, 'ref-lm'), TINY_LM));
  });

  const row = (l: { data: Float32Array; length: number; vocab: number }, b: number, t: number) =>
    Array.from(l.data.subarray((b * l.length + t) * l.vocab, (b * l.length + t + 1) * l.vocab));

  it('is causal: later target tokens do not change earlier logits', () => {
    const src = [[5, 6, 7, 2]];
    const a = referenceLogits(seq2seq, src, [[1, 10, 11, 12]]);
    const b = referenceLogits(seq2seq, src, [[1, 10, 30, 40]]);
    expect(row(b, 0, 1)).toEqual(row(a, 0, 1));
    expect(row(b, 0, 2)).not.toEqual(row(a, 0, 2));
    const c = referenceLogits(lm, null, [[1, 10, 11, 12]]);
    const d = referenceLogits(lm, null, [[1, 10, 11, 50]]);
    expect(row(d, 0, 2)).toEqual(row(c, 0, 2));
  });

  it('ignores source padding and depends on the source', () => {
    const a = referenceLogits(seq2seq, [[5, 6, 2]], [[1, 9]]);
    const b = referenceLogits(seq2seq, [[5, 6, 2, 0, 0]], [[1, 9]]);
    const c = referenceLogits(seq2seq, [[5, 7, 2]], [[1, 9]]);
    for (let i = 0; i < a.data.length; i++) expect(b.data[i]).toBeCloseTo(a.data[i], 6);
    expect(row(c, 0, 1)).not.toEqual(row(a, 0, 1));
  });
});
