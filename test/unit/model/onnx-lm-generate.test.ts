// Continuing prompts with a decoder-only model through onnxruntime (`generate` on a language
// model): the prompt is read in one cached pass, then greedy continuation matches a greedy run of
// the TypeScript reference over the whole growing sequence; prompts of different lengths are
// batched apart and come back in input order; beam 1 equals greedy and the cached beam equals the
// uncached one; too-long prompts keep their last tokens.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Checkpoint } from '../../../main/services/model/onnx/checkpoint';
import { loadCheckpoint } from '../../../main/services/model/onnx/checkpoint';
import { BOS_ID, EOS_ID, PAD_ID } from '../../../main/services/model/onnx/config';
import { framePrompt, generate, openGenerator } from '../../../main/services/model/onnx/inference';
import type { Continuer } from '../../../main/services/model/onnx/inference';
import { referenceLogits } from '../../../main/services/model/onnx/reference';
import { LanguageModel } from '../../../main/services/model/onnx/runtime';
import { beamSearch } from '../../../main/services/model/onnx/search';
import { TINY_LM, tempDir, writeFixtureCheckpoint } from '../../fixtures/model/checkpoints';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const PROMPTS = [
  'w1 w2 w3',
  'w4',
  '',
  'w5 w6 w7',
  Array.from({ length: 30 }, (_, i) => `w${i + 8}`).join(' '), // longer than maxLength (24)
];

/** Word-level fixture tokenizer: `wN` has id N + 4. */
const idsOf = (text: string) => (text ? text.split(' ').map((w) => Number(w.slice(1)) + 4) : []);

/** Greedy continuation with the reference forward pass over the whole sequence each step. */
function referenceContinuation(checkpoint: Checkpoint, prompt: number[], steps: number): number[] {
  const sequence = [...prompt];
  const out: number[] = [];
  const vocab = checkpoint.config.vocabSize;
  for (let s = 0; s < steps; s++) {
    const logits = referenceLogits(checkpoint, null, [sequence]).data;
    const row = logits.subarray((sequence.length - 1) * vocab, sequence.length * vocab);
    let best = -1;
    for (let v = 0; v < vocab; v++)
      if (v !== PAD_ID && v !== BOS_ID && (best < 0 || row[v] > row[best])) best = v;
    if (best === EOS_ID) break;
    out.push(best);
    sequence.push(best);
  }
  return out;
}

describe('language-model generation', () => {
  let checkpoint: Checkpoint;
  let lm: Continuer;
  beforeAll(async () => {
    const dir = await writeFixtureCheckpoint(join(tmp.dir, 'lm'), TINY_LM, 13);
    checkpoint = await loadCheckpoint(dir);
    lm = (await openGenerator(dir, {
      precision: 'fp32',
      provider: 'cpu',
      intraOpThreads: 1,
    })) as Continuer;
  });
  afterAll(() => lm?.release());

  it('frames prompts as <s> tokens and keeps the last tokens of long ones', () => {
    expect(framePrompt([5, 6], 10, undefined)).toEqual({
      prompt: [BOS_ID, 5, 6],
      truncated: false,
    });
    const ids = Array.from({ length: 12 }, (_, i) => 10 + i);
    // Room for at least one new token: at most maxLength tokens of prompt.
    expect(framePrompt(ids, 10, undefined)).toEqual({ prompt: ids.slice(2), truncated: true });
    // Room for four new tokens: maxLength + 1 - 4 tokens of prompt.
    expect(framePrompt(ids, 10, 4).prompt).toEqual(ids.slice(5));
    expect(framePrompt([], 10, 4)).toEqual({ prompt: [BOS_ID], truncated: false });
  });

  it('greedy continuation matches the reference, in input order, across length batches', async () => {
    expect(lm.model).toBeInstanceOf(LanguageModel);
    const maxNew = 6;
    const result = await generate(lm, PROMPTS, { maxLength: maxNew, batchSize: 2 });
    expect(result.sentences).toBe(PROMPTS.length);
    expect(result.truncatedPrompts).toBe(1);
    expect(result.hypotheses).toHaveLength(PROMPTS.length);
    PROMPTS.forEach((text, i) => {
      const { prompt } = framePrompt(idsOf(text), checkpoint.config.maxLength, maxNew);
      const expected = referenceContinuation(checkpoint, prompt, maxNew);
      expect(result.ids[i].tokens, `prompt ${i}`).toEqual(expected);
      expect(result.hypotheses[i]).toBe(expected.map((id) => `w${id - 4}`).join(' '));
    });
    // Not vacuous: the random model continues at least one prompt.
    expect(result.generatedTokens).toBeGreaterThan(0);
  });

  it('without --max-length a continuation may fill every position the prompt leaves', async () => {
    const long = PROMPTS[4];
    const result = await generate(lm, [long, 'w1']);
    const room = checkpoint.config.maxLength; // a truncated prompt keeps maxLength tokens
    expect(result.ids[0].tokens.length).toBeLessThanOrEqual(1);
    expect(result.ids[1].tokens.length).toBeLessThanOrEqual(room - 2 + 1);
    const { prompt } = framePrompt(idsOf('w1'), room, undefined);
    expect(result.ids[1].tokens).toEqual(
      referenceContinuation(checkpoint, prompt, room - prompt.length + 1),
    );
  });

  it('beam 1 equals greedy; the cached beam equals the uncached one', async () => {
    const greedy = await generate(lm, PROMPTS, { maxLength: 5 });
    const beam1 = await generate(lm, PROMPTS, { maxLength: 5, beam: 1 });
    expect(beam1.ids.map((h) => h.tokens)).toEqual(greedy.ids.map((h) => h.tokens));
    const beam3 = await generate(lm, PROMPTS.slice(0, 2), { maxLength: 5, beam: 3 });
    for (let i = 0; i < 2; i++) {
      const { prompt } = framePrompt(idsOf(PROMPTS[i]), checkpoint.config.maxLength, 5);
      const uncached = await lm.model.primedStepper([prompt.slice(0, -1)], { cache: false });
      const [expected] = await beamSearch(
        1,
        (sourceOf) => {
          uncached.select(sourceOf);
          return uncached;
        },
        { maxLength: 5, beam: 3, firstTokens: [prompt.at(-1)!] },
      );
      expect(beam3.ids[i].tokens).toEqual(expected.tokens);
      expect(beam3.ids[i].score).toBeCloseTo(expected.score, 4);
    }
  });
});
