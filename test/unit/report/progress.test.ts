// Job progress as `ecoeval report run` and `ecoeval evaluate` print it: a redrawn bar on a
// terminal; in CI plain lines, nothing before the first segment and the end only once.
import { describe, expect, it } from 'vitest';
import { captureIO } from '../../../main/cli/io';
import { jobProgressPrinter } from '../../../main/cli/job-progress';
import type { JobProgress } from '../../../shared/api/types';

const progress = (done: number, state: JobProgress['state'] = 'running'): JobProgress => ({
  jobId: 'evaluate-1',
  kind: 'evaluate',
  label: 'Evaluate tiny fp32 greedy on set/test',
  done,
  total: 10,
  unit: 'segments',
  ratePerSecond: 5,
  etaSeconds: (10 - done) / 5,
  state,
  joules: 2.5,
});

describe('jobProgressPrinter', () => {
  it('draws a bar on a terminal', () => {
    const io = { ...captureIO(), isTTY: true };
    const print = jobProgressPrinter(io, { prefix: '[2/4] ' });
    print(progress(5));
    print(progress(10, 'done'));
    expect(io.err()).toBe(
      '\r\x1b[2K[2/4] Evaluate tiny fp32 greedy on set/test [██████████░░░░░░░░░░]: 50% 5 of 10 segments (5.0 segments/s, ETA 1 s, 2.50 J so far)\n',
    );
  });

  it('writes plain lines elsewhere, the end once', () => {
    const io = captureIO();
    const print = jobProgressPrinter(io, { prefix: '[1/1] ' });
    for (const done of [0, 10, 10]) print(progress(done));
    print(progress(10, 'done'));
    expect(io.err()).toBe(
      '[1/1] Evaluate tiny fp32 greedy on set/test: 100% 10 of 10 segments (5.0 segments/s, ETA 0 s, 2.50 J so far)\n',
    );
  });
});
