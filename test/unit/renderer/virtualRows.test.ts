import { describe, expect, it } from 'vitest';
import { MAX_SCROLL_PX, scrollMap } from '../../../renderer/src/lib/scrollMap.ts';
import { VirtualRows } from '../../../renderer/src/state/virtualRows.svelte.ts';

/** The part of a WheelEvent VirtualRows reads (the unit tests run without the DOM's types). */
interface Wheel {
  deltaX: number;
  deltaY: number;
  deltaMode: number;
  preventDefault(): void;
}

/** A scroller as a browser keeps one: scrollTop is whole pixels within [0, spacer - viewport]. */
function fakeScroller(rows: VirtualRows) {
  let top = 0;
  const wheel: ((e: Wheel) => void)[] = [];
  const el = {
    get scrollTop() {
      return top;
    },
    set scrollTop(v: number) {
      top = Math.round(Math.max(0, Math.min(rows.map.spacerPx + rows.headerPx - rows.viewportHeight, v)));
      rows.onScroll(top); // the scroll event
    },
    addEventListener: (_type: string, fn: (e: Wheel) => void) => wheel.push(fn),
    removeEventListener: (_type: string, fn: (e: Wheel) => void) => wheel.splice(wheel.indexOf(fn), 1),
    focus: () => undefined,
  };
  rows.scroller = el as unknown as typeof rows.scroller;
  const spin = (deltaY: number, deltaMode = 0) => {
    let prevented = false;
    for (const fn of wheel) fn({ deltaX: 0, deltaY, deltaMode, preventDefault: () => (prevented = true) });
    return prevented;
  };
  return { el, wheel, spin };
}

describe('scrollMap', () => {
  it('maps scroll pixels to rows one to one while the rows fit', () => {
    const m = scrollMap(1000, 20, 200);
    expect(m.scaled).toBe(false);
    expect(m.spacerPx).toBe(20_000);
    expect(m.rowAt(410)).toBe(20.5);
    expect(m.scrollTopFor(37)).toBe(740);
    expect(m.rowAt(1e9)).toBe(990); // the last page, not past it
  });

  it('scales past the browsers’ element height, keeping the first and last rows reachable', () => {
    const total = 10_000_000;
    const m = scrollMap(total, 24, 240);
    expect(m.scaled).toBe(true);
    expect(m.spacerPx).toBe(MAX_SCROLL_PX);
    const maxScroll = MAX_SCROLL_PX - 240;
    expect(m.rowAt(0)).toBe(0);
    expect(m.rowAt(maxScroll)).toBe(total - 10);
    expect(m.rowAt(m.scrollTopFor(4_321_000))).toBeCloseTo(4_321_000, 6);
    // one pixel is more than a row here
    expect(m.rowAt(1)).toBeGreaterThan(1);
  });
});

describe('VirtualRows', () => {
  it('says which rows to draw and where, for a scroll position', () => {
    const rows = new VirtualRows(() => 1000, 22, 26);
    rows.viewportHeight = 26 + 220; // ten rows of body
    expect([rows.visibleRows, rows.count]).toEqual([10, 11]);
    rows.onScroll(33);
    expect([rows.position, rows.first, rows.shift]).toEqual([1.5, 1, 11]);
    const near = new VirtualRows(() => 4, 22, 26);
    near.viewportHeight = 246;
    expect(near.count).toBe(4); // no more rows than there are
  });

  it('reveals a row with as little scrolling as it takes', () => {
    const rows = new VirtualRows(() => 1000, 22, 26);
    rows.viewportHeight = 246;
    const { el } = fakeScroller(rows);
    rows.reveal(5); // in view: nothing moves
    expect(el.scrollTop).toBe(0);
    rows.reveal(20); // below: it becomes the last row in view
    expect(rows.position).toBe(11);
    rows.reveal(3); // above: the first
    expect(rows.position).toBe(3);
    rows.reset();
    expect([el.scrollTop, rows.position]).toEqual([0, 0]);
  });

  it('leaves the wheel to the browser while the rows fit', () => {
    const rows = new VirtualRows(() => 1000, 24, 26);
    rows.viewportHeight = 266;
    const { wheel } = fakeScroller(rows);
    expect(rows.attach()).toBeUndefined();
    expect(wheel).toHaveLength(0);
  });

  it('on ten million rows, moves the wheel, the keys and reveal a row at a time, and gives way to the scroll bar', () => {
    const total = 10_000_000;
    const rows = new VirtualRows(() => total, 24, 26);
    rows.viewportHeight = 26 + 240;
    const { el, wheel, spin } = fakeScroller(rows);
    const detach = rows.attach();
    expect(rows.map.scaled).toBe(true);
    expect(wheel).toHaveLength(1);

    // a pixel of the spacer is 1.25 rows, so whole-pixel scrollTops alone would skip rows
    expect(spin(24)).toBe(true);
    expect(rows.position).toBe(1);
    spin(3, 1); // three lines
    expect(rows.position).toBe(4);
    spin(-1, 2); // a page up
    expect(rows.position).toBe(0);

    rows.reveal(5_000_003);
    expect(rows.position).toBe(5_000_003 - 9);
    expect(rows.first + rows.visibleRows - 1).toBe(5_000_003);
    rows.moveRows(1);
    expect(rows.position).toBe(5_000_003 - 8);
    rows.scrollTo(total + 50);
    expect(rows.position).toBe(total - 10); // the end, not past it

    // dragging the scroll bar takes over from the row position
    el.scrollTop = 4_000_000;
    expect(rows.position).toBeCloseTo(rows.map.rowAt(4_000_000), 6);
    detach?.();
    expect(wheel).toHaveLength(0);
  });
});
