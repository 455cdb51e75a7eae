/**
 * Sizes of the workbench's resizable parts: the side bar's width and the bottom panel's height,
 * in CSS pixels. Kept apart from Svelte so the limits and the stored form are unit-tested.
 */

export const SIDE_BAR_WIDTH = { min: 220, max: 640, initial: 320 } as const;
/** the panel's least height; its greatest leaves the editors EDITOR_MIN_HEIGHT */
export const PANEL_MIN_HEIGHT = 90;
export const EDITOR_MIN_HEIGHT = 140;
/** the editors' least width: a narrow window narrows the side bar first, down to its least width */
export const EDITOR_MIN_WIDTH = 700;
export const ACTIVITY_BAR_WIDTH = 48;
/** a window lower than this (a 1024x640 screen) gives the panel a smaller default share */
export const SHORT_WINDOW_HEIGHT = 760;
/** how far one arrow key moves a sash */
export const SASH_STEP = 16;

export interface LayoutSizes {
  sideBarWidth: number;
  /** null: the default share of the editor column (27 %, at least 130 px) */
  panelHeight: number | null;
  /** shown or hidden (the activity bar, Ctrl+B; Ctrl+J), as the analyst left them */
  sideBarVisible: boolean;
  panelVisible: boolean;
}

export const DEFAULT_LAYOUT: LayoutSizes = { sideBarWidth: SIDE_BAR_WIDTH.initial, panelHeight: null, sideBarVisible: true, panelVisible: true };

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

export function clampSideBarWidth(px: number): number {
  return Math.round(clamp(px, SIDE_BAR_WIDTH.min, SIDE_BAR_WIDTH.max));
}

/** The panel's height within a main column `columnHeight` pixels tall. */
export function panelHeightLimits(columnHeight: number): { min: number; max: number } {
  return { min: PANEL_MIN_HEIGHT, max: Math.max(PANEL_MIN_HEIGHT, columnHeight - EDITOR_MIN_HEIGHT) };
}

export function clampPanelHeight(px: number, columnHeight: number): number {
  const { min, max } = panelHeightLimits(columnHeight);
  return Math.round(clamp(px, min, max));
}

/** Sizes from what was stored; anything missing, malformed or out of range falls back to the default. */
export function parseLayout(stored: string | null): LayoutSizes {
  if (!stored) return { ...DEFAULT_LAYOUT };
  let raw: unknown;
  try {
    raw = JSON.parse(stored);
  } catch {
    return { ...DEFAULT_LAYOUT };
  }
  const o = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const width = typeof o.sideBarWidth === 'number' && Number.isFinite(o.sideBarWidth) ? clampSideBarWidth(o.sideBarWidth) : DEFAULT_LAYOUT.sideBarWidth;
  const height = typeof o.panelHeight === 'number' && Number.isFinite(o.panelHeight) && o.panelHeight >= PANEL_MIN_HEIGHT ? Math.round(o.panelHeight) : null;
  const shown = (v: unknown) => (typeof v === 'boolean' ? v : true);
  return { sideBarWidth: width, panelHeight: height, sideBarVisible: shown(o.sideBarVisible), panelVisible: shown(o.panelVisible) };
}

/**
 * The greatest side bar width in a window `windowWidth` pixels wide: the editors keep
 * EDITOR_MIN_WIDTH, unless that would make the side bar narrower than its least width.
 * 0 (not measured yet): the side bar's own greatest width.
 */
export function sideBarMaxWidth(windowWidth: number): number {
  if (!(windowWidth > 0)) return SIDE_BAR_WIDTH.max;
  return Math.round(clamp(windowWidth - ACTIVITY_BAR_WIDTH - EDITOR_MIN_WIDTH, SIDE_BAR_WIDTH.min, SIDE_BAR_WIDTH.max));
}

/** The side bar's width as shown: as dragged (or the default), narrowed in a narrow window. */
export function sideBarWidthIn(width: number, windowWidth: number): number {
  return Math.min(clampSideBarWidth(width), sideBarMaxWidth(windowWidth));
}

/**
 * The main column's grid rows with the panel open: a stored height never pushes the editors
 * below EDITOR_MIN_HEIGHT when the window is made smaller afterwards; in a short window the
 * default share is smaller, so the editors keep rows to show.
 */
export function panelRows(panelHeight: number | null, windowHeight = Infinity): string {
  if (panelHeight === null && windowHeight < SHORT_WINDOW_HEIGHT) return `minmax(0, 1fr) minmax(${PANEL_MIN_HEIGHT}px, 18%)`;
  if (panelHeight === null) return 'minmax(0, 1fr) minmax(130px, 27%)';
  return `minmax(0, 1fr) max(${PANEL_MIN_HEIGHT}px, min(${panelHeight}px, calc(100% - ${EDITOR_MIN_HEIGHT}px)))`;
}
