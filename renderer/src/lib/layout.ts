/**
 * Sizes of the workbench's resizable parts: the side bar's width and the bottom panel's height,
 * in CSS pixels. Kept apart from Svelte so the limits and the stored form are unit-tested.
 */

export const SIDE_BAR_WIDTH = { min: 220, max: 640, initial: 320 } as const;
/** the panel's least height; its greatest leaves the editors EDITOR_MIN_HEIGHT */
export const PANEL_MIN_HEIGHT = 90;
export const EDITOR_MIN_HEIGHT = 140;
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
 * The main column's grid rows with the panel open: a stored height never pushes the editors
 * below EDITOR_MIN_HEIGHT when the window is made smaller afterwards.
 */
export function panelRows(panelHeight: number | null): string {
  if (panelHeight === null) return 'minmax(0, 1fr) minmax(130px, 27%)';
  return `minmax(0, 1fr) max(${PANEL_MIN_HEIGHT}px, min(${panelHeight}px, calc(100% - ${EDITOR_MIN_HEIGHT}px)))`;
}
