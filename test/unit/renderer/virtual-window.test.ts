import { describe, expect, it } from 'vitest';
import { virtualWindow } from '../../../renderer/src/lib/virtual-window';

describe('virtualWindow', () => {
  it('renders enough rows to fill the view from the top', () => {
    expect(virtualWindow({ total: 1000, rowHeight: 30, height: 420, scrollTop: 0 })).toEqual({
      start: 0,
      end: 15,
      scrollHeight: 30_000,
      offsetPx: 0,
      afterPx: 30_000 - 15 * 30,
    });
  });

  it('starts at the row the top edge cuts and places it at its own height', () => {
    const view = virtualWindow({ total: 1000, rowHeight: 30, height: 420, scrollTop: 95 });
    expect(view).toMatchObject({ start: 3, end: 18, offsetPx: 90 });
    expect(view.offsetPx + (view.end - view.start) * 30 + view.afterPx).toBe(view.scrollHeight);
  });

  it('covers every pixel in view wherever the list is scrolled', () => {
    const total = 237;
    const rowHeight = 44;
    const height = 560;
    for (let scrollTop = 0; scrollTop <= total * rowHeight - height; scrollTop += 7) {
      const view = virtualWindow({ total, rowHeight, height, scrollTop });
      expect(view.start * rowHeight).toBeLessThanOrEqual(scrollTop);
      expect(view.end * rowHeight).toBeGreaterThanOrEqual(scrollTop + height);
    }
  });

  it('adds overscan on both sides, within the rows there are', () => {
    const at = (scrollTop: number) =>
      virtualWindow({ total: 100, rowHeight: 44, height: 560, scrollTop, overscan: 6 });
    expect(at(0)).toMatchObject({ start: 0, end: 20, offsetPx: 0 });
    expect(at(44 * 50)).toMatchObject({ start: 44, end: 70, offsetPx: 44 * 44 });
    expect(at(44 * 100 - 560)).toMatchObject({ end: 100, afterPx: 0 });
  });

  it('still shows the last row when the scroll position outlives a longer list', () => {
    const view = virtualWindow({ total: 3, rowHeight: 78, height: 480, scrollTop: 10_000 });
    expect(view).toMatchObject({ start: 2, end: 3, offsetPx: 156, afterPx: 0 });
  });

  it('renders nothing for no rows', () => {
    expect(virtualWindow({ total: 0, rowHeight: 30, height: 420, scrollTop: 0 })).toEqual({
      start: 0,
      end: 0,
      scrollHeight: 0,
      offsetPx: 0,
      afterPx: 0,
    });
  });

  it('maps the scroll position proportionally past the height browsers can lay out', () => {
    const input = { total: 1_000_000, rowHeight: 30, height: 420, maxScrollPx: 15_000_000 };
    const top = virtualWindow({ ...input, scrollTop: 0 });
    expect(top).toMatchObject({ start: 0, end: 15, scrollHeight: 15_000_000, offsetPx: 0 });
    const middle = virtualWindow({ ...input, scrollTop: 7_000_000 });
    expect(middle.offsetPx).toBe(7_000_000);
    expect(middle.start).toBeGreaterThan(400_000);
    const bottom = virtualWindow({ ...input, scrollTop: 15_000_000 - 420 });
    expect(bottom.end).toBe(1_000_000);
    expect(bottom.offsetPx + (bottom.end - bottom.start) * 30).toBeLessThanOrEqual(15_000_000);
  });
});
