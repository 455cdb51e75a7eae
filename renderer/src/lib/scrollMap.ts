/**
 * Maps a scroll position to a row position for tables taller than browsers allow. Element
 * heights are capped (about 16.7M px in Firefox, 33.5M px in Chromium), so past MAX_SCROLL_PX
 * the spacer is shrunk and scroll offsets are scaled onto row offsets.
 */
export const MAX_SCROLL_PX = 8_000_000;

export interface ScrollMap {
  /** height of the scrolling spacer, in px */
  spacerPx: number;
  /** true when scroll pixels are scaled onto rows (too many rows for a 1:1 spacer) */
  scaled: boolean;
  /** row position (fractional) at the top of the viewport for a given scrollTop */
  rowAt(scrollTop: number): number;
  /** scrollTop that puts a row at the top of the viewport */
  scrollTopFor(row: number): number;
}

export function scrollMap(total: number, rowHeight: number, viewportPx: number, maxPx = MAX_SCROLL_PX): ScrollMap {
  const naturalPx = total * rowHeight;
  const spacerPx = Math.min(naturalPx, maxPx);
  const visibleRows = viewportPx / rowHeight;
  const maxRow = Math.max(0, total - visibleRows);
  const maxScroll = Math.max(0, spacerPx - viewportPx);
  if (naturalPx <= maxPx || maxScroll === 0) {
    return {
      spacerPx,
      scaled: false,
      rowAt: (top) => Math.max(0, Math.min(maxRow, top / rowHeight)),
      scrollTopFor: (row) => row * rowHeight,
    };
  }
  return {
    spacerPx,
    scaled: true,
    rowAt: (top) => (Math.max(0, Math.min(maxScroll, top)) / maxScroll) * maxRow,
    scrollTopFor: (row) => (Math.max(0, Math.min(maxRow, row)) / maxRow) * maxScroll,
  };
}
