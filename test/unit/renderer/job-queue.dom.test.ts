// The job bar's measured queue: place in line, progress with energy so far, why a job waits for
// another process, cancel while it waits or runs, restart with the reason once interrupted; and
// the energy badge's wording.
import { describe, expect, it } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import JobBar from '../../../renderer/src/components/JobBar.svelte';
import EnergyBadge from '../../../renderer/src/components/EnergyBadge.svelte';
import type { JobProgress, QueuedJob } from '../../../shared/api/types';
import { settle } from './run-fixtures';

function queued(
  jobId: string,
  position: number | null,
  state: QueuedJob['state'],
  message?: string,
): QueuedJob {
  return {
    jobId,
    kind: 'evaluate',
    label: `Evaluate ${jobId}`,
    position,
    state,
    runId: `run-${jobId}`,
    queuedAt: '2026-01-01T00:00:00Z',
    ...(message ? { message } : {}),
  };
}

const progress: JobProgress = {
  jobId: 'a',
  kind: 'evaluate',
  label: 'Evaluate a',
  done: 250,
  total: 1000,
  unit: 'segments',
  ratePerSecond: 50,
  etaSeconds: 15,
  state: 'running',
  joules: 42.4,
  runId: 'run-a',
};

describe('JobBar with the measured queue', () => {
  it('shows places in line, progress and energy so far, and cancels or restarts', async () => {
    const target = document.createElement('div');
    const cancelled: string[] = [];
    const restarted: string[] = [];
    const component = mount(JobBar, {
      target,
      props: {
        jobs: [progress],
        queue: [
          queued('c', 2, 'queued'),
          queued('a', 0, 'running'),
          queued('b', 1, 'queued'),
          queued('d', null, 'interrupted', 'The app closed while this job ran.'),
          queued('e', null, 'done'),
        ],
        oncancel: (id: string) => cancelled.push(id),
        onrestart: (id: string) => {
          restarted.push(id);
          return Promise.reject(new Error('model is gone'));
        },
      },
    });
    flushSync();
    const rows = [...target.querySelectorAll('[data-testid="queued-job"]')];
    expect(rows.map((r) => r.querySelector('[data-testid="job-place"]')!.textContent)).toEqual([
      'running',
      'next in line',
      '2nd in line',
      'interrupted',
    ]);
    expect(rows[0].textContent).toContain('250 segments of 1,000 segments');
    expect(rows[0].textContent).toContain('ETA 15 s');
    expect(rows[0].querySelector('[data-testid="job-joules"]')!.textContent).toContain('42 J');
    // The progress event of a queued job is not shown a second time.
    expect(target.querySelectorAll('[data-testid="job"]')).toHaveLength(0);
    expect(rows[3].textContent).toContain('The app closed while this job ran.');
    (rows[1].querySelector('button') as HTMLButtonElement).click();
    (rows[3].querySelector('button') as HTMLButtonElement).click();
    await settle();
    expect(cancelled).toEqual(['b']);
    expect(restarted).toEqual(['d']);
    expect(rows[3].querySelector('[role="alert"]')!.textContent).toBe('model is gone');
    unmount(component);
  });

  it('says why the next job waits when another EcoEval process is measuring, and cancels it', () => {
    const target = document.createElement('div');
    const cancelled: string[] = [];
    const waiting =
      'Waiting for another EcoEval process: Evaluate x (pid 42, since 2026-01-01T00:00:00Z) is measuring; this job starts when it ends.';
    const component = mount(JobBar, {
      target,
      props: {
        jobs: [],
        queue: [queued('b', 1, 'queued', waiting), queued('c', 2, 'queued')],
        oncancel: (id: string) => cancelled.push(id),
      },
    });
    flushSync();
    const rows = [...target.querySelectorAll('[data-testid="queued-job"]')];
    expect(rows[0].querySelector('[data-testid="job-waiting"]')!.textContent).toBe(waiting);
    expect(rows[1].querySelector('[data-testid="job-waiting"]')).toBeNull();
    (rows[0].querySelector('button') as HTMLButtonElement).click();
    expect(cancelled).toEqual(['b']);
    unmount(component);
  });
});

describe('EnergyBadge', () => {
  it('names the method in words and explains it with the grade', () => {
    const target = document.createElement('div');
    const component = mount(EnergyBadge, { target, props: { kind: 'estimated', grade: 'D' } });
    const badge = target.querySelector('[data-testid="energy-badge"]')!;
    expect(badge.textContent).toBe('estimatedD');
    expect(badge.getAttribute('title')).toMatch(/^Estimated: .*Grade D/);
    unmount(component);
  });
});
