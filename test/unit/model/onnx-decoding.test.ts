// Decoding and scoring on onnxruntime: cached and uncached decoding agree, greedy matches a greedy
// run of the reference forward pass, beam search finds what greedy misses (scripted stepper), and
// teacher-forced / sliding-window log-probabilities match the reference.
import fc from 'fast-check';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Checkpoint } from '../../../main/services/model/onnx/checkpoint';
import { loadCheckpoint } from '../../../main/services/model/onnx/checkpoint';
import { BOS_ID, EOS_ID, PAD_ID } from '../../../main/services/model/onnx/config';
import { exportOnnx } from '../../../main/services/model/onnx/export';
import { referenceLogits } from '../../../main/services/model/onnx/reference';
import { LanguageModel, Seq2SeqModel } from '../../../main/services/model/onnx/runtime';
import type { Stepper } from '../../../main/services/model/onnx/runtime';
import {
  conditionalLogprobs,
  slidingWindowLogprobs,
  slidingWindows,
} from '../../../main/services/model/onnx/scoring';
import { beamSearch, greedySearch } from '../../../main/services/model/onnx/search';
import { openExport } from '../../../main/services/model/onnx/session';
import {
  TINY_LM,
  TINY_SEQ2SEQ,
  tempDir,
  writeFixtureCheckpoint,
} from '../../fixtures/model/checkpoints';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const SOURCES = [
  [5, 6, 7, 8, 2],
  [9, 10, 2],
  [11, 12, 13, 14, 15, 16, 2],
  [17, 2],
];

function logSoftmax(row: ArrayLike<number>): number[] {
  const max = Math.max(...Array.from(row));
  const sum = Array.from(row).reduce((s, v) => s + Math.exp(v - max), 0);
  return Array.from(row, (v) => v - max - Math.log(sum));
}

/** Greedy decoding with the reference forward pass, re-running the whole prefix each step. */
function referenceGreedy(checkpoint: Checkpoint, src: number[] | null, steps: number): number[] {
  const prefix = [BOS_ID];
  const out: number[] = [];
  const vocab = checkpoint.config.vocabSize;
  for (let s = 0; s < steps; s++) {
    const l = referenceLogits(checkpoint, src ? [src] : null, [prefix]);
    const row = l.data.subarray((prefix.length - 1) * vocab, prefix.length * vocab);
    let best = -1;
    for (let v = 0; v < vocab; v++)
      if (v !== PAD_ID && v !== BOS_ID && (best < 0 || row[v] > row[best])) best = v;
    if (best === EOS_ID) break;
    out.push(best);
    prefix.push(best);
  }
  return out;
}

describe('encoder-decoder decoding', () => {
  let checkpoint: Checkpoint;
  let model: Seq2SeqModel;
  beforeAll(async () => {
    checkpoint = await loadCheckpoint(
      await writeFixtureCheckpoint(join(tmp.dir, 's2s'), TINY_SEQ2SEQ, 11),
    );
    const { dir } = await exportOnnx(checkpoint, { precision: 'fp32' });
    model = await Seq2SeqModel.create(
      await openExport(dir, { provider: 'cpu', intraOpThreads: 1 }),
    );
  });
  afterAll(() => model.release());

  it('cached and uncached greedy decoding give the same tokens, matching the reference', async () => {
    const encoded = await model.encode(SOURCES);
    const rows = SOURCES.map((_, i) => i);
    const maxLength = 12;
    const cached = await greedySearch(model.stepper(encoded, rows), { maxLength, scores: true });
    const uncached = await greedySearch(model.stepper(encoded, rows, { cache: false }), {
      maxLength,
      scores: true,
    });
    expect(cached.map((h) => h.tokens)).toEqual(uncached.map((h) => h.tokens));
    cached.forEach((h, i) => expect(h.score).toBeCloseTo(uncached[i].score, 4));
    SOURCES.forEach((src, i) =>
      expect(cached[i].tokens).toEqual(referenceGreedy(checkpoint, src, maxLength)),
    );
  });

  it('beam search: beam 1 is greedy, cached equals uncached, and scores are consistent', async () => {
    const encoded = await model.encode(SOURCES);
    const maxLength = 10;
    const greedy = await greedySearch(
      model.stepper(
        encoded,
        SOURCES.map((_, i) => i),
      ),
      { maxLength },
    );
    const beam1 = await beamSearch(SOURCES.length, (of) => model.stepper(encoded, of), {
      maxLength,
      beam: 1,
    });
    expect(beam1.map((h) => h.tokens)).toEqual(greedy.map((h) => h.tokens));
    const cached = await beamSearch(SOURCES.length, (of) => model.stepper(encoded, of), {
      maxLength,
      beam: 4,
      lengthPenalty: 0.6,
    });
    const uncached = await beamSearch(
      SOURCES.length,
      (of) => model.stepper(encoded, of, { cache: false }),
      { maxLength, beam: 4, lengthPenalty: 0.6 },
    );
    expect(cached.map((h) => h.tokens)).toEqual(uncached.map((h) => h.tokens));
    // The score is the reference's log-probability of the hypothesis.
    const hyp = cached[0];
    const input = [BOS_ID, ...hyp.tokens];
    const gold = hyp.finished ? [...hyp.tokens, EOS_ID] : hyp.tokens;
    const l = referenceLogits(checkpoint, [SOURCES[0]], [input]);
    const v = checkpoint.config.vocabSize;
    const expected = gold.reduce(
      (s, token, t) => s + logSoftmax(l.data.subarray(t * v, (t + 1) * v))[token],
      0,
    );
    expect(hyp.score).toBeCloseTo(expected, 3);
  });

  it('teacher-forced conditional log-probabilities match the reference', async () => {
    const targets = [[20, 21, 22], [23], [24, 25, 26, 27, 28]];
    const sources = SOURCES.slice(0, 3);
    const got = await conditionalLogprobs(model, sources, targets, { batchSize: 2 });
    const v = checkpoint.config.vocabSize;
    targets.forEach((target, i) => {
      const l = referenceLogits(checkpoint, [sources[i]], [[BOS_ID, ...target]]);
      const expected = [...target, EOS_ID].map(
        (token, t) => logSoftmax(l.data.subarray(t * v, (t + 1) * v))[token],
      );
      expect(got[i]).toHaveLength(target.length + 1);
      got[i].forEach((value, t) => expect(value).toBeCloseTo(expected[t], 4));
    });
  });
});

describe('language model', () => {
  let checkpoint: Checkpoint;
  let model: LanguageModel;
  beforeAll(async () => {
    checkpoint = await loadCheckpoint(
      await writeFixtureCheckpoint(join(tmp.dir, 'lm'), TINY_LM, 13),
    );
    const { dir } = await exportOnnx(checkpoint, { precision: 'fp32' });
    model = await LanguageModel.create(
      await openExport(dir, { provider: 'cpu', intraOpThreads: 1 }),
    );
  });
  afterAll(() => model.release());

  it('cached and uncached greedy continuation agree', async () => {
    const cached = await greedySearch(model.stepper(3), { maxLength: 15 });
    const uncached = await greedySearch(model.stepper(3, { cache: false }), { maxLength: 15 });
    expect(cached.map((h) => h.tokens)).toEqual(uncached.map((h) => h.tokens));
    expect(cached[0].tokens).toEqual(referenceGreedy(checkpoint, null, 15));
  });

  it('sliding-window log-probabilities equal the reference on each window', async () => {
    const texts = [Array.from({ length: 30 }, (_, i) => 4 + ((i * 7) % 50)), [5, 6, 7]];
    const window = 8;
    const stride = 3;
    const got = await slidingWindowLogprobs(model, texts, { window, stride, batchSize: 4 });
    const v = checkpoint.config.vocabSize;
    texts.forEach((text, i) => {
      const framed = [BOS_ID, ...text, EOS_ID];
      expect(got[i]).toHaveLength(framed.length - 1);
      for (const w of slidingWindows(framed.length, window, stride)) {
        const slice = framed.slice(w.begin, w.end);
        const l = referenceLogits(checkpoint, null, [slice]);
        for (let j = w.scoreFrom; j < w.end; j++) {
          const t = j - 1 - w.begin;
          const expected = logSoftmax(l.data.subarray(t * v, (t + 1) * v))[framed[j]];
          expect(got[i][j - 1]).toBeCloseTo(expected, 4);
        }
      }
    });
  });
});

describe('slidingWindows', () => {
  it('scores every position after the first exactly once, within the window', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 200 }),
        fc.integer({ min: 2, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        (length, window, strideRaw) => {
          const stride = Math.min(strideRaw, window);
          const counts = new Array<number>(length).fill(0);
          for (const w of slidingWindows(length, window, stride)) {
            expect(w.end - w.begin).toBeLessThanOrEqual(window);
            expect(w.scoreFrom).toBeGreaterThan(w.begin);
            for (let j = w.scoreFrom; j < w.end; j++) counts[j]++;
          }
          expect(counts.slice(1).every((c) => c === 1)).toBe(true);
        },
      ),
    );
  });
});

/**
 * A scripted model over vocabulary {pad, <s>, </s>, unk, a=4, b=5}: after <s>, "a" looks best
 * (0.6) but every continuation of "a" is poor; "b" (0.4) leads to a confident </s>.
 */
class ScriptedStepper implements Stepper {
  readonly vocab = 6;
  histories: number[][];
  selects: number[][] = [];
  constructor(rows: number) {
    this.histories = Array.from({ length: rows }, () => []);
  }
  get rows(): number {
    return this.histories.length;
  }
  async step(tokens: readonly number[]): Promise<Float32Array> {
    const out = new Float32Array(this.rows * this.vocab).fill(-30);
    tokens.forEach((token, r) => {
      this.histories[r].push(token);
      const probs: Record<number, number> =
        token === BOS_ID
          ? { 4: 0.6, 5: 0.4 }
          : token === 5
            ? { [EOS_ID]: 0.95, 4: 0.05 }
            : { [EOS_ID]: 0.3, 4: 0.35, 5: 0.35 };
      for (const [id, p] of Object.entries(probs)) out[r * this.vocab + Number(id)] = Math.log(p);
    });
    return out;
  }
  select(indices: readonly number[]): void {
    this.selects.push([...indices]);
    this.histories = indices.map((i) => [...this.histories[i]]);
  }
}

describe('search on a scripted model', () => {
  it('greedy takes the locally best token, beam finds the better sequence', async () => {
    const greedy = await greedySearch(new ScriptedStepper(1), { maxLength: 5, scores: true });
    expect(greedy[0].tokens[0]).toBe(4);
    const beam = await beamSearch(2, (of) => new ScriptedStepper(of.length), {
      maxLength: 5,
      beam: 2,
      lengthPenalty: 0,
    });
    for (const hyp of beam) {
      expect(hyp.tokens).toEqual([5]);
      expect(hyp.finished).toBe(true);
      expect(hyp.score).toBeCloseTo(Math.log(0.4 * 0.95), 5);
    }
    expect(greedy[0].score).toBeLessThan(beam[0].score);
  });

  it('greedy drops finished rows from the batch and stops at the maximum length', async () => {
    const stepper = new ScriptedStepper(2);
    const results = await greedySearch(stepper, { maxLength: 3 });
    // Both rows: "a", then "a"/"b" tie resolved to the first (a), then cut at the maximum length.
    expect(results.map((r) => r.finished)).toEqual([false, false]);
    expect(results[0].tokens).toHaveLength(3);
    const early = new ScriptedStepper(3);
    const first = await greedySearch(early, { maxLength: 1 });
    expect(first.every((r) => r.tokens.length === 1)).toBe(true);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(
      greedySearch(new ScriptedStepper(1), { maxLength: 5, signal: controller.signal }),
    ).rejects.toThrow('stop');
  });
});
