/**
 * Fixed-row-height windowing for the virtualised tables (dataset preview, run segments, Compare's
 * segments, Results): which rows a scroll position shows and where they sit, so only those rows
 * need to exist in the DOM.
 */

export interface WindowInput {
  /** How many rows there are in all. */
  total: number;
  rowHeight: number;
  /** Height of the scrolling viewport, px. */
  height: number;
  scrollTop: number;
  /** Rows rendered beyond each edge of the view, so a quick scroll shows no blank band. */
  overscan?: number;
  /**
   * Browsers cannot lay out an element past a few million px: above this the scrolled content is
   * capped and the scroll position maps proportionally onto the rows instead.
   */
  maxScrollPx?: number;
}

export interface RowWindow {
  /** First row to render. */
  start: number;
  /** One past the last row to render. */
  end: number;
  /** Height of the scrolled content: every row's, or the cap. */
  scrollHeight: number;
  /** Distance from the top of the content to the first rendered row. */
  offsetPx: number;
  /** Distance from the last rendered row to the bottom of the content. */
  afterPx: number;
}

export function virtualWindow({
  total,
  rowHeight,
  height,
  scrollTop,
  overscan = 0,
  maxScrollPx = Infinity,
}: WindowInput): RowWindow {
  const fullHeight = total * rowHeight;
  const scrollHeight = Math.min(fullHeight, maxScrollPx);
  const scaled = fullHeight > maxScrollPx;
  // Enough rows to fill the view wherever its top edge cuts a row.
  const count = Math.ceil(height / rowHeight) + 1;
  const top = scaled
    ? Math.floor((scrollTop / Math.max(1, scrollHeight - height)) * Math.max(0, total - count + 1))
    : Math.floor(scrollTop / rowHeight);
  // A scroll position left over from a longer list still shows its last rows, not nothing.
  const first = Math.min(top, Math.max(0, total - 1));
  const start = Math.max(0, first - overscan);
  const end = Math.min(total, first + count + overscan);
  // Scaled, the window follows the scroll position itself: rows no longer sit at index × height.
  const offsetPx = scaled ? scrollTop - (first - start) * rowHeight : start * rowHeight;
  const afterPx = Math.max(0, scrollHeight - offsetPx - (end - start) * rowHeight);
  return { start, end, scrollHeight, offsetPx, afterPx };
}
