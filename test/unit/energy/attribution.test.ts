// Prefill/decode split and the steady-state window (energy.md §5 scenarios 30, 31).
import { describe, expect, it } from 'vitest';
import { decodeEnergy, steadyStateWindow } from '../../../main/services/energy/attribution';

describe('decodeEnergy (scenario 30)', () => {
  it('decode = generate − prefill; tokens = batch × (new_tokens − 1)', () => {
    const d = decodeEnergy(
      { joules: 1000, lowJ: 950, highJ: 1050 },
      { joules: 200, lowJ: 190, highJ: 210 },
      4,
      101,
    );
    expect(d).toMatchObject({ joules: 800, lowJ: 740, highJ: 860, tokens: 400 });
    expect(d.perToken).toEqual({ joules: 2, lowJ: 1.85, highJ: 2.15 });
  });
  it('clamps at zero and yields no per-token figure without decode tokens', () => {
    const d = decodeEnergy(
      { joules: 10, lowJ: 9, highJ: 11 },
      { joules: 12, lowJ: 11, highJ: 13 },
      1,
      1,
    );
    expect(d).toMatchObject({
      joules: 0,
      lowJ: 0,
      tokens: 0,
      perToken: { joules: 0, lowJ: 0, highJ: 0 },
    });
  });
});

describe('steadyStateWindow (scenario 31)', () => {
  it('starts when the batch is full and producing, ends before the tail drains', () => {
    const reqs = Array.from({ length: 10 }, (_, i) => ({
      start: i,
      firstToken: i + 0.5,
      finish: 20 + i,
    }));
    // max_num_seqs 3: third first-token at 2.5; n − 3 − 1 = 6 finished at 25.
    expect(steadyStateWindow(reqs, 3)).toEqual({ start: 2.5, end: 25 });
  });
  it('is undefined when the run is too short to have a steady state', () => {
    const reqs = Array.from({ length: 4 }, (_, i) => ({
      start: i,
      firstToken: i + 1,
      finish: i + 2,
    }));
    expect(steadyStateWindow(reqs, 3)).toBeUndefined();
    expect(steadyStateWindow(reqs, 0)).toBeUndefined();
  });
});
