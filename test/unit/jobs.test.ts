// The job registry's final progress event names what happened: done, failed, cancelled — and
// cancelled also when the work returns normally on a cancel to keep what it made (training keeps
// its last checkpoint), so the UI never says "done" where the queue says "cancelled".
import { describe, expect, it } from 'vitest';
import type { JobProgress } from '../../shared/api/types';
import { CancelledError, JobRegistry } from '../../main/services/jobs/jobs';

function registry() {
  const events: JobProgress[] = [];
  return { events, jobs: new JobRegistry((p) => events.push(p), 0) };
}

describe('JobRegistry', () => {
  it('ends done when the work finishes', async () => {
    const { events, jobs } = registry();
    await expect(jobs.run('import', 'Import', 'rows', async () => 7)).resolves.toBe(7);
    expect(events.at(-1)?.state).toBe('done');
  });

  it('ends failed with the error message', async () => {
    const { events, jobs } = registry();
    await expect(
      jobs.run('import', 'Import', 'rows', async () => {
        throw new Error('bad row');
      }),
    ).rejects.toThrow('bad row');
    expect(events.at(-1)).toMatchObject({ state: 'failed', message: 'bad row' });
  });

  it('ends cancelled when cancel makes the work throw', async () => {
    const { events, jobs } = registry();
    const run = jobs.run('import', 'Import', 'rows', async (job) => {
      await new Promise((r) => setTimeout(r, 20));
      job.throwIfCancelled();
    });
    jobs.cancel(events[0].jobId);
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    expect(events.at(-1)?.state).toBe('cancelled');
  });

  it('ends cancelled, with the kept-result message, when the work returns on a cancel', async () => {
    const { events, jobs } = registry();
    const run = jobs.run(
      'train',
      'Training',
      'steps',
      async (job) => {
        await new Promise((r) => job.signal.addEventListener('abort', r));
        return { step: 3 };
      },
      { keptOnCancel: (r) => `stopped at step ${r.step}; checkpoint kept` },
    );
    jobs.cancel(events[0].jobId);
    await expect(run).resolves.toEqual({ step: 3 });
    expect(events.at(-1)).toMatchObject({
      state: 'cancelled',
      message: 'stopped at step 3; checkpoint kept',
    });
    expect(events.some((e) => e.state === 'done')).toBe(false);
  });
});
