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

  setSideBarWidth(px: number) {
    this.sideBarWidth = clampSideBarWidth(px);
    this.save();
  }

  setPanelHeight(px: number, columnHeight: number) {
    this.panelHeight = clampPanelHeight(px, columnHeight);
    this.save();
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
