import { clampPanelHeight, clampSideBarWidth, DEFAULT_LAYOUT, parseLayout } from '../lib/layout';

const KEY = 'mindflow.layout';

/** The side bar's width and the bottom panel's height, as the analyst dragged them; kept across reloads. */
export class LayoutState {
  sideBarWidth = $state(DEFAULT_LAYOUT.sideBarWidth);
  panelHeight = $state<number | null>(DEFAULT_LAYOUT.panelHeight);

  constructor() {
    const stored = parseLayout(localStorage.getItem(KEY));
    this.sideBarWidth = stored.sideBarWidth;
    this.panelHeight = stored.panelHeight;
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
    localStorage.setItem(KEY, JSON.stringify({ sideBarWidth: this.sideBarWidth, panelHeight: this.panelHeight }));
  }
}
