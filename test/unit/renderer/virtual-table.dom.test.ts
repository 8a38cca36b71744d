import { describe, expect, it } from 'vitest';
import { flushSync, mount, tick, unmount } from 'svelte';
import VirtualTable from '../../../renderer/src/components/VirtualTable.svelte';
import type { PreviewPage } from '../../../shared/api/types';

const TOTAL = 1_000_000;

function fakeLoad(calls: number[]) {
  return async (offset: number, limit: number): Promise<PreviewPage> => {
    calls.push(offset);
    const rows = [];
    for (let i = offset; i < Math.min(TOTAL, offset + limit); i++) {
      rows.push({ line: i + 1, source: `source ${i + 1}`, references: [`reference ${i + 1}`] });
    }
    return { dataset: 'd', split: 's', offset, total: TOTAL, rows };
  };
}

async function settle() {
  for (let i = 0; i < 5; i++) {
    await tick();
    await new Promise((r) => setTimeout(r, 0));
  }
  flushSync();
}

describe('VirtualTable with 1,000,000 rows', () => {
  it('renders only the visible rows and reaches the last row through the scaled scrollbar', async () => {
    const target = document.createElement('div');
    document.body.append(target);
    const calls: number[] = [];
    const component = mount(VirtualTable, {
      target,
      props: {
        total: TOTAL,
        columns: ['source', 'reference'],
        load: fakeLoad(calls),
        height: 420,
        rowHeight: 30,
      },
    });
    await settle();
    const rows = () => [...target.querySelectorAll('[aria-rowindex]')];
    expect(rows().length).toBeLessThan(25);
    expect(rows()[0].textContent).toContain('source 1');
    const viewport = target.querySelector('[data-testid="preview-viewport"]') as HTMLElement;
    const spacer = viewport.firstElementChild as HTMLElement;
    // 1,000,000 × 30 px exceeds what browsers can lay out: the spacer is capped.
    expect(parseInt(spacer.style.height)).toBeLessThanOrEqual(15_000_000);
    viewport.scrollTop = parseInt(spacer.style.height) - 420;
    viewport.dispatchEvent(new Event('scroll'));
    await settle();
    const indices = rows().map((r) => Number(r.getAttribute('aria-rowindex')));
    expect(Math.max(...indices)).toBe(TOTAL);
    expect(rows().at(-1)!.textContent).toContain(`source ${TOTAL}`);
    expect(rows().length).toBeLessThan(25);
    // Only the pages around the two positions were fetched, never the whole split.
    expect(calls.length).toBeLessThanOrEqual(4);
    unmount(component);
  });
});
