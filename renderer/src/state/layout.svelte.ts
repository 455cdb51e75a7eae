import { clampPanelHeight, clampSideBarWidth, DEFAULT_LAYOUT, parseLayout, type LayoutSizes } from '../lib/layout';

const KEY = 'mindflow.layout';

/**
 * The side bar's width and the bottom panel's height, as the analyst dragged them, and whether
 * each is shown; kept across reloads (a panel closed to give the editors room stays closed).
 */
export class LayoutState {
  sideBarWidth = $state(DEFAULT_LAYOUT.sideBarWidth);
  panelHeight = $state<number | null>(DEFAULT_LAYOUT.panelHeight);
  #sideBarVisible = $state(DEFAULT_LAYOUT.sideBarVisible);
  #panelVisible = $state(DEFAULT_LAYOUT.panelVisible);

  constructor() {
    const stored = parseLayout(localStorage.getItem(KEY));
    this.sideBarWidth = stored.sideBarWidth;
    this.panelHeight = stored.panelHeight;
    this.#sideBarVisible = stored.sideBarVisible;
    this.#panelVisible = stored.panelVisible;
  }

  get sideBarVisible(): boolean {
    return this.#sideBarVisible;
  }
  set sideBarVisible(shown: boolean) {
    if (shown === this.#sideBarVisible) return;
    this.#sideBarVisible = shown;
    this.save();
  }

  get panelVisible(): boolean {
    return this.#panelVisible;
  }
  set panelVisible(shown: boolean) {
    if (shown === this.#panelVisible) return;
    this.#panelVisible = shown;
    this.save();
  }

  /** `persist` false while a drag is under way: the size is stored once, when it is dropped */
  setSideBarWidth(px: number, persist = true) {
    this.sideBarWidth = clampSideBarWidth(px);
    if (persist) this.save();
  }

  setPanelHeight(px: number, columnHeight: number, persist = true) {
    this.panelHeight = clampPanelHeight(px, columnHeight);
    if (persist) this.save();
  }

  resetSideBar() {
    this.sideBarWidth = DEFAULT_LAYOUT.sideBarWidth;
    this.save();
  }

  resetPanel() {
    this.panelHeight = DEFAULT_LAYOUT.panelHeight;
    this.save();
  }

  private save() {
    const sizes: LayoutSizes = { sideBarWidth: this.sideBarWidth, panelHeight: this.panelHeight, sideBarVisible: this.#sideBarVisible, panelVisible: this.#panelVisible };
    localStorage.setItem(KEY, JSON.stringify(sizes));
  }
}
