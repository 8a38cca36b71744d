import { describe, expect, it } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import DatasetList from '../../../renderer/src/components/DatasetList.svelte';
import JobBar from '../../../renderer/src/components/JobBar.svelte';

describe('DatasetList', () => {
  it('lists datasets, marks the selected one, reports broken manifests and calls back', () => {
    const target = document.createElement('div');
    const picked: string[] = [];
    const component = mount(DatasetList, {
      target,
      props: {
        datasets: [
          {
            id: 'a',
            name: 'Alpha',
            kind: 'translation',
            builtin: true,
            references: 1,
            splits: [{ name: 'test', rows: 1200 }],
            createdAt: '',
          },
          {
            id: 'b',
            name: 'Beta',
            kind: 'language-modelling',
            builtin: false,
            references: 0,
            splits: [{ name: 'train', rows: 5 }],
            createdAt: '',
          },
        ],
        broken: [{ folder: 'zz', problem: 'not valid JSON' }],
        selected: 'b',
        onselect: (id: string) => picked.push(id),
      },
    });
    const buttons = target.querySelectorAll('button');
    expect(buttons).toHaveLength(2);
    expect(buttons[0].textContent).toContain('1,200 rows');
    expect(buttons[1].classList.contains('selected')).toBe(true);
    expect(target.textContent).toContain('Skipped zz: not valid JSON');
    buttons[0].click();
    flushSync();
    expect(picked).toEqual(['a']);
    unmount(component);
  });
});

describe('JobBar', () => {
  it('shows count, rate and ETA, and cancels', () => {
    const target = document.createElement('div');
    const cancelled: string[] = [];
    const component = mount(JobBar, {
      target,
      props: {
        jobs: [
          {
            jobId: 'import-1',
            kind: 'import',
            label: 'Import of "x"',
            done: 2048,
            total: 4096,
            unit: 'bytes',
            ratePerSecond: 1024,
            etaSeconds: 2,
            state: 'running',
          },
        ],
        oncancel: (id: string) => cancelled.push(id),
      },
    });
    expect(target.textContent).toContain('2.0 KB of 4.0 KB');
    expect(target.textContent).toContain('ETA 2 s');
    target.querySelector('button')!.click();
    expect(cancelled).toEqual(['import-1']);
    unmount(component);
  });
});
