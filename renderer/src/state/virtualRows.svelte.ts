import { untrack } from 'svelte';
import { scrollMap, type ScrollMap } from '../lib/scrollMap';

/** What VirtualRows reads of a wheel event. */
interface Wheel {
  deltaX: number;
  deltaY: number;
  deltaMode: number;
  preventDefault(): void;
}

/** What VirtualRows uses of its scrolling element (the view binds its div). */
export interface Scroller {
  scrollTop: number;
  focus(options?: { preventScroll?: boolean }): void;
  addEventListener(type: 'wheel', fn: (e: Wheel) => void, options: { passive: boolean }): void;
  removeEventListener(type: 'wheel', fn: (e: Wheel) => void): void;
}

/**
 * The scrolling of a virtual table (the flow table, the flagged-window queue, the SQL console's
 * result): which rows are in view and where they sit, for any number of rows. Past what a
 * browser lets an element be tall, the spacer is scaled (`scrollMap`) and one scroll pixel is
 * more than a row; the wheel, the keys and `reveal` then move a row position of their own, so
 * every row can still be reached one at a time, and only the scroll bar maps pixels to rows.
 *
 * The view binds `scroller` (bind:this), `viewportHeight` and the scroll event, and calls `attach()` in an
 * effect for the wheel.
 */
export class VirtualRows<E extends Scroller = Scroller> {
  scroller = $state<E | undefined>();
  /** the scroller's client height, header included */
  viewportHeight = $state(0);
  scrollTop = $state(0);
  /** the row position the wheel, keys or `reveal` last set while scaled; null: follow the scroll bar */
  private scaledPosition = $state<number | null>(null);

  readonly bodyHeight: number;
  readonly map: ScrollMap;
  /** the (fractional) row at the top of the body */
  readonly position: number;
  readonly first: number;
  /** how far the first drawn row sits above the body's top, in px */
  readonly shift: number;
  /** rows to draw: those in view and one more for the partly shown last one */
  readonly count: number;
  /** rows wholly in view (at least 1) */
  readonly visibleRows: number;

  /**
   * @param total how many rows there are (read reactively)
   * @param rowPx a row's height
   * @param headerPx the sticky header's height, inside the scroller
   */
  constructor(
    private readonly total: () => number,
    readonly rowPx: number,
    readonly headerPx: number,
  ) {
    this.bodyHeight = $derived(Math.max(0, this.viewportHeight - headerPx));
    this.map = $derived(scrollMap(total(), rowPx, this.bodyHeight));
    this.position = $derived(this.map.scaled && this.scaledPosition !== null ? this.scaledPosition : this.map.rowAt(this.scrollTop));
    this.first = $derived(Math.floor(this.position));
    this.shift = $derived((this.position - this.first) * rowPx);
    this.count = $derived(Math.min(Math.ceil(this.bodyHeight / rowPx) + 1, Math.max(0, total() - this.first)));
    this.visibleRows = $derived(Math.max(1, Math.floor(this.bodyHeight / rowPx)));
  }

  /** The scroll event: a scroll that is not our own write (the scroll bar) takes over from the row position. */
  onScroll(top: number): void {
    this.scrollTop = top;
    if (this.scaledPosition !== null && Math.abs(top - this.map.scrollTopFor(this.scaledPosition)) > 1.5) this.scaledPosition = null;
  }

  /** Puts `row` (fractional) at the top of the body, as far as the end allows. */
  scrollTo(row: number): void {
    const maxRow = Math.max(0, this.total() - this.bodyHeight / this.rowPx);
    const at = Math.max(0, Math.min(maxRow, row));
    if (this.map.scaled) this.scaledPosition = at;
    if (this.scroller) this.scroller.scrollTop = this.map.scrollTopFor(at);
  }

  /** Scrolls by `delta` rows. */
  moveRows(delta: number): void {
    this.scrollTo(untrack(() => this.position) + delta);
  }

  /** Scrolls as little as it takes to show `row` whole. Reads the position untracked: an effect that reveals a cursor does not rerun on scrolling. */
  reveal(row: number): void {
    const [position, visible] = untrack(() => [this.position, this.visibleRows]);
    if (row < position) this.scrollTo(row);
    else if (row > position + visible - 1) this.scrollTo(row - visible + 1);
  }

  /** Back to the top (a new query). */
  reset(): void {
    if (this.scroller) this.scroller.scrollTop = 0;
    this.scrollTop = 0;
    this.scaledPosition = null;
  }

  /** The wheel moves rows while scaled; call in an effect, it returns the cleanup. */
  attach(): (() => void) | undefined {
    const el = this.scroller;
    if (!el || !this.map.scaled) return undefined;
    const onWheel = (e: Wheel) => {
      if (Math.abs(e.deltaY) < Math.abs(e.deltaX)) return;
      e.preventDefault();
      const unit = e.deltaMode === 1 ? 1 : e.deltaMode === 2 ? this.bodyHeight / this.rowPx : 1 / this.rowPx;
      this.moveRows(e.deltaY * unit);
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }
}
