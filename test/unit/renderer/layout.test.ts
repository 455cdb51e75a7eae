import { describe, expect, it } from 'vitest';
import { clampPanelHeight, clampSideBarWidth, DEFAULT_LAYOUT, EDITOR_MIN_HEIGHT, PANEL_MIN_HEIGHT, panelHeightLimits, panelRows, parseLayout, SIDE_BAR_WIDTH, sideBarMaxWidth, sideBarWidthIn } from '../../../renderer/src/lib/layout.ts';

describe('layout sizes', () => {
  it('keeps the side bar between its least and greatest width, in whole pixels', () => {
    expect(clampSideBarWidth(100)).toBe(SIDE_BAR_WIDTH.min);
    expect(clampSideBarWidth(5000)).toBe(SIDE_BAR_WIDTH.max);
    expect(clampSideBarWidth(401.6)).toBe(402);
  });

  it('leaves the editors their least height above the panel', () => {
    expect(panelHeightLimits(700)).toEqual({ min: PANEL_MIN_HEIGHT, max: 700 - EDITOR_MIN_HEIGHT });
    expect(clampPanelHeight(650, 700)).toBe(700 - EDITOR_MIN_HEIGHT);
    expect(clampPanelHeight(10, 700)).toBe(PANEL_MIN_HEIGHT);
    expect(clampPanelHeight(300, 700)).toBe(300);
    // a column too short for both: the panel keeps its least height
    expect(panelHeightLimits(150)).toEqual({ min: PANEL_MIN_HEIGHT, max: PANEL_MIN_HEIGHT });
  });

  it('reads stored sizes and falls back to the default on anything malformed', () => {
    expect(parseLayout(null)).toEqual(DEFAULT_LAYOUT);
    expect(parseLayout('{not json')).toEqual(DEFAULT_LAYOUT);
    expect(parseLayout('"a string"')).toEqual(DEFAULT_LAYOUT);
    expect(parseLayout('{"sideBarWidth": 410, "panelHeight": 260}')).toEqual({ ...DEFAULT_LAYOUT, sideBarWidth: 410, panelHeight: 260 });
    expect(parseLayout('{"sideBarWidth": 9000, "panelHeight": 12}')).toEqual({ ...DEFAULT_LAYOUT, sideBarWidth: SIDE_BAR_WIDTH.max, panelHeight: null });
    // hidden parts stay hidden; anything but a boolean shows them
    expect(parseLayout('{"panelVisible": false, "sideBarVisible": false}')).toEqual({ ...DEFAULT_LAYOUT, panelVisible: false, sideBarVisible: false });
    expect(parseLayout('{"panelVisible": "no", "sideBarVisible": 0}')).toEqual(DEFAULT_LAYOUT);
    expect(parseLayout('{"sideBarWidth": "wide", "panelHeight": null}')).toEqual(DEFAULT_LAYOUT);
  });

  it('gives the default panel share until the analyst drags it, and never squeezes the editors', () => {
    expect(panelRows(null)).toBe('minmax(0, 1fr) minmax(130px, 27%)');
    expect(panelRows(260)).toBe(`minmax(0, 1fr) max(${PANEL_MIN_HEIGHT}px, min(260px, calc(100% - ${EDITOR_MIN_HEIGHT}px)))`);
  });

  it('narrows the side bar in a narrow window so the editors keep their room, and not below its least width', () => {
    // 1440 and 1280 wide: the default width as it is
    expect(sideBarWidthIn(SIDE_BAR_WIDTH.initial, 1440)).toBe(SIDE_BAR_WIDTH.initial);
    expect(sideBarWidthIn(SIDE_BAR_WIDTH.initial, 1280)).toBe(SIDE_BAR_WIDTH.initial);
    // 1024 wide: narrower than the default, and the sash's greatest width says so
    expect(sideBarWidthIn(SIDE_BAR_WIDTH.initial, 1024)).toBe(276);
    expect(sideBarMaxWidth(1024)).toBe(276);
    expect(sideBarWidthIn(SIDE_BAR_WIDTH.initial, 800)).toBe(SIDE_BAR_WIDTH.min);
    // not measured yet: as stored
    expect(sideBarWidthIn(500, 0)).toBe(500);
  });

  it('gives the panel a smaller default share in a short window (1024x640), never a dragged height', () => {
    expect(panelRows(null, 640)).toBe(`minmax(0, 1fr) minmax(${PANEL_MIN_HEIGHT}px, 18%)`);
    expect(panelRows(null, 900)).toBe('minmax(0, 1fr) minmax(130px, 27%)');
    expect(panelRows(260, 640)).toBe(panelRows(260));
  });
});
