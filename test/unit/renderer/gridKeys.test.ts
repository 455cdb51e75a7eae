import { describe, expect, it } from 'vitest';
import { gridMove, revealColumn } from '../../../renderer/src/lib/gridKeys.ts';

describe('gridMove', () => {
  const grid = { page: 10, lastRow: 99, lastCol: 4 };
  const at = { row: 20, col: 2 };
  it('moves by one with the arrows, by a page with Page Up/Down, to the row ends with Home/End', () => {
    expect(gridMove('ArrowDown', false, at, grid)).toEqual([21, 2]);
    expect(gridMove('ArrowUp', false, at, grid)).toEqual([19, 2]);
    expect(gridMove('ArrowRight', false, at, grid)).toEqual([20, 3]);
    expect(gridMove('ArrowLeft', false, at, grid)).toEqual([20, 1]);
    expect(gridMove('PageDown', false, at, grid)).toEqual([30, 2]);
    expect(gridMove('PageUp', false, at, grid)).toEqual([10, 2]);
    expect(gridMove('Home', false, at, grid)).toEqual([20, 0]);
    expect(gridMove('End', false, at, grid)).toEqual([20, 4]);
  });
  it('goes to the first or last cell with Ctrl, and from the header row (-1) a page down lands on a row', () => {
    expect(gridMove('Home', true, at, grid)).toEqual([0, 0]);
    expect(gridMove('End', true, at, grid)).toEqual([99, 4]);
    expect(gridMove('PageDown', false, { row: -1, col: 1 }, grid)).toEqual([10, 1]);
    expect(gridMove('PageUp', false, { row: 3, col: 1 }, grid)).toEqual([0, 1]);
  });
  it('leaves other keys to the caller', () => {
    expect(gridMove('Enter', false, at, grid)).toBeNull();
    expect(gridMove('a', true, at, grid)).toBeNull();
  });
});

describe('revealColumn', () => {
  it('scrolls just enough to show a column right of the fixed row numbers', () => {
    const widths = [100, 100, 100, 100, 100];
    const scroller = { scrollLeft: 0, clientWidth: 300 };
    revealColumn(scroller, widths, 1, 50);
    expect(scroller.scrollLeft).toBe(0); // 50 + 200 fits in 300
    revealColumn(scroller, widths, 3, 50);
    expect(scroller.scrollLeft).toBe(150); // its right edge (400) + 50 at the view's right
    revealColumn(scroller, widths, 0, 50);
    expect(scroller.scrollLeft).toBe(0);
    revealColumn(null, widths, 3, 50);
  });
});
