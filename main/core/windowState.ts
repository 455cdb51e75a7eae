/**
 * Where the desktop window opens: where the analyst left it, when that is still on a screen.
 * Plain data and a file in the app's data folder; main/electron/window.ts reads the displays
 * and the window's bounds.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface SavedWindow {
  bounds: Rect;
  maximized: boolean;
}

export interface WindowPlacement {
  /** absent: the system centres the window */
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

export interface WindowSizes {
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
}

/** How much of the window's top must lie on a screen to grab its title bar: 100 × 40 px. */
const GRAB_WIDTH = 100;
const GRAB_HEIGHT = 40;

function isRect(v: unknown): v is Rect {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return ['x', 'y', 'width', 'height'].every((k) => typeof r[k] === 'number' && Number.isFinite(r[k]));
}

/** The saved window, or null when there is none or it is not one (a hand-edited or cut-short file). */
export function readSavedWindow(file: string): SavedWindow | null {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
  const s = json as { bounds?: unknown; maximized?: unknown };
  if (!isRect(s?.bounds) || s.bounds.width <= 0 || s.bounds.height <= 0) return null;
  return { bounds: s.bounds, maximized: s.maximized === true };
}

export function writeSavedWindow(file: string, saved: SavedWindow): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(saved)}\n`);
  renameSync(tmp, file);
}

/** The part of `a` that overlaps `b` (width and height 0 when none). */
function overlap(a: Rect, b: Rect): { width: number; height: number } {
  return {
    width: Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)),
    height: Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y)),
  };
}

/**
 * The saved place when the window's title bar would be on one of the screens (`workAreas`), with
 * its size kept between the minimum and that screen; otherwise the default size, no larger than
 * the first screen, centred by the system. A window saved maximised opens maximised either way.
 */
export function placeWindow(saved: SavedWindow | null, workAreas: Rect[], sizes: WindowSizes): WindowPlacement {
  const maximized = saved?.maximized ?? false;
  if (saved) {
    const b = saved.bounds;
    const titleBar = { x: b.x, y: b.y, width: b.width, height: Math.min(b.height, GRAB_HEIGHT) };
    const screen = workAreas.find((area) => {
      const o = overlap(titleBar, area);
      return o.width >= Math.min(GRAB_WIDTH, b.width) && o.height >= Math.min(GRAB_HEIGHT, b.height);
    });
    if (screen) {
      return {
        x: Math.round(b.x),
        y: Math.round(b.y),
        width: Math.round(Math.min(Math.max(b.width, sizes.minWidth), Math.max(screen.width, sizes.minWidth))),
        height: Math.round(Math.min(Math.max(b.height, sizes.minHeight), Math.max(screen.height, sizes.minHeight))),
        maximized,
      };
    }
  }
  const first = workAreas[0];
  return {
    width: first ? Math.max(sizes.minWidth, Math.min(sizes.width, first.width)) : sizes.width,
    height: first ? Math.max(sizes.minHeight, Math.min(sizes.height, first.height)) : sizes.height,
    maximized,
  };
}
