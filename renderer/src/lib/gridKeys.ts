/**
 * Where a grid's cell cursor goes for a key (the ARIA grid pattern, as the flow table and the SQL
 * console's result move it): arrows by one, Page Up/Down by a page, Home/End to the row's first
 * or last cell, with Ctrl (or Cmd) to the grid's first or last cell. Row -1 is the header row.
 * Null for a key that does not move the cursor. The caller clamps to the grid.
 */
export function gridMove(key: string, ctrl: boolean, at: { row: number; col: number }, grid: { page: number; lastRow: number; lastCol: number }): [number, number] | null {
  switch (key) {
    case 'ArrowDown':
      return [at.row + 1, at.col];
    case 'ArrowUp':
      return [at.row - 1, at.col];
    case 'ArrowRight':
      return [at.row, at.col + 1];
    case 'ArrowLeft':
      return [at.row, at.col - 1];
    case 'PageDown':
      return [Math.max(0, at.row) + grid.page, at.col];
    case 'PageUp':
      return [Math.max(0, at.row - grid.page), at.col];
    case 'Home':
      return ctrl ? [0, 0] : [at.row, 0];
    case 'End':
      return ctrl ? [grid.lastRow, grid.lastCol] : [at.row, grid.lastCol];
    default:
      return null;
  }
}

/**
 * Scrolls a grid sideways so that column `col` (of columns `widths` px wide) is in view right
 * of the `fixed` px that stay at the left (the sticky row numbers).
 */
export function revealColumn(scroller: { scrollLeft: number; clientWidth: number } | null | undefined, widths: readonly number[], col: number, fixed: number): void {
  if (!scroller) return;
  const left = widths.slice(0, col).reduce((sum, w) => sum + w, 0);
  const right = left + (widths[col] ?? 0);
  if (left < scroller.scrollLeft) scroller.scrollLeft = left;
  else if (fixed + right > scroller.scrollLeft + scroller.clientWidth) scroller.scrollLeft = fixed + right - scroller.clientWidth;
}
